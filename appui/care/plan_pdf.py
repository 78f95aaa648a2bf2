"""The PPCS as a PDF (WeasyPrint), for the médecin traitant and the intervenants: a first page with
the essentials — who, the médecin traitant, the référent·e and how to reach them, the level, the
review date, the validation, the priority goals and the "qui fait quoi et quand" — then the
details. Each print is written to the access log."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from appui.core import audit
from appui.core.enums import AccessAction

from .plans import PlanView

#: The DSFR's typeface when its files are at hand; the PDF falls back to DejaVu Sans.
FONT_FILES = {
    ("normal", 400): "dsfr/dist/fonts/Marianne-Regular.woff",
    ("normal", 700): "dsfr/dist/fonts/Marianne-Bold.woff",
    ("italic", 400): "dsfr/dist/fonts/Marianne-Regular_Italic.woff",
}


def _fonts() -> list[dict]:
    fonts = []
    for (style, weight), name in FONT_FILES.items():
        found = finders.find(name)
        if found:
            fonts.append({"style": style, "weight": weight, "url": Path(found).as_uri()})
    return fonts


def render_html(view: PlanView) -> str:
    return render_to_string(
        "care/plan/pdf.html",
        {
            "view": view,
            "version": view.version,
            "episode": view.episode,
            "person": view.person,
            "fonts": _fonts(),
            "printed_at": timezone.localtime(),
        },
    )


def render_pdf(view: PlanView, base_url: str | None = None) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=render_html(view), base_url=base_url).write_pdf()


def print_version(view: PlanView, base_url: str | None = None) -> bytes:
    """The PDF of a version; the print is recorded in the access log (who, when, which person)."""
    pdf = render_pdf(view, base_url)
    audit.record(view.version, AccessAction.PRINT)
    return pdf


def filename(view: PlanView) -> str:
    person = view.person
    name = slugify(f"{person.used_name or person.birth_name} {person.first_name}")
    return f"PPCS-{name}-v{view.version.number}.pdf"
