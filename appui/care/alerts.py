"""Alerts of the accompaniment: something due, overdue, or that did not happen ("alerte sur les
non-événements").

`compute_alerts()` runs every hour (command `compute_alerts`, or the task in `care.tasks`). For
each DAC it asks the database, in a fixed number of queries whatever the number of episodes, which
causes exist now, and compares them with the DAC's live alerts by their `key`:

- a cause without a live alert raises a new alert (status "à traiter");
- a live alert whose cause is gone is resolved (`resolved_at`), the closed episodes' ones too;
- a live alert whose cause persists is left as it is: an acknowledged alert stays acknowledged.

Once resolved, the same cause appearing again raises a new alert. The key names the cause and
what it depends on (the action and its due date, the date of the last contact…), so that a
changed due date or a new contact followed by a new silence is a new cause.

The causes, for the open episodes (thresholds from the DAC's `CareSettings`):

- REVIEW_SOON / REVIEW_PASSED: the review date of the PPCS version in force is within
  `review_warning_days` / has passed;
- NO_REASSESSMENT: no assessment completed for `reassessment_months` (counted from the last
  completed assessment's date, or from the inclusion);
- ACTION_OVERDUE: an action of the version in force is still planned or in progress after its due
  date; ACTION_NOT_DONE: it was marked not done;
- URGENT_24H / URGENT_48H: the episode is at level "urgence" and was not reassessed. The moment is
  the last change to urgent (`LevelChange.changed_at`, else `level_since`). A *reassessment* is an
  assessment completed after that moment — or a change of level, which ends the urgency or starts a
  new one. The 24 h alert is raised 24 h after the moment if no reassessment happened since the
  moment; the 48 h alert 48 h after it if no reassessment happened during the second day (since
  moment + 24 h): the urgency calls for a reassessment at 24 h and another one at 48 h;
- NO_CONTACT: no contact in the person's contact log for `no_contact_days` (counted from the last
  contact, or from the inclusion).
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from appui.core import audit
from appui.core.enums import AccessAction
from appui.core.models import Event, record_event
from appui.core.permissions import can, require
from appui.intake.enums import IntensityLevel
from appui.intake.models import ContactLog

from .enums import (
    ActionStatus,
    AlertKind,
    AlertStatus,
    AssessmentStatus,
    EpisodeStatus,
    PlanStatus,
)
from .models import (
    Action,
    Alert,
    Assessment,
    CareEpisode,
    CarePlanVersion,
    CareSettings,
    LevelChange,
)

# French labels of this part's event verbs (added to the shared table at start-up).
VERBS: dict[str, str] = {
    "alert_raised": "Alerte déclenchée",
    "alert_resolved": "Alerte levée (cause disparue)",
    "alert_acknowledged": "Alerte prise en compte",
    "care_settings_changed": "Changement des seuils d'alerte du suivi",
}

#: Short, threshold-free names of the kinds (the enum's labels name the default thresholds).
KIND_LABELS: dict[str, str] = {
    AlertKind.REVIEW_SOON: "Révision du PPCS proche",
    AlertKind.REVIEW_PASSED: "Révision du PPCS dépassée",
    AlertKind.NO_REASSESSMENT: "Réévaluation attendue",
    AlertKind.ACTION_OVERDUE: "Action du PPCS en retard",
    AlertKind.ACTION_NOT_DONE: "Action du PPCS non réalisée",
    AlertKind.URGENT_24H: "Urgence : réévaluation à 24 h",
    AlertKind.URGENT_48H: "Urgence : réévaluation à 48 h",
    AlertKind.NO_CONTACT: "Pas de contact",
}

#: Who computes: the name on the events and access-log rows of a run.
ENGINE_LABEL = "Calcul des alertes"

LIVE = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _key(kind, *parts) -> str:
    """An alert's cause: its kind and what it depends on (`action_overdue:12:2026-03-15`)."""
    return ":".join([str(kind), *(str(part) for part in parts)])[:100]


