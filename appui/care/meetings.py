"""Concertation meetings (réunions de concertation pluriprofessionnelle) of the DAC.

A meeting belongs to the DAC; it discusses one or more situations (open episodes of the DAC), with
for each the elements discussed and the decisions that feed the person's PPCS. Its participants are
DAC staff, professionals of the directory, carers of the persons discussed, or someone named with
their role; each one attended or not.

Privacy: the meeting, all its situations and its minutes are for the DAC's staff (the roles whose
`care` rights cover the whole DAC). The minutes can be printed for one person only (the situation
of that episode, without the general minutes nor the other persons' carers) — for whoever may see
that episode, e.g. to send to the médecin traitant. Each print writes an access-log row "print"
for every situation printed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from appui.core import audit, sharing
from appui.core.enums import AccessAction
from appui.core.models import record_event
from appui.core.permissions import ORG, cell, require, scope
from appui.intake.workflow import assignable_users
from appui.persons.models import Carer

from . import sharing as care_sharing
from .enums import EpisodeStatus
from .models import CareEpisode, Meeting, MeetingParticipant, MeetingSituation

#: How many open episodes a search for a situation to discuss offers.
SITUATION_HITS = 10


# --- Reach ------------------------------------------------------------------------------------


def is_dac_team(membership, action="view") -> bool:
    """Whether the membership's `care` rights for `action` cover its whole DAC (its staff)."""
    return cell(getattr(membership, "role", None), "care", action) == ORG


def meetings_in_reach(membership, action="view"):
    """The DAC's meetings, for its staff (403 for anyone else)."""
    require(membership, "care", action)
    if not is_dac_team(membership, action):
        raise PermissionDenied
    return Meeting.objects.filter(dac_id=membership.organisation_id)


def meeting_for(membership, pk, action="view", queryset=None) -> Meeting:
    """The meeting `pk` of the membership's DAC (403 outside the staff, 404 another DAC's)."""
    reachable = meetings_in_reach(membership, action)
    if queryset is not None:
        reachable = queryset.filter(pk__in=reachable.values("pk"))
    return get_object_or_404(reachable, pk=pk)


def _check_meeting(membership, meeting) -> Meeting:
    """The meeting locked for a change, if the membership may change the DAC's meetings."""
    meetings_in_reach(membership, "change")
    if meeting.dac_id != membership.organisation_id:
        raise PermissionDenied
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _check_fields(held_at, title) -> dict:
    errors = {}
    if held_at is None:
        errors["held_at"] = "Indiquez la date et l'heure de la concertation."
    if not (title or "").strip():
        errors["title"] = "Indiquez l'objet de la concertation."
    return errors


# --- The meeting ------------------------------------------------------------------------------


@transaction.atomic
def create_meeting(membership, *, held_at, title, place="", minutes="", episodes=()) -> Meeting:
    """Plan (or record) a concertation of the membership's DAC, with the situations (open
    episodes) it will discuss, if already known."""
    meetings_in_reach(membership, "change")
    errors = _check_fields(held_at, title)
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        dac_id=membership.organisation_id,
        held_at=held_at,
        title=title.strip(),
        place=(place or "").strip(),
        minutes=(minutes or "").strip(),
        organised_by=membership.user,
    )
    record_event(meeting, "meeting_created", held_at=held_at.isoformat(), title=meeting.title)
    for episode in episodes:
        add_situation(membership, meeting, episode)
    return meeting


@transaction.atomic
def update_meeting(membership, meeting, *, held_at, title, place="", minutes="") -> Meeting:
    """Change the date, place, object or the minutes of a meeting."""
    locked = _check_meeting(membership, meeting)
    errors = _check_fields(held_at, title)
    if errors:
        raise ValidationError(errors)
    values = {
        "held_at": held_at,
        "title": title.strip(),
        "place": (place or "").strip(),
        "minutes": (minutes or "").strip(),
    }
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if changed:
        for name in changed:
            setattr(locked, name, values[name])
        locked.save(update_fields=[*changed, "updated_at", "updated_by"])
        record_event(locked, "meeting_updated", fields=changed)
    return locked


# --- Participants -----------------------------------------------------------------------------


def staff_choices(dac_id):
    """The DAC's team, who may take part as DAC staff."""
    return assignable_users(dac_id)


