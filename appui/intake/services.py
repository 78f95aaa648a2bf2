"""Intake services: every change to a request goes through one function here, which checks the
right, writes the change, records the event (who, when) — in one transaction."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from appui.core import sharing
from appui.core.models import VERB_LABELS, record_event
from appui.core.permissions import can, require, scope
from appui.persons.enums import GpStatus
from appui.territory.models import Organisation

from . import delays
from .enums import Answer, Channel, ContactKind, GpInformationChannel, Urgency
from .models import (
    ContactLog,
    GpInformation,
    IntakeSettings,
    RequestReason,
    SupportRequest,
)


def settings_for(dac) -> IntakeSettings:
    settings, _ = IntakeSettings.objects.get_or_create(dac=dac)
    return settings


def _next_number(dac, year: int) -> str:
    """`2026-00042`: numbered per DAC and per year, under a row lock (no two requests share one)."""
    settings_for(dac)
    settings = IntakeSettings.objects.select_for_update().get(dac=dac)
    if settings.number_year != year:
        settings.number_year, settings.last_number = year, 0
    settings.last_number += 1
    settings.save(update_fields=["number_year", "last_number"])
    return f"{year}-{settings.last_number:05d}"


def due_at(request: SupportRequest):
    settings = settings_for(request.dac)
    days = (
        settings.urgent_answer_days
        if request.urgency == Urgency.URGENT
        else settings.normal_answer_days
    )
    return delays.answer_due_at(request.received_at, days)


@transaction.atomic
def create_request(membership, request: SupportRequest, reasons=()) -> SupportRequest:
    """Record a new request (staff or a partner's online form): number, deadline, event."""
    require(membership, "support_request", "create")
    request.received_at = request.received_at or timezone.now()
    request.number = _next_number(request.dac, timezone.localtime(request.received_at).year)
    request.answer_due_at = due_at(request)
    request.save()
    if reasons:
        request.reasons.set(reasons)
    record_event(
        request,
        "created",
        actor=membership.user,
        channel=request.channel,
        urgency=request.urgency,
        requester_kind=request.requester_kind,
    )
    return request


# --- The DAC's catalogue of reasons and its thresholds --------------------------------------

#: The catalogue a DAC starts with (it renames, reorders, deactivates and adds to it).
DEFAULT_REASONS = (
    "Maintien à domicile difficile",
    "Sortie d'hospitalisation",
    "Épuisement de l'aidant",
    "Isolement",
    "Chutes répétées",
    "Troubles cognitifs",
    "Souffrance psychique",
    "Précarité",
    "Accès aux droits",
    "Rupture de parcours",
    "Fin de vie",
    "Situation de handicap",
    "Scolarité, insertion",
)


def ensure_default_reasons(dac) -> None:
    """Give a DAC without any reason the default catalogue (once; concurrent calls are harmless)."""
    if RequestReason.objects.filter(dac=dac).exists():
        return
    with transaction.atomic():
        RequestReason.objects.bulk_create(
            [
                RequestReason(dac=dac, label=label, position=index)
                for index, label in enumerate(DEFAULT_REASONS, start=1)
            ],
            ignore_conflicts=True,
        )
        record_event(settings_for(dac), "reasons_seeded", labels=list(DEFAULT_REASONS))


def _require_settings(membership, dac) -> None:
    require(membership, "intake_settings", "change")
    if dac.pk != membership.organisation_id:
        raise PermissionDenied


def _renumber(dac) -> list[RequestReason]:
    """The DAC's reasons in their order, numbered 1, 2, 3… (gaps and ties removed)."""
    reasons = list(
        RequestReason.objects.select_for_update()
        .filter(dac=dac)
        .order_by("position", "label", "pk")
    )
    for index, reason in enumerate(reasons, start=1):
        reason.position = index
    return reasons


@transaction.atomic
def add_reason(membership, dac, label: str) -> RequestReason:
    _require_settings(membership, dac)
    position = len(_renumber(dac)) + 1
    reason = RequestReason.objects.create(dac=dac, label=label, position=position)
    record_event(reason, "created", label=label)
    return reason


@transaction.atomic
def rename_reason(membership, reason: RequestReason, label: str) -> RequestReason:
    _require_settings(membership, reason.dac)
    previous = reason.label
    if previous == label:
        return reason
    reason.label = label
    reason.save(update_fields=["label", "updated_at", "updated_by"])
    record_event(reason, "renamed", before=previous, after=label)
    return reason


@transaction.atomic
def move_reason(membership, reason: RequestReason, offset: int) -> None:
    """Move a reason up (-1) or down (+1) the list the forms show."""
    _require_settings(membership, reason.dac)
    reasons = _renumber(reason.dac)
    index = next(i for i, r in enumerate(reasons) if r.pk == reason.pk)
    target = index + offset
    if not 0 <= target < len(reasons):
        return
    reasons[index], reasons[target] = reasons[target], reasons[index]
    for position, item in enumerate(reasons, start=1):
        item.position = position
    RequestReason.objects.bulk_update(reasons, ["position"])
    record_event(reason, "moved", position=target + 1)


@transaction.atomic
def set_reason_active(membership, reason: RequestReason, active: bool) -> None:
    """A deactivated reason is no longer offered; the requests that cite it keep it."""
    _require_settings(membership, reason.dac)
    if reason.is_active == active:
        return
    reason.is_active = active
    reason.save(update_fields=["is_active", "updated_at", "updated_by"])
    record_event(reason, "reactivated" if active else "deactivated", label=reason.label)


def reason_in_use(reason: RequestReason) -> bool:
    return SupportRequest.all_objects.filter(reasons=reason).exists()


@transaction.atomic
def delete_reason(membership, reason: RequestReason) -> None:
    """Only a reason no request ever cited can go (a typo); the others are deactivated."""
    _require_settings(membership, reason.dac)
    if reason_in_use(reason):
        raise ValidationError("Ce motif est cité par des demandes : désactivez-le plutôt.")
    record_event(reason, "deleted", label=reason.label)
    reason.delete()


@transaction.atomic
def update_thresholds(membership, dac, urgent_days: int, normal_days: int) -> IntakeSettings:
    """New thresholds apply to requests received from now on (deadlines already set stay)."""
    _require_settings(membership, dac)
    settings_for(dac)
    settings = IntakeSettings.objects.select_for_update().get(dac=dac)
    before = {"urgent": settings.urgent_answer_days, "normal": settings.normal_answer_days}
    after = {"urgent": urgent_days, "normal": normal_days}
    if before != after:
        settings.urgent_answer_days, settings.normal_answer_days = urgent_days, normal_days
        settings.save(update_fields=["urgent_answer_days", "normal_answer_days"])
        record_event(settings, "thresholds_changed", before=before, after=after)
    return settings


# --- Where a partner's request goes -----------------------------------------------------------


def dacs_covering(commune) -> list:
    """The DACs whose territory includes the commune (usually one)."""
    return list(
        Organisation.objects.filter(territory__communes=commune).order_by("name").distinct()
    )


# --- Request page: contact log, information of the GP, timeline -------------------------------


@transaction.atomic
def log_contact(
    membership,
    *,
    request: SupportRequest | None = None,
    person=None,
    kind: str,
    purpose: str,
    at=None,
    with_whom: str = "",
    with_professional=None,
    outcome: str = "",
    duration_minutes: int | None = None,
) -> ContactLog:
    """Record a call, visit or message about a request (or a person): who, with whom, why,
    outcome, duration — the daily contact record."""
    if request is not None:
        require(membership, "support_request", "change", request)
        person = request.person
        dac_id = request.dac_id
    elif person is not None:
        require(membership, "person", "change", person)
        dac_id = person.dac_id
    else:
        raise ValidationError("Un contact concerne une demande ou une personne.")
    errors = {}
    with_whom = (with_whom or "").strip() or (str(with_professional) if with_professional else "")
    if not with_whom:
        errors["with_whom"] = "Indiquez avec qui (nom, ou professionnel·le du répertoire)."
    if not (purpose or "").strip():
        errors["purpose"] = "Indiquez l'objet du contact."
    if kind not in ContactKind.values:
        errors["kind"] = "Choisissez le type de contact."
    at = at or timezone.now()
    if at > timezone.now() + timedelta(minutes=5):
        errors["at"] = "Un contact se note une fois qu'il a eu lieu : la date est dans le futur."
    if duration_minutes is not None and not 0 < duration_minutes <= 24 * 60:
        errors["duration_minutes"] = "La durée se compte en minutes, entre 1 et 1 440."
    if errors:
        raise ValidationError(errors)
    contact = ContactLog.objects.create(
        dac_id=dac_id,
        request=request,
        person=person,
        kind=kind,
        at=at,
        by=membership.user,
        with_whom=with_whom[:200],
        with_professional=with_professional,
        purpose=purpose.strip(),
        outcome=(outcome or "").strip(),
        duration_minutes=duration_minutes,
    )
    record_event(
        request if request is not None else person,
        "contact_logged",
        actor=membership.user,
        contact=contact.pk,
        kind=kind,
    )
    return contact


GP_OBJECTION_MESSAGE = (
    "La personne s'est opposée à l'information de son médecin traitant : aucun message ne sera "
    "envoyé."
)


@dataclass
class GpInformationState:
    """Where the information of the GP stands for a request, in a sentence for the page.

    `code` is one of: objected, no_person, no_gp, gp_unknown, requester_is_gp, to_inform, informed.
    """

    code: str
    message: str
    gp: object = None
    can_send: bool = False

    @property
    def is_warning(self) -> bool:
        return self.code in ("to_inform", "gp_unknown")


def gp_information_state(request: SupportRequest, letters=()) -> GpInformationState:
    """`letters`: the request's GpInformation records already loaded (sent ones count)."""
    sent = [letter for letter in letters if letter.sent_at]
    if request.gp_may_be_informed == Answer.NO:
        return GpInformationState("objected", GP_OBJECTION_MESSAGE)
    person = request.person
    if person is None:
        return GpInformationState(
            "no_person",
            "La personne concernée n'est pas encore identifiée : son médecin traitant pourra être "
            "informé une fois son dossier rattaché à la demande.",
        )
    if person.gp_id is None:
        if person.gp_status == GpStatus.NONE:
            return GpInformationState(
                "no_gp", "La personne n'a pas de médecin traitant : aucun message à envoyer."
            )
        return GpInformationState(
            "gp_unknown",
            "Le médecin traitant de la personne n'est pas connu : renseignez-le dans son dossier "
            "pour pouvoir l'informer.",
        )
    gp = person.gp
    if sent:
        last = max(sent, key=lambda letter: letter.sent_at)
        return GpInformationState(
            "informed",
            f"{gp.display_name} a été informé·e le "
            f"{timezone.localtime(last.sent_at):%d/%m/%Y} ({lcfirst(last.get_channel_display())}).",
            gp,
            True,
        )
    if request.requester_professional_id and request.requester_professional_id == gp.pk:
        return GpInformationState(
            "requester_is_gp",
            f"La demande vient du médecin traitant, {gp.display_name} : le message "
            "d'information reste possible pour lui transmettre la réponse.",
            gp,
            True,
        )
    return GpInformationState(
        "to_inform",
        f"Le médecin traitant, {gp.display_name}, doit être informé de cette demande : aucun "
        "message ne lui a encore été envoyé.",
        gp,
        True,
    )


def lcfirst(text: str) -> str:
    """ "Messagerie sécurisée (MSSanté)" → "messagerie sécurisée (MSSanté)" (acronyms kept)."""
    return text[:1].lower() + text[1:]


def _date(value) -> str:
    return f"{timezone.localtime(value):%d/%m/%Y}"


def gp_letter_body(request: SupportRequest, responses=None) -> str:
    """The text of "Information au médecin traitant": who, why, what the DAC answered, how to
    reach the DAC. Plain text, so that what was sent is kept exactly."""
    person, dac = request.person, request.dac
    gp = person.gp if person is not None else None
    responses = list(request.responses.all()) if responses is None else list(responses)
    lines = []
    lines.append(f"Docteur {gp.first_name} {gp.last_name}," if gp else "Docteur,")
    lines.append("")
    patient, born = {"F": ("patiente", "née"), "M": ("patient", "né")}.get(
        person.sex if person is not None else "", ("patient·e", "né·e")
    )
    birth = f", {born} le {person.birth_date:%d/%m/%Y}" if person is not None else ""
    lines.append(
        f"Le {dac.name} (dispositif d'appui à la coordination) a reçu le "
        f"{_date(request.received_at)} une demande d'appui concernant votre {patient} "
        f"{person.display_name if person is not None else ''}{birth}."
    )
    if person is not None and person.ins:
        lines.append(f"INS : {person.ins}.")
    requester = request.requester_label
    if request.requester_relationship:
        requester += f" ({request.requester_relationship})"
    lines.append(
        f"Demande n° {request.number}, reçue par {request.get_channel_display().lower()}, "
        f"de : {requester}."
    )
    reasons = [reason.label for reason in request.reasons.all()]
    if reasons:
        lines.append("Motifs : " + ", ".join(reasons) + ".")
    lines += ["", "Situation décrite :", request.description.strip(), ""]
    if responses:
        lines.append("Réponse du DAC :")
        for response in responses:
            lines.append(
                f"- le {_date(response.given_at)}, {response.get_response_type_display().lower()}"
                f" : {response.summary.strip()}"
            )
            for service in response.services.all():
                lines.append(f"  · ressource proposée : {service.name} ({service.provider_name})")
            if response.referral_organisation_id:
                lines.append(f"  · structure sollicitée : {response.referral_organisation.name}")
        if request.level:
            lines.append(f"Niveau d'intensité retenu : {request.get_level_display()}.")
    else:
        lines.append("La demande est en cours d'analyse par l'équipe du DAC.")
    if request.person_agrees == Answer.YES:
        lines.append("La personne est informée de la démarche et l'accepte.")
    elif request.person_informed == Answer.YES:
        lines.append("La personne est informée de la démarche.")
    lines.append("")
    contact = [dac.phone, dac.email]
    contact_line = " — ".join(value for value in contact if value)
    referent = request.assigned_to.get_full_name() if request.assigned_to_id else ""
    lines.append(
        "Pour en parler, vous pouvez joindre l'équipe du DAC"
        + (f" ({referent}, référent·e de la demande)" if referent else "")
        + (f" : {contact_line}." if contact_line else ".")
    )
    lines += ["", "Avec nos salutations confraternelles,", f"L'équipe du {dac.name}"]
    return "\n".join(lines)


@transaction.atomic
def record_gp_information(
    membership, request: SupportRequest, channel: str, sent_at=None
) -> GpInformation:
    """Keep the message sent to the GP (its text at that moment), the channel, date and sender.
    Refused when the person objected or the GP is unknown."""
    from .workflow import lock_request

    require(membership, "support_request", "change", request)
    locked = lock_request(request)
    state = gp_information_state(locked)
    if not state.can_send:
        raise ValidationError(state.message)
    errors = {}
    if channel not in GpInformationChannel.values:
        errors["channel"] = "Choisissez comment le message a été envoyé."
    sent_at = sent_at or timezone.now()
    if sent_at > timezone.now() + timedelta(minutes=5):
        errors["sent_at"] = "La date d'envoi ne peut pas être dans le futur."
    if errors:
        raise ValidationError(errors)
    letter = GpInformation.objects.create(
        request=locked,
        gp=state.gp,
        body=gp_letter_body(locked),
        channel=channel,
        sent_at=sent_at,
        sent_by=membership.user,
    )
    record_event(
        locked,
        "gp_informed",
        actor=membership.user,
        letter=letter.pk,
        gp=state.gp.pk,
        channel=channel,
    )
    return letter


@dataclass
class TimelineEntry:
    at: object
    kind: str
    title: str
    by: str = ""
    details: list = field(default_factory=list)


#: Event verbs shown through their own record (the answer, the grid, the contact, the letter).
_SHOWN_BY_RECORD = {"answered", "screened", "contact_logged", "gp_informed"}


def _name(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def _event_entry(event, users) -> TimelineEntry:
    data = event.data or {}
    title, details = VERB_LABELS.get(event.verb, event.verb), []
    if event.verb == "created":
        title = "Demande enregistrée"
        if data.get("channel") in Channel.values:
            details.append(f"Reçue par : {Channel(data['channel']).label.lower()}")
        if data.get("urgency") == Urgency.URGENT:
            details.append("Demande urgente")
    elif event.verb == "assigned":
        title = "Attribuée à " + users.get(data.get("to"), "un membre de l'équipe")
    elif event.verb == "taken_in_analysis":
        title = "Prise en analyse"
        if data.get("assigned_to") in users and data["assigned_to"] != event.actor_id:
            details.append(f"Suivie par {users[data['assigned_to']]}")
    elif event.verb == "referral_decided":
        title = (
            "Réorientation acceptée par la structure"
            if data.get("accepted")
            else "Réorientation refusée par la structure : la demande revient en analyse"
        )
    elif event.verb == "agreement_recorded":
        title = (
            "Accord de la personne recueilli"
            if data.get("to") == Answer.YES
            else "La personne refuse l'intervention du DAC"
        )
        if data.get("how"):
            details.append(data["how"])
    elif event.verb == "closed":
        title = "Demande clôturée"
        if data.get("note"):
            details.append(data["note"])
    elif event.verb == "person_attached":
        title = "Personne concernée identifiée"
    by = event.actor_label or _name(event.actor) or "Appui"
    return TimelineEntry(event.at, "event", title, by, details)


def build_timeline(events, responses, contacts, screenings, letters, users=None) -> list:
    """The request's whole history in the order it happened: state changes (events), answers,
    contacts, screenings and letters to the GP, each with who and when. The records are those
    the page already loaded: building the timeline costs no query."""
    from .screening import criteria_by_group

    users = users or {}
    entries = [_event_entry(e, users) for e in events if e.verb not in _SHOWN_BY_RECORD]
    for response in responses:
        details = [response.summary]
        services = [s.name for s in response.services.all()]
        if services:
            details.append("Ressources proposées : " + ", ".join(services))
        needs = [str(n) for n in response.unmet_needs.all()]
        if needs:
            details.append("Besoin non couvert : " + ", ".join(needs))
        if response.referral_organisation_id:
            details.append(f"Structure sollicitée : {response.referral_organisation.name}")
        entries.append(
            TimelineEntry(
                response.given_at,
                "response",
                f"Réponse : {response.get_response_type_display().lower()}",
                _name(response.given_by),
                details,
            )
        )
    for contact in contacts:
        details = [contact.purpose]
        if contact.outcome:
            details.append(f"Suite : {contact.outcome}")
        if contact.duration_minutes:
            details.append(f"Durée : {contact.duration_minutes} min")
        entries.append(
            TimelineEntry(
                contact.at,
                "contact",
                f"{contact.get_kind_display()} — {contact.with_whom}",
                _name(contact.by),
                details,
            )
        )
    for screening in screenings:
        verdict = (
            "situation complexe" if screening.is_positive else "pas de complexité au sens légal"
        )
        details = [
            f"{group} : " + ", ".join(lcfirst(label) for label in labels)
            for group, labels in criteria_by_group(screening.criteria)
        ]
        entries.append(
            TimelineEntry(
                screening.screened_at,
                "screening",
                f"Repérage de la complexité : {verdict} — suggestion : "
                f"{screening.get_suggested_level_display().lower()}",
                _name(screening.created_by),
                details,
            )
        )
    for letter in letters:
        if letter.sent_at is None:
            continue
        entries.append(
            TimelineEntry(
                letter.sent_at,
                "letter",
                f"Médecin traitant informé ({letter.gp.display_name})",
                _name(letter.sent_by),
                [f"Envoi : {lcfirst(letter.get_channel_display())}"],
            )
        )
    # Same moment: the request's own events (its creation first) before what followed them.
    entries.sort(key=lambda entry: (entry.at, entry.kind != "event"))
    return entries


#: How many requests and contacts the person page lists (the most recent first).
PERSON_PANEL_ROWS = 15


def person_panel(request, person) -> dict | None:
    """The person page's "Demandes et contacts" section: the requests about the person and the
    contacts noted, for the DAC team handling requests (a partner sees neither)."""
    membership = request.membership
    if not can(membership, "support_request", "change"):
        return None
    requests = list(
        scope(
            membership,
            "support_request",
            "list",
            SupportRequest.objects.filter(person=person).select_related("assigned_to"),
        ).order_by("-received_at", "-pk")[: PERSON_PANEL_ROWS + 1]
    )
    # The contact log is the social category of the person's data (core.sharing).
    sees_contacts = sharing.access(membership, person).social
    contacts = (
        list(
            ContactLog.objects.filter(person=person, dac_id=membership.organisation_id)
            .select_related("by", "request")
            .order_by("-at", "-pk")[: PERSON_PANEL_ROWS + 1]
        )
        if sees_contacts
        else []
    )
    return {
        "sees_contacts": sees_contacts,
        "panel_requests": requests[:PERSON_PANEL_ROWS],
        "more_requests": len(requests) > PERSON_PANEL_ROWS,
        "panel_contacts": contacts[:PERSON_PANEL_ROWS],
        "more_contacts": len(contacts) > PERSON_PANEL_ROWS,
    }
