"""The work queue: the DAC's requests, filtered, counted per status, sorted, overdue ones flagged.

Every filter here is backed by an index of `SupportRequest` (dac + status, assignee, urgency,
requester kind, due date, received date); the rows of a page come with what they show in a fixed
number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from appui.core.permissions import OWN, can, cell, scope

from .enums import OPEN_STATUSES, RequestStatus
from .models import RequestReason, SupportRequest

#: The status filter's values besides the statuses themselves.
OPEN, ALL = "", "all"
#: The assignee filter's values besides a user's id.
MINE, UNASSIGNED = "me", "none"

AGES = {
    "lt24h": (
        "Reçues depuis moins de 24 h",
        lambda now: Q(received_at__gte=now - timedelta(hours=24)),
    ),
    "gt2d": (
        "Reçues depuis plus de 2 jours",
        lambda now: Q(received_at__lt=now - timedelta(days=2)),
    ),
    "gt7d": (
        "Reçues depuis plus de 7 jours",
        lambda now: Q(received_at__lt=now - timedelta(days=7)),
    ),
}

SORTS = {
    "recent": ("Les plus récentes d'abord", (F("received_at").desc(), F("pk").desc())),
    "oldest": ("Les plus anciennes d'abord", (F("received_at").asc(), F("pk").asc())),
    "due": (
        "Échéance de réponse la plus proche",
        (F("answer_due_at").asc(nulls_last=True), F("received_at").asc(), F("pk").asc()),
    ),
    "urgency": (
        "Urgentes d'abord",
        (F("urgency").desc(), F("answer_due_at").asc(nulls_last=True), F("pk").asc()),
    ),
}
DEFAULT_SORT = "recent"


def overdue_q(now=None) -> Q:
    """No first answer and its deadline passed (closed or refused requests wait for nothing)."""
    now = now or timezone.now()
    return Q(first_answered_at__isnull=True, answer_due_at__lt=now) & ~Q(
        status__in=[RequestStatus.CLOSED, RequestStatus.REFUSED]
    )


def dac_requests(membership) -> QuerySet:
    """The requests the membership may list (a staff member: their DAC's)."""
    return scope(membership, "support_request", "list", SupportRequest.objects.all())


@dataclass
class QueueFilters:
    status: str = OPEN
    assignee: str = ""
    urgency: str = ""
    age: str = ""
    origin: str = ""
    overdue: bool = False
    sort: str = DEFAULT_SORT


def narrow(queryset: QuerySet, filters: QueueFilters, user, now=None) -> QuerySet:
    """Every filter but the status one (the status tabs count within these)."""
    now = now or timezone.now()
    if filters.assignee == MINE:
        queryset = queryset.filter(assigned_to_id=user.pk)
    elif filters.assignee == UNASSIGNED:
        queryset = queryset.filter(assigned_to__isnull=True)
    elif filters.assignee:
        queryset = queryset.filter(assigned_to_id=int(filters.assignee))
    if filters.urgency:
        queryset = queryset.filter(urgency=filters.urgency)
    if filters.age in AGES:
        queryset = queryset.filter(AGES[filters.age][1](now))
    if filters.origin:
        queryset = queryset.filter(requester_kind=filters.origin)
    if filters.overdue:
        queryset = queryset.filter(overdue_q(now))
    return queryset


def with_status(queryset: QuerySet, status: str) -> QuerySet:
    if status == OPEN:
        return queryset.filter(status__in=OPEN_STATUSES)
    if status == ALL:
        return queryset
    return queryset.filter(status=status)


def status_counts(queryset: QuerySet) -> dict[str, int]:
    """Requests per status in one query, plus the open ones and the total."""
    counts = {
        row["status"]: row["n"]
        for row in queryset.order_by().values("status").annotate(n=Count("pk"))
    }
    counts[OPEN] = sum(counts.get(s, 0) for s in OPEN_STATUSES)
    counts[ALL] = sum(v for k, v in counts.items() if k in RequestStatus.values)
    return counts


def status_tabs(counts: dict[str, int], current: str) -> list[dict]:
    tabs = [{"value": OPEN, "label": "À traiter"}]
    tabs += [{"value": value, "label": label} for value, label in RequestStatus.choices]
    tabs.append({"value": ALL, "label": "Toutes"})
    for tab in tabs:
        tab["count"] = counts.get(tab["value"], 0)
        tab["current"] = tab["value"] == current
        # Empty statuses are left out, except the defaults and the one being looked at.
        tab["shown"] = bool(tab["count"] or tab["current"] or tab["value"] in (OPEN, ALL))
    return tabs


def page_rows(queryset: QuerySet, filters: QueueFilters) -> QuerySet:
    """What a page of the queue shows, in a fixed number of queries."""
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])[1]
    return (
        queryset.select_related(
            "person", "requester_professional", "requester_organisation", "assigned_to"
        )
        .prefetch_related(
            Prefetch("reasons", queryset=RequestReason.objects.order_by("position", "label"))
        )
        .order_by(*order)
    )


