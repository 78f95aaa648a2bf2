"""Emergency access (bris de glace): a DAC staff member outside a person's care circle opens the
record in an emergency, with a written justification.

The access lasts `settings.APPUI_EMERGENCY_ACCESS_HOURS`; while it is open the sharing policy
gives the user their profile's default categories (docs/permissions.md, relation `emergency`).
Each opening is an `EmergencyAccess` row, an event, an access-log row flagged `emergency`, and a
notification to the DAC's active directors (no health detail: only who opened whose record).
The direction then reviews each access (`review_emergency_access`).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from appui.accounts.models import User
from appui.core import audit, sharing
from appui.core.enums import AccessAction, CircleRelationship, Role
from appui.core.models import record_event
from appui.core.permissions import require, scope

from .enums import NotificationKind
from .models import EmergencyAccess
from .notifications import notify

MIN_JUSTIFICATION = 20

#: The relationships from which emergency access may be opened (never against an objection).
OPENABLE = (CircleRelationship.OUTSIDE, CircleRelationship.LEFT)

VERBS = {
    "emergency_opened": "Accès en urgence (bris de glace) ouvert",
    "emergency_reviewed": "Accès en urgence examiné par la direction",
}


def refusal(membership, person) -> str | None:
    """Why this user may not open emergency access to this person now (None: they may)."""
    relationship = sharing.access(membership, person).relationship
    if relationship == CircleRelationship.EXCLUDED:
        return (
            "La personne s'est opposée au partage de ses données avec vous : l'accès en urgence "
            "n'est pas possible."
        )
    if relationship == CircleRelationship.EMERGENCY:
        return "Vous avez déjà un accès en urgence ouvert à ce dossier."
    if relationship not in OPENABLE:
        return "Vous faites partie du cercle de soins : l'accès en urgence est inutile."
    return None


def directors(dac_id) -> QuerySet:
    """The DAC's active directors (who are told of each emergency access)."""
    today = timezone.localdate()
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=dac_id,
            memberships__role=Role.DIRECTOR,
            memberships__is_active=True,
        )
        .filter(Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gt=today))
        .distinct()
    )


@transaction.atomic
def open_emergency_access(person, membership, justification: str) -> EmergencyAccess:
    """Open emergency access to `person` for the membership's user, with a justification."""
    require(membership, "emergency_access", "create", person)
    justification = (justification or "").strip()
    errors = {}
    reason = refusal(membership, person)
    if reason:
        errors["__all__"] = reason
    if len(justification) < MIN_JUSTIFICATION:
        errors["justification"] = (
            f"Expliquez l'urgence en {MIN_JUSTIFICATION} caractères au moins : la direction "
            "examinera chaque accès."
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        person=person,
        user=membership.user,
        organisation_id=membership.organisation_id,
        role=membership.role,
        justification=justification,
        opened_at=now,
        expires_at=now + timedelta(hours=settings.APPUI_EMERGENCY_ACCESS_HOURS),
    )
    record_event(
        access,
        "emergency_opened",
        actor=membership.user,
        person=person.pk,
        expires_at=access.expires_at.isoformat(),
    )
    # The flagged line of the person's access log: the opening itself.
    audit.record(person, AccessAction.EMERGENCY, ["emergency_access"])
    sharing.forget(membership)
    notify(
        directors(person.dac_id),
        NotificationKind.EMERGENCY_ACCESS,
        f"{membership.user} a ouvert un accès en urgence (bris de glace) au dossier n° {person.pk}",
        reverse("circle:emergency_list"),
        person_id=person.pk,
    )
    return access


def emergency_accesses(membership, *, status: str = "") -> QuerySet:
    """The emergency accesses the membership may review, not yet reviewed first."""
    queryset = scope(
        membership,
        "emergency_access",
        "list",
        EmergencyAccess.objects.select_related("person", "user", "reviewed_by"),
    )
    if status == "to_review":
        queryset = queryset.filter(reviewed_at__isnull=True)
    elif status == "reviewed":
        queryset = queryset.filter(reviewed_at__isnull=False)
    return queryset.order_by(F("reviewed_at").desc(nulls_first=True), "-opened_at", "-id")


def to_review_count(membership) -> int:
    return (
        scope(membership, "emergency_access", "list", EmergencyAccess.objects.all())
        .filter(reviewed_at__isnull=True)
        .count()
    )


@transaction.atomic
def review_emergency_access(membership, access: EmergencyAccess, comment: str) -> EmergencyAccess:
    """The direction's review of one emergency access: a comment, and the access is reviewed."""
    require(membership, "emergency_access", "list", access)
    locked = EmergencyAccess.objects.select_for_update().get(pk=access.pk)
    comment = (comment or "").strip()
    if locked.reviewed_at is not None:
        raise ValidationError("Cet accès en urgence a déjà été examiné.")
    if not comment:
        raise ValidationError({"comment": "Indiquez la conclusion de l'examen."})
    if locked.user_id == membership.user_id:
        raise ValidationError(
            "Un accès en urgence s'examine par une autre personne que son auteur."
        )
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = membership.user
    locked.review_comment = comment
    locked.save(update_fields=["reviewed_at", "reviewed_by", "review_comment", "updated_at"])
    record_event(locked, "emergency_reviewed", actor=membership.user, comment=comment)
    return locked


def register() -> None:
    """Called from CircleConfig.ready(): care pages (which cannot import the circle app) get the
    link to open emergency access, history pages the French labels of the verbs."""
    from appui.core.models import VERB_LABELS

    VERB_LABELS.update(VERBS)
    sharing.register_emergency_url(
        lambda person: reverse("circle:emergency_open", args=[person.pk])
    )
