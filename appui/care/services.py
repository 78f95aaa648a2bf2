"""Care services: the episode's lifecycle (dossier de coordination).

One function per state change. Each checks the right (`care/change`, `care/create` to open),
validates everything before writing, writes in one transaction and records an event on the episode.
Refusals are French `ValidationError`s keyed by the field they concern (forms show them next to it).

The episode's life:

- **opening**: from a request answered by an accompaniment (`signals.py`), or directly by the staff
  (`open_episode`, with a mandatory reason). A person has at most one open episode.
- **consent** (`record_consent`): a new row for each answer, the history stays. A minor, or a
  person with a legal representative, answers through that representative. A refusal closes the
  episode at once with the exit reason "refusal" (the refusal *is* the exit: nothing else can be
  done for the person in this episode).
- **médecin traitant** informed (`record_gp_informed`) or why not (`record_gp_not_informed`).
- **level** (`change_level`): each change is a `LevelChange` row with who, when and why.
- **staff** (`assign_staff`): the référent·e, and the case manager. The kind follows the case
  manager: naming one on a coordination episode makes it a case management; removing the case
  manager of a case management brings it back to coordination (the event says so).
- **exit** (`close_episode`): a reason, a date between the inclusion and today; death also records
  the date of death on the person.
- **reopening** (`reopen_episode`): a NEW episode linked to the closed one through `previous`; the
  closed episode stays closed, with its history.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from appui.core.enums import DAC_STAFF_ROLES, Role
from appui.core.models import record_event
from appui.core.permissions import require, scope
from appui.intake.enums import IntensityLevel
from appui.intake.workflow import assignable_users
from appui.persons.models import Carer, Person

from .enums import (
    ConsentAnswer,
    ConsentGivenBy,
    EpisodeKind,
    EpisodeStatus,
    ExitReason,
    InformationChannel,
)
from .models import CareEpisode, Consent, LevelChange
from .signals import episode_closed

#: Roles whose members may be the référent·e of an episode (those who may act on it).
REFERENT_ROLES = (Role.COORDINATOR, Role.CASE_MANAGER, Role.SUPPORT_PHYSICIAN, Role.DIRECTOR)

CLOSED_MESSAGE = "Cet accompagnement est clôturé : il ne se modifie plus (rouvrez-le si besoin)."
ARCHIVED_MESSAGE = (
    "Cet accompagnement est archivé au terme de la durée de conservation : il se consulte, il ne "
    "se modifie plus et ne se rouvre pas."
)


def check_not_archived(episode) -> None:
    """The one guard of archived episodes (read-only): every change of an episode passes here."""
    if episode.archived_at is not None:
        raise ValidationError(ARCHIVED_MESSAGE)


def episodes_in_reach(membership, action="view"):
    """The episodes the membership may reach for `action` (the `care` row of the matrix)."""
    return scope(membership, "care", action, CareEpisode.objects.all())


def episode_for(membership, pk, action="view", queryset=None) -> CareEpisode:
    """The episode `pk` if the membership may do `action` on it: 403 when the role may never,
    404 when this episode is out of reach. Every page of an episode starts here."""
    require(membership, "care", action)
    queryset = CareEpisode.objects.all() if queryset is None else queryset
    return get_object_or_404(scope(membership, "care", action, queryset), pk=pk)


@dataclass(frozen=True)
class Caseload:
    active: int
    target: int

    @property
    def ratio(self) -> int:
        return round(100 * self.active / self.target) if self.target else 0

    @property
    def over_target(self) -> bool:
        return self.active > self.target


def caseloads(user) -> dict[str, Caseload]:
    """Open episodes the user follows as référent·e and as case manager, against the targets.
    An episode where the user is both counts once, in case management (the heavier load)."""
    counts = CareEpisode.objects.filter(status=EpisodeStatus.OPEN).aggregate(
        referent=Count("pk", filter=Q(referent=user) & ~Q(case_manager=user)),
        case_manager=Count("pk", filter=Q(case_manager=user)),
    )
    return {
        "referent": Caseload(counts["referent"], settings.APPUI_CASELOAD_TARGET_COORDINATOR),
        "case_manager": Caseload(
            counts["case_manager"], settings.APPUI_CASELOAD_TARGET_CASE_MANAGER
        ),
    }


def person_panel(request, person) -> dict:
    """The person page's "Accompagnements" section (the page already checked the person's right)."""
    from appui.core.permissions import can

    episodes = list(
        CareEpisode.objects.filter(person=person).select_related("referent", "case_manager")
    )
    membership = request.membership
    has_open = any(episode.is_open for episode in episodes)
    return {
        "episodes": episodes,
        "has_open": has_open,
        "can_open": not has_open
        and person.deceased_on is None
        and person.dac_id == membership.organisation_id
        and can(membership, "care", "create"),
    }


# --- Who may follow an episode ----------------------------------------------------------------


def _staff(dac_id, roles):
    return assignable_users(dac_id, roles)


def team(dac_id):
    """The DAC's team (its staff members)."""
    return _staff(dac_id, DAC_STAFF_ROLES)


