"""Follow-up of the accompaniment: the person's contact log, home visits, hospital stays (with
the preparation of the discharge) and adverse events.

One function per state change. Each checks `care/change` on the episode, refuses a closed
episode, validates everything before writing (a `ValidationError` naming the fields), writes in
one transaction and records an event on the episode (so the episode's history tells the
follow-up). Calls, messages and visits done are the intake's `ContactLog` rows with the person
(written through `appui.intake.services.log_contact`).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from appui.core import sharing
from appui.core.models import record_event
from appui.core.permissions import require
from appui.intake.enums import ContactKind
from appui.intake.models import ContactLog
from appui.intake.services import log_contact
from appui.intake.workflow import assignable_users

from .enums import AdverseEventKind, VisitStatus
from .models import AdverseEvent, CareEpisode, DischargeTask, HomeVisit, HospitalStay

# French labels of this part's event verbs (added to the shared table at start-up).
VERBS: dict[str, str] = {
    "home_visit_planned": "Visite à domicile planifiée",
    "home_visit_done": "Visite à domicile réalisée (compte rendu)",
    "home_visit_cancelled": "Visite à domicile annulée",
    "hospital_admission_recorded": "Entrée à l'hôpital enregistrée",
    "hospital_discharge_planned": "Date de sortie d'hôpital prévue",
    "hospital_discharge_recorded": "Sortie d'hôpital enregistrée",
    "discharge_task_added": "Préparation de la sortie : action ajoutée",
    "discharge_task_done": "Préparation de la sortie : action faite",
    "adverse_event_recorded": "Événement indésirable enregistré",
    "corrective_action_recorded": "Action corrective enregistrée",
}

#: How many contacts, visits and adverse events the episode page's block shows.
BLOCK_CONTACTS = 3


def _require_change(membership, episode: CareEpisode) -> None:
    require(membership, "care", "change", episode)
    if not episode.is_open:
        raise ValidationError("L'accompagnement est clôturé : son suivi ne se modifie plus.")


def _event(episode, verb: str, membership, **data) -> None:
    record_event(episode, verb, actor=membership.user, **data)


def _today():
    return timezone.localdate()


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- Reading: the person's contacts -----------------------------------------------------------


def contacts_of(person):
    """The person's (a Person or its id) contact log, newest first: calls, visits, messages,
    from every request and from the follow-up."""
    return ContactLog.objects.filter(person=person).select_related("by", "with_professional")


def last_contact_on(person) -> datetime | None:
    """When the last contact with (or about) the person took place — a date and time — or None."""
    return ContactLog.objects.filter(person=person).aggregate(last=Max("at"))["last"]


def team(dac_id):
    """The DAC's staff, who can be planned for a home visit."""
    return assignable_users(dac_id)


# --- Contacts ---------------------------------------------------------------------------------


@transaction.atomic
def log_episode_contact(
    membership,
    episode: CareEpisode,
    *,
    kind: str,
    purpose: str,
    at=None,
    with_whom: str = "",
    with_professional=None,
    outcome: str = "",
    duration_minutes: int | None = None,
) -> ContactLog:
    """A call, message or visit with the person or about them, in the person's contact log."""
    _require_change(membership, episode)
    contact = log_contact(
        membership,
        person=episode.person,
        kind=kind,
        purpose=purpose,
        at=at,
        with_whom=with_whom,
        with_professional=with_professional,
        outcome=outcome,
        duration_minutes=duration_minutes,
    )
    _event(episode, "contact_logged", membership, contact=contact.pk, kind=kind)
    return contact


# --- Home visits ------------------------------------------------------------------------------


@transaction.atomic
def plan_home_visit(
    membership, episode: CareEpisode, *, planned_at, staff, purpose: str
) -> HomeVisit:
    """Plan a home visit: when, by whom of the team, what for."""
    _require_change(membership, episode)
    errors = {}
    if planned_at is None:
        errors["planned_at"] = "Indiquez la date et l'heure de la visite."
    elif timezone.localdate(planned_at) < _today():
        errors["planned_at"] = (
            "Cette date est passée : une visite déjà faite se note dans le journal des contacts."
        )
    if staff is None or not team(episode.dac_id).filter(pk=staff.pk).exists():
        errors["staff"] = "Choisissez un membre de l'équipe du DAC."
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = "Indiquez l'objet de la visite."
    _raise(errors)
    visit = HomeVisit.objects.create(
        episode=episode, planned_at=planned_at, staff=staff, purpose=purpose[:255]
    )
    _event(
        episode,
        "home_visit_planned",
        membership,
        visit=visit.pk,
        planned_at=planned_at.isoformat(),
        staff=staff.get_full_name() or staff.email,
    )
    return visit


