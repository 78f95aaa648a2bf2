"""Directory state changes: one function per change, each checks the right, writes, records the event."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from appui.core.models import record_event
from appui.core.permissions import require
from appui.territory.models import Commune

from .enums import NATIONAL_CODES, theme_label
from .models import Service, UnmetNeed


@transaction.atomic
def save_service(membership, form) -> Service:
    """Create or update a service from a valid `ServiceForm` (whose instance already names its
    provider); the verification is dated when the user confirms it."""
    service = form.instance
    created = service.pk is None
    require(
        membership, "directory", "create" if created else "change", None if created else service
    )
    if form.cleaned_data.get("verified"):
        service.verified_at = timezone.now()
        service.verified_by_id = membership.user_id
    service = form.save()
    record_event(
        service,
        "created" if created else "updated",
        fields=[f for f in form.changed_data if f != "verified"],
        verified=bool(form.cleaned_data.get("verified")),
    )
    return service


@transaction.atomic
def mark_verified(membership, service: Service) -> None:
    require(membership, "directory", "change", service)
    service.verified_at = timezone.now()
    service.verified_by_id = membership.user_id
    service.save(update_fields=["verified_at", "verified_by", "updated_at", "updated_by"])
    record_event(service, "verified")


@transaction.atomic
def archive_service(membership, service: Service) -> None:
    require(membership, "directory", "change", service)
    service.delete()  # soft delete: archived, kept, recorded as an event


@transaction.atomic
def record_unmet_need(membership, form) -> UnmetNeed:
    require(membership, "unmet_need", "create")
    need = form.save(commit=False)
    need.dac_id = membership.organisation_id
    need.save()
    record_event(need, "recorded", theme=need.theme, commune=need.commune_id)
    return need


def zone_labels(service: Service) -> list[str]:
    """The zone codes of a service in words (commune names in one query)."""
    names = dict(
        Commune.objects.filter(insee_code__in=service.zone_codes).values_list("insee_code", "name")
    )
    labels = []
    for code in service.zone_codes:
        if code in NATIONAL_CODES:
            labels.append("toute la France")
        elif code in names:
            labels.append(names[code])
        elif len(code) == 9:
            labels.append(f"intercommunalité (SIREN {code})")
        elif len(code) <= 3:
            labels.append(f"département {code}")
        else:
            labels.append(f"commune {code}")
    return labels


def unmet_needs_summary(queryset: QuerySet) -> dict:
    """Counts by theme and by commune (two aggregate queries), for the unmet-needs page."""
    by_theme = list(
        queryset.order_by().values("theme").annotate(total=Count("id")).order_by("-total", "theme")
    )
    for row in by_theme:
        row["label"] = theme_label(row["theme"])
    by_commune = list(
        queryset.order_by()
        .values("commune__name", "commune__insee_code")
        .annotate(total=Count("id"))
        .order_by("-total", "commune__name")[:50]
    )
    return {
        "by_theme": by_theme,
        "by_commune": by_commune,
        "total": sum(r["total"] for r in by_theme),
    }
