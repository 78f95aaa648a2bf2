"""The episode page (dossier de coordination) and the episode's own actions: opening from the
person page, consent, médecin traitant, level, staff, exit, reopening. Each action is a small page
with its form; the rules are in `care.services`."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from appui.core.models import Event
from appui.core.permissions import can, require, scope
from appui.intake.enums import IntensityLevel
from appui.intake.forms_triage import add_errors
from appui.persons.models import Person

from .. import services
from ..enums import ConsentAnswer, EpisodeKind, ExitReason
from ..forms.episodes import (
    CloseForm,
    ConsentForm,
    GpForm,
    LevelForm,
    OpenEpisodeForm,
    ReopenForm,
    StaffForm,
)
from ..models import CareEpisode
from ..sections import render_sections

#: How many events the episode page shows.
HISTORY_LENGTH = 30

#: A time typed this close to now means "now" (forms are filled to the minute).
RECENT = timedelta(minutes=10)


def _moment(value):
    """A time typed to the minute: None when it is (about) now — the form's default — so that the
    service stamps the exact moment and the level history keeps the true order."""
    if value is not None and timedelta(0) <= timezone.now() - value < RECENT:
        return None
    return value


def _data(request):
    return request.POST if request.method == "POST" else None


def _back(episode):
    return redirect("care:episode_detail", pk=episode.pk)


def _staff_kwargs(dac_id) -> dict:
    return {
        "referents": services.referents(dac_id),
        "case_managers": services.case_managers(dac_id),
    }


def _form_page(request, episode, form, *, title, submit, intro="", template=None, **extra):
    return render(
        request,
        template or "care/episode/form.html",
        {
            "episode": episode,
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            **extra,
        },
    )


def _label(choices, value) -> str:
    try:
        return choices(value).label.lower()
    except ValueError:
        return str(value or "")


def describe(event) -> str:
    """A short French detail of an episode's event, for its history."""
    data = event.data or {}
    if event.verb == "level_changed":
        return (
            f"{_label(IntensityLevel, data.get('from'))} → {_label(IntensityLevel, data.get('to'))}"
            f" — {data.get('reason', '')}"
        )
    if event.verb == "consent_recorded":
        return _label(ConsentAnswer, data.get("answer"))
    if event.verb == "exited":
        return _label(ExitReason, data.get("reason"))
    if event.verb in ("opened", "reopened"):
        return _label(IntensityLevel, data.get("level"))
    if event.verb == "gp_not_informed":
        return data.get("reason", "")
    if event.verb == "staff_assigned":
        before, after = data.get("before", {}), data.get("after", {})
        if before.get("kind") != after.get("kind"):
            return f"devient : {_label(EpisodeKind, after.get('kind'))}"
    return ""


# --- The page ---------------------------------------------------------------------------------


@login_required
def episode_detail(request, pk):
    episode = services.episode_for(
        request.membership,
        pk,
        queryset=CareEpisode.objects.select_related(
            "person", "person__gp", "request", "referent", "case_manager", "previous", "closed_by"
        ),
    )
    consents = list(
        episode.consents.select_related("informed_by", "legal_representative", "recorded_by")
    )
    levels = list(episode.level_changes.select_related("changed_by"))
    history = list(
        Event.objects.filter(subject_type="care.careepisode", subject_id=str(pk))[:HISTORY_LENGTH]
    )
    for event in history:
        event.details = describe(event)
    following = None if episode.is_open else services.next_episode(episode)
    can_change = can(request.membership, "care", "change", episode)
    return render(
        request,
        "care/episode_detail.html",
        {
            "episode": episode,
            "consent": consents[0] if consents else None,
            "consents": consents,
            "levels": levels,
            "history": history,
            "following": following,
            "sections": render_sections(request, episode),
            "can_change": can_change and episode.is_open,
            "can_reopen": can_change
            and not episode.is_open
            and episode.archived_at is None
            and following is None
            and episode.person.deceased_on is None
            and can(request.membership, "care", "create"),
            "can_view_request": bool(episode.request_id)
            and can(request.membership, "support_request", "view", episode.request),
            "referent_caseload": services.caseloads(episode.referent)["referent"]
            # A case manager who is also the référente is counted once, against her own target.
            if episode.is_open
            and episode.referent_id
            and episode.referent_id != episode.case_manager_id
            else None,
            "case_manager_caseload": services.caseloads(episode.case_manager)["case_manager"]
            if episode.is_open and episode.case_manager_id
            else None,
        },
    )


# --- Opening from the person page -------------------------------------------------------------


