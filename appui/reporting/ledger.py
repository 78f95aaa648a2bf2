"""The derogatory services ledger and the DAC's yearly budget (PRODUCT §8).

A derogatory service is paid by the DAC for a person it accompanies (psychologist, dietitian,
occupational therapist…). It is recorded against the accompaniment in progress on the day it was
provided; a mistake is never deleted but cancelled with its reason. The yearly budget gives the
cost per person followed and the derogatory envelope the ledger is compared with.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from appui.care.models import CareEpisode
from appui.core.models import record_event
from appui.core.permissions import require, scope
from appui.persons.models import Person

from .models import DacBudget, DerogatoryService

# --- Reading ----------------------------------------------------------------------------------


def services_for(membership, year: int | None = None, kind: str = "") -> QuerySet:
    """The DAC's derogatory services the membership may list, narrowed to a year and a kind.
    Each row says whether its person is visible to the user (`person_visible`): a person who
    objected to this user stays counted in the totals but is not named."""
    queryset = scope(membership, "derogatory_service", "list", DerogatoryService.objects.all())
    if year:
        queryset = queryset.filter(provided_on__year=year)
    if kind:
        queryset = queryset.filter(kind=kind)
    visible = scope(membership, "person", "list", Person.objects.filter(pk=OuterRef("person_id")))
    return queryset.annotate(person_visible=Exists(visible))


@dataclass(frozen=True)
class LedgerTotals:
    count: int
    amount: Decimal
    sessions: int
    cancelled: int


def totals(queryset: QuerySet) -> LedgerTotals:
    """Count, sessions and amount of the services kept (cancelled ones apart), in one query."""
    kept = Q(cancelled_at__isnull=True)
    row = queryset.order_by().aggregate(
        count=Count("pk", filter=kept),
        amount=Sum("amount", filter=kept),
        sessions=Sum("sessions", filter=kept),
        cancelled=Count("pk", filter=~kept),
    )
    return LedgerTotals(
        count=row["count"] or 0,
        amount=row["amount"] or Decimal("0"),
        sessions=row["sessions"] or 0,
        cancelled=row["cancelled"] or 0,
    )


@dataclass(frozen=True)
class Envelope:
    """The year's derogatory envelope against what the services kept have used."""

    budget: DacBudget | None
    spent: Decimal

    @property
    def amount(self) -> Decimal | None:
        return self.budget.derogatory_amount if self.budget else None

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget.derogatory_amount - self.spent

    @property
    def used_share(self) -> Decimal | None:
        if not self.budget or not self.budget.derogatory_amount:
            return None
        return (Decimal(100) * self.spent / self.budget.derogatory_amount).quantize(Decimal("1"))


def envelope(dac_id: int, year: int) -> Envelope:
    """The year's envelope and the amount spent on it (every kind, cancelled services apart)."""
    budget = DacBudget.objects.filter(dac_id=dac_id, year=year).first()
    spent = DerogatoryService.objects.filter(
        dac_id=dac_id, provided_on__year=year, cancelled_at__isnull=True
    ).aggregate(total=Sum("amount"))["total"]
    return Envelope(budget, spent or Decimal("0"))


def used_values(dac_id: int, field: str, limit: int = 30) -> list[str]:
    """The budget lines (or providers) already used by the DAC, most frequent first, for the
    suggestions of the entry form."""
    rows = (
        DerogatoryService.objects.filter(dac_id=dac_id)
        .exclude(**{field: ""})
        .values(field)
        .annotate(n=Count("pk"))
        .order_by("-n", field)[:limit]
    )
    return [row[field] for row in rows]


def episode_on(person: Person, dac_id: int, day: datetime.date) -> CareEpisode | None:
    """The person's accompaniment by the DAC in progress on `day` (the latest opened if two)."""
    return (
        CareEpisode.objects.filter(person=person, dac_id=dac_id, opened_on__lte=day)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=day))
        .order_by("-opened_on", "-pk")
        .first()
    )