def carer_choices(meeting):
    """The carers of the persons whose situation the meeting discusses."""
    return (
        Carer.objects.filter(person__care_episodes__meeting_situations__meeting=meeting)
        .select_related("person")
        .distinct()
        .order_by("person__birth_name", "last_name", "first_name")
    )


@transaction.atomic
def add_participant(
    membership,
    meeting,
    *,
    user=None,
    professional=None,
    carer=None,
    name="",
    role="",
    attended=True,
) -> MeetingParticipant:
    """Add one participant: a member of the DAC's team, a professional of the directory, a carer
    of a person discussed, or someone named (with their role)."""
    locked = _check_meeting(membership, meeting)
    name, role = (name or "").strip(), (role or "").strip()
    given = [value for value in (user, professional, carer, name) if value]
    errors = {}
    if len(given) != 1:
        errors["__all__"] = (
            "Choisissez un·e seul·e participant·e : un membre de l'équipe, un·e professionnel·le "
            "du répertoire, un proche ou une autre personne (nom et rôle)."
        )
    elif user is not None:
        if not staff_choices(locked.dac_id).filter(pk=user.pk).exists():
            errors["user"] = "Cette personne ne fait pas partie de l'équipe du DAC."
        elif locked.participants.filter(user=user).exists():
            errors["user"] = "Cette personne participe déjà à la concertation."
    elif professional is not None:
        if locked.participants.filter(professional=professional).exists():
            errors["professional"] = (
                "Ce ou cette professionnel·le participe déjà à la concertation."
            )
    elif carer is not None:
        if not carer_choices(locked).filter(pk=carer.pk).exists():
            errors["carer"] = (
                "Seuls les proches des personnes dont la situation est discutée peuvent participer."
            )
        elif locked.participants.filter(carer=carer).exists():
            errors["carer"] = "Ce proche participe déjà à la concertation."
    elif not role:
        errors["role"] = "Indiquez le rôle de cette personne dans la situation."
    if errors:
        raise ValidationError(errors)
    participant = MeetingParticipant.objects.create(
        meeting=locked,
        user=user,
        professional=professional,
        carer=carer,
        name=name,
        role=role[:200],
        attended=attended,
    )
    record_event(
        locked,
        "participant_added",
        participant=participant.pk,
        label=str(participant),
        attended=attended,
    )
    return participant


@transaction.atomic
def set_attendance(membership, participant, attended: bool) -> MeetingParticipant:
    """Whether a participant attended."""
    locked = _check_meeting(membership, participant.meeting)
    participant = get_object_or_404(locked.participants, pk=participant.pk)
    if participant.attended != attended:
        participant.attended = attended
        participant.save(update_fields=["attended", "updated_at", "updated_by"])
        record_event(
            locked,
            "attendance_changed",
            participant=participant.pk,
            label=str(participant),
            attended=attended,
        )
    return participant


@transaction.atomic
def remove_participant(membership, participant) -> None:
    """Take a participant off the list (added by mistake); one who did not come is marked absent."""
    locked = _check_meeting(membership, participant.meeting)
    participant = get_object_or_404(locked.participants, pk=participant.pk)
    record_event(locked, "participant_removed", participant=participant.pk, label=str(participant))
    participant.delete()


# --- Situations discussed ---------------------------------------------------------------------


def situation_candidates(membership, text: str) -> list[CareEpisode]:
    """Open episodes of the DAC whose person matches every word typed (any of their names) and
    the birth date or year if typed: a few, for a choice."""
    from appui.intake.search import PersonQuery, _words

    query = PersonQuery.parse(text)
    if query.is_empty:
        return []
    queryset = scope(
        membership,
        "care",
        "change",
        CareEpisode.objects.filter(dac_id=membership.organisation_id, status=EpisodeStatus.OPEN),
    )
    if query.words:
        queryset = queryset.annotate(
            search_text=_words(
                "person__birth_name",
                "person__used_name",
                "person__first_names",
                "person__first_name",
                "person__used_first_name",
            )
        )
        for word in query.words:
            queryset = queryset.filter(search_text__contains=f" {word}")
    if query.birth_date:
        queryset = queryset.filter(person__birth_date=query.birth_date)
    elif query.birth_year:
        queryset = queryset.filter(person__birth_date__year=query.birth_year)
    return list(
        queryset.select_related("person", "referent").order_by(
            "person__birth_name", "person__first_name", "pk"
        )[:SITUATION_HITS]
    )


