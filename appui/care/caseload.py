"""The file active and the workload: who follows whom, what is due, the team's caseloads.

- `file_active(dac, start, end)`: the persons followed at least one day in the period;
- `my_work(membership)`: the coordinator's home page (alerts, persons by level and next due date,
  caseload against the target, this week's visits and meetings);
- `team_caseloads(membership)`: the director's view of every staff member's caseload.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Count,
    DateField,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from appui.accounts.models import Membership
from appui.core.enums import Role
from appui.core.permissions import can, scope
from appui.intake.enums import IntensityLevel

from .enums import ActionStatus, AlertStatus, EpisodeStatus, PlanStatus, VisitStatus
from .models import Action, Alert, CareEpisode, CarePlanVersion, HomeVisit, Meeting

VERBS: dict[str, str] = {}

#: Stands for "no date" inside the SQL that picks the earliest due date (NULLs would win LEAST
#: on SQLite and lose it on PostgreSQL).
FAR_FUTURE = datetime.date(9999, 12, 31)


def register() -> None:
    from appui.core.home import register_home_panel
    from appui.core.models import VERB_LABELS

    VERB_LABELS.update(VERBS)
    register_home_panel(20, "care/caseload/_home_panel.html", home_panel)


# --- File active --------------------------------------------------------------------------------


def file_active_episodes(dac, start: datetime.date, end: datetime.date) -> QuerySet:
    """Episodes open at least one day between `start` and `end` (both included)."""
    return CareEpisode.objects.filter(dac=dac, opened_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )


def file_active(dac, start: datetime.date, end: datetime.date) -> int:
    """The file active: the number of distinct persons followed at least once in the period —
    a person who died or left during the period still counts; one followed twice counts once."""
    return file_active_episodes(dac, start, end).values("person_id").distinct().count()


# --- Episodes with what is due ------------------------------------------------------------------


def with_due_dates(episodes: QuerySet) -> QuerySet:
    """Annotate each episode with its active PPCS review date, its earliest pending action due
    date, its open alerts and `next_due` (the earliest of the two dates) — in the same query."""
    active_version = CarePlanVersion.objects.filter(
        plan__episode=OuterRef("pk"), status=PlanStatus.ACTIVE
    )
    pending_actions = (
        Action.objects.filter(
            plan_version__plan__episode=OuterRef("pk"),
            plan_version__status=PlanStatus.ACTIVE,
            status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS],
            due_on__isnull=False,
        )
        .values("plan_version__plan__episode")
        .annotate(first=Min("due_on"))
        .values("first")
    )
    live_alerts = (
        Alert.objects.filter(episode=OuterRef("pk"), status=AlertStatus.OPEN)
        .values("episode")
        .annotate(n=Count("pk"))
        .values("n")
    )
    far = Value(FAR_FUTURE, output_field=DateField())
    return episodes.annotate(
        review_on=Subquery(active_version.values("review_on")[:1], output_field=DateField()),
        action_due_on=Subquery(pending_actions, output_field=DateField()),
        open_alerts=Coalesce(Subquery(live_alerts), 0),
    ).annotate(next_due=Least(Coalesce("review_on", far), Coalesce("action_due_on", far)))


def followed_by(user) -> Q:
    return Q(referent=user) | Q(case_manager=user)


def episode_list(membership, *, mine=False, level="", status=EpisodeStatus.OPEN, kind="", query=""):
    """The episodes the membership may list, filtered, soonest due first."""
    # Archived episodes (past the retention period) leave the lists; they stay in the export.
    episodes = scope(membership, "care", "list", CareEpisode.objects.filter(archived_at=None))
    if mine:
        episodes = episodes.filter(followed_by(membership.user))
    if level:
        episodes = episodes.filter(level=level)
    if status:
        episodes = episodes.filter(status=status)
    if kind:
        episodes = episodes.filter(kind=kind)
    if query:
        from appui.persons.names import name_key

        key = name_key(query)
        episodes = episodes.filter(
            Q(person__birth_name_key__contains=key) | Q(person__used_name_key__contains=key)
        )
    return (
        with_due_dates(episodes)
        .select_related("person", "referent", "case_manager")
        .order_by(F("next_due").asc(), "person__birth_name_key", "pk")
    )


# --- My work ------------------------------------------------------------------------------------


@dataclass
class MyWork:
    alerts: list
    alerts_total: int
    by_level: list[dict]
    soonest: list
    caseloads: dict
    visits_today: list
    visits_week: list
    meetings_week: list
    today: datetime.date = field(default_factory=timezone.localdate)


def my_work(membership, *, soonest_count: int = 10, alerts_count: int = 10) -> MyWork:
    """What a coordinator or case manager has on their plate, in a fixed number of queries."""
    from .services import caseloads

    user = membership.user
    now = timezone.localtime()
    today = now.date()
    week_end = today + datetime.timedelta(days=7 - today.weekday())  # next Monday, excluded
    mine = scope(membership, "care", "list", CareEpisode.objects.filter(status=EpisodeStatus.OPEN))
    mine = mine.filter(followed_by(user))
    alerts = (
        Alert.objects.filter(episode__in=mine, status=AlertStatus.OPEN)
        .select_related("episode__person")
        .order_by("due_on", "raised_at", "pk")
    )
    counts = dict(mine.values_list("level").annotate(n=Count("pk")).order_by())
    by_level = [
        {"level": level, "label": label, "count": counts.get(level, 0)}
        for level, label in IntensityLevel.choices
    ]
    soonest = list(
        with_due_dates(mine)
        .select_related("person")
        .order_by(F("next_due").asc(), "person__birth_name_key", "pk")[:soonest_count]
    )
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    visits = list(
        HomeVisit.objects.filter(
            staff=user,
            status=VisitStatus.PLANNED,
            planned_at__gte=start_of_day,
            planned_at__lt=start_of_day + datetime.timedelta(days=(week_end - today).days),
            episode__dac_id=membership.organisation_id,
        ).select_related("episode__person")
    )
    tomorrow = start_of_day + datetime.timedelta(days=1)
    meetings = list(
        Meeting.objects.filter(
            dac_id=membership.organisation_id,
            held_at__gte=start_of_day,
            held_at__lt=start_of_day + datetime.timedelta(days=(week_end - today).days),
        )
        .filter(Q(organised_by=user) | Q(participants__user=user))
        .distinct()
        .order_by("held_at")
    )
    return MyWork(
        alerts=list(alerts[:alerts_count]),
        alerts_total=alerts.count(),
        by_level=by_level,
        soonest=soonest,
        caseloads=caseloads(user),
        visits_today=[v for v in visits if v.planned_at < tomorrow],
        visits_week=[v for v in visits if v.planned_at >= tomorrow],
        meetings_week=meetings,
        today=today,
    )


FOLLOWING_ROLES = (Role.COORDINATOR, Role.CASE_MANAGER)


def home_panel(request) -> dict | None:
    """The home page's "Mon travail" panel, for the DAC staff who follow persons."""
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in FOLLOWING_ROLES + (Role.SUPPORT_PHYSICIAN,):
        return None
    if not can(membership, "care", "list"):
        return None
    return {
        "work": my_work(membership),
        "can_view_team": can(membership, "caseload", "view"),
    }