# --- Writing ----------------------------------------------------------------------------------


@transaction.atomic
def record_service(membership, data: dict) -> DerogatoryService:
    """Record a service paid for a person; `data` is a validated `DerogatoryServiceForm`'s
    cleaned data (the form has already found the accompaniment in progress that day)."""
    require(membership, "derogatory_service", "create")
    require(membership, "person", "list", data["person"])
    service = DerogatoryService.objects.create(
        dac_id=membership.organisation_id,
        person=data["person"],
        episode=data["episode"],
        kind=data["kind"],
        provider_label=data["provider_label"],
        provider_professional=data.get("provider_professional"),
        provided_on=data["provided_on"],
        sessions=data["sessions"],
        amount=data["amount"],
        budget_line=data["budget_line"],
        invoice_reference=data.get("invoice_reference", ""),
        recorded_by=membership.user,
    )
    record_event(
        service,
        "recorded",
        kind=service.kind,
        amount=str(service.amount),
        provided_on=service.provided_on.isoformat(),
        budget_line=service.budget_line,
    )
    return service


class AlreadyCancelled(Exception):
    pass


@transaction.atomic
def cancel_service(membership, service: DerogatoryService, reason: str) -> DerogatoryService:
    """Cancel a service recorded by mistake: it stays in the ledger, out of the totals."""
    require(membership, "derogatory_service", "change", service)
    locked = DerogatoryService.objects.select_for_update().get(pk=service.pk)
    if locked.cancelled_at is not None:
        raise AlreadyCancelled
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = membership.user
    locked.cancel_reason = reason.strip()
    locked.save(
        update_fields=["cancelled_at", "cancelled_by", "cancel_reason", "updated_at", "updated_by"]
    )
    record_event(
        locked,
        "derogatory_service_cancelled",
        reason=locked.cancel_reason,
        amount=str(locked.amount),
    )
    return locked


@transaction.atomic
def set_budget(
    membership, year: int, amount: Decimal, derogatory_amount: Decimal
) -> tuple[DacBudget, bool]:
    """Enter or correct the DAC's budget for a year; returns (budget, changed). The event keeps
    the previous amounts."""
    require(membership, "derogatory_service", "change")
    budget = (
        DacBudget.objects.select_for_update()
        .filter(dac_id=membership.organisation_id, year=year)
        .first()
    )
    if budget is None:
        budget = DacBudget.objects.create(
            dac_id=membership.organisation_id,
            year=year,
            amount=amount,
            derogatory_amount=derogatory_amount,
        )
        record_event(
            budget,
            "created",
            year=year,
            amount=str(amount),
            derogatory_amount=str(derogatory_amount),
        )
        return budget, True
    if budget.amount == amount and budget.derogatory_amount == derogatory_amount:
        return budget, False
    previous = {"amount": str(budget.amount), "derogatory_amount": str(budget.derogatory_amount)}
    budget.amount, budget.derogatory_amount = amount, derogatory_amount
    budget.save(update_fields=["amount", "derogatory_amount", "updated_at", "updated_by"])
    record_event(
        budget,
        "updated",
        year=year,
        amount=str(amount),
        derogatory_amount=str(derogatory_amount),
        previous=previous,
    )
    return budget, True


def budgets_with_spending(dac_id: int) -> list[dict]:
    """Every year with a budget or a service: budget, envelope, spent, remaining (two queries)."""
    budgets = {b.year: b for b in DacBudget.objects.filter(dac_id=dac_id)}
    spent = dict(
        DerogatoryService.objects.filter(dac_id=dac_id, cancelled_at__isnull=True)
        .values_list("provided_on__year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    rows = []
    for year in sorted(set(budgets) | set(spent), reverse=True):
        budget = budgets.get(year)
        used = spent.get(year) or Decimal("0")
        rows.append(
            {
                "year": year,
                "budget": budget,
                "spent": used,
                "remaining": budget.derogatory_amount - used if budget else None,
            }
        )
    return rows
