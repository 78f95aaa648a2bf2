"""Pages of the concertation meetings: the DAC's list, a meeting (situations discussed,
participants, minutes), its printable minutes, and the episode's "Concertations" tab."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from appui.core.enums import SensitivityCategory
from appui.core.mixins import paginate
from appui.core.models import Event
from appui.intake.forms_triage import add_errors
from appui.intake.search import search_professionals
from appui.territory.models import PracticePlace, Professional

from .. import meetings, services
from .. import sharing as care_sharing
from ..enums import EpisodeStatus
from ..forms.meetings import MeetingForm, ParticipantForm, SituationFields, SituationForm
from ..models import CareEpisode, MeetingParticipant, MeetingSituation

#: How many events a meeting's page shows.
HISTORY_LENGTH = 20


def _data(request):
    return request.POST if request.method == "POST" else None


def _back(meeting):
    return redirect("care:meeting_detail", pk=meeting.pk)


def _refused(request, meeting, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)
    return _back(meeting)


def _episode_param(request, action="change") -> CareEpisode | None:
    """The episode named in `?episode=` (an open one of the DAC within reach), or None."""
    value = request.GET.get("episode", "")
    if not value.isdigit():
        return None
    return (
        services.episodes_in_reach(request.membership, action)
        .filter(pk=int(value), status=EpisodeStatus.OPEN)
        .select_related("person", "referent")
        .first()
    )


# --- The DAC's meetings -----------------------------------------------------------------------

PERIODS = {"a-venir": "À venir", "passees": "Passées"}


@login_required
def meeting_list(request):
    reachable = meetings.meetings_in_reach(request.membership)
    period = request.GET.get("periode", "a-venir")
    if period not in PERIODS:
        period = "a-venir"
    now = timezone.now()
    queryset = (
        reachable.filter(held_at__gte=now).order_by("held_at", "pk")
        if period == "a-venir"
        else reachable.filter(held_at__lt=now).order_by("-held_at", "-pk")
    )
    queryset = queryset.select_related("organised_by").annotate(
        situation_count=Count("situations", distinct=True),
        participant_count=Count("participants", distinct=True),
    )
    return render(
        request,
        "care/meetings/list.html",
        {
            **paginate(request, queryset),
            "period": period,
            "periods": PERIODS,
            "can_create": meetings.is_dac_team(request.membership, "change"),
        },
    )


@login_required
def meeting_create(request):
    meetings.meetings_in_reach(request.membership, "change")
    episode = _episode_param(request)
    form = MeetingForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meetings.create_meeting(
                request.membership,
                **form.cleaned_data,
                episodes=[episode] if episode else [],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Concertation enregistrée.")
            return _back(meeting)
    return render(
        request,
        "care/meetings/form.html",
        {
            "form": form,
            "meeting": None,
            "episode": episode,
            "title": "Planifier une concertation",
            "submit": "Enregistrer la concertation",
        },
    )


@login_required
def meeting_edit(request, pk):
    meeting = meetings.meeting_for(request.membership, pk, "change")
    form = MeetingForm(
        _data(request),
        initial={
            "held_at": timezone.localtime(meeting.held_at),
            "title": meeting.title,
            "place": meeting.place,
            "minutes": meeting.minutes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            meetings.update_meeting(request.membership, meeting, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Concertation modifiée.")
            return _back(meeting)
    return render(
        request,
        "care/meetings/form.html",
        {
            "form": form,
            "meeting": meeting,
            "episode": None,
            "title": "Modifier la concertation",
            "submit": "Enregistrer",
        },
    )


@login_required
def meeting_detail(request, pk):
    meeting = meetings.meeting_for(
        request.membership, pk, queryset=meetings.Meeting.objects.select_related("organised_by")
    )
    situations = meetings.visible_situations(
        request.membership,
        meeting.situations.select_related("episode__person", "episode__referent").order_by("pk"),
    )
    participants = list(
        meetings.visible_participants(request.membership, meeting).select_related("carer__person")
    )
    history = list(
        Event.objects.filter(subject_type="care.meeting", subject_id=str(pk))[:HISTORY_LENGTH]
    )
    for event in history:
        # Participants are named in the event (they may have left the list since).
        event.details = (event.data or {}).get("label", "")
    return render(
        request,
        "care/meetings/detail.html",
        {
            "meeting": meeting,
            "situations": situations,
            "participants": participants,
            "history": history,
            "can_change": meetings.is_dac_team(request.membership, "change"),
            "is_past": meeting.held_at <= timezone.now(),
        },
    )


# --- Participants -----------------------------------------------------------------------------


@login_required
def participant_add(request, pk):
    membership = request.membership
    meeting = meetings.meeting_for(membership, pk, "change")
    data = _data(request)
    searching = data is not None and "search" in data
    q = (data or request.GET).get("q", "").strip()
    found, more = search_professionals(membership, q) if q else ([], False)
    chosen = data.get("professional", "") if data else ""
    ids = [p.pk for p in found] + ([int(chosen)] if chosen.isdigit() else [])
    professionals = Professional.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("practice_places", PracticePlace.objects.select_related("organisation"))
    )
    kwargs = {
        "staff": meetings.staff_choices(meeting.dac_id),
        "professionals": professionals,
        "carers": meetings.carer_choices(meeting),
    }
    if searching:
        initial = {k: v for k, v in data.items() if k not in ("csrfmiddlewaretoken", "search")}
        initial["kind"] = ParticipantForm.PROFESSIONAL
        form = ParticipantForm(initial=initial, **kwargs)
    else:
        form = ParticipantForm(data, **kwargs)
    if data is not None and not searching and form.is_valid():
        try:
            participant = meetings.add_participant(membership, meeting, **form.participant())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{participant} ajouté·e aux participant·es.")
            return _back(meeting)
    return render(
        request,
        "care/meetings/participant_form.html",
        {
            "meeting": meeting,
            "form": form,
            "searched": bool(q),
            "more": more,
            "has_professionals": bool(ids),
            "has_carers": kwargs["carers"].exists(),
        },
    )


def _participant(request, pk, participant_pk) -> MeetingParticipant:
    meeting = meetings.meeting_for(request.membership, pk, "change")
    return get_object_or_404(meeting.participants.select_related("meeting"), pk=participant_pk)


@login_required
@require_POST
def participant_attendance(request, pk, participant_pk):
    participant = _participant(request, pk, participant_pk)
    attended = request.POST.get("attended") == "1"
    meetings.set_attendance(request.membership, participant, attended)
    messages.success(request, f"{participant} : {'présent·e' if attended else 'absent·e'}.")
    return _back(participant.meeting)


@login_required
@require_POST
def participant_remove(request, pk, participant_pk):
    participant = _participant(request, pk, participant_pk)
    meetings.remove_participant(request.membership, participant)
    messages.success(request, f"{participant} retiré·e des participant·es.")
    return _back(participant.meeting)


# --- Situations -------------------------------------------------------------------------------


@login_required
def situation_add(request, pk):
    membership = request.membership
    meeting = meetings.meeting_for(membership, pk, "change")
    data = _data(request)
    searching = data is not None and "search" in data
    q = (data or request.GET).get("q", "").strip()
    found = meetings.situation_candidates(membership, q) if q else []
    preselected = _episode_param(request)
    chosen = data.get("episode", "") if data else ""
    ids = [e.pk for e in found]
    ids += [int(chosen)] if chosen.isdigit() else []
    ids += [preselected.pk] if preselected else []
    episodes = (
        services.episodes_in_reach(membership, "change")
        .filter(pk__in=ids, dac_id=meeting.dac_id, status=EpisodeStatus.OPEN)
        .select_related("person", "referent")
        .order_by("person__birth_name", "person__first_name")
    )
    initial = {"episode": preselected.pk if preselected else None, "q": q}
    if searching:
        initial.update(
            {k: v for k, v in data.items() if k not in ("csrfmiddlewaretoken", "search")}
        )
        form = SituationForm(initial=initial, episodes=episodes)
    else:
        form = SituationForm(data, initial=initial, episodes=episodes)
    if data is not None and not searching and form.is_valid():
        cleaned = form.cleaned_data
        try:
            meetings.add_situation(
                membership,
                meeting,
                cleaned["episode"],
                discussion=cleaned["discussion"],
                decisions=cleaned["decisions"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, f"Situation de {cleaned['episode'].person.display_name} inscrite."
            )
            return _back(meeting)
    return render(
        request,
        "care/meetings/situation_form.html",
        {
            "meeting": meeting,
            "form": form,
            "searched": bool(q),
            "has_choices": bool(ids),
        },
    )


def _situation(request, pk, situation_pk) -> MeetingSituation:
    meeting = meetings.meeting_for(request.membership, pk, "change")
    situation = get_object_or_404(
        meeting.situations.select_related("meeting", "episode__person"), pk=situation_pk
    )
    access = care_sharing.episode_access(request, situation.episode)
    if not access.visible:
        raise Http404
    care_sharing.require_category(access, SensitivityCategory.PLAN)
    return situation


@login_required
def situation_edit(request, pk, situation_pk):
    situation = _situation(request, pk, situation_pk)
    # What was discussed speaks of the person's health (medical category, docs/permissions.md).
    care_sharing.require_category(
        care_sharing.episode_access(request, situation.episode), SensitivityCategory.MEDICAL
    )
    form = SituationFields(
        _data(request),
        initial={"discussion": situation.discussion, "decisions": situation.decisions},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meetings.update_situation(request.membership, situation, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, f"Situation de {situation.episode.person.display_name} enregistrée."
            )
            return _back(situation.meeting)
    return render(
        request,
        "care/meetings/situation_edit.html",
        {"meeting": situation.meeting, "situation": situation, "form": form},
    )


@login_required
@require_POST
def situation_remove(request, pk, situation_pk):
    situation = _situation(request, pk, situation_pk)
    try:
        meetings.remove_situation(request.membership, situation)
    except ValidationError as error:
        return _refused(request, situation.meeting, error)
    messages.success(request, f"Situation de {situation.episode.person.display_name} retirée.")
    return _back(situation.meeting)


# --- Printable minutes ------------------------------------------------------------------------


@login_required
def meeting_minutes(request, pk):
    """The minutes to print: all situations (DAC staff), or one person's (`?episode=`)."""
    value = request.GET.get("episode", "")
    episode_pk = int(value) if value.isdigit() else None
    meeting, situations, participants = meetings.minutes_for(request.membership, pk, episode_pk)
    meetings.record_minutes_print(request.membership, meeting, situations)
    return render(
        request,
        "care/meetings/minutes.html",
        {
            "meeting": meeting,
            "situations": situations,
            "participants": participants,
            "filtered": episode_pk is not None,
            "dac": request.membership.organisation,
            "printed_at": timezone.now(),
        },
    )