def _short(text: str, length: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def _moment(value: datetime) -> str:
    return f"{timezone.localtime(value):%d/%m/%Y à %H:%M}"


# --- The engine -------------------------------------------------------------------------------


@dataclass
class AlertSummary:
    """What a run did: alerts raised by kind, alerts resolved, alerts live after the run."""

    dacs: int = 0
    raised: Counter = field(default_factory=Counter)
    resolved: int = 0
    live: int = 0

    @property
    def raised_total(self) -> int:
        return sum(self.raised.values())

    def as_dict(self) -> dict:
        return {
            "dacs": self.dacs,
            "raised": {str(kind): count for kind, count in self.raised.items()},
            "resolved": self.resolved,
            "live": self.live,
        }

    def __str__(self) -> str:
        raised = self.raised_total
        lines = [
            f"Alertes calculées pour {self.dacs} DAC : {raised} nouvelle{'s' if raised > 1 else ''}"
            f", {self.resolved} levée{'s' if self.resolved > 1 else ''} (cause disparue), "
            f"{self.live} en cours."
        ]
        for kind, count in sorted(self.raised.items()):
            lines.append(f"  {KIND_LABELS.get(kind, kind)} : {count}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Cause:
    kind: str
    episode_id: int
    person_id: int
    message: str
    due_on: date | None = None


def compute_alerts(now=None, dac=None) -> AlertSummary:
    """Raise the alerts whose cause appeared, resolve those whose cause is gone; for one DAC (an
    Organisation or its id) or all. Idempotent: a second run at the same moment changes nothing."""
    now = now or timezone.now()
    summary = AlertSummary()
    if dac is not None:
        dac_ids = [getattr(dac, "pk", dac)]
    else:
        dac_ids = sorted(
            set(
                CareEpisode.objects.filter(status=EpisodeStatus.OPEN)
                .order_by()
                .values_list("dac_id", flat=True)
                .distinct()
            )
            | set(
                Alert.objects.filter(status__in=LIVE)
                .order_by()
                .values_list("dac_id", flat=True)
                .distinct()
            )
        )
    for dac_id in dac_ids:
        _compute_for_dac(dac_id, now, summary)
        summary.dacs += 1
    return summary


def _locked_settings(dac_id) -> CareSettings:
    """The DAC's thresholds, row-locked: two runs for the same DAC follow each other."""
    CareSettings.for_dac(dac_id)
    return CareSettings.objects.select_for_update().get(dac_id=dac_id)


@transaction.atomic
def _compute_for_dac(dac_id, now, summary: AlertSummary) -> None:
    settings = _locked_settings(dac_id)
    today = timezone.localdate(now)
    causes: dict[str, Cause] = {}
    causes.update(_episode_causes(dac_id, now, today, settings))
    causes.update(_review_causes(dac_id, today, settings))
    causes.update(_action_causes(dac_id, today))
    live = {
        row["key"]: row
        for row in Alert.objects.filter(dac_id=dac_id, status__in=LIVE).values(
            "pk", "key", "kind", "episode_id", person_id=F("episode__person_id")
        )
    }
    _raise_alerts(dac_id, now, [(key, cause) for key, cause in causes.items() if key not in live])
    _resolve_alerts(now, [row for key, row in live.items() if key not in causes])
    summary.resolved += sum(1 for key in live if key not in causes)
    for key, cause in causes.items():
        if key not in live:
            summary.raised[cause.kind] += 1
    summary.live += len(causes)


def _episode_causes(dac_id, now, today, settings) -> dict[str, Cause]:
    """No contact, no reassessment, urgency not reassessed: one query over the open episodes."""
    completed = Assessment.objects.filter(episode=OuterRef("pk"), status=AssessmentStatus.COMPLETED)
    rows = (
        CareEpisode.objects.filter(dac_id=dac_id, status=EpisodeStatus.OPEN)
        .annotate(
            last_contact_at=Subquery(
                ContactLog.objects.filter(person_id=OuterRef("person_id"))
                .order_by("-at")
                .values("at")[:1]
            ),
            last_assessed_on=Subquery(completed.order_by("-assessed_on").values("assessed_on")[:1]),
            last_completed_at=Subquery(
                completed.filter(completed_at__isnull=False)
                .order_by("-completed_at")
                .values("completed_at")[:1]
            ),
            urgent_since=Subquery(
                LevelChange.objects.filter(episode=OuterRef("pk"), level=IntensityLevel.URGENT)
                .order_by("-changed_at")
                .values("changed_at")[:1]
            ),
        )
        .order_by()
        .values(
            "pk",
            "person_id",
            "opened_on",
            "level",
            "level_since",
            "last_contact_at",
            "last_assessed_on",
            "last_completed_at",
            "urgent_since",
        )
    )
    causes = {}
    for row in rows:
        episode_id, person_id = row["pk"], row["person_id"]

        # No contact for `no_contact_days`.
        last_contact = row["last_contact_at"]
        since = timezone.localdate(last_contact) if last_contact else row["opened_on"]
        due = since + timedelta(days=settings.no_contact_days)
        if today >= due:
            stamp = last_contact.isoformat() if last_contact else f"inclusion-{since.isoformat()}"
            message = (
                f"Pas de contact depuis le {_day(since)} (plus de {settings.no_contact_days} jours)"
                if last_contact
                else f"Aucun contact noté depuis l'inclusion le {_day(since)} (plus de "
                f"{settings.no_contact_days} jours)"
            )
            causes[_key(AlertKind.NO_CONTACT, episode_id, stamp)] = Cause(
                AlertKind.NO_CONTACT, episode_id, person_id, message, due
            )

        # No completed assessment for `reassessment_months`.
        last_assessed = row["last_assessed_on"]
        since = last_assessed or row["opened_on"]
        due = add_months(since, settings.reassessment_months)
        if today >= due:
            months = settings.reassessment_months
            message = (
                f"Dernière évaluation le {_day(last_assessed)} : réévaluation attendue depuis le "
                f"{_day(due)} (au moins tous les {months} mois)"
                if last_assessed
                else f"Aucune évaluation terminée depuis l'inclusion le {_day(since)} : "
                f"réévaluation attendue depuis le {_day(due)}"
            )
            causes[_key(AlertKind.NO_REASSESSMENT, episode_id, since.isoformat())] = Cause(
                AlertKind.NO_REASSESSMENT, episode_id, person_id, message, due
            )

        # Urgency: reassessments at 24 h and 48 h.
        if row["level"] == IntensityLevel.URGENT:
            moment = row["urgent_since"] or row["level_since"]
            reassessed_at = row["last_completed_at"]
            stamp = int(moment.timestamp())
            for kind, hours in ((AlertKind.URGENT_24H, 24), (AlertKind.URGENT_48H, 48)):
                deadline = moment + timedelta(hours=hours)
                window_start = deadline - timedelta(hours=24)
                if now < deadline or (reassessed_at and reassessed_at > window_start):
                    continue
                message = (
                    f"Urgence depuis le {_moment(moment)} : pas de réévaluation à {hours} h "
                    f"(attendue le {_moment(deadline)})"
                )
                causes[_key(kind, episode_id, stamp)] = Cause(
                    kind, episode_id, person_id, message, timezone.localdate(deadline)
                )
    return causes


def _review_causes(dac_id, today, settings) -> dict[str, Cause]:
    """The PPCS versions in force whose review date is near or passed: one query."""
    horizon = today + timedelta(days=settings.review_warning_days)
    rows = (
        CarePlanVersion.objects.filter(
            status=PlanStatus.ACTIVE,
            plan__episode__dac_id=dac_id,
            plan__episode__status=EpisodeStatus.OPEN,
            review_on__isnull=False,
            review_on__lte=horizon,
        )
        .order_by()
        .values(
            "pk",
            "number",
            "review_on",
            episode_id=F("plan__episode_id"),
            person_id=F("plan__episode__person_id"),
        )
    )
    causes = {}
    for row in rows:
        review_on = row["review_on"]
        if review_on < today:
            kind = AlertKind.REVIEW_PASSED
            message = (
                f"Date de révision du PPCS (version {row['number']}) dépassée : prévue le "
                f"{_day(review_on)}"
            )
        else:
            kind = AlertKind.REVIEW_SOON
            message = f"Révision du PPCS (version {row['number']}) prévue le {_day(review_on)}"
        causes[_key(kind, row["pk"], review_on.isoformat())] = Cause(
            kind, row["episode_id"], row["person_id"], message, review_on
        )
    return causes


def _action_causes(dac_id, today) -> dict[str, Cause]:
    """The actions of the versions in force overdue or marked not done: one query."""
    rows = (
        Action.objects.filter(
            plan_version__status=PlanStatus.ACTIVE,
            plan_version__plan__episode__dac_id=dac_id,
            plan_version__plan__episode__status=EpisodeStatus.OPEN,
        )
        .filter(
            Q(status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS], due_on__lt=today)
            | Q(status=ActionStatus.NOT_DONE)
        )
        .order_by()
        .values(
            "pk",
            "description",
            "status",
            "due_on",
            "not_done_reason",
            episode_id=F("plan_version__plan__episode_id"),
            person_id=F("plan_version__plan__episode__person_id"),
        )
    )
    causes = {}
    for row in rows:
        what = _short(row["description"])
        if row["status"] == ActionStatus.NOT_DONE:
            reason = _short(row["not_done_reason"], 120)
            message = f"Action « {what} » déclarée non réalisée" + (
                f" : {reason}" if reason else ""
            )
            causes[_key(AlertKind.ACTION_NOT_DONE, row["pk"])] = Cause(
                AlertKind.ACTION_NOT_DONE,
                row["episode_id"],
                row["person_id"],
                message,
                row["due_on"],
            )
        else:
            message = f"Action « {what} » non réalisée à l'échéance du {_day(row['due_on'])}"
            causes[_key(AlertKind.ACTION_OVERDUE, row["pk"], row["due_on"].isoformat())] = Cause(
                AlertKind.ACTION_OVERDUE,
                row["episode_id"],
                row["person_id"],
                message,
                row["due_on"],
            )
    return causes


def _episode_stub(episode_id, person_id) -> CareEpisode:
    """An episode known by its ids only (the access log asks an alert for its person)."""
    return CareEpisode(pk=episode_id, person_id=person_id)


def _engine_event(episode_id, verb: str, now, **data) -> Event:
    context = audit.current()
    return Event(
        at=now,
        actor_label=ENGINE_LABEL,
        organisation_id=context.organisation_id if context else None,
        subject_type=CareEpisode._meta.label_lower,
        subject_id=str(episode_id),
        verb=verb,
        data=data,
    )


def _raise_alerts(dac_id, now, new: list[tuple[str, Cause]]) -> None:
    if not new:
        return
    alerts = Alert.objects.bulk_create(
        [
            Alert(
                dac_id=dac_id,
                episode=_episode_stub(cause.episode_id, cause.person_id),
                kind=cause.kind,
                key=key[:100],
                message=cause.message[:255],
                due_on=cause.due_on,
                raised_at=now,
                created_at=now,
                status=AlertStatus.OPEN,
            )
            for key, cause in new
        ]
    )
    audit.record_many(alerts, AccessAction.CREATE, ["kind", "key", "message", "status"])
    Event.objects.bulk_create(
        [
            _engine_event(
                alert.episode_id,
                "alert_raised",
                now,
                alert=alert.pk,
                kind=alert.kind,
                message=alert.message,
            )
            for alert in alerts
        ]
    )


def _resolve_alerts(now, gone: list[dict]) -> None:
    if not gone:
        return
    Alert.objects.filter(pk__in=[row["pk"] for row in gone]).update(
        status=AlertStatus.RESOLVED, resolved_at=now, updated_at=now
    )
    stubs = []
    for row in gone:
        stub = Alert(pk=row["pk"], kind=row["kind"], key=row["key"])
        stub.episode = _episode_stub(row["episode_id"], row["person_id"])
        stubs.append(stub)
    audit.record_many(stubs, AccessAction.UPDATE, ["resolved_at", "status"])
    Event.objects.bulk_create(
        [
            _engine_event(
                row["episode_id"], "alert_resolved", now, alert=row["pk"], kind=row["kind"]
            )
            for row in gone
        ]
    )


# --- Reading and acknowledging ----------------------------------------------------------------


def alerts_in_reach(membership):
    """Every alert (live or resolved) of the episodes the membership may view."""
    from .services import episodes_in_reach

    return Alert.objects.filter(episode__in=episodes_in_reach(membership, "view"))


def label(alerts):
    """Give each alert its short kind label (`alert.kind_label`) for the pages."""
    for alert in alerts:
        alert.kind_label = KIND_LABELS.get(alert.kind, alert.get_kind_display())
    return alerts


def _open_first(queryset):
    return queryset.annotate(
        open_first=Case(
            When(status=AlertStatus.OPEN, then=Value(0)),
            When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("open_first", "-raised_at", "-pk")


def alerts_for(membership, mine: bool = False):
    """The live alerts (to handle, or acknowledged while their cause lasts) of the episodes the
    membership may view — with `mine`, of the episodes where the user is référent·e or case
    manager. Open ones first, newest first; the episode and its person come along."""
    return find_alerts(membership, mine=mine)


def find_alerts(membership, *, mine: bool = False, kind: str = "", status: str = "live"):
    """The alerts list's query: `status` is "live" (open or acknowledged) or one status."""
    queryset = alerts_in_reach(membership)
    queryset = (
        queryset.filter(status__in=LIVE) if status == "live" else queryset.filter(status=status)
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if mine:
        queryset = queryset.filter(
            Q(episode__referent_id=membership.user_id)
            | Q(episode__case_manager_id=membership.user_id)
        )
    return _open_first(queryset.select_related("episode__person", "acknowledged_by"))


@transaction.atomic
def acknowledge_alert(membership, alert: Alert, comment: str) -> Alert:
    """Someone takes the alert in hand and says what is done or planned. It stays acknowledged
    while its cause lasts and is resolved when the cause is gone."""
    require(membership, "care", "change", alert.episode)
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.status == AlertStatus.RESOLVED:
        raise ValidationError("Cette alerte est déjà levée : sa cause a disparu.")
    if locked.status == AlertStatus.ACKNOWLEDGED:
        raise ValidationError("Cette alerte a déjà été prise en compte.")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": "Dites en quelques mots ce qui est fait ou prévu pour cette alerte."}
        )
    locked.status = AlertStatus.ACKNOWLEDGED
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = membership.user
    locked.comment = comment
    locked.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "acknowledged_by",
            "comment",
            "updated_at",
            "updated_by",
        ]
    )
    record_event(
        alert.episode,
        "alert_acknowledged",
        actor=membership.user,
        alert=locked.pk,
        kind=locked.kind,
        comment=comment,
    )
    return locked


# --- The DAC's thresholds ---------------------------------------------------------------------

SETTINGS_FIELDS = ("no_contact_days", "review_warning_days", "reassessment_months")


@transaction.atomic
def update_care_settings(membership, **values) -> CareSettings:
    """The director sets the DAC's alert thresholds; the next run of the alerts applies them."""
    require(membership, "care_settings", "change")
    if membership.organisation_id is None:
        raise PermissionDenied
    CareSettings.for_dac(membership.organisation_id)
    settings = CareSettings.objects.select_for_update().get(dac_id=membership.organisation_id)
    errors = {}
    limits = {"no_contact_days": 365, "review_warning_days": 90, "reassessment_months": 36}
    for name in SETTINGS_FIELDS:
        value = values.get(name, getattr(settings, name))
        if value is None or not 1 <= value <= limits[name]:
            errors[name] = f"Indiquez un nombre entre 1 et {limits[name]}."
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    after = {name: values.get(name, before[name]) for name in SETTINGS_FIELDS}
    if before != after:
        for name, value in after.items():
            setattr(settings, name, value)
        settings.save(update_fields=list(SETTINGS_FIELDS))
        record_event(
            settings, "care_settings_changed", actor=membership.user, before=before, after=after
        )
    return settings


# --- The episode page's block -----------------------------------------------------------------


def alerts_section(request, episode) -> dict | None:
    """The episode's live alerts, open ones with the acknowledgement form; one query. Alerts are
    the DAC team's work list: a partner reading the episode does not see them."""
    if not getattr(request.membership, "is_dac_staff", False):
        return None
    alerts = list(
        _open_first(
            Alert.objects.filter(episode=episode, status__in=LIVE).select_related("acknowledged_by")
        )
    )
    if not alerts:
        return None
    label(alerts)
    return {
        "alerts": alerts,
        "can_acknowledge": can(request.membership, "care", "change", episode),
    }


def register() -> None:
    """Called once from CareConfig.ready(): the episode page's block, the verbs' labels."""
    from appui.core.models import VERB_LABELS

    from .sections import register_section

    VERB_LABELS.update(VERBS)
    register_section("alerts", 5, "care/alerts/_section.html", alerts_section)