# --- The team's caseloads (direction) -----------------------------------------------------------


@dataclass
class StaffCaseload:
    user: object
    roles: list[str]
    as_referent: int
    as_case_manager: int
    level_counts: list[int]
    referent_target: int = settings.APPUI_CASELOAD_TARGET_COORDINATOR
    case_manager_target: int = settings.APPUI_CASELOAD_TARGET_CASE_MANAGER

    @property
    def referent_ratio(self) -> int:
        return round(100 * self.as_referent / self.referent_target) if self.referent_target else 0

    @property
    def case_manager_ratio(self) -> int:
        target = self.case_manager_target
        return round(100 * self.as_case_manager / target) if target else 0

    @property
    def over_target(self) -> bool:
        return (
            self.as_referent > self.referent_target
            or self.as_case_manager > self.case_manager_target
        )


def team_caseloads(membership) -> dict:
    """Every staff member of the DAC who follows persons, with their open episodes as référent·e
    and as case manager against the targets, and by intensity level — in four queries."""
    dac_id = membership.organisation_id
    members = (
        Membership.objects.filter(
            organisation_id=dac_id, is_active=True, role__in=[*FOLLOWING_ROLES, Role.DIRECTOR]
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "role")
    )
    open_episodes = CareEpisode.objects.filter(dac_id=dac_id, status=EpisodeStatus.OPEN)
    # An episode whose case manager is also its référent·e counts once, in case management.
    as_referent = dict(
        open_episodes.filter(Q(case_manager__isnull=True) | ~Q(case_manager=F("referent")))
        .values_list("referent")
        .annotate(n=Count("pk"))
        .order_by()
    )
    as_case_manager = dict(
        open_episodes.values_list("case_manager").annotate(n=Count("pk")).order_by()
    )
    by_level: dict[int, dict[str, int]] = {}
    for user_id, level, n in (
        open_episodes.values_list("referent", "level").annotate(n=Count("pk")).order_by()
    ):
        by_level.setdefault(user_id, {})[level] = n
    rows: dict[int, StaffCaseload] = {}
    for member in members:
        row = rows.get(member.user_id)
        if row is None:
            row = rows[member.user_id] = StaffCaseload(
                user=member.user,
                roles=[],
                as_referent=as_referent.get(member.user_id, 0),
                as_case_manager=as_case_manager.get(member.user_id, 0),
                level_counts=[
                    by_level.get(member.user_id, {}).get(code, 0) for code in IntensityLevel.values
                ],
                referent_target=settings.APPUI_CASELOAD_TARGET_COORDINATOR,
                case_manager_target=settings.APPUI_CASELOAD_TARGET_CASE_MANAGER,
            )
        row.roles.append(member.get_role_display())
    # Directors appear only if they follow someone themselves.
    staff = [r for r in rows.values() if r.as_referent or r.as_case_manager or _follows(r)]
    return {
        "staff": staff,
        "levels": IntensityLevel.choices,
        "unassigned": open_episodes.filter(referent__isnull=True).count(),
        "referent_target": settings.APPUI_CASELOAD_TARGET_COORDINATOR,
        "case_manager_target": settings.APPUI_CASELOAD_TARGET_CASE_MANAGER,
        "total_open": open_episodes.count(),
    }


def _follows(row: StaffCaseload) -> bool:
    labels = {Role(r).label for r in FOLLOWING_ROLES}
    return any(role in labels for role in row.roles)