# --- The episode's tab ------------------------------------------------------------------------


@login_required
def episode_meetings(request, pk):
    episode = services.episode_for(
        request.membership, pk, queryset=CareEpisode.objects.select_related("person")
    )
    situations = list(meetings.episode_situations(episode))
    access = care_sharing.episode_access(request, episode)
    now = timezone.now()
    return render(
        request,
        "care/meetings/episode_tab.html",
        {
            "episode": episode,
            "past": [s for s in situations if s.meeting.held_at <= now],
            "upcoming": [s for s in situations if s.meeting.held_at > now][::-1],
            "staff": meetings.is_dac_team(request.membership),
            "can_plan": episode.is_open and meetings.is_dac_team(request.membership, "change"),
            "content_visible": care_sharing.sees_concertation_content(access),
            "discussion_visible": care_sharing.sees_concertation_discussion(access),
        },
    )


urlpatterns = [
    path("accompagnements/<int:pk>/concertations/", episode_meetings, name="episode_meetings"),
    path("concertations/", meeting_list, name="meeting_list"),
    path("concertations/nouvelle/", meeting_create, name="meeting_create"),
    path("concertations/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("concertations/<int:pk>/modifier/", meeting_edit, name="meeting_edit"),
    path("concertations/<int:pk>/compte-rendu/", meeting_minutes, name="meeting_minutes"),
    path(
        "concertations/<int:pk>/participants/ajout/",
        participant_add,
        name="meeting_participant_add",
    ),
    path(
        "concertations/<int:pk>/participants/<int:participant_pk>/presence/",
        participant_attendance,
        name="meeting_participant_attendance",
    ),
    path(
        "concertations/<int:pk>/participants/<int:participant_pk>/retrait/",
        participant_remove,
        name="meeting_participant_remove",
    ),
    path("concertations/<int:pk>/situations/ajout/", situation_add, name="meeting_situation_add"),
    path(
        "concertations/<int:pk>/situations/<int:situation_pk>/",
        situation_edit,
        name="meeting_situation_edit",
    ),
    path(
        "concertations/<int:pk>/situations/<int:situation_pk>/retrait/",
        situation_remove,
        name="meeting_situation_remove",
    ),
]