def referents(dac_id):
    """The DAC's members who may be the référent·e of an episode."""
    return _staff(dac_id, REFERENT_ROLES)


def case_managers(dac_id):
    """The DAC's case managers."""
    return _staff(dac_id, (Role.CASE_MANAGER,))


def _check_staff(dac_id, kind, referent, case_manager) -> dict:
    errors = {}
    if referent is None:
        errors["referent"] = "Choisissez le ou la référent·e de l'accompagnement."
    elif not referents(dac_id).filter(pk=referent.pk).exists():
        errors["referent"] = (
            "Cette personne ne peut pas être référent·e : elle doit être coordinateur·rice, "
            "gestionnaire de cas, médecin d'appui ou membre de la direction de ce DAC."
        )
    if kind == EpisodeKind.CASE_MANAGEMENT:
        if case_manager is None:
            errors["case_manager"] = (
                "Une gestion de cas a un ou une gestionnaire de cas : choisissez-le."
            )
        elif not case_managers(dac_id).filter(pk=case_manager.pk).exists():
            errors["case_manager"] = "Cette personne n'est pas gestionnaire de cas dans ce DAC."
    elif case_manager is not None:
        errors["case_manager"] = (
            "Un·e gestionnaire de cas ne se désigne que pour une gestion de cas."
        )
    return errors


# --- Opening ----------------------------------------------------------------------------------


def open_message(existing: CareEpisode) -> str:
    return (
        f"Cette personne a déjà un accompagnement en cours (inclusion le "
        f"{existing.opened_on:%d/%m/%Y}) : complétez-le plutôt que d'en ouvrir un second."
    )


def open_episode_for(person_id) -> CareEpisode | None:
    """The person's open episode, if any."""
    return CareEpisode.objects.filter(person_id=person_id, status=EpisodeStatus.OPEN).first()


def start_episode(
    *,
    dac_id,
    person_id,
    kind,
    level,
    referent,
    case_manager,
    opened_on: date,
    level_since: datetime,
    changed_by,
    request=None,
    opening_reason="",
    previous=None,
) -> CareEpisode:
    """Create the episode and the first row of its level history (callers check and record)."""
    episode = CareEpisode.objects.create(
        dac_id=dac_id,
        person_id=person_id,
        request=request,
        opening_reason=opening_reason,
        previous=previous,
        kind=kind,
        level=level,
        referent=referent,
        case_manager=case_manager,
        opened_on=opened_on,
        level_since=level_since,
    )
    LevelChange.objects.create(
        episode=episode, level=level, changed_at=level_since, changed_by=changed_by
    )
    return episode


def _lock_person(person) -> Person:
    return Person.objects.select_for_update().get(pk=person.pk)


