"""The life of a request: its statuses, the transitions allowed between them, and one service
function per transition.

    nouvelle ──► en analyse ──► répondue ──► clôturée
        │            │              │
        └────────────┴──────────────┴──► transformée en accompagnement · réorientée · refusée
                                                                          │          · clôturée
                                       réorientée ──(la structure refuse)──► en analyse

`TRANSITIONS` is the table: each transition names the statuses it leaves from and the status it
leads to. Every function below checks the right (`require`), locks the request row, checks the
transition against the table (a `ValidationError` in French otherwise), writes, and records the
event with who, when, from and to — in one transaction, so a request is never half-changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from appui.accounts.models import User
from appui.core.enums import DAC_STAFF_ROLES, Role
from appui.core.models import record_event
from appui.core.permissions import require
from appui.directory.enums import THEMES
from appui.directory.models import Service, UnmetNeed

from . import delays
from .enums import Answer, RequestStatus, ResponseType
from .models import ContactLog, RequestResponse, SupportRequest
from .signals import response_given

S = RequestStatus


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str


#: Statuses from which the DAC may still answer (a further answer is possible once answered:
#: information, then an orientation; a one-off support that escalates to an accompaniment).
ANSWERABLE = frozenset({S.NEW, S.IN_ANALYSIS, S.ANSWERED})

# fmt: off
TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    Transition("take_in_analysis", "Prise en analyse", frozenset({S.NEW}), S.IN_ANALYSIS),
    Transition("answer", "Réponse apportée", ANSWERABLE, S.ANSWERED),
    Transition("accompany", "Transformation en accompagnement", ANSWERABLE, S.ACCOMPANIMENT),
    Transition("refer", "Réorientation", ANSWERABLE, S.REFERRED),
    Transition("refuse", "Refus de la personne", ANSWERABLE, S.REFUSED),
    Transition("no_follow_up", "Pas de suite possible", ANSWERABLE, S.CLOSED),
    Transition("referral_refused", "Réorientation refusée par la structure",
               frozenset({S.REFERRED}), S.IN_ANALYSIS),
    Transition("close", "Clôture", frozenset({S.ANSWERED, S.REFERRED}), S.CLOSED),
]}
# fmt: on

#: Every (from, to) pair the table allows.
ALLOWED: frozenset[tuple[str, str]] = frozenset(
    (source, t.target) for t in TRANSITIONS.values() for source in t.sources
)

#: The transition each response type makes.
RESPONSE_TRANSITION: dict[str, str] = {
    ResponseType.INFORMATION: "answer",
    ResponseType.ORIENTATION: "answer",
    ResponseType.ONE_OFF_SUPPORT: "answer",
    ResponseType.COORDINATION: "accompany",
    ResponseType.CASE_MANAGEMENT: "accompany",
    ResponseType.REFERRAL_OUT: "refer",
    ResponseType.REFUSED_BY_PERSON: "refuse",
    ResponseType.NO_FOLLOW_UP: "no_follow_up",
}

#: Statuses in which the request is finished (closed_at is set).
FINISHED = frozenset({S.CLOSED, S.REFUSED})
#: Statuses in which the request can still be assigned, screened (the triage is not over).
IN_TRIAGE = frozenset({S.NEW, S.IN_ANALYSIS, S.ANSWERED, S.REFERRED})


def can_transition(status: str, name: str) -> bool:
    return status in TRANSITIONS[name].sources


def can_answer(status: str) -> bool:
    return status in ANSWERABLE


def check_transition(status: str, name: str) -> str:
    """The target status of transition `name` from `status`, or a French refusal."""
    transition = TRANSITIONS[name]
    if status not in transition.sources:
        raise ValidationError(
            f"Impossible pour une demande « {S(status).label.lower()} » : "
            f"{transition.label.lower()} (statut visé : « {S(transition.target).label.lower()} »)."
        )
    return transition.target


# --- Helpers -------------------------------------------------------------------------------


def lock_request(request: SupportRequest) -> SupportRequest:
    """The request's row, locked until the end of the transaction (no concurrent change)."""
    return SupportRequest.objects.select_for_update().get(pk=request.pk)


def _sync(request: SupportRequest, locked: SupportRequest) -> None:
    """Give the caller's instance the values just written."""
    if request is locked:
        return
    for field in SupportRequest._meta.concrete_fields:
        setattr(request, field.attname, getattr(locked, field.attname))