def overdue_counts(membership, user) -> dict[str, int]:
    """For the alert: the DAC's overdue requests, and those assigned to the user (one query)."""
    return (
        dac_requests(membership)
        .filter(overdue_q())
        .aggregate(total=Count("pk"), mine=Count("pk", filter=Q(assigned_to_id=user.pk)))
    )


def home_counts(membership, user) -> dict[str, int]:
    """For the home page: open requests not yet assigned, the user's open ones, overdue ones."""
    is_open, overdue, mine = Q(status__in=OPEN_STATUSES), overdue_q(), Q(assigned_to_id=user.pk)
    return dac_requests(membership).aggregate(
        unassigned=Count("pk", filter=is_open & Q(assigned_to__isnull=True)),
        mine=Count("pk", filter=is_open & mine),
        overdue=Count("pk", filter=overdue),
        mine_overdue=Count("pk", filter=overdue & mine),
    )


def home_panel(request) -> dict | None:
    """The home page's panel: the staff's requests to handle and overdue ones; a partner's own."""
    membership = getattr(request, "membership", None)
    if not can(membership, "support_request", "list"):
        return None
    if cell(membership.role, "support_request", "list") == OWN:
        mine = scope(membership, "support_request", "list", SupportRequest.objects.all())
        return {
            "partner": True,
            "counts": mine.aggregate(
                open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
                total=Count("pk"),
            ),
        }
    return {"partner": False, "counts": home_counts(membership, request.user)}


#: The DSFR badge of each status (the label says it; the colour only helps scanning).
STATUS_BADGES = {
    RequestStatus.NEW: "fr-badge--info",
    RequestStatus.IN_ANALYSIS: "fr-badge--new",
    RequestStatus.ANSWERED: "fr-badge--success",
    RequestStatus.CLOSED: "",
    RequestStatus.ACCOMPANIMENT: "fr-badge--success",
    RequestStatus.REFERRED: "fr-badge--info",
    RequestStatus.REFUSED: "fr-badge--warning",
}


def proposed_label(support_request) -> str:
    """The person as the requester described them (a partner's request, not yet identified)."""
    proposed = support_request.proposed_person or {}
    parts = [proposed.get("first_name", ""), (proposed.get("birth_name") or "").upper()]
    return " ".join(p for p in parts if p) or "Personne à identifier"


def decorate(rows) -> None:
    """What each row of a list shows beyond its fields."""
    now = timezone.now()
    for row in rows:
        row.overdue = (
            row.first_answered_at is None
            and row.answer_due_at is not None
            and row.answer_due_at < now
            and row.status not in (RequestStatus.CLOSED, RequestStatus.REFUSED)
        )
        row.status_class = STATUS_BADGES.get(row.status, "")
        row.proposed_label = proposed_label(row)