@transaction.atomic
def add_situation(membership, meeting, episode, *, discussion="", decisions="") -> MeetingSituation:
    """Put an open episode of the DAC on the meeting's agenda (once per meeting)."""
    locked = _check_meeting(membership, meeting)
    require(membership, "care", "change", episode)
    errors = {}
    if episode.dac_id != locked.dac_id:
        raise PermissionDenied
    if episode.status != EpisodeStatus.OPEN:
        errors["episode"] = "Seul un accompagnement en cours peut être discuté en concertation."
    elif locked.situations.filter(episode=episode).exists():
        errors["episode"] = "Cette situation est déjà inscrite à la concertation."
    if errors:
        raise ValidationError(errors)
    situation = MeetingSituation.objects.create(
        meeting=locked,
        episode=episode,
        discussion=(discussion or "").strip(),
        decisions=(decisions or "").strip(),
    )
    record_event(episode, "meeting_situation_added", meeting=locked.pk, situation=situation.pk)
    return situation


@transaction.atomic
def update_situation(membership, situation, *, discussion, decisions) -> MeetingSituation:
    """What was discussed about the person, and the decisions for their PPCS."""
    locked = _check_meeting(membership, situation.meeting)
    situation = get_object_or_404(locked.situations.select_related("episode"), pk=situation.pk)
    require(membership, "care", "change", situation.episode)
    values = {"discussion": (discussion or "").strip(), "decisions": (decisions or "").strip()}
    changed = [name for name, value in values.items() if getattr(situation, name) != value]
    if changed:
        for name in changed:
            setattr(situation, name, values[name])
        situation.save(update_fields=[*changed, "updated_at", "updated_by"])
        record_event(
            situation.episode,
            "meeting_situation_updated",
            meeting=locked.pk,
            situation=situation.pk,
            fields=changed,
        )
    return situation


@transaction.atomic
def remove_situation(membership, situation) -> None:
    """Take a situation off the agenda, as long as nothing was recorded about it."""
    locked = _check_meeting(membership, situation.meeting)
    situation = get_object_or_404(locked.situations.select_related("episode"), pk=situation.pk)
    if situation.discussion or situation.decisions:
        raise ValidationError(
            "Des éléments ou des décisions sont enregistrés pour cette situation : elle reste "
            "au compte rendu."
        )
    record_event(situation.episode, "meeting_situation_removed", meeting=locked.pk)
    # The person's carers came for this situation: they leave the meeting with it.
    for participant in locked.participants.filter(carer__person_id=situation.episode.person_id):
        record_event(
            locked, "participant_removed", participant=participant.pk, label=str(participant)
        )
        participant.delete()
    situation.delete()


# --- Reading: minutes, the episode's meetings, the PPCS -----------------------------------------


def minutes_for(membership, meeting_pk, episode_pk=None) -> tuple[Meeting, list, list]:
    """What the printable minutes show: the meeting, its situations, its participants.

    Without `episode_pk`: everything, for the DAC's staff. With it: that episode's situation only,
    for whoever may see the episode, and the participants without the other persons' carers.
    """
    from . import services

    if episode_pk is None:
        meeting = meeting_for(
            membership, meeting_pk, queryset=Meeting.objects.select_related("organised_by")
        )
        situations = visible_situations(
            membership, meeting.situations.select_related("episode__person", "episode__referent")
        )
        participants = list(_participants(meeting, membership))
        return meeting, situations, participants
    episode = services.episode_for(membership, episode_pk)
    situation = get_object_or_404(
        MeetingSituation.objects.select_related("meeting", "episode__person", "episode__referent"),
        meeting_id=meeting_pk,
        episode=episode,
    )
    meeting = situation.meeting
    access = sharing.access(membership, episode.person)
    situation.content_visible = care_sharing.sees_concertation_content(access)
    situation.discussion_visible = care_sharing.sees_concertation_discussion(access)
    participants = list(
        _participants(meeting).filter(Q(carer__isnull=True) | Q(carer__person_id=episode.person_id))
    )
    return meeting, [situation], participants


