"""The DAC direction's dashboard: every indicator of the catalogue for a period, compared with the
previous period; the list behind a figure (drill-down); the CSV and XLSX exports.

The catalogue is iterated, never listed by hand: an indicator added to it appears on the
dashboard, in its drill-down page and in the exports without a change here.

Queries: each indicator computes its figures for one DAC in its own aggregation (one query, or a
few), once for the period and once for the previous period; nothing here adds a query per row.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.urls import reverse

from appui.core.models import record_event
from appui.core.permissions import require, scope

from .formatting import display, number, singular
from .indicators.base import SECTIONS, Indicator, Kind, Measure, Period, catalogue

MAX_YEARS = 5


# --- Periods ------------------------------------------------------------------------------------


def default_year(today: datetime.date) -> int:
    """The last complete calendar year (in January 2026, the director looks at 2025)."""
    return today.year - 1


def span_too_long(start: datetime.date, end: datetime.date) -> bool:
    """Whether a period covers more than MAX_YEARS years (a leap day counts as 28 February)."""
    try:
        limit = start.replace(year=start.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = datetime.date(start.year + MAX_YEARS, 3, 1)
    return end >= limit


# --- Comparison with the previous period --------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """How a figure moved since the previous period, said in words (not by a colour alone)."""

    direction: str  # "up", "down", "same", "none"
    text: str

    @property
    def symbol(self) -> str:
        return {"up": "↑", "down": "↓"}.get(self.direction, "")


def compare(current: Measure | None, previous: Measure | None, unit: str) -> Comparison:
    """The move in words: en hausse de 12 personnes, en baisse de 3,5 points, stable. A share
    moves in percentage points; nothing is said when either value cannot be computed."""
    if current is None or previous is None or current.value is None or previous.value is None:
        return Comparison("none", "pas de comparaison possible")
    delta = Decimal(current.value) - Decimal(previous.value)
    if delta == 0:
        return Comparison("same", "stable")
    amount = abs(delta)
    if unit == "%":
        places = 1
        suffix = " point" + ("s" if amount >= 2 else "")
    elif unit == "€":
        places, suffix = 2, "\u00a0€"
    else:
        places = None
        unit = unit if amount >= 2 else singular(unit)
        suffix = f"\u00a0{unit}" if unit else ""
    text = number(amount, places) + suffix
    if delta > 0:
        return Comparison("up", f"en hausse de {text}")
    return Comparison("down", f"en baisse de {text}")


# --- The dashboard ------------------------------------------------------------------------------


@dataclass
class BreakdownRow:
    key: str
    label: str
    current: Measure | None
    previous: Measure | None
    comparison: Comparison
    display: str
    previous_display: str

    @property
    def value(self):
        return self.current.value if self.current is not None else None


@dataclass
class Line:
    """One indicator on the dashboard: its figure now and for the previous period."""

    indicator: Indicator
    current: object  # a Measure, or {key: Measure} for a breakdown
    previous: object
    comparison: Comparison | None = None
    rows: list[BreakdownRow] = field(default_factory=list)
    total: BreakdownRow | None = None

    @property
    def is_breakdown(self) -> bool:
        return self.indicator.breakdown is not None

    @property
    def display(self) -> str:
        return display(self.current, self.indicator.unit) if not self.is_breakdown else ""

    @property
    def previous_display(self) -> str:
        return display(self.previous, self.indicator.unit) if not self.is_breakdown else ""

    @property
    def has_terms(self) -> bool:
        """Whether the figure is a ratio whose numerator and denominator are worth showing."""
        return any(
            isinstance(m, Measure) and (m.numerator is not None or m.denominator is not None)
            for m in (self.current, self.previous)
        )

    def chart_rows(self) -> list[tuple]:
        """(label, value, display, previous display, change) for `reporting/_chart.html`."""
        return [
            (r.label, r.value, r.display, r.previous_display, _change(r.comparison))
            for r in self.rows
        ]


def _change(comparison: Comparison) -> str:
    return f"{comparison.symbol} {comparison.text}".strip()


def has_total(indicator: Indicator) -> bool:
    """A breakdown of counts or amounts adds up (requests by channel); a breakdown by staff
    member does not (a person has a referent and a case manager) and shows no total."""
    return indicator.kind in (Kind.COUNT, Kind.AMOUNT) and not indicator.personal_keys


def breakdown_rows(indicator: Indicator, current: dict, previous: dict) -> list[BreakdownRow]:
    """Every key found in either period, in the indicator's display order."""
    keys = list(dict.fromkeys([*current, *previous]))
    labels = indicator.breakdown(keys)
    listed = {key for key, _ in labels}
    # Keys found in the data but unknown to the labels keep their code (never dropped silently).
    labels = list(labels) + [(key, key) for key in keys if key not in listed]
    unit = indicator.unit
    rows = []
    for key, label in labels:
        now, before = current.get(key), previous.get(key)
        if now is None and before is None:
            continue
        if now is None and indicator.kind in (Kind.COUNT, Kind.AMOUNT):
            now = Measure(0)
        if before is None and indicator.kind in (Kind.COUNT, Kind.AMOUNT):
            before = Measure(0)
        rows.append(
            BreakdownRow(
                key=str(key),
                label=str(label),
                current=now,
                previous=before,
                comparison=compare(now, before, unit),
                display=display(now, unit),
                previous_display=display(before, unit),
            )
        )
    return rows


