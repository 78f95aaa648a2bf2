"""The follow-up tab of an episode: contact log, home visits, hospital stays, adverse events."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from appui.core.enums import SensitivityCategory
from appui.core.mixins import paginate
from appui.core.permissions import can

from .. import followup as service
from .. import services
from .. import sharing as care_sharing
from ..enums import VisitStatus
from ..forms.followup import (
    AdverseEventForm,
    ContactForm,
    CorrectiveActionForm,
    DischargeForm,
    DischargeTaskForm,
    HospitalStayForm,
    VisitCancelForm,
    VisitPlanForm,
    VisitReportForm,
    add_errors,
)
from ..models import AdverseEvent, CareEpisode, DischargeTask, HomeVisit, HospitalStay

SOCIAL = SensitivityCategory.SOCIAL

#: A time typed this close to now means "now" (forms are filled to the minute).
RECENT = timedelta(minutes=10)

#: How many past visits (done or cancelled) the tab lists; their reports are in the contact log.
PAST_VISITS = 10


def _episode(request, pk, action="change", category=SensitivityCategory.MEDICAL) -> CareEpisode:
    """The episode whose follow-up is changed; the form's data is of `category` (403 without
    it): contacts and visit reports are social, hospital stays and adverse events medical."""
    episode = services.episode_for(
        request.membership,
        pk,
        action,
        queryset=CareEpisode.objects.select_related("person"),
    )
    care_sharing.require_category(care_sharing.episode_access(request, episode), category)
    return episode


def _data(request):
    return request.POST if request.method == "POST" else None


def _moment(value):
    """None when the typed time is (about) now, so that the service stamps the exact moment."""
    if value is not None and timedelta(0) <= timezone.now() - value < RECENT:
        return None
    return value


def _back(episode, anchor=""):
    response = redirect("care:followup", pk=episode.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(request, episode, error: ValidationError, anchor=""):
    for message in error.messages:
        messages.error(request, message)
    return _back(episode, anchor)


def _form_page(request, episode, form, *, title, submit, intro="", template=None, **extra):
    return render(
        request,
        template or "care/followup/form.html",
        {
            "episode": episode,
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            **extra,
        },
    )


# --- The tab ---------------------------------------------------------------------------------


@login_required
def followup(request, pk):
    episode = services.episode_for(
        request.membership,
        pk,
        queryset=CareEpisode.objects.select_related("person", "referent", "case_manager"),
    )
    access = care_sharing.episode_access(request, episode)
    visits = HomeVisit.objects.filter(episode=episode).select_related("staff", "contact")
    stays = (
        list(
            HospitalStay.objects.filter(episode=episode)
            .select_related("establishment", "recorded_by")
            .prefetch_related(Prefetch("tasks", DischargeTask.objects.order_by("due_on", "pk")))
        )
        if care_sharing.sees_hospital(access)
        else []
    )
    today = timezone.localdate()
    planned_visits = list(visits.filter(status=VisitStatus.PLANNED).order_by("planned_at"))
    for visit in planned_visits:
        visit.report_due = timezone.localdate(visit.planned_at) < today
    context = {
        "episode": episode,
        "current": "followup",
        "can_change": episode.is_open and can(request.membership, "care", "change", episode),
        "planned_visits": planned_visits,
        "past_visits": list(
            visits.exclude(status=VisitStatus.PLANNED).order_by("-planned_at", "-pk")[:PAST_VISITS]
        ),
        "stays": stays,
        "adverse_events": list(
            AdverseEvent.objects.filter(episode=episode).select_related(
                "hospital_stay__establishment", "recorded_by"
            )
        )
        if care_sharing.sees_hospital(access)
        else [],
        "today": today,
        "access": access,
        **paginate(
            request,
            service.contacts_of(episode.person_id)
            if care_sharing.sees_contacts(access)
            else service.contacts_of(episode.person_id).none(),
        ),
    }
    return render(request, "care/followup/followup.html", context)


# --- Contacts --------------------------------------------------------------------------------


@login_required
def contact_create(request, pk):
    episode = _episode(request, pk, category=SOCIAL)
    form = ContactForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "at": _moment(form.cleaned_data["at"])}
        try:
            service.log_episode_contact(request.membership, episode, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Contact ajouté au journal.")
            return _back(episode, "contacts")
    return _form_page(
        request,
        episode,
        form,
        title="Ajouter un contact",
        intro="Un appel reçu ou passé, un message, une visite : avec qui, pourquoi, ce qui en "
        "sort.",
        submit="Ajouter le contact",
    )


# --- Home visits -----------------------------------------------------------------------------


def _visit(episode, visit_pk) -> HomeVisit:
    return get_object_or_404(
        HomeVisit.objects.select_related("staff", "episode__person"),
        pk=visit_pk,
        episode=episode,
    )


@login_required
def visit_plan(request, pk):
    episode = _episode(request, pk, category=SOCIAL)
    form = VisitPlanForm(
        _data(request), team=service.team(episode.dac_id), initial={"staff": request.user.pk}
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = service.plan_home_visit(request.membership, episode, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            when = timezone.localtime(visit.planned_at)
            messages.success(request, f"Visite planifiée le {when:%d/%m/%Y à %H:%M}.")
            return _back(episode, "visites")
    return _form_page(
        request, episode, form, title="Planifier une visite à domicile", submit="Planifier"
    )


@login_required
def visit_report(request, pk, visit_pk):
    episode = _episode(request, pk, category=SOCIAL)
    visit = _visit(episode, visit_pk)
    if visit.status != VisitStatus.PLANNED:
        messages.error(request, "Cette visite n'est plus prévue.")
        return _back(episode, "visites")
    form = VisitReportForm(_data(request), initial={"with_whom": episode.person.display_name})
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "done_at": _moment(form.cleaned_data["done_at"])}
        try:
            service.complete_home_visit(request.membership, visit, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Visite réalisée : son compte rendu est au journal.")
            return _back(episode, "visites")
    when = timezone.localtime(visit.planned_at)
    return _form_page(
        request,
        episode,
        form,
        title="Compte rendu de visite",
        intro=f"Visite prévue le {when:%d/%m/%Y à %H:%M} par "
        f"{visit.staff.get_full_name() or visit.staff.email} : {visit.purpose}.",
        submit="Enregistrer le compte rendu",
    )


@login_required
def visit_cancel(request, pk, visit_pk):
    episode = _episode(request, pk, category=SOCIAL)
    visit = _visit(episode, visit_pk)
    form = VisitCancelForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            service.cancel_home_visit(request.membership, visit, **form.cleaned_data)
        except ValidationError as error:
            return _refused(request, episode, error, "visites")
        messages.success(request, "Visite annulée.")
        return _back(episode, "visites")
    when = timezone.localtime(visit.planned_at)
    return _form_page(
        request,
        episode,
        form,
        title="Annuler la visite",
        intro=f"Visite prévue le {when:%d/%m/%Y à %H:%M} : {visit.purpose}.",
        submit="Annuler la visite",
    )


# --- Hospital stays --------------------------------------------------------------------------


def _stay(episode, stay_pk) -> HospitalStay:
    return get_object_or_404(
        HospitalStay.objects.select_related("establishment", "episode"),
        pk=stay_pk,
        episode=episode,
    )


@login_required
def stay_create(request, pk):
    episode = _episode(request, pk)
    form = HospitalStayForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data["is_planned"]:
            data["record_adverse_event"] = False
        try:
            stay = service.record_hospital_stay(request.membership, episode, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            text = f"Hospitalisation du {stay.admitted_on:%d/%m/%Y} enregistrée"
            if data["record_adverse_event"]:
                text += ", avec l'événement indésirable « hospitalisation non programmée »"
            messages.success(request, text + ".")
            return _back(episode, "hospitalisations")
    return _form_page(
        request,
        episode,
        form,
        title="Enregistrer une hospitalisation",
        submit="Enregistrer",
        template="care/followup/stay_form.html",
    )


@login_required
def stay_discharge(request, pk, stay_pk):
    episode = _episode(request, pk)
    stay = _stay(episode, stay_pk)
    form = DischargeForm(
        _data(request),
        initial={
            "planned_discharge_on": stay.planned_discharge_on,
            "discharged_on": stay.discharged_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            stay = service.set_discharge(request.membership, stay, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"Sortie du {stay.discharged_on:%d/%m/%Y} enregistrée."
                if stay.discharged_on
                else "Date de sortie prévue enregistrée.",
            )
            return _back(episode, "hospitalisations")
    return _form_page(
        request,
        episode,
        form,
        title="Sortie d'hospitalisation",
        intro=f"{_stay_label(stay)}, entrée le {stay.admitted_on:%d/%m/%Y}.",
        submit="Enregistrer",
    )


def _stay_label(stay) -> str:
    return str(stay.establishment) if stay.establishment_id else stay.establishment_label


@login_required
def discharge_task_create(request, pk, stay_pk):
    episode = _episode(request, pk)
    stay = _stay(episode, stay_pk)
    form = DischargeTaskForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            service.add_discharge_task(request.membership, stay, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Action de préparation de la sortie ajoutée.")
            return _back(episode, f"sejour-{stay.pk}")
    return _form_page(
        request,
        episode,
        form,
        title="Préparer la sortie",
        intro=f"{_stay_label(stay)}, entrée le {stay.admitted_on:%d/%m/%Y}"
        + (
            f", sortie prévue le {stay.planned_discharge_on:%d/%m/%Y}."
            if stay.planned_discharge_on
            else "."
        ),
        submit="Ajouter l'action",
    )


@login_required
@require_POST
def discharge_task_done(request, pk, task_pk):
    episode = _episode(request, pk)
    task = get_object_or_404(
        DischargeTask.objects.select_related("stay__episode"), pk=task_pk, stay__episode=episode
    )
    try:
        service.complete_discharge_task(request.membership, task)
    except ValidationError as error:
        return _refused(request, episode, error, f"sejour-{task.stay_id}")
    messages.success(request, f"Action « {task.description} » faite.")
    return _back(episode, f"sejour-{task.stay_id}")


# --- Adverse events --------------------------------------------------------------------------


@login_required
def adverse_event_create(request, pk):
    episode = _episode(request, pk)
    stays = HospitalStay.objects.filter(episode=episode).select_related("establishment")
    form = AdverseEventForm(_data(request), stays=stays)
    if request.method == "POST" and form.is_valid():
        try:
            service.record_adverse_event(request.membership, episode, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Événement indésirable enregistré.")
            return _back(episode, "evenements")
    return _form_page(
        request,
        episode,
        form,
        title="Enregistrer un événement indésirable",
        intro="Hospitalisation non programmée, rupture de prise en charge, sortie volontaire du "
        "dispositif… et l'action corrective décidée.",
        submit="Enregistrer",
    )


@login_required
def corrective_action(request, pk, event_pk):
    episode = _episode(request, pk)
    event = get_object_or_404(
        AdverseEvent.objects.select_related("episode"), pk=event_pk, episode=episode
    )
    form = CorrectiveActionForm(
        _data(request),
        initial={
            "corrective_action": event.corrective_action,
            "corrective_action_done_on": event.corrective_action_done_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.record_corrective_action(request.membership, event, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Action corrective enregistrée.")
            return _back(episode, "evenements")
    return _form_page(
        request,
        episode,
        form,
        title="Action corrective",
        intro=f"{event.get_kind_display()} du {event.occurred_on:%d/%m/%Y} : {event.description}",
        submit="Enregistrer",
    )


urlpatterns = [
    path("accompagnements/<int:pk>/suivi/", followup, name="followup"),
    path("accompagnements/<int:pk>/suivi/contacts/ajout/", contact_create, name="followup_contact"),
    path("accompagnements/<int:pk>/suivi/visites/planifier/", visit_plan, name="visit_plan"),
    path(
        "accompagnements/<int:pk>/suivi/visites/<int:visit_pk>/compte-rendu/",
        visit_report,
        name="visit_report",
    ),
    path(
        "accompagnements/<int:pk>/suivi/visites/<int:visit_pk>/annulation/",
        visit_cancel,
        name="visit_cancel",
    ),
    path("accompagnements/<int:pk>/suivi/hospitalisations/ajout/", stay_create, name="stay_create"),
    path(
        "accompagnements/<int:pk>/suivi/hospitalisations/<int:stay_pk>/sortie/",
        stay_discharge,
        name="stay_discharge",
    ),
    path(
        "accompagnements/<int:pk>/suivi/hospitalisations/<int:stay_pk>/preparation/",
        discharge_task_create,
        name="discharge_task_create",
    ),
    path(
        "accompagnements/<int:pk>/suivi/preparation/<int:task_pk>/faite/",
        discharge_task_done,
        name="discharge_task_done",
    ),
    path(
        "accompagnements/<int:pk>/suivi/evenements/ajout/",
        adverse_event_create,
        name="adverse_event_create",
    ),
    path(
        "accompagnements/<int:pk>/suivi/evenements/<int:event_pk>/action-corrective/",
        corrective_action,
        name="corrective_action",
    ),
]
