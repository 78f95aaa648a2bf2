"""The yearly activity report (rapport d'activité) of a DAC: its identity, every indicator of the
catalogue for the year and the year before, the director's commentary per section, and the
report as a PDF and an XLSX workbook.

The figures are never stored: they come from the catalogue each time the report is shown or
generated. Only the commentary and the report's state (draft or final) are kept. A final report is
read-only until the director reopens it; every change, and every generation of a document, is an
event on the report.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from appui.core.enums import Role
from appui.core.models import record_event
from appui.core.permissions import require
from appui.territory.models import Organisation, Territory

from .enums import ReportStatus
from .formatting import display, number
from .indicators.base import SECTIONS, Indicator, Kind, Measure, Period, catalogue
from .models import ActivityReport

#: The commentary's texts, in the report's order: an introduction, one per catalogue section,
#: the outlook.
INTRODUCTION, PERSPECTIVES = "introduction", "perspectives"
COMMENTARY_MAX_LENGTH = 4000


def commentary_sections() -> list[tuple[str, str]]:
    """(key, French title) of every commentary text, in the report's order."""
    return [
        (INTRODUCTION, "Introduction"),
        *SECTIONS.items(),
        (PERSPECTIVES, "Perspectives"),
    ]


VERBS: dict[str, str] = {
    "report_commentary_saved": "Commentaires du rapport d'activité enregistrés",
    "report_finalised": "Rapport d'activité arrêté",
    "report_reopened": "Rapport d'activité rouvert",
    "report_generated": "Rapport d'activité généré",
}


def register() -> None:
    """Called once at start-up: the report's permission scope and its event verbs' labels."""
    from appui.core.models import VERB_LABELS

    VERB_LABELS.update(VERBS)


def default_year(today: datetime.date | None = None) -> int:
    """The last complete calendar year."""
    return (today or timezone.localdate()).year - 1


def selectable_years(today: datetime.date | None = None, span: int = 10) -> list[int]:
    """The years a report can be shown for, the current (incomplete) one first."""
    current = (today or timezone.localdate()).year
    return list(range(current, current - span, -1))


# --- The DAC's identity --------------------------------------------------------------------


@dataclass(frozen=True)
class DacIdentity:
    name: str
    finess: str
    address: str
    postal_code: str
    commune: str
    phone: str
    email: str
    territory: str
    commune_count: int
    directors: list[str]

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) as printed on the cover and in the workbook."""
        place = " ".join(p for p in (self.postal_code, self.commune) if p)
        address = ", ".join(p for p in (self.address, place) if p)
        territory = (
            f"{self.territory} ({self.commune_count} commune{'s' if self.commune_count > 1 else ''})"
            if self.territory
            else "non défini"
        )
        return [
            ("Nom", self.name),
            ("FINESS", self.finess or "non renseigné"),
            ("Adresse", address or "non renseignée"),
            ("Téléphone", self.phone or "non renseigné"),
            ("Adresse électronique", self.email or "non renseignée"),
            ("Territoire", territory),
            ("Direction", ", ".join(self.directors) or "non renseignée"),
        ]


def dac_identity(dac: Organisation) -> DacIdentity:
    """Name, FINESS, address, territory (name and number of communes) and director(s): the active
    memberships with the director role."""
    from appui.accounts.models import Membership

    territory = (
        Territory.objects.filter(dac_id=dac.pk)
        .annotate(n=Count("communes"))
        .values("name", "n")
        .first()
    )
    directors = [
        m.user.get_full_name() or m.user.email
        for m in Membership.objects.filter(
            organisation_id=dac.pk, role=Role.DIRECTOR, is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    ]
    return DacIdentity(
        name=dac.name,
        finess=dac.finess_et or dac.finess_ej,
        address=dac.address,
        postal_code=dac.postal_code,
        commune=dac.commune.name if dac.commune_id else "",
        phone=dac.phone,
        email=dac.email,
        territory=territory["name"] if territory else "",
        commune_count=territory["n"] if territory else 0,
        directors=directors,
    )


# --- The figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One figure as the report shows it: the measure, its French text, and for a share or a
    mean its numerator and denominator."""

    measure: Measure | None
    text: str  # with its unit: "12 jours", "45,2 %"
    short: str  # the number alone when the unit is shown apart ("%" and "€" stay)

    @property
    def detail(self) -> str:
        m = self.measure
        if m is None or m.denominator is None:
            return ""
        return f"{number(m.numerator)} / {number(m.denominator)}"


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    current: Cell
    previous: Cell


