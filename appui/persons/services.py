"""Persons' state changes: one function per change; each checks the right, writes, records the event.

Identity reliability follows the RNIV (docs/decisions/0006-identite-et-doublons.md):

- PROV (provisoire): the default; a doubtful or fictitious identity always stays there;
- RECUP (récupérée): traits and matricule returned by the INSi service, no high-trust document;
- VALI (validée): checked on a high-trust identity document, INSi not queried;
- QUAL (qualifiée): both — the only status under which the INS is shown and exchanged.

Changing an INS trait of a non-provisional identity takes it back to PROV (the check no longer
applies to what is now written); changing only the matricule of a qualified identity leaves it
validated (the document check still holds), of a retrieved one provisional.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from appui.core.models import record_event
from appui.core.permissions import require

from .enums import HIGH_TRUST_EVIDENCE, IdentityStatus
from .merge import merge_persons, undo_merge  # noqa: F401  (state changes of this app, one place)
from .models import Carer, IdentityCheck, NotDuplicate, Person

S = IdentityStatus

#: the INS traits (the birth identity); the name and first name in use are not among them
INS_TRAITS = ("birth_name", "first_names", "first_name", "sex", "birth_date", "birthplace_code")
MATRICULE = ("nir", "nir_kind")
NEEDS_DOCUMENT = (S.VALIDATED, S.QUALIFIED)
NEEDS_INSI = (S.RETRIEVED, S.QUALIFIED)

FORCED_PROVISIONAL = (
    "Identité douteuse ou fictive : elle reste provisoire, quel que soit le justificatif."
)


# --- Creating and changing a person --------------------------------------------------------------


@transaction.atomic
def create_person(membership, form, dismissed=()) -> Person:
    """Create the person of a valid `PersonForm` in the user's DAC, with a provisional identity.

    `dismissed`: the duplicate candidates the user saw and declared to be someone else
    (`Candidate` objects), kept in the creation event.
    """
    require(membership, "person", "create")
    person = form.save(commit=False)
    person.dac_id = membership.organisation_id
    person.identity_status = S.PROVISIONAL
    person.identity_changed_at = timezone.now()
    person.identity_changed_by_id = membership.user_id
    person.save()
    IdentityCheck.objects.create(
        person=person,
        status=S.PROVISIONAL,
        comment="Création du dossier : identité provisoire.",
        at=person.identity_changed_at,
        by_id=membership.user_id,
    )
    record_event(
        person,
        "created",
        dismissed_candidates=[{"person": c.person.pk, "score": c.score} for c in dismissed],
    )
    return person


@transaction.atomic
def update_person(membership, form) -> Person:
    """Save a valid `PersonForm` of an existing person; an INS trait changed on a checked
    identity takes the identity back (see the module's docstring)."""
    person = form.instance
    require(membership, "person", "change", person)
    changed = person.changed_fields()
    traits = [f for f in INS_TRAITS if f in changed]
    matricule = [f for f in MATRICULE if f in changed]
    person.save()
    downgrade = identity_after_change(person.identity_status, traits, matricule)
    if downgrade:
        _set_status(
            membership,
            person,
            downgrade,
            comment="Traits d'identité modifiés ("
            + ", ".join(str(Person._meta.get_field(f).verbose_name) for f in traits + matricule)
            + ") : la vérification précédente ne s'applique plus.",
            verb="identity_downgraded",
        )
    record_event(person, "updated", fields=[f for f in changed if not f.endswith("_key")])
    return person


def identity_after_change(status: str, traits: list[str], matricule: list[str]) -> str | None:
    """The status an identity falls back to when its traits or matricule change (None: stays)."""
    if traits and status != S.PROVISIONAL:
        return S.PROVISIONAL
    if matricule and status == S.QUALIFIED:
        return S.VALIDATED
    if matricule and status == S.RETRIEVED:
        return S.PROVISIONAL
    return None


@transaction.atomic
def record_found_on_entry(membership, person: Person, candidates) -> None:
    """The user entering a new person recognised an existing record: no new record is made."""
    require(membership, "person", "view", person)
    score = next((c.score for c in candidates if c.person.pk == person.pk), None)
    record_event(person, "found_on_entry", score=score)


# --- Identity reliability (RNIV) -----------------------------------------------------------------


def identity_rule_errors(
    person: Person,
    *,
    status: str,
    evidence: str = "",
    insi_queried_on=None,
    doubtful: bool = False,
    fictitious: bool = False,
) -> dict[str, str]:
    """What forbids this status, by form field (empty: allowed)."""
    errors = {}
    if insi_queried_on and insi_queried_on > timezone.localdate():
        errors["insi_queried_on"] = "La date d'interrogation ne peut pas être dans le futur."
    if doubtful or fictitious:
        return errors  # the status will be forced to provisional
    if status in NEEDS_DOCUMENT and evidence not in HIGH_TRUST_EVIDENCE:
        errors["evidence"] = (
            "Une identité validée ou qualifiée suppose un justificatif à haut niveau de "
            "confiance : carte nationale d'identité, passeport, titre de séjour (pour un·e "
            "mineur·e : livret de famille ou acte de naissance, avec la pièce du parent)."
        )
    if status in NEEDS_INSI:
        if not insi_queried_on:
            errors.setdefault(
                "insi_queried_on",
                "Une identité récupérée ou qualifiée suppose l'interrogation du téléservice "
                "INSi : indiquez sa date.",
            )
        if not person.nir:
            errors["status"] = (
                "Une identité récupérée ou qualifiée suppose le matricule INS (NIR ou NIA) "
                "renvoyé par le téléservice INSi : renseignez-le d'abord dans la fiche."
            )
    return errors


@transaction.atomic
def set_identity_status(
    membership,
    person: Person,
    *,
    status: str,
    evidence: str = "",
    evidence_reference: str = "",
    insi_queried_on=None,
    doubtful: bool = False,
    fictitious: bool = False,
    comment: str = "",
) -> tuple[IdentityCheck, str]:
    """Record an identity check and the status it gives. Returns the check and, when the status
    asked for was not applicable (doubtful or fictitious identity), the message saying so."""
    require(membership, "person", "change", person)
    notice = ""
    if (doubtful or fictitious) and status != S.PROVISIONAL:
        status, notice = S.PROVISIONAL, FORCED_PROVISIONAL
    errors = identity_rule_errors(
        person,
        status=status,
        evidence=evidence,
        insi_queried_on=insi_queried_on,
        doubtful=doubtful,
        fictitious=fictitious,
    )
    if errors:
        raise ValidationError(errors)
    check = _set_status(
        membership,
        person,
        status,
        evidence=evidence,
        evidence_reference=evidence_reference,
        insi_queried_on=insi_queried_on,
        doubtful=doubtful,
        fictitious=fictitious,
        comment=comment,
    )
    return check, notice


def _set_status(membership, person, status, *, verb="identity_changed", **check) -> IdentityCheck:
    previous = person.identity_status
    # A fall-back keeps the flags; an explicit check sets them.
    check.setdefault("doubtful", person.identity_doubtful)
    check.setdefault("fictitious", person.identity_fictitious)
    row = IdentityCheck.objects.create(
        person=person, status=status, previous_status=previous, by_id=membership.user_id, **check
    )
    person.identity_status = status
    person.identity_doubtful = row.doubtful
    person.identity_fictitious = row.fictitious
    person.identity_changed_at = row.at
    person.identity_changed_by_id = membership.user_id
    person.save(
        update_fields=[
            "identity_status",
            "identity_doubtful",
            "identity_fictitious",
            "identity_changed_at",
            "identity_changed_by",
            "updated_at",
            "updated_by",
        ]
    )
    record_event(
        person,
        verb,
        status=status,
        previous=previous,
        evidence=row.evidence,
        insi_queried_on=row.insi_queried_on.isoformat() if row.insi_queried_on else None,
        doubtful=row.doubtful,
        fictitious=row.fictitious,
    )
    return row


# --- Carers and legal representatives ------------------------------------------------------------


@transaction.atomic
def save_carer(membership, person: Person, form) -> Carer:
    require(membership, "person", "change", person)
    carer = form.save(commit=False)
    created = carer.pk is None
    changed = carer.changed_fields()
    carer.person = person
    carer.save()
    record_event(
        person,
        "carer_added" if created else "carer_updated",
        carer=carer.pk,
        relationship=carer.relationship,
        legal_representative=carer.is_legal_representative,
        fields=[] if created else changed,
    )
    return carer


@transaction.atomic
def archive_carer(membership, carer: Carer) -> None:
    require(membership, "person", "change", carer.person)
    carer.delete()  # soft delete: archived, kept, recorded on the carer
    record_event(carer.person, "carer_archived", carer=carer.pk)


# --- Duplicates ----------------------------------------------------------------------------------


@transaction.atomic
def declare_not_duplicate(membership, person: Person, other: Person) -> NotDuplicate:
    """Two records are two persons: the pair is no longer proposed."""
    require(membership, "person", "change", person)
    require(membership, "person", "change", other)
    if person.pk == other.pk or person.dac_id != other.dac_id:
        raise ValidationError("Ces deux dossiers ne peuvent pas être comparés.")
    first, second = sorted([person.pk, other.pk])
    pair, created = NotDuplicate.objects.get_or_create(
        first_id=first, second_id=second, defaults={"by_id": membership.user_id}
    )
    if created:
        record_event(person, "declared_distinct", other=other.pk)
        record_event(other, "declared_distinct", other=person.pk)
    return pair