@transaction.atomic
def open_episode(
    membership,
    person,
    *,
    kind,
    level,
    referent=None,
    case_manager=None,
    opening_reason,
    opened_on=None,
) -> CareEpisode:
    """Open an accompaniment directly (not from a request): the reason is mandatory, and a person
    has at most one open episode. Without a référent·e, the one who opens it is the référent·e."""
    require(membership, "care", "create")
    if person.dac_id != membership.organisation_id:
        raise PermissionDenied
    person = _lock_person(person)
    today = timezone.localdate()
    opened_on = opened_on or today
    referent = referent or membership.user
    errors = {}
    existing = open_episode_for(person.pk)
    if existing is not None:
        errors["__all__"] = open_message(existing)
    if person.deceased_on is not None:
        errors["__all__"] = "Cette personne est décédée : aucun accompagnement ne peut s'ouvrir."
    if person.merged_into_id is not None:
        errors["__all__"] = (
            "Ce dossier a été fusionné : ouvrez l'accompagnement dans le dossier conservé."
        )
    if not (opening_reason or "").strip():
        errors["opening_reason"] = "Indiquez le motif de l'ouverture de l'accompagnement."
    if kind not in EpisodeKind.values:
        errors["kind"] = "Choisissez le type d'accompagnement."
    if level not in IntensityLevel.values:
        errors["level"] = "Choisissez le niveau d'intensité."
    if opened_on > today:
        errors["opened_on"] = "La date d'inclusion ne peut pas être dans le futur."
    errors.update(_check_staff(person.dac_id, kind, referent, case_manager))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    episode = start_episode(
        dac_id=person.dac_id,
        person_id=person.pk,
        kind=kind,
        level=level,
        referent=referent,
        case_manager=case_manager,
        opened_on=opened_on,
        level_since=now if opened_on == today else _start_of(opened_on),
        changed_by=membership.user,
        opening_reason=opening_reason.strip(),
    )
    record_event(
        episode, "opened", kind=kind, level=level, reason=episode.opening_reason, direct=True
    )
    return episode


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# --- Changes on an open episode ---------------------------------------------------------------


def _lock(membership, episode, action="change") -> CareEpisode:
    """The episode, locked for the change, once the right is checked (404 out of reach)."""
    require(membership, "care", action, episode)
    locked = CareEpisode.objects.select_for_update().select_related("person").get(pk=episode.pk)
    check_not_archived(locked)
    return locked


def _lock_open(membership, episode) -> CareEpisode:
    locked = _lock(membership, episode)
    if not locked.is_open:
        raise ValidationError(CLOSED_MESSAGE)
    return locked


def legal_representatives(person):
    """The person's legal representatives (carers flagged so, not archived)."""
    return Carer.objects.filter(person=person, is_legal_representative=True)


def needs_representative(person, representatives=None) -> bool:
    """A minor, or a person with a legal representative, answers through that representative."""
    if person.is_minor:
        return True
    if representatives is not None:
        return bool(representatives)
    return legal_representatives(person).exists()


def representative_errors(
    person, representatives, given_by, legal_representative, *, field, missing, done, choose
) -> dict:
    """Who expressed the person's choice (consent, objection): a minor or a protected adult
    answers through their legal representative, who must be one of the person's carers so
    recorded. `field` names the form field; `done` says what the representative does."""
    errors = {}
    if given_by not in ConsentGivenBy.values:
        errors[field] = missing
    elif needs_representative(person, representatives):
        who = "mineure" if person.is_minor else "sous mesure de représentation"
        if not representatives:
            errors[field] = (
                f"La personne est {who} : {done} par son représentant légal. "
                "Enregistrez d'abord ce représentant dans les proches de la personne."
            )
        elif given_by != ConsentGivenBy.LEGAL_REPRESENTATIVE:
            errors[field] = f"La personne est {who} : {done} par son représentant légal."
    if given_by == ConsentGivenBy.LEGAL_REPRESENTATIVE and field not in errors:
        if legal_representative is None:
            errors["legal_representative"] = choose
        elif legal_representative.pk not in {r.pk for r in representatives}:
            errors["legal_representative"] = (
                "Ce proche n'est pas enregistré comme représentant légal de la personne."
            )
    return errors