def _move(locked: SupportRequest, name: str) -> str:
    """Apply transition `name` to the locked request's status; returns the status it left."""
    source = locked.status
    target = check_transition(source, name)
    locked.status = target
    if target in FINISHED and locked.closed_at is None:
        locked.closed_at = timezone.now()
    return source


def _event(membership, request, verb, **data):
    return record_event(request, verb, actor=membership.user, **data)


def is_dac_staff(user, dac_id) -> bool:
    return user.memberships.filter(
        organisation_id=dac_id, is_active=True, role__in=DAC_STAFF_ROLES
    ).exists()


def assignable_users(dac_id, roles=DAC_STAFF_ROLES):
    """The DAC's team members (active, holding one of `roles` there), to whom a request can be
    assigned — and, in the follow-up, who may act, take part or follow a person."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=dac_id,
            memberships__is_active=True,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def case_managers(dac_id):
    return assignable_users(dac_id).filter(memberships__role=Role.CASE_MANAGER)


# --- Transitions ---------------------------------------------------------------------------


@transaction.atomic
def take_in_analysis(membership, request: SupportRequest) -> SupportRequest:
    """NEW → IN_ANALYSIS; the request is assigned to whoever takes it, if nobody has it yet."""
    require(membership, "support_request", "change", request)
    locked = lock_request(request)
    source = _move(locked, "take_in_analysis")
    if locked.assigned_to_id is None:
        locked.assigned_to_id = membership.user_id
    locked.save(update_fields=["status", "assigned_to", "updated_at", "updated_by"])
    _event(
        membership,
        locked,
        "taken_in_analysis",
        **{"from": source, "to": locked.status, "assigned_to": locked.assigned_to_id},
    )
    _sync(request, locked)
    return locked


@transaction.atomic
def assign(membership, request: SupportRequest, user) -> SupportRequest:
    """Give the request to a member of the DAC's team."""
    require(membership, "support_request", "change", request)
    locked = lock_request(request)
    if locked.status not in IN_TRIAGE:
        raise ValidationError(
            f"Une demande « {locked.get_status_display().lower()} » ne s'attribue plus."
        )
    if user is None or not is_dac_staff(user, locked.dac_id):
        raise ValidationError(
            {"user": "Choisissez un membre de l'équipe du DAC qui a reçu la demande."}
        )
    previous = locked.assigned_to_id
    locked.assigned_to = user
    locked.save(update_fields=["assigned_to", "updated_at", "updated_by"])
    _event(membership, locked, "assigned", **{"from": previous, "to": user.pk})
    _sync(request, locked)
    return locked


def _check_response(
    locked,
    response_type,
    services,
    unmet_needs,
    referral_organisation,
    level,
    case_manager,
    given_at,
) -> None:
    errors = {}
    if response_type not in RESPONSE_TRANSITION:
        errors["response_type"] = "Choisissez le type de réponse."
    if response_type == ResponseType.ORIENTATION and not services and not unmet_needs:
        errors["services"] = (
            "Une orientation cite au moins une ressource du répertoire, ou enregistre un besoin "
            "non couvert si aucune ressource ne convient."
        )
    if response_type == ResponseType.REFERRAL_OUT and referral_organisation is None:
        errors["referral_organisation"] = (
            "Indiquez la structure vers laquelle la demande est réorientée."
        )
    if response_type in (ResponseType.COORDINATION, ResponseType.CASE_MANAGEMENT):
        if not level:
            errors["level"] = "Choisissez le niveau d'intensité de l'accompagnement."
        if locked.person_id is None:
            errors["response_type"] = (
                "Identifiez d'abord la personne concernée : l'accompagnement s'ouvre dans son "
                "dossier."
            )
    if response_type == ResponseType.CASE_MANAGEMENT:
        if case_manager is None:
            errors["case_manager"] = "Choisissez le ou la gestionnaire de cas."
        elif not case_managers(locked.dac_id).filter(pk=case_manager.pk).exists():
            errors["case_manager"] = "Cette personne n'est pas gestionnaire de cas dans ce DAC."
    if given_at is not None:
        if given_at > timezone.now():
            errors["given_at"] = "La date de la réponse ne peut pas être dans le futur."
        elif given_at < locked.received_at.replace(second=0, microsecond=0):
            errors["given_at"] = "La réponse ne peut pas précéder la réception de la demande."
    if errors:
        raise ValidationError(errors)


