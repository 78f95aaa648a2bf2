"""The activity report's pages: the report for a year (figures, commentary), saving the
commentary, arrêter / rouvrir, and the PDF and XLSX downloads."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from dsfr.forms import DsfrBaseForm

from appui.core.permissions import can, require

from .. import activity_report as service
from ..enums import ReportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class YearForm(DsfrBaseForm):
    annee = forms.TypedChoiceField(label="Année du rapport", coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = service.selectable_years()[0]
        self.fields["annee"].choices = [
            (y, f"{y} (en cours)" if y == current else str(y)) for y in service.selectable_years()
        ]


class CommentaryForm(DsfrBaseForm):
    """One text per commentary section (introduction, each section of the catalogue, outlook)."""

    LABELS = {
        service.INTRODUCTION: "Texte d'introduction",
        service.PERSPECTIVES: "Texte des perspectives",
    }
    HELP = {
        service.INTRODUCTION: "Le DAC, son année en quelques lignes : faits marquants, équipe, "
        "partenariats.",
        service.PERSPECTIVES: "Les priorités de l'année à venir.",
    }

    def __init__(self, *args, read_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        for key, title in service.commentary_sections():
            label = self.LABELS.get(key, f"Commentaire — {title}")
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                max_length=service.COMMENTARY_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=self.HELP.get(
                    key, "Ce que les chiffres ne disent pas : contexte, explications, évolutions."
                ),
                disabled=read_only,
                error_messages={
                    "max_length": "Pas plus de %(limit_value)d caractères "
                    "(actuellement %(show_value)d)."
                },
            )


def _year(request) -> int:
    raw = request.POST.get("annee") or request.GET.get("annee")
    if not raw:
        return service.default_year()
    try:
        year = int(raw)
    except ValueError:
        raise Http404("Année inconnue.") from None
    if year not in service.selectable_years():
        raise Http404("Année hors de la période proposée.")
    return year


def _page_url(year: int) -> str:
    return f"{reverse('reporting:report')}?annee={year}"


@login_required
def report_page(request):
    membership = request.membership
    year = _year(request)
    report = service.report_for(membership, year)
    final = report.status == ReportStatus.FINAL
    can_change = can(membership, "activity_report", "change", report if report.pk else None)
    if request.method == "POST":
        require(membership, "activity_report", "change")
        form = CommentaryForm(request.POST, read_only=final)
        if not final and form.is_valid():
            try:
                service.save_commentary(membership, year, form.cleaned_data)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for key, errors in error.error_dict.items():
                        form.add_error(key if key in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, "Commentaires enregistrés.")
                return redirect(_page_url(year))
        elif final:
            messages.error(request, "Le rapport est arrêté : rouvrez-le pour le modifier.")
            return redirect(_page_url(year))
    else:
        form = CommentaryForm(initial=report.commentary, read_only=final or not can_change)
    sections = service.sections(report.dac_id, year)
    context = {
        "report": report,
        "year": year,
        "previous_year": year - 1,
        "final": final,
        "can_change": can_change,
        "identity": service.dac_identity(report.dac),
        "sections": [(section, form[section.code]) for section in sections],
        "form": form,
        "year_form": YearForm(initial={"annee": year}),
    }
    return render(request, "reporting/report.html", context)


@login_required
@require_POST
def report_finalise(request):
    year = _year(request)
    try:
        service.finalise(request.membership, year)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Rapport d'activité {year} arrêté : il n'est plus modifiable.")
    return redirect(_page_url(year))


@login_required
@require_POST
def report_reopen(request):
    year = _year(request)
    try:
        service.reopen(request.membership, year)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Rapport d'activité {year} rouvert : il est de nouveau modifiable."
        )
    return redirect(_page_url(year))


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def report_pdf(request):
    year = _year(request)
    pdf = service.generate_pdf(request.membership, year, request.build_absolute_uri("/"))
    return _download(
        pdf, "application/pdf", service.filename(request.membership.organisation, year, "pdf")
    )


@login_required
def report_xlsx(request):
    year = _year(request)
    xlsx = service.generate_xlsx(request.membership, year)
    return _download(xlsx, XLSX, service.filename(request.membership.organisation, year, "xlsx"))


P = "pilotage/rapport-activite/"

urlpatterns = [
    path(P, report_page, name="report"),
    path(P + "arreter/", report_finalise, name="report_finalise"),
    path(P + "rouvrir/", report_reopen, name="report_reopen"),
    path(P + "pdf/", report_pdf, name="report_pdf"),
    path(P + "xlsx/", report_xlsx, name="report_xlsx"),
]