def _locked_visit(visit: HomeVisit) -> HomeVisit:
    locked = (
        HomeVisit.objects.select_for_update().select_related("episode__person").get(pk=visit.pk)
    )
    if locked.status != VisitStatus.PLANNED:
        raise ValidationError(
            f"Cette visite est déjà « {locked.get_status_display().lower()} » : elle ne change plus."
        )
    return locked


@transaction.atomic
def complete_home_visit(
    membership,
    visit: HomeVisit,
    *,
    outcome: str,
    done_at=None,
    with_whom: str = "",
    duration_minutes: int | None = None,
) -> HomeVisit:
    """The visit took place: its report is a "visite à domicile" entry of the contact log."""
    _require_change(membership, visit.episode)
    visit = _locked_visit(visit)
    if not (outcome or "").strip():
        raise ValidationError({"outcome": "Rédigez le compte rendu de la visite."})
    contact = log_contact(
        membership,
        person=visit.episode.person,
        kind=ContactKind.VISIT,
        purpose=visit.purpose,
        at=done_at,
        with_whom=(with_whom or "").strip() or visit.episode.person.display_name,
        outcome=outcome,
        duration_minutes=duration_minutes,
    )
    visit.status = VisitStatus.DONE
    visit.contact = contact
    visit.save(update_fields=["status", "contact", "updated_at", "updated_by"])
    _event(visit.episode, "home_visit_done", membership, visit=visit.pk, contact=contact.pk)
    return visit


@transaction.atomic
def cancel_home_visit(membership, visit: HomeVisit, *, reason: str = "") -> HomeVisit:
    """The visit will not take place (the reason goes to the episode's history)."""
    _require_change(membership, visit.episode)
    visit = _locked_visit(visit)
    visit.status = VisitStatus.CANCELLED
    visit.save(update_fields=["status", "updated_at", "updated_by"])
    _event(
        visit.episode,
        "home_visit_cancelled",
        membership,
        visit=visit.pk,
        reason=(reason or "").strip(),
    )
    return visit


# --- Hospital stays ---------------------------------------------------------------------------


def _discharge_errors(admitted_on, planned_discharge_on, discharged_on) -> dict:
    errors = {}
    if planned_discharge_on and admitted_on and planned_discharge_on < admitted_on:
        errors["planned_discharge_on"] = "La sortie prévue ne peut précéder l'entrée."
    if discharged_on:
        if admitted_on and discharged_on < admitted_on:
            errors["discharged_on"] = "La sortie ne peut précéder l'entrée."
        elif discharged_on > _today():
            errors["discharged_on"] = (
                "La sortie se note une fois faite : pour une date à venir, indiquez la sortie "
                "prévue."
            )
    return errors


@transaction.atomic
def record_hospital_stay(
    membership,
    episode: CareEpisode,
    *,
    admitted_on,
    is_planned: bool,
    establishment=None,
    establishment_label: str = "",
    service_label: str = "",
    reason: str = "",
    planned_discharge_on=None,
    record_adverse_event: bool = False,
    adverse_description: str = "",
) -> HospitalStay:
    """Record an admission (and its planned discharge if known). An unplanned admission can be
    recorded at once as the adverse event "hospitalisation non programmée", linked to the stay."""
    _require_change(membership, episode)
    errors = {}
    establishment_label = (establishment_label or "").strip()
    if establishment is None and not establishment_label:
        errors["establishment_label"] = (
            "Indiquez l'établissement (du répertoire, ou son nom s'il n'y est pas)."
        )
    if admitted_on is None:
        errors["admitted_on"] = "Indiquez la date d'entrée."
    elif not is_planned and admitted_on > _today():
        errors["admitted_on"] = (
            "Une hospitalisation non programmée se note une fois survenue : la date est à venir."
        )
    else:
        current = (
            HospitalStay.objects.filter(episode=episode, discharged_on__isnull=True)
            .order_by("-admitted_on")
            .first()
        )
        if current is not None:
            errors["admitted_on"] = (
                f"Une hospitalisation commencée le {current.admitted_on:%d/%m/%Y} n'a pas de "
                "sortie enregistrée : enregistrez d'abord sa sortie."
            )
    errors.update(_discharge_errors(admitted_on, planned_discharge_on, None))
    if record_adverse_event and is_planned:
        errors["record_adverse_event"] = (
            "Une hospitalisation programmée n'est pas un événement indésirable."
        )
    _raise(errors)
    stay = HospitalStay.objects.create(
        episode=episode,
        establishment=establishment,
        establishment_label=establishment_label[:200],
        service_label=(service_label or "").strip()[:200],
        is_planned=is_planned,
        reason=(reason or "").strip(),
        admitted_on=admitted_on,
        planned_discharge_on=planned_discharge_on,
        recorded_by=membership.user,
    )
    _event(
        episode,
        "hospital_admission_recorded",
        membership,
        stay=stay.pk,
        admitted_on=admitted_on.isoformat(),
        planned=is_planned,
    )
    if record_adverse_event:
        where = str(establishment) if establishment is not None else establishment_label
        description = (
            (adverse_description or "").strip()
            or stay.reason
            or f"Hospitalisation non programmée le {admitted_on:%d/%m/%Y} ({where})."
        )
        event = AdverseEvent.objects.create(
            episode=episode,
            kind=AdverseEventKind.UNPLANNED_HOSPITALISATION,
            occurred_on=admitted_on,
            description=description,
            hospital_stay=stay,
            recorded_by=membership.user,
        )
        _event(
            episode,
            "adverse_event_recorded",
            membership,
            adverse_event=event.pk,
            kind=event.kind,
            stay=stay.pk,
        )
    return stay