@transaction.atomic
def record_consent(
    membership,
    episode,
    *,
    informed_by,
    informed_how,
    informed_on,
    answer,
    given_by,
    legal_representative=None,
    note="",
) -> Consent:
    """The person's answer to the accompaniment proposed (a new row: the history stays).

    A refusal closes the episode at once, with the exit reason "refusal" and the date of the
    answer (or the inclusion date if the answer was given before it)."""
    locked = _lock_open(membership, episode)
    person = locked.person
    representatives = list(legal_representatives(person))
    errors = {}
    if informed_by is None or not team(locked.dac_id).filter(pk=informed_by.pk).exists():
        errors["informed_by"] = "Choisissez le membre de l'équipe du DAC qui a informé la personne."
    if informed_how not in InformationChannel.values:
        errors["informed_how"] = "Indiquez comment la personne a été informée."
    if informed_on is None:
        errors["informed_on"] = "Indiquez la date de l'information."
    elif informed_on > timezone.localdate():
        errors["informed_on"] = "La date de l'information ne peut pas être dans le futur."
    if answer not in ConsentAnswer.values:
        errors["answer"] = "Indiquez la réponse de la personne."
    errors.update(
        representative_errors(
            person,
            representatives,
            given_by,
            legal_representative,
            field="given_by",
            missing="Indiquez qui a donné la réponse.",
            done="la réponse est donnée",
            choose="Choisissez le représentant légal qui a répondu.",
        )
    )
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        episode=locked,
        informed_by=informed_by,
        informed_how=informed_how,
        informed_on=informed_on,
        answer=answer,
        given_by=given_by,
        legal_representative=legal_representative
        if given_by == ConsentGivenBy.LEGAL_REPRESENTATIVE
        else None,
        note=(note or "").strip(),
        recorded_by=membership.user,
    )
    record_event(locked, "consent_recorded", consent=consent.pk, answer=answer, given_by=given_by)
    if answer == ConsentAnswer.REFUSES:
        _close(
            membership,
            locked,
            exit_reason=ExitReason.REFUSAL,
            closed_on=max(informed_on, locked.opened_on),
            note=consent.note,
        )
    return consent


@transaction.atomic
def record_gp_informed(membership, episode, *, informed_on, how) -> CareEpisode:
    """The médecin traitant was informed of the inclusion (when, how)."""
    locked = _lock_open(membership, episode)
    errors = {}
    if informed_on is None:
        errors["informed_on"] = "Indiquez la date à laquelle le médecin traitant a été informé."
    elif informed_on > timezone.localdate():
        errors["informed_on"] = "La date ne peut pas être dans le futur."
    if how not in InformationChannel.values:
        errors["how"] = "Indiquez comment le médecin traitant a été informé."
    if errors:
        raise ValidationError(errors)
    locked.gp_informed_on, locked.gp_informed_how = informed_on, how
    locked.gp_not_informed_reason = ""
    locked.save(
        update_fields=[
            "gp_informed_on",
            "gp_informed_how",
            "gp_not_informed_reason",
            "updated_at",
            "updated_by",
        ]
    )
    record_event(locked, "gp_informed", on=informed_on.isoformat(), how=how)
    return locked


@transaction.atomic
def record_gp_not_informed(membership, episode, reason) -> CareEpisode:
    """Why the médecin traitant was not informed (no GP, the person objects…)."""
    locked = _lock_open(membership, episode)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Indiquez pourquoi le médecin traitant n'a pas été informé."}
        )
    locked.gp_informed_on, locked.gp_informed_how = None, ""
    locked.gp_not_informed_reason = reason[:255]
    locked.save(
        update_fields=[
            "gp_informed_on",
            "gp_informed_how",
            "gp_not_informed_reason",
            "updated_at",
            "updated_by",
        ]
    )
    record_event(locked, "gp_not_informed", reason=locked.gp_not_informed_reason)
    return locked