def _unmet_need(membership, dac_id, need) -> UnmetNeed:
    """An unmet need given as an object, or as a mapping (theme, commune, public…) to record."""
    if isinstance(need, UnmetNeed):
        return need
    require(membership, "unmet_need", "create")
    if need.get("theme") not in THEMES:
        raise ValidationError({"need_theme": "Choisissez la thématique du besoin non couvert."})
    record = UnmetNeed(
        theme=need["theme"],
        commune=need.get("commune"),
        public=need.get("public", ""),
        description=need.get("description", ""),
        dac_id=dac_id,
        noted_on=need.get("noted_on") or timezone.localdate(),
    )
    record.save()
    record_event(
        record, "recorded", actor=membership.user, theme=record.theme, commune=record.commune_id
    )
    return record


@transaction.atomic
def give_response(
    membership,
    request: SupportRequest,
    response_type: str,
    summary: str,
    services=(),
    unmet_needs=(),
    referral_organisation=None,
    level: str = "",
    case_manager=None,
    given_at=None,
) -> RequestResponse:
    """Record an answer; the answer's type moves the request (see RESPONSE_TRANSITION).

    - ORIENTATION cites directory services or records unmet needs (objects, or mappings with
      theme, commune, public, description recorded here for the DAC);
    - REFERRAL_OUT names the structure (its decision comes later: `record_referral_decision`);
    - COORDINATION / CASE_MANAGEMENT need a level (and a case manager for case management) and
      send `response_given`, on which the care app opens the person's episode;
    - the first answer sets the first-answer date and delay in working days.
    """
    require(membership, "support_request", "change", request)
    locked = lock_request(request)
    services = list(services)
    unmet_needs = list(unmet_needs)
    if not summary or not summary.strip():
        raise ValidationError({"summary": "Décrivez la réponse apportée."})
    _check_response(
        locked,
        response_type,
        services,
        unmet_needs,
        referral_organisation,
        level,
        case_manager,
        given_at,
    )
    source = _move(locked, RESPONSE_TRANSITION[response_type])
    given_at = given_at or timezone.now()
    response = RequestResponse.objects.create(
        request=locked,
        response_type=response_type,
        given_at=given_at,
        given_by=membership.user,
        summary=summary.strip(),
        referral_organisation=(
            referral_organisation if response_type == ResponseType.REFERRAL_OUT else None
        ),
    )
    if services:
        response.services.set(Service.objects.filter(pk__in=[s.pk for s in services]))
    if unmet_needs:
        response.unmet_needs.set([_unmet_need(membership, locked.dac_id, n) for n in unmet_needs])
    fields = ["status", "closed_at", "updated_at", "updated_by"]
    if level:
        locked.level = level
        fields.append("level")
    if locked.first_answered_at is None:
        locked.first_answered_at = given_at
        locked.first_answer_delay_days = delays.answer_delay(locked.received_at, given_at)
        fields += ["first_answered_at", "first_answer_delay_days"]
    if locked.assigned_to_id is None:
        locked.assigned_to_id = membership.user_id
        fields.append("assigned_to")
    if response_type == ResponseType.REFUSED_BY_PERSON:
        # The refusal is the person's answer to the DAC's involvement.
        locked.person_informed, locked.person_agrees = Answer.YES, Answer.NO
        fields += ["person_informed", "person_agrees"]
    locked.save(update_fields=fields)
    _event(
        membership,
        locked,
        "answered",
        **{
            "from": source,
            "to": locked.status,
            "response": response.pk,
            "response_type": response_type,
            "level": locked.level,
        },
    )
    response_given.send(
        sender=RequestResponse,
        response=response,
        membership=membership,
        level=locked.level,
        case_manager=case_manager,
    )
    _sync(request, locked)
    return response