@transaction.atomic
def set_discharge(
    membership, stay: HospitalStay, *, planned_discharge_on=None, discharged_on=None
) -> HospitalStay:
    """The planned discharge date, and the discharge once it happened."""
    episode = stay.episode
    _require_change(membership, episode)
    stay = HospitalStay.objects.select_for_update().get(pk=stay.pk)
    stay.episode = episode
    _raise(_discharge_errors(stay.admitted_on, planned_discharge_on, discharged_on))
    changed = []
    if planned_discharge_on != stay.planned_discharge_on:
        changed.append("planned_discharge_on")
        _event(
            stay.episode,
            "hospital_discharge_planned",
            membership,
            stay=stay.pk,
            before=stay.planned_discharge_on.isoformat() if stay.planned_discharge_on else None,
            after=planned_discharge_on.isoformat() if planned_discharge_on else None,
        )
        stay.planned_discharge_on = planned_discharge_on
    if discharged_on != stay.discharged_on:
        changed.append("discharged_on")
        _event(
            stay.episode,
            "hospital_discharge_recorded",
            membership,
            stay=stay.pk,
            discharged_on=discharged_on.isoformat() if discharged_on else None,
        )
        stay.discharged_on = discharged_on
    if changed:
        stay.save(update_fields=[*changed, "updated_at", "updated_by"])
    return stay


@transaction.atomic
def add_discharge_task(
    membership, stay: HospitalStay, *, description: str, responsible_label: str = "", due_on=None
) -> DischargeTask:
    """An action to prepare the return home (nursing, equipment, meals…), with who and when."""
    _require_change(membership, stay.episode)
    errors = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = "Indiquez l'action à mener avant la sortie."
    if stay.discharged_on is not None:
        errors[NON_FIELD_ERRORS] = (
            f"La sortie a eu lieu le {stay.discharged_on:%d/%m/%Y} : sa préparation est close."
        )
    _raise(errors)
    task = DischargeTask.objects.create(
        stay=stay,
        description=description[:255],
        responsible_label=(responsible_label or "").strip()[:200],
        due_on=due_on,
    )
    _event(
        stay.episode,
        "discharge_task_added",
        membership,
        stay=stay.pk,
        task=task.pk,
        description=task.description,
    )
    return task


@transaction.atomic
def complete_discharge_task(membership, task: DischargeTask, *, done_on=None) -> DischargeTask:
    """The preparation action is done (today unless told)."""
    _require_change(membership, task.stay.episode)
    task = DischargeTask.objects.select_for_update().select_related("stay__episode").get(pk=task.pk)
    done_on = done_on or _today()
    if task.done_on is not None:
        raise ValidationError(f"Cette action est déjà faite (le {task.done_on:%d/%m/%Y}).")
    if done_on > _today():
        raise ValidationError({"done_on": "Une action se note faite une fois faite."})
    task.done_on = done_on
    task.save(update_fields=["done_on", "updated_at", "updated_by"])
    _event(
        task.stay.episode,
        "discharge_task_done",
        membership,
        stay=task.stay_id,
        task=task.pk,
        done_on=done_on.isoformat(),
    )
    return task


# --- Adverse events ---------------------------------------------------------------------------


def _corrective_errors(occurred_on, corrective_action: str, done_on) -> dict:
    errors = {}
    if done_on is not None:
        if not corrective_action:
            errors["corrective_action"] = "Décrivez l'action corrective faite."
        elif done_on > _today():
            errors["corrective_action_done_on"] = (
                "Une action corrective se note faite une fois faite."
            )
        elif occurred_on and done_on < occurred_on:
            errors["corrective_action_done_on"] = (
                "L'action corrective ne peut précéder l'événement."
            )
    return errors