@transaction.atomic
def change_level(membership, episode, level, *, reason, at=None) -> LevelChange:
    """A new intensity level, with its reason: a row of the level history, and the episode's
    level and `level_since`. `at` (default now) cannot precede the last change nor the inclusion."""
    locked = _lock_open(membership, episode)
    now = timezone.now()
    at = at or now
    errors = {}
    if level not in IntensityLevel.values:
        errors["level"] = "Choisissez le nouveau niveau d'intensité."
    elif level == locked.level:
        errors["level"] = "C'est déjà le niveau de l'accompagnement : choisissez un autre niveau."
    if not (reason or "").strip():
        errors["reason"] = "Indiquez le motif du changement de niveau."
    if at > now:
        errors["at"] = "La date du changement ne peut pas être dans le futur."
    elif at < locked.level_since:
        since = timezone.localtime(locked.level_since)
        errors["at"] = (
            f"Le changement ne peut pas précéder le précédent (le {since:%d/%m/%Y à %H:%M})."
        )
    elif timezone.localdate(at) < locked.opened_on:
        errors["at"] = "Le changement ne peut pas précéder l'inclusion."
    if errors:
        raise ValidationError(errors)
    change = LevelChange.objects.create(
        episode=locked,
        level=level,
        previous_level=locked.level,
        changed_at=at,
        changed_by=membership.user,
        reason=reason.strip(),
    )
    previous = locked.level
    locked.level, locked.level_since = level, at
    locked.save(update_fields=["level", "level_since", "updated_at", "updated_by"])
    record_event(
        locked, "level_changed", **{"from": previous, "to": level, "reason": change.reason}
    )
    return change


@transaction.atomic
def assign_staff(membership, episode, *, referent, case_manager) -> CareEpisode:
    """Name the référent·e and the case manager. The kind follows the case manager: naming one
    makes the episode a case management, removing them brings it back to coordination."""
    locked = _lock_open(membership, episode)
    kind = EpisodeKind.CASE_MANAGEMENT if case_manager is not None else EpisodeKind.COORDINATION
    errors = _check_staff(locked.dac_id, kind, referent, case_manager)
    if errors:
        raise ValidationError(errors)
    before = {
        "referent": locked.referent_id,
        "case_manager": locked.case_manager_id,
        "kind": locked.kind,
    }
    after = {
        "referent": referent.pk,
        "case_manager": case_manager.pk if case_manager else None,
        "kind": kind,
    }
    if before != after:
        locked.referent, locked.case_manager, locked.kind = referent, case_manager, kind
        locked.save(update_fields=["referent", "case_manager", "kind", "updated_at", "updated_by"])
        record_event(locked, "staff_assigned", before=before, after=after)
    return locked


def _close(membership, locked, *, exit_reason, closed_on, note) -> None:
    locked.status = EpisodeStatus.CLOSED
    locked.exit_reason, locked.closed_on = exit_reason, closed_on
    locked.exit_note, locked.closed_by = (note or "").strip(), membership.user
    locked.save(
        update_fields=[
            "status",
            "exit_reason",
            "closed_on",
            "exit_note",
            "closed_by",
            "updated_at",
            "updated_by",
        ]
    )
    record_event(locked, "exited", reason=exit_reason, on=closed_on.isoformat())
    if exit_reason == ExitReason.DEATH:
        person = _lock_person(locked.person)
        if person.deceased_on is None:
            person.deceased_on = closed_on
            person.save(update_fields=["deceased_on", "updated_at", "updated_by"])
            record_event(person, "death_recorded", on=closed_on.isoformat(), episode=locked.pk)
    episode_closed.send(sender=CareEpisode, episode=locked, membership=membership)