@transaction.atomic
def record_referral_decision(
    membership, response: RequestResponse, accepted: bool, on: date
) -> RequestResponse:
    """The structure's answer to a referral. Refused: the request goes back to analysis."""
    require(membership, "support_request", "change", response.request)
    locked = lock_request(response.request)
    response = RequestResponse.objects.select_for_update().get(pk=response.pk)
    if response.response_type != ResponseType.REFERRAL_OUT:
        raise ValidationError("Cette réponse n'est pas une réorientation.")
    if response.referral_accepted is not None:
        raise ValidationError("La réponse de la structure est déjà enregistrée.")
    if on > timezone.localdate():
        raise ValidationError({"on": "La date ne peut pas être dans le futur."})
    if on < timezone.localtime(response.given_at).date():
        raise ValidationError({"on": "La structure ne peut pas répondre avant la réorientation."})
    source = locked.status
    if not accepted:
        _move(locked, "referral_refused")
        locked.save(update_fields=["status", "updated_at", "updated_by"])
    elif locked.status != S.REFERRED:
        raise ValidationError(
            f"Une demande « {locked.get_status_display().lower()} » n'attend plus de réponse "
            "de structure."
        )
    response.referral_accepted = accepted
    response.referral_decided_on = on
    response.save(
        update_fields=["referral_accepted", "referral_decided_on", "updated_at", "updated_by"]
    )
    _event(
        membership,
        locked,
        "referral_decided",
        **{
            "from": source,
            "to": locked.status,
            "response": response.pk,
            "accepted": accepted,
            "organisation": response.referral_organisation_id,
            "on": on.isoformat(),
        },
    )
    return response


@transaction.atomic
def close_request(membership, request: SupportRequest, note: str = "") -> SupportRequest:
    """Close an answered (or referred) request, with an optional note."""
    require(membership, "support_request", "change", request)
    locked = lock_request(request)
    source = _move(locked, "close")
    locked.closing_note = (note or "").strip()
    locked.save(update_fields=["status", "closed_at", "closing_note", "updated_at", "updated_by"])
    _event(
        membership,
        locked,
        "closed",
        **{"from": source, "to": locked.status, "note": locked.closing_note},
    )
    _sync(request, locked)
    return locked


@transaction.atomic
def record_person_agreement(
    membership, request: SupportRequest, answer: str, on: date, how: str = ""
) -> SupportRequest:
    """The person's agreement to the DAC handling the request, often obtained later (S4)."""
    require(membership, "support_request", "change", request)
    locked = lock_request(request)
    if locked.status in FINISHED:
        raise ValidationError(
            f"Une demande « {locked.get_status_display().lower()} » ne change plus."
        )
    errors = {}
    if answer not in (Answer.YES, Answer.NO):
        errors["answer"] = "Indiquez si la personne accepte ou refuse."
    if on is None:
        errors["on"] = "Indiquez la date à laquelle l'accord a été recueilli."
    elif on > timezone.localdate():
        errors["on"] = "La date ne peut pas être dans le futur."
    elif on < timezone.localtime(locked.received_at).date():
        errors["on"] = "La date ne peut pas précéder la réception de la demande."
    if errors:
        raise ValidationError(errors)
    previous = locked.person_agrees
    locked.person_agrees = answer
    locked.person_agreement_on = on
    locked.person_agreement_how = (how or "").strip()
    if locked.person_informed != Answer.YES:
        locked.person_informed = Answer.YES
    locked.save(
        update_fields=[
            "person_agrees",
            "person_agreement_on",
            "person_agreement_how",
            "person_informed",
            "updated_at",
            "updated_by",
        ]
    )
    _event(
        membership,
        locked,
        "agreement_recorded",
        **{
            "from": previous,
            "to": answer,
            "on": on.isoformat(),
            "how": locked.person_agreement_how,
        },
    )
    _sync(request, locked)
    return locked


@transaction.atomic
def attach_person(membership, request: SupportRequest, person) -> SupportRequest:
    """Identify the person of a request described by its requester (online form)."""
    require(membership, "support_request", "change", request)
    require(membership, "person", "view", person)
    locked = lock_request(request)
    if locked.person_id is not None:
        raise ValidationError("La personne concernée par cette demande est déjà identifiée.")
    if person.dac_id != locked.dac_id or person.merged_into_id is not None:
        raise ValidationError({"person": "Choisissez une personne suivie par ce DAC."})
    locked.person = person
    locked.save(update_fields=["person", "updated_at", "updated_by"])
    for contact in ContactLog.objects.filter(request=locked, person__isnull=True):
        contact.person = person
        contact.save(update_fields=["person", "updated_at", "updated_by"])
    _event(membership, locked, "person_attached", person=person.pk)
    _sync(request, locked)
    return locked
