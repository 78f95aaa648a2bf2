"""The person's rights over their data: who accessed their record (the access log for one person,
on screen for the DAC and as a PDF for the person).

Rows come from core.models.AccessLog (`person_id`). Each row is described for a reader: who (name,
role, structure), what was done, on which item (the model's French name). Rows made under an
emergency access (bris de glace) are flagged. Describing a page of rows costs a fixed number of
queries (users, structures, emergency accesses), whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.apps import apps
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst, slugify

from appui.core import audit
from appui.core.enums import AccessAction, Role
from appui.core.models import AccessLog
from appui.core.permissions import require

from .models import EmergencyAccess

ROLE_LABELS = dict(Role.choices)
ACTION_LABELS = dict(AccessAction.choices)


def require_access_log(membership, person, action: str = "list") -> None:
    """The DAC may read a person's access log: `access_log/<action>` and the person in reach."""
    require(membership, "access_log", action)
    require(membership, "person", "view", person)


def person_log(person, *, start: date | None = None, end: date | None = None, action: str = ""):
    """The access-log rows about one person, newest first, filtered by period and action."""
    queryset = AccessLog.objects.filter(person_id=person.pk)
    tz = timezone.get_current_timezone()
    if start:
        queryset = queryset.filter(at__gte=datetime.combine(start, time.min, tz))
    if end:
        queryset = queryset.filter(at__lte=datetime.combine(end, time.max, tz))
    if action:
        queryset = queryset.filter(action=action)
    return queryset.order_by("-at", "-id")


@dataclass
class LogRow:
    at: datetime
    who: str
    role: str
    organisation: str
    action: str
    item: str
    emergency: bool


def _type_labels() -> dict[str, str]:
    return {m._meta.label_lower: capfirst(str(m._meta.verbose_name)) for m in apps.get_models()}


def describe(rows, person) -> list[LogRow]:
    """Readable rows in three queries (users, structures, the person's emergency accesses)."""
    from appui.accounts.models import User
    from appui.territory.models import Organisation

    rows = list(rows)
    # Naming who accessed is reading their account: the page's own reads are logged too.
    names = {
        user.pk: str(user)
        for user in User.objects.filter(pk__in={r.user_id for r in rows if r.user_id}).only(
            "first_name", "last_name", "email"
        )
    }
    organisations = dict(
        Organisation.objects.filter(
            pk__in={r.organisation_id for r in rows if r.organisation_id}
        ).values_list("pk", "name")
    )
    windows: dict[int, list[tuple[datetime, datetime]]] = {}
    for user_id, opened_at, expires_at in EmergencyAccess.objects.filter(
        person_id=person.pk
    ).values_list("user_id", "opened_at", "expires_at"):
        windows.setdefault(user_id, []).append((opened_at, expires_at))
    types = _type_labels()
    described = []
    for row in rows:
        emergency = row.action == AccessAction.EMERGENCY or any(
            opened <= row.at <= expires for opened, expires in windows.get(row.user_id, [])
        )
        described.append(
            LogRow(
                at=timezone.localtime(row.at),
                who=names.get(row.user_id) or row.user_label or "Traitement automatique",
                role=ROLE_LABELS.get(row.role, row.role or "—"),
                organisation=organisations.get(row.organisation_id, "—"),
                action=ACTION_LABELS.get(row.action, row.action),
                item=types.get(row.object_type, row.object_type),
                emergency=emergency,
            )
        )
    return described


# --- The PDF for the person ---------------------------------------------------------------------


def render_log_pdf(person, rows: list[LogRow], *, start=None, end=None) -> bytes:
    import weasyprint

    from appui.care.plan_pdf import _fonts

    html = render_to_string(
        "circle/rights/access_log_pdf.html",
        {
            "person": person,
            "dac": person.dac,
            "rows": rows,
            "start": start or (rows[0].at.date() if rows else None),
            "end": end or timezone.localdate(),
            "printed_at": timezone.localtime(),
            "fonts": _fonts(),
        },
    )
    return weasyprint.HTML(string=html).write_pdf()


def export_log_pdf(person, membership, *, start=None, end=None) -> bytes:
    """« Qui a consulté mon dossier » — every access, oldest first; the export is logged."""
    require_access_log(membership, person, "export")
    queryset: QuerySet = person_log(person, start=start, end=end).order_by("at", "id")
    pdf = render_log_pdf(person, describe(queryset, person), start=start, end=end)
    audit.record(person, AccessAction.EXPORT, ["access_log"])
    return pdf


def log_filename(person) -> str:
    name = slugify(f"{person.used_name or person.birth_name} {person.first_name}")
    return f"acces-au-dossier-{name}-{timezone.localdate():%Y%m%d}.pdf"


# --- Retention ----------------------------------------------------------------------------------


#: A file is kept at least until its holder's 28th birthday (CSP art. R1112-7).
MINIMUM_AGE = 28


def retention_limit(today: date | None = None, years: int | None = None) -> date:
    """Closed episodes whose exit is before this day are past the retention period."""
    from django.conf import settings

    today = today or timezone.localdate()
    years = settings.APPUI_RETENTION_YEARS if years is None else years
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def episodes_past_retention(today: date | None = None) -> QuerySet:
    from appui.care.enums import EpisodeStatus
    from appui.care.models import CareEpisode

    today = today or timezone.localdate()
    return CareEpisode.objects.filter(
        status=EpisodeStatus.CLOSED,
        archived_at__isnull=True,
        closed_on__isnull=False,
        closed_on__lt=retention_limit(today),
        # As for medical files (CSP R1112-7): kept at least until the person's 28th birthday.
        person__birth_date__lt=retention_limit(today, MINIMUM_AGE),
    ).order_by("closed_on", "pk")


def archive_closed_episodes(today: date | None = None, *, dry_run: bool = False) -> list:
    """Archive every closed episode past the retention period: `archived_at` and an event
    `archived_retention` each, in one transaction. Nothing is ever deleted. Returns the episodes
    (archived, or that would be with `dry_run`)."""
    from django.conf import settings
    from django.db import transaction

    from appui.core.models import record_event

    with transaction.atomic():
        episodes = list(episodes_past_retention(today).select_for_update(of=("self",)))
        if dry_run:
            return episodes
        now = timezone.now()
        limit = retention_limit(today)
        for episode in episodes:
            episode.archived_at = now
            episode.save(update_fields=["archived_at", "updated_at", "updated_by"])
            record_event(
                episode,
                "archived_retention",
                closed_on=episode.closed_on.isoformat(),
                retention_years=settings.APPUI_RETENTION_YEARS,
                limit=limit.isoformat(),
            )
    return episodes