@login_required
def episode_open(request, person_pk):
    membership = request.membership
    require(membership, "care", "create")
    person = get_object_or_404(
        scope(membership, "person", "view", Person.objects.current()), pk=person_pk
    )
    form = OpenEpisodeForm(
        _data(request), initial={"referent": request.user.pk}, **_staff_kwargs(person.dac_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.open_episode(membership, person, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Accompagnement ouvert.")
            return _back(episode)
    return render(
        request,
        "care/episode/open.html",
        {"person": person, "form": form, "existing": services.open_episode_for(person.pk)},
    )


# --- Actions on an open episode ---------------------------------------------------------------


def _episode(request, pk, *related) -> CareEpisode:
    return services.episode_for(
        request.membership,
        pk,
        "change",
        queryset=CareEpisode.objects.select_related("person", *related),
    )


def _closed(request, episode):
    """Back to the page with a message when the episode is closed (its forms are for open ones)."""
    messages.error(request, services.CLOSED_MESSAGE)
    return _back(episode)


@login_required
def episode_consent(request, pk):
    episode = _episode(request, pk)
    if not episode.is_open:
        return _closed(request, episode)
    representatives = list(services.legal_representatives(episode.person))
    form = ConsentForm(
        _data(request),
        initial={"informed_by": request.user.pk},
        team=services.team(episode.dac_id),
        representatives=services.legal_representatives(episode.person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent = services.record_consent(request.membership, episode, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if consent.answer == ConsentAnswer.REFUSES:
                messages.warning(
                    request,
                    "Refus enregistré : l'accompagnement est clôturé (motif : refus de la "
                    "personne).",
                )
            else:
                messages.success(request, "Consentement enregistré.")
            return _back(episode)
    return _form_page(
        request,
        episode,
        form,
        title="Consentement à l'accompagnement",
        intro="La personne est informée de l'accompagnement proposé ; sa réponse est enregistrée "
        "avec qui l'a informée, quand et comment.",
        submit="Enregistrer la réponse",
        template="care/episode/consent.html",
        representative_required=services.needs_representative(episode.person, representatives),
        representatives_exist=bool(representatives),
    )


@login_required
def episode_gp(request, pk):
    episode = _episode(request, pk, "person__gp")
    if not episode.is_open:
        return _closed(request, episode)
    form = GpForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if form.is_informed:
                services.record_gp_informed(
                    request.membership, episode, informed_on=data["informed_on"], how=data["how"]
                )
            else:
                services.record_gp_not_informed(request.membership, episode, data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Information du médecin traitant enregistrée.")
            return _back(episode)
    return _form_page(
        request,
        episode,
        form,
        title="Information du médecin traitant",
        intro="Le médecin traitant est toujours informé de l'accompagnement ; sinon, on "
        "enregistre pourquoi.",
        submit="Enregistrer",
        template="care/episode/gp.html",
    )


@login_required
def episode_level(request, pk):
    episode = _episode(request, pk)
    if not episode.is_open:
        return _closed(request, episode)
    form = LevelForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_level(
                request.membership,
                episode,
                data["level"],
                reason=data["reason"],
                at=_moment(data["at"]),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Niveau d'intensité changé.")
            return _back(episode)
    return _form_page(
        request,
        episode,
        form,
        title="Changer le niveau d'intensité",
        intro=f"Niveau actuel : {episode.get_level_display().lower()}. Le changement et son "
        "motif restent dans l'historique des niveaux.",
        submit="Changer le niveau",
    )


@login_required
def episode_staff(request, pk):
    episode = _episode(request, pk)
    if not episode.is_open:
        return _closed(request, episode)
    form = StaffForm(
        _data(request),
        initial={"referent": episode.referent_id, "case_manager": episode.case_manager_id},
        **_staff_kwargs(episode.dac_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_staff(request.membership, episode, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Équipe de l'accompagnement enregistrée.")
            return _back(episode)
    return _form_page(
        request,
        episode,
        form,
        title="Référent·e et gestionnaire de cas",
        intro="Désigner un·e gestionnaire de cas fait de l'accompagnement une gestion de cas ; "
        "le ou la retirer le ramène en coordination renforcée.",
        submit="Enregistrer",
    )


@login_required
def episode_close(request, pk):
    episode = _episode(request, pk)
    if not episode.is_open:
        return _closed(request, episode)
    form = CloseForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.close_episode(request.membership, episode, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            reason = ExitReason(form.cleaned_data["exit_reason"]).label.lower()
            messages.success(request, f"Accompagnement clôturé (motif : {reason}).")
            return _back(episode)
    return _form_page(
        request,
        episode,
        form,
        title="Clôturer l'accompagnement",
        intro=f"Sortie de la file active. Inclusion le {episode.opened_on:%d/%m/%Y} : la date de "
        "sortie est comprise entre l'inclusion et aujourd'hui.",
        submit="Clôturer l'accompagnement",
    )


@login_required
def episode_reopen(request, pk):
    episode = _episode(request, pk)
    if episode.is_open:
        messages.error(request, "Cet accompagnement est en cours : il n'y a rien à rouvrir.")
        return _back(episode)
    if episode.archived_at is not None:
        messages.error(request, services.ARCHIVED_MESSAGE)
        return _back(episode)
    form = ReopenForm(
        _data(request),
        initial={
            "referent": episode.referent_id or request.user.pk,
            "case_manager": episode.case_manager_id,
            "level": episode.level,
        },
        **_staff_kwargs(episode.dac_id),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.reopen_episode(
                request.membership,
                episode,
                reason=data["reason"],
                level=data["level"],
                kind=EpisodeKind.CASE_MANAGEMENT
                if data["case_manager"]
                else EpisodeKind.COORDINATION,
                referent=data["referent"],
                case_manager=data["case_manager"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Nouvel accompagnement ouvert, à la suite du précédent.")
            return _back(new)
    return _form_page(
        request,
        episode,
        form,
        title="Rouvrir l'accompagnement",
        intro="Un nouvel accompagnement s'ouvre aujourd'hui, lié à celui-ci, qui reste clôturé "
        "avec son historique. Le consentement de la personne sera à recueillir de nouveau.",
        submit="Rouvrir",
    )


urlpatterns = [
    path("personnes/<int:person_pk>/accompagnements/ouvrir/", episode_open, name="episode_open"),
    path("accompagnements/<int:pk>/consentement/", episode_consent, name="episode_consent"),
    path("accompagnements/<int:pk>/medecin-traitant/", episode_gp, name="episode_gp"),
    path("accompagnements/<int:pk>/niveau/", episode_level, name="episode_level"),
    path("accompagnements/<int:pk>/equipe/", episode_staff, name="episode_staff"),
    path("accompagnements/<int:pk>/sortie/", episode_close, name="episode_close"),
    path("accompagnements/<int:pk>/reouverture/", episode_reopen, name="episode_reopen"),
]