def _sum(measures) -> Measure:
    return Measure(sum((m.value or 0) for m in measures if m is not None))


def line_for(indicator: Indicator, current, previous) -> Line:
    line = Line(indicator, current, previous)
    if line.is_breakdown:
        line.rows = breakdown_rows(indicator, current or {}, previous or {})
        if has_total(indicator) and line.rows:
            now = _sum(r.current for r in line.rows)
            before = _sum(r.previous for r in line.rows)
            line.total = BreakdownRow(
                "",
                "Total",
                now,
                before,
                compare(now, before, indicator.unit),
                display(now, indicator.unit),
                display(before, indicator.unit),
            )
    else:
        line.comparison = compare(current, previous, indicator.unit)
    return line


def lines(dac_id: int, period: Period, indicators=None) -> list[Line]:
    """Each indicator (the whole catalogue by default) for the DAC, now and the period before."""
    before = period.previous()
    result = []
    for indicator in indicators if indicators is not None else catalogue():
        result.append(
            line_for(
                indicator,
                indicator.for_dac(dac_id, period),
                indicator.for_dac(dac_id, before),
            )
        )
    return result


@dataclass
class Section:
    code: str
    label: str
    lines: list[Line]


def dashboard(dac_id: int, period: Period) -> list[Section]:
    """The dashboard's sections, in the catalogue's order; a section without indicators is left
    out."""
    by_section: dict[str, list[Line]] = {}
    for line in lines(dac_id, period):
        by_section.setdefault(line.indicator.section, []).append(line)
    return [
        Section(code, label, by_section[code])
        for code, label in SECTIONS.items()
        if code in by_section
    ]


# --- Drill-down ---------------------------------------------------------------------------------


def drilldown_rows(membership, indicator: Indicator, period: Period, key: str | None):
    """The rows behind the figure for the user's DAC, narrowed by the user's rights: the matrix
    scope of the drill-down's object, which also leaves out the persons who objected to this
    user (core.sharing). None when the indicator has no list behind it."""
    drilldown = indicator.drilldown
    if drilldown is None:
        return None
    rows = drilldown.rows(membership.organisation, period, key or None)
    rows = scope(membership, drilldown.obj, "list", rows)
    model = rows.model
    related = [
        name
        for name in ("person", "request", "episode")
        if _is_foreign_key(model, name) and name != model._meta.model_name
    ]
    return rows.select_related(*related) if related else rows


def _is_foreign_key(model, name: str) -> bool:
    try:
        field_ = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 — FieldDoesNotExist: the model has no such relation
        return False
    return field_.many_to_one


@dataclass(frozen=True)
class RowView:
    """One row of a drill-down list: what it is, its date, the person, and the page to open."""

    label: str
    url: str | None
    date: datetime.date | None = None
    person: str = ""
    detail: str = ""


def _local_date(value):
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return timezone.localdate(value)
    return value


DATE_FIELDS = (
    "received_at",
    "opened_on",
    "given_at",
    "occurred_on",
    "noted_on",
    "provided_on",
    "assessed_on",
    "closed_on",
)