def _participants(meeting, membership=None):
    participants = meeting.participants.select_related("user", "professional", "carer")
    excluded = sharing.excluded_persons(membership) if membership is not None else None
    if excluded is not None:
        participants = participants.exclude(carer__person_id__in=excluded)
    return participants


def visible_situations(membership, situations):
    """The situations of a meeting the user may read: those of the persons who excluded the user
    are left out (their name included); each one says whether its discussion and decisions (the
    plan category of the person's data) show (`situation.content_visible`)."""
    excluded = sharing.excluded_persons(membership)
    if excluded is not None:
        situations = situations.exclude(episode__person_id__in=excluded)
    situations = list(situations)
    for situation in situations:
        access = sharing.access(membership, situation.episode.person)
        situation.content_visible = care_sharing.sees_concertation_content(access)
        situation.discussion_visible = care_sharing.sees_concertation_discussion(access)
    return situations


def visible_participants(membership, meeting):
    """The meeting's participants, less the carers of persons who excluded the user."""
    return _participants(meeting, membership)


@transaction.atomic
def record_minutes_print(membership, meeting, situations) -> None:
    """Each printed situation gets an access-log row "print" (the person's file says who printed
    what); the meeting's history records the print."""
    audit.record_many(situations, AccessAction.PRINT, ["discussion", "decisions"])
    record_event(
        meeting,
        "minutes_printed",
        situations=[situation.pk for situation in situations],
        episodes=[situation.episode_id for situation in situations],
    )


def episode_situations(episode):
    """The situations of this episode discussed in meetings, latest meeting first."""
    return (
        MeetingSituation.objects.filter(episode=episode)
        .select_related("meeting")
        .order_by("-meeting__held_at", "-pk")
    )


def decisions_for(episode) -> list[tuple[Meeting, str]]:
    """The concertations' decisions for the episode's PPCS: `[(meeting, decisions)]`, latest
    meeting first (situations without decisions are left out). One query."""
    return [
        (situation.meeting, situation.decisions)
        for situation in episode_situations(episode).exclude(decisions="")
    ]


def meetings_section(request, episode) -> dict | None:
    """The episode page's block: the person's last and next concertation (two queries)."""
    now = timezone.now()
    situations = MeetingSituation.objects.filter(episode__person_id=episode.person_id)
    last = (
        situations.filter(meeting__held_at__lte=now)
        .select_related("meeting")
        .order_by("-meeting__held_at")
        .first()
    )
    upcoming = (
        situations.filter(meeting__held_at__gt=now)
        .select_related("meeting")
        .order_by("meeting__held_at")
        .first()
    )
    return {
        "last_situation": last,
        "next_situation": upcoming,
        "staff": is_dac_team(request.membership),
        "can_plan": is_dac_team(request.membership, "change") and episode.is_open,
    }


def home_panel(request) -> dict | None:
    """The home page's "next concertations" for the DAC's staff (one query)."""
    membership = getattr(request, "membership", None)
    if membership is None or not is_dac_team(membership):
        return None
    upcoming = list(
        Meeting.objects.filter(
            dac_id=membership.organisation_id, held_at__gte=timezone.now()
        ).order_by("held_at", "pk")[:3]
    )
    return {"meetings": upcoming}


# French labels of this part's event verbs (added to the shared table at start-up).
VERBS: dict[str, str] = {
    "meeting_created": "Concertation planifiée",
    "meeting_updated": "Concertation modifiée",
    "participant_added": "Ajout d'un·e participant·e",
    "participant_removed": "Retrait d'un·e participant·e",
    "attendance_changed": "Présence d'un·e participant·e modifiée",
    "meeting_situation_added": "Situation inscrite à une concertation",
    "meeting_situation_updated": "Discussion et décisions de concertation enregistrées",
    "meeting_situation_removed": "Situation retirée d'une concertation",
    "minutes_printed": "Compte rendu de concertation imprimé",
}


def register() -> None:
    """Called once from CareConfig.ready(): the episode page's block, the home panel, verbs."""
    from appui.core.home import register_home_panel
    from appui.core.models import VERB_LABELS

    from .sections import register_section

    VERB_LABELS.update(VERBS)
    register_section("meetings", 30, "care/meetings/_section.html", meetings_section)
    register_home_panel(40, "care/meetings/_home_panel.html", home_panel)