@transaction.atomic
def record_adverse_event(
    membership,
    episode: CareEpisode,
    *,
    kind: str,
    occurred_on,
    description: str,
    hospital_stay: HospitalStay | None = None,
    corrective_action: str = "",
    corrective_action_done_on=None,
) -> AdverseEvent:
    """An adverse event in the pathway (unplanned hospitalisation, care rupture, voluntary exit…),
    with the corrective action decided (and when it was done)."""
    _require_change(membership, episode)
    errors = {}
    if kind not in AdverseEventKind.values:
        errors["kind"] = "Choisissez le type d'événement."
    if occurred_on is None:
        errors["occurred_on"] = "Indiquez la date de l'événement."
    elif occurred_on > _today():
        errors["occurred_on"] = "Un événement indésirable se note une fois survenu."
    description = (description or "").strip()
    if not description:
        errors["description"] = "Décrivez l'événement."
    if hospital_stay is not None and hospital_stay.episode_id != episode.pk:
        errors["hospital_stay"] = "Choisissez une hospitalisation de cet accompagnement."
    corrective_action = (corrective_action or "").strip()
    errors.update(_corrective_errors(occurred_on, corrective_action, corrective_action_done_on))
    _raise(errors)
    event = AdverseEvent.objects.create(
        episode=episode,
        kind=kind,
        occurred_on=occurred_on,
        description=description,
        hospital_stay=hospital_stay,
        corrective_action=corrective_action,
        corrective_action_done_on=corrective_action_done_on,
        recorded_by=membership.user,
    )
    _event(
        episode,
        "adverse_event_recorded",
        membership,
        adverse_event=event.pk,
        kind=kind,
        stay=hospital_stay.pk if hospital_stay else None,
    )
    return event


@transaction.atomic
def record_corrective_action(
    membership, event: AdverseEvent, *, corrective_action: str, corrective_action_done_on=None
) -> AdverseEvent:
    """The corrective action decided after an adverse event, and the date it was done."""
    episode = event.episode
    _require_change(membership, episode)
    event = AdverseEvent.objects.select_for_update().get(pk=event.pk)
    event.episode = episode
    corrective_action = (corrective_action or "").strip()
    errors = _corrective_errors(event.occurred_on, corrective_action, corrective_action_done_on)
    if not corrective_action:
        errors.setdefault("corrective_action", "Décrivez l'action corrective.")
    _raise(errors)
    event.corrective_action = corrective_action
    event.corrective_action_done_on = corrective_action_done_on
    event.save(
        update_fields=[
            "corrective_action",
            "corrective_action_done_on",
            "updated_at",
            "updated_by",
        ]
    )
    _event(
        event.episode,
        "corrective_action_recorded",
        membership,
        adverse_event=event.pk,
        done_on=corrective_action_done_on.isoformat() if corrective_action_done_on else None,
    )
    return event


# --- The episode page's block -----------------------------------------------------------------


def followup_section(request, episode) -> dict:
    """Last contacts, next visit, current hospital stay, adverse events: four queries (the
    parts of the categories the reader may not see are neither read nor shown)."""
    access = sharing.access(request.membership, episode.person)
    contacts = list(contacts_of(episode.person_id)[:BLOCK_CONTACTS]) if access.social else []
    next_visit = (
        HomeVisit.objects.filter(episode=episode, status=VisitStatus.PLANNED)
        .select_related("staff")
        .order_by("planned_at", "pk")
        .first()
    )
    if not access.medical:
        return {"contacts": contacts, "next_visit": next_visit}
    current_stay = (
        HospitalStay.objects.filter(episode=episode, discharged_on__isnull=True)
        .select_related("establishment")
        .order_by("-admitted_on", "-pk")
        .first()
    )
    counts = AdverseEvent.objects.filter(episode=episode).aggregate(
        total=Count("pk"),
        open=Count(
            "pk",
            filter=Q(corrective_action_done_on__isnull=True),
        ),
    )
    return {
        "contacts": contacts,
        "next_visit": next_visit,
        "current_stay": current_stay,
        "adverse_events": counts,
    }


def register() -> None:
    """Called once from CareConfig.ready(): the episode page's block, the verbs' labels."""
    from appui.core.models import VERB_LABELS

    from .sections import register_section

    VERB_LABELS.update(VERBS)
    register_section("followup", 50, "care/followup/_section.html", followup_section)
