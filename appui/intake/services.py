"""Intake services: every change to a request goes through one function here, which checks the
right, writes the change, records the event (who, when) — in one transaction."""

from django.db import transaction
from django.utils import timezone

from appui.core.models import record_event
from appui.core.permissions import require

from . import delays
from .enums import Urgency
from .models import IntakeSettings, SupportRequest


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
        channel=request.channel,
        urgency=request.urgency,
        requester_kind=request.requester_kind,
    )
    return request
