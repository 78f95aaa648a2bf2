"""The CPOM's annual review as an XLSX workbook and a PDF: the contract's identity, every
indicator under its objectives with the target, the actual, the gap and whether it is met, the
comments, the DAC's analysis and the ARS's observations."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from .contracts import ReviewLine, review_lines
from .enums import ReviewStatus
from .formatting import number
from .models import AnnualReview


@dataclass
class ReviewDocument:
    review: AnnualReview
    lines: list[ReviewLine]

    @property
    def contract(self):
        return self.review.contract

    @property
    def status_label(self) -> str:
        return self.review.get_status_display()

    @property
    def is_live(self) -> bool:
        return self.review.status == ReviewStatus.DRAFT


def document(review: AnnualReview) -> ReviewDocument:
    return ReviewDocument(review, review_lines(review))


def met_label(met: bool | None) -> str:
    return {True: "Atteint", False: "Non atteint", None: "Non évaluable"}[met]


def value_text(value, unit: str = "") -> str:
    if value is None:
        return "—"
    text = number(value)
    return f"{text}\u00a0{unit}" if unit else text


def gap_text(value, unit: str = "") -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return sign + value_text(value, unit)


def filename(review: AnnualReview, extension: str) -> str:
    return f"revue-cpom-{review.year}-{slugify(review.contract.title)}.{extension}"


# --- XLSX ---------------------------------------------------------------------------------------

HEADERS = [
    "Objectif stratégique",
    "Objectif opérationnel",
    "Indicateur",
    "Unité",
    "Sens",
    "Cible",
    "Réalisé",
    "Écart",
    "Atteinte",
    "Commentaire",
]


def review_xlsx(doc: ReviewDocument) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    review, contract = doc.review, doc.contract
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Revue {review.year}"
    bold = Font(bold=True)
    sheet.append([f"Revue annuelle {review.year} du CPOM"])
    sheet["A1"].font = Font(bold=True, size=14)
    identity = [
        ("DAC", contract.dac.name),
        ("Contrat", contract.title),
        ("Référence", contract.reference or "—"),
        ("ARS", contract.ars.name if contract.ars else "—"),
        ("Durée", f"du {contract.starts_on:%d/%m/%Y} au {contract.ends_on:%d/%m/%Y}"),
        ("État de la revue", doc.status_label),
    ]
    if review.sent_at:
        identity.append(("Transmise le", f"{timezone.localtime(review.sent_at):%d/%m/%Y}"))
    if doc.is_live:
        identity.append(("Valeurs", "provisoires (calculées à la date de l'export)"))
    for label, value in identity:
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 1).font = bold
    sheet.append([])
    sheet.append(HEADERS)
    header_row = sheet.max_row
    fill = PatternFill("solid", fgColor="000091")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = fill
    for line in doc.lines:
        sheet.append(
            [
                str(line.strategic),
                str(line.operational),
                line.row.label,
                line.row.unit,
                line.indicator.get_direction_display(),
                line.target,
                line.actual,
                line.gap,
                met_label(line.met),
                line.comment,
            ]
        )
        for column in (6, 7, 8):
            sheet.cell(sheet.max_row, column).number_format = "#,##0.##"
    sheet.append([])
    for label, text in (
        ("Analyse du DAC", review.dac_comment or "—"),
        (
            "Observations de l'ARS",
            (
                f"Courrier du {review.ars_letter_on:%d/%m/%Y} : {review.ars_observations}"
                if review.ars_letter_on
                else "Pas encore reçues."
            ),
        ),
    ):
        sheet.append([label, text])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.cell(sheet.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEFGHIJ", (34, 34, 40, 12, 18, 10, 10, 10, 14, 50), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF ----------------------------------------------------------------------------------------


def render_html(doc: ReviewDocument) -> str:
    from appui.care.plan_pdf import _fonts

    return render_to_string(
        "reporting/contracts/review_pdf.html",
        {
            "doc": doc,
            "review": doc.review,
            "contract": doc.contract,
            "rows": [
                {
                    "line": line,
                    "target": value_text(line.target, line.row.unit),
                    "actual": value_text(line.actual, line.row.unit),
                    "gap": gap_text(line.gap, line.row.unit),
                    "met": met_label(line.met),
                }
                for line in doc.lines
            ],
            "fonts": _fonts(),
            "printed_at": timezone.localtime(),
        },
    )


def review_pdf(doc: ReviewDocument, base_url: str | None = None) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=render_html(doc), base_url=base_url).write_pdf()