@dataclass
class IndicatorBlock:
    indicator: Indicator
    current: Cell | None = None  # scalar indicators
    previous: Cell | None = None
    rows: list[BreakdownRow] = field(default_factory=list)  # breakdown indicators

    @property
    def is_breakdown(self) -> bool:
        return self.indicator.breakdown is not None


@dataclass
class SectionBlock:
    code: str
    label: str
    indicators: list[IndicatorBlock]


def _cell(indicator: Indicator, measure: Measure | None, in_breakdown: bool = False) -> Cell:
    if measure is None and in_breakdown and indicator.kind in (Kind.COUNT, Kind.AMOUNT):
        measure = Measure(0)  # a key absent from a count is zero
    unit = indicator.unit
    return Cell(
        measure, display(measure, unit), display(measure, unit if unit in ("%", "€") else "")
    )


def indicator_block(indicator: Indicator, dac_id: int, period: Period) -> IndicatorBlock:
    current = indicator.figures([dac_id], period).get(dac_id)
    previous = indicator.figures([dac_id], period.previous()).get(dac_id)
    block = IndicatorBlock(indicator)
    if indicator.breakdown is None:
        block.current, block.previous = _cell(indicator, current), _cell(indicator, previous)
        return block
    current, previous = current or {}, previous or {}
    found = list(dict.fromkeys([*current, *previous]))
    listed = indicator.breakdown(found)
    labels = dict(listed)
    keys = [key for key, _ in listed] + [key for key in found if key not in labels]
    for key in keys:
        block.rows.append(
            BreakdownRow(
                key=str(key),
                label=str(labels.get(key, key)),
                current=_cell(indicator, current.get(key), True),
                previous=_cell(indicator, previous.get(key), True),
            )
        )
    return block


def sections(dac_id: int, year: int) -> list[SectionBlock]:
    """Every section of the catalogue with its indicators' figures for the year and the year
    before (two aggregations per indicator, whatever the volume of data)."""
    period = Period.year(year)
    by_section: dict[str, list[IndicatorBlock]] = {code: [] for code in SECTIONS}
    for indicator in catalogue():
        by_section[indicator.section].append(indicator_block(indicator, dac_id, period))
    return [SectionBlock(code, label, by_section[code]) for code, label in SECTIONS.items()]


# --- The report and its transitions ----------------------------------------------------------


def _dac(membership) -> Organisation:
    dac = getattr(membership, "organisation", None)
    if dac is None or not dac.is_dac:
        raise PermissionDenied
    return dac


def report_for(membership, year: int) -> ActivityReport:
    """The DAC's report for the year as recorded, or a new draft (not saved) when none is."""
    require(membership, "activity_report", "view")
    dac = _dac(membership)
    report = (
        ActivityReport.objects.filter(dac_id=dac.pk, year=year)
        .select_related("finalised_by")
        .first()
    )
    if report is None:
        return ActivityReport(dac=dac, year=year)
    require(membership, "activity_report", "view", report)
    report.dac = dac  # the membership's organisation, already loaded
    return report


def _locked_report(membership, year: int) -> ActivityReport:
    """The report, created if need be and locked for the transaction (change right checked)."""
    require(membership, "activity_report", "change")
    dac = _dac(membership)
    ActivityReport.objects.get_or_create(dac=dac, year=year)
    report = ActivityReport.objects.select_for_update().get(dac_id=dac.pk, year=year)
    require(membership, "activity_report", "change", report)
    return report


def _save(report: ActivityReport, membership, *fields: str) -> None:
    report.updated_by = membership.user
    report.save(update_fields=[*fields, "updated_at", "updated_by"])