@transaction.atomic
def close_episode(membership, episode, *, exit_reason, closed_on, note="") -> CareEpisode:
    """The exit (sortie de file active): a reason, a date from the inclusion to today. For a
    death, the date is the date of death and it is recorded on the person too."""
    locked = _lock_open(membership, episode)
    errors = {}
    if exit_reason not in ExitReason.values:
        errors["exit_reason"] = "Choisissez le motif de sortie."
    if closed_on is None:
        errors["closed_on"] = "Indiquez la date de sortie."
    elif closed_on > timezone.localdate():
        errors["closed_on"] = "La date de sortie ne peut pas être dans le futur."
    elif closed_on < locked.opened_on:
        errors["closed_on"] = (
            f"La date de sortie ne peut pas précéder l'inclusion (le {locked.opened_on:%d/%m/%Y})."
        )
    if errors:
        raise ValidationError(errors)
    _close(membership, locked, exit_reason=exit_reason, closed_on=closed_on, note=note)
    return locked


def next_episode(episode) -> CareEpisode | None:
    """The episode that reopened this one, if any."""
    return episode.reopenings.order_by("pk").first()


@transaction.atomic
def reopen_episode(
    membership,
    episode,
    *,
    reason,
    level,
    kind=None,
    referent=None,
    case_manager=None,
) -> CareEpisode:
    """Reopen a closed episode: a NEW episode, linked to it through `previous`, opened today (the
    closed one stays closed). Kind and staff default to the closed episode's."""
    require(membership, "care", "create")
    locked = _lock(membership, episode)
    person = _lock_person(locked.person)
    errors = {}
    if locked.is_open:
        errors["__all__"] = "Cet accompagnement est en cours : il n'y a rien à rouvrir."
    elif next_episode(locked) is not None:
        errors["__all__"] = (
            "Cet accompagnement a déjà été rouvert : voyez l'accompagnement suivant."
        )
    else:
        existing = open_episode_for(person.pk)
        if existing is not None:
            errors["__all__"] = open_message(existing)
    if person.deceased_on is not None:
        errors["__all__"] = (
            "Cette personne est décédée : l'accompagnement ne peut pas être rouvert."
        )
    if not (reason or "").strip():
        errors["reason"] = "Indiquez le motif de la réouverture."
    if level not in IntensityLevel.values:
        errors["level"] = "Choisissez le niveau d'intensité."
    kind = kind or locked.kind
    if kind not in EpisodeKind.values:
        errors["kind"] = "Choisissez le type d'accompagnement."
    referent = referent or locked.referent or membership.user
    if case_manager is None and kind == EpisodeKind.CASE_MANAGEMENT:
        case_manager = locked.case_manager
    errors.update(_check_staff(locked.dac_id, kind, referent, case_manager))
    if errors:
        raise ValidationError(errors)
    new = start_episode(
        dac_id=locked.dac_id,
        person_id=person.pk,
        kind=kind,
        level=level,
        referent=referent,
        case_manager=case_manager,
        opened_on=timezone.localdate(),
        level_since=timezone.now(),
        changed_by=membership.user,
        opening_reason=reason.strip(),
        previous=locked,
    )
    record_event(
        new, "reopened", previous=locked.pk, kind=kind, level=level, reason=new.opening_reason
    )
    record_event(locked, "reopened_as", episode=new.pk)
    return new


# French labels of the episode's event verbs (added to the shared table at start-up).
VERBS: dict[str, str] = {
    "consent_recorded": "Consentement à l'accompagnement enregistré",
    "gp_not_informed": "Médecin traitant non informé (motif enregistré)",
    "level_changed": "Changement de niveau d'intensité",
    "staff_assigned": "Changement de référent·e ou de gestionnaire de cas",
    "exited": "Sortie de l'accompagnement",
    "reopened": "Réouverture d'un accompagnement clôturé",
    "reopened_as": "Rouvert dans un nouvel accompagnement",
    "death_recorded": "Décès enregistré à la sortie de l'accompagnement",
    "archived_retention": "Archivé au terme de la durée de conservation",
}


def register() -> None:
    """Called once from CareConfig.ready(): add the episode's blocks and verb labels."""
    from appui.core.models import VERB_LABELS

    VERB_LABELS.update(VERBS)