def describe(row) -> RowView:
    """How a drill-down row reads and where it leads: a person to their record, a request to its
    page, an episode (or anything of an episode: assessment, adverse event…) to the episode."""
    label_lower = row._meta.label_lower
    if label_lower == "persons.person":
        return RowView(row.display_name, reverse("persons:detail", args=[row.pk]))
    if label_lower == "intake.supportrequest":
        person = row.person.display_name if row.person_id else ""
        return RowView(
            str(row),
            reverse("intake:request_detail", args=[row.pk]),
            _local_date(row.received_at),
            person,
            row.get_channel_display(),
        )
    if label_lower == "care.careepisode":
        detail = row.get_kind_display()
        if row.closed_on:
            detail += f" — sortie le {row.closed_on:%d/%m/%Y}"
        return RowView(
            row.person.display_name,
            reverse("care:episode_detail", args=[row.pk]),
            row.opened_on,
            row.person.display_name,
            detail,
        )
    date = next(
        (_local_date(getattr(row, name)) for name in DATE_FIELDS if getattr(row, name, None)), None
    )
    person = ""
    if getattr(row, "person_id", None) and _is_foreign_key(type(row), "person"):
        person = row.person.display_name
    url = None
    if getattr(row, "episode_id", None):
        url = reverse("care:episode_detail", args=[row.episode_id])
    elif getattr(row, "request_id", None):
        url = reverse("intake:request_detail", args=[row.request_id])
    elif getattr(row, "person_id", None):
        url = reverse("persons:detail", args=[row.person_id])
    return RowView(str(row), url, date, person)


def columns(described: list[RowView]) -> dict:
    """The drill-down table's optional columns: only those some row of the page fills."""
    shown_columns = {
        "date": any(r.date for r in described),
        "person": any(r.person for r in described),
        "detail": any(r.detail for r in described),
    }
    shown_columns["count"] = 1 + sum(shown_columns.values())
    return shown_columns


# --- Exports ------------------------------------------------------------------------------------

EXPORT_HEADER = [
    "rubrique",
    "code",
    "indicateur",
    "clé",
    "libellé de la clé",
    "unité",
    "valeur",
    "numérateur",
    "dénominateur",
    "valeur de la période précédente",
]


def export_rows(dac_id: int, period: Period) -> list[list]:
    """One row per indicator, and one per breakdown key (then its total when it adds up):
    section, code, label, key, key label, unit, value, numerator, denominator, previous value.
    Values stay numbers (Decimal/int) or None; the writers format them."""
    rows = []
    for line in lines(dac_id, period):
        indicator = line.indicator
        head = [SECTIONS[indicator.section], indicator.code, indicator.label]
        if line.is_breakdown:
            for row in [*line.rows, *([line.total] if line.total else [])]:
                rows.append(
                    [
                        *head,
                        row.key if row is not line.total else "total",
                        row.label,
                        indicator.unit,
                        *_numbers(row.current),
                        _value(row.previous),
                    ]
                )
            if not line.rows:
                rows.append([*head, "", "", indicator.unit, None, None, None, None])
        else:
            rows.append(
                [*head, "", "", indicator.unit, *_numbers(line.current), _value(line.previous)]
            )
    return rows


def _value(measure):
    return measure.value if isinstance(measure, Measure) else None


def _numbers(measure) -> list:
    if not isinstance(measure, Measure):
        return [None, None, None]
    return [measure.value, measure.numerator, measure.denominator]


def _csv_cell(value) -> str:
    """French spreadsheets: a decimal comma, no thousands separator, empty when not computable."""
    if value is None:
        return ""
    if isinstance(value, (int, Decimal, float)):
        return str(value).replace(".", ",")
    return str(value)


def export_csv(dac_id: int, period: Period) -> bytes:
    """UTF-8 with a byte order mark and ";" separators: opens as is in French Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    for row in export_rows(dac_id, period):
        writer.writerow([_csv_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(dac_id: int, period: Period, dac_name: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Indicateurs"
    sheet.append([f"Indicateurs {dac_name} — {period.label}".replace("  ", " ")])
    sheet["A1"].font = Font(bold=True)
    sheet.append(
        [f"Période précédente : {period.previous().label}. Valeurs vides : non calculables."]
    )
    sheet.append(EXPORT_HEADER)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in export_rows(dac_id, period):
        sheet.append([float(c) if isinstance(c, Decimal) else c for c in row])
    for column, width in zip("ABCDEFGHIJ", (24, 30, 45, 22, 34, 14, 12, 12, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(period: Period, extension: str) -> str:
    if period.is_calendar_year:
        return f"indicateurs-{period.start.year}.{extension}"
    return f"indicateurs-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{extension}"


def export(membership, period: Period, fmt: str) -> bytes:
    """The export of the user's DAC indicators (director), recorded as an event: who exported
    which period in which format. Aggregates only: no person's data is in the file."""
    require(membership, "indicator", "export")
    organisation = membership.organisation
    if fmt == "csv":
        content = export_csv(organisation.pk, period)
    else:
        content = export_xlsx(organisation.pk, period, organisation.name)
    with transaction.atomic():
        record_event(
            organisation,
            "indicators_exported",
            actor=membership.user,
            format=fmt,
            start=period.start.isoformat(),
            end=period.end.isoformat(),
        )
    return content