def clean_commentary(texts: dict[str, str]) -> dict[str, str]:
    """The known sections' texts, stripped; too long a text is refused with a French message."""
    known = dict(commentary_sections())
    cleaned, errors = {}, {}
    for key, text in texts.items():
        if key not in known:
            continue
        text = (text or "").strip()
        if len(text) > COMMENTARY_MAX_LENGTH:
            errors[key] = (
                f"Le commentaire « {known[key]} » dépasse {COMMENTARY_MAX_LENGTH} caractères "
                f"({len(text)}) : raccourcissez-le."
            )
        cleaned[key] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def save_commentary(membership, year: int, texts: dict[str, str]) -> ActivityReport:
    """Record the director's commentary (only the sections given are replaced)."""
    texts = clean_commentary(texts)
    report = _locked_report(membership, year)
    if report.status == ReportStatus.FINAL:
        raise ValidationError("Le rapport est arrêté : rouvrez-le pour modifier les commentaires.")
    changed = sorted(k for k, v in texts.items() if report.commentary.get(k, "") != v)
    commentary = dict(report.commentary)
    commentary.update(texts)
    report.commentary = {k: v for k, v in commentary.items() if v}
    _save(report, membership, "commentary")
    record_event(
        report, "report_commentary_saved", actor=membership.user, year=year, sections=changed
    )
    return report


@transaction.atomic
def finalise(membership, year: int) -> ActivityReport:
    """Arrêter le rapport: it becomes read-only."""
    report = _locked_report(membership, year)
    if report.status == ReportStatus.FINAL:
        raise ValidationError("Le rapport est déjà arrêté.")
    report.status = ReportStatus.FINAL
    report.finalised_at = timezone.now()
    report.finalised_by = membership.user
    _save(report, membership, "status", "finalised_at", "finalised_by")
    record_event(report, "report_finalised", actor=membership.user, year=year)
    return report


@transaction.atomic
def reopen(membership, year: int, reason: str = "") -> ActivityReport:
    """Reopen a final report for changes (the previous finalisation stays in the events)."""
    report = _locked_report(membership, year)
    if report.status != ReportStatus.FINAL:
        raise ValidationError("Le rapport n'est pas arrêté.")
    previous = report.finalised_at
    report.status = ReportStatus.DRAFT
    report.finalised_at = None
    report.finalised_by = None
    _save(report, membership, "status", "finalised_at", "finalised_by")
    record_event(
        report,
        "report_reopened",
        actor=membership.user,
        year=year,
        finalised_at=previous.isoformat() if previous else None,
        reason=reason.strip(),
    )
    return report


# --- The documents ---------------------------------------------------------------------------


@dataclass
class ReportContent:
    """Everything a document of the report shows."""

    report: ActivityReport
    identity: DacIdentity
    year: int
    sections: list[SectionBlock]
    generated_at: datetime.datetime

    @property
    def previous_year(self) -> int:
        return self.year - 1

    def commentaries(self) -> list[tuple[str, str, str]]:
        """(key, title, text) of every commentary text, empty ones included."""
        return [
            (key, title, self.report.commentary.get(key, ""))
            for key, title in commentary_sections()
        ]

    def commentary(self, key: str) -> str:
        return self.report.commentary.get(key, "")


def content(membership, year: int) -> ReportContent:
    report = report_for(membership, year)
    dac = report.dac
    return ReportContent(
        report=report,
        identity=dac_identity(dac),
        year=year,
        sections=sections(dac.pk, year),
        generated_at=timezone.localtime(),
    )


def _generated(membership, report_content: ReportContent, fmt: str) -> None:
    """A generation is an event on the report (created as a draft when there was none)."""
    require(membership, "activity_report", "view")
    with transaction.atomic():
        report = report_content.report
        if report.pk is None:
            report, _ = ActivityReport.objects.get_or_create(dac=report.dac, year=report.year)
            report_content.report = report
        record_event(
            report, "report_generated", actor=membership.user, year=report.year, format=fmt
        )


def render_html(report_content: ReportContent) -> str:
    from appui.care.plan_pdf import _fonts

    return render_to_string(
        "reporting/report_pdf.html",
        {
            "content": report_content,
            "report": report_content.report,
            "identity": report_content.identity,
            "sections": report_content.sections,
            "commentaries": {k: t for k, _, t in report_content.commentaries()},
            "fonts": _fonts(),
        },
    )


def generate_pdf(membership, year: int, base_url: str | None = None) -> bytes:
    """The report as a PDF: a cover with the DAC's identity and the year, the introduction, each
    section's indicators (value, previous year, breakdown tables) and commentary, the outlook,
    and every indicator's definition in an annex."""
    import weasyprint

    report_content = content(membership, year)
    _generated(membership, report_content, "pdf")
    return weasyprint.HTML(string=render_html(report_content), base_url=base_url).write_pdf()


INDICATOR_COLUMNS = [
    ("Rubrique", 26),
    ("Code", 26),
    ("Indicateur", 48),
    ("Clé", 22),
    ("Libellé de la clé", 34),
    ("Unité", 12),
    ("Valeur", 12),
    ("Numérateur", 12),
    ("Dénominateur", 13),
    ("Année précédente", 16),
]


def _number(value):
    """A figure as a spreadsheet number (None stays empty)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def indicator_rows(report_content: ReportContent) -> list[list]:
    """One row per indicator, or per indicator and breakdown key (an empty breakdown still gives
    one row, so every indicator of the catalogue appears)."""
    rows = []
    for section in report_content.sections:
        for block in section.indicators:
            ind = block.indicator
            head = [section.label, ind.code, ind.label]
            if not block.is_breakdown:
                m, p = block.current.measure, block.previous.measure
                rows.append(
                    [
                        *head,
                        "",
                        "",
                        ind.unit,
                        _number(m and m.value),
                        _number(m and m.numerator),
                        _number(m and m.denominator),
                        _number(p and p.value),
                    ]
                )
                continue
            if not block.rows:
                rows.append([*head, "", "", ind.unit, None, None, None, None])
            for row in block.rows:
                m, p = row.current.measure, row.previous.measure
                rows.append(
                    [
                        *head,
                        row.key,
                        row.label,
                        ind.unit,
                        _number(m and m.value),
                        _number(m and m.numerator),
                        _number(m and m.denominator),
                        _number(p and p.value),
                    ]
                )
    return rows


def render_xlsx(report_content: ReportContent) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    workbook = Workbook()

    sheet = workbook.active
    sheet.title = "Indicateurs"
    sheet.append([title for title, _ in INDICATOR_COLUMNS])
    for index, (_, width) in enumerate(INDICATOR_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.cell(row=1, column=index).font = bold
    for row in indicator_rows(report_content):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions

    comments = workbook.create_sheet("Commentaires")
    comments.append(["Rubrique", "Commentaire"])
    for _, title, text in report_content.commentaries():
        comments.append([title, text])
    comments.column_dimensions["A"].width = 30
    comments.column_dimensions["B"].width = 100
    for cell in comments["B"]:
        cell.alignment = wrap
    comments["A1"].font = comments["B1"].font = bold

    identity = workbook.create_sheet("Identité")
    report = report_content.report
    identity.append(["Rubrique", "Valeur"])
    for label, value in report_content.identity.rows():
        identity.append([label, value])
    identity.append(["Année", report_content.year])
    identity.append(["État du rapport", report.get_status_display()])
    if report.finalised_at:
        identity.append(["Arrêté le", f"{timezone.localtime(report.finalised_at):%d/%m/%Y}"])
    identity.append(["Généré le", f"{report_content.generated_at:%d/%m/%Y à %H:%M}"])
    identity.column_dimensions["A"].width = 26
    identity.column_dimensions["B"].width = 70
    identity["A1"].font = identity["B1"].font = bold

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def generate_xlsx(membership, year: int) -> bytes:
    """The report as a workbook: "Indicateurs" (one row per indicator and breakdown key),
    "Commentaires" and "Identité"."""
    report_content = content(membership, year)
    _generated(membership, report_content, "xlsx")
    return render_xlsx(report_content)


def filename(dac: Organisation, year: int, extension: str) -> str:
    return f"rapport-activite-{year}-{slugify(dac.name)}.{extension}"
