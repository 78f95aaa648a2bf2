"""The regional view (ARS pilot) and the cartography of coordination structures."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from appui.core.mixins import paginate
from appui.core.permissions import can, require

from .. import coverage, regional
from ..forms_coverage import CoverageForm
from ..indicators import Period
from ..models import CoordinationCoverage


def _year(request) -> int:
    choices = regional.year_choices()
    try:
        year = int(request.GET.get("annee", ""))
    except ValueError:
        return regional.default_year()
    return year if year in choices else regional.default_year()


def _table(request):
    require(request.membership, "regional_indicator", "view")
    year = _year(request)
    dacs = list(regional.region_dacs(request.membership))
    return year, dacs, regional.regional_table(dacs, Period.year(year))


@login_required
def regional_view(request):
    year, dacs, sections = _table(request)
    return render(
        request,
        "reporting/regional/table.html",
        {
            "year": year,
            "years": regional.year_choices(),
            "dacs": dacs,
            "sections": sections,
            "threshold": regional.threshold(),
            "secret": regional.SECRET,
        },
    )


@login_required
def regional_export(request):
    year, dacs, sections = _table(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="indicateurs-region-{year}.csv"'
    response.write("\ufeff")  # spreadsheets then read the accents right
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    for row in regional.csv_rows(dacs, sections):
        writer.writerow(row)
    return response


@login_required
def coverage_view(request):
    require(request.membership, "coverage", "view")
    code = coverage.membership_region(request.membership)
    structures = coverage.region_structures(code)
    which = request.GET.get("filtre", "")
    if which not in coverage.COMMUNE_FILTERS:
        which = ""
    pagination = paginate(request, coverage.region_communes(code, which))
    can_change = can(request.membership, "coverage", "change")
    described = {s.organisation.pk for s in structures if s.described}
    return render(
        request,
        "reporting/coverage/map.html",
        {
            **pagination,
            "structures": structures,
            "communes": coverage.communes_coverage(pagination["object_list"], structures),
            "grid": coverage.axis_ticks(),
            "filters": coverage.COMMUNE_FILTERS,
            "which": which,
            "can_change": can_change,
            "candidates": [
                o
                for o in coverage.editable_organisations(code)
                if o.pk not in described and not o.is_dac
            ]
            if can_change
            else [],
        },
    )


@login_required
def coverage_edit(request, pk):
    require(request.membership, "coverage", "change")
    code = coverage.membership_region(request.membership)
    organisation = get_object_or_404(coverage.editable_organisations(code), pk=pk)
    existing = CoordinationCoverage.objects.filter(organisation=organisation).first()
    is_dac = organisation.is_dac
    initial = {}
    if existing:
        initial = {
            "population": existing.population,
            "health_social": existing.health_social,
            "complexity": existing.complexity,
            "note": existing.note,
            "communes": ", ".join(
                existing.communes.order_by("insee_code").values_list("insee_code", flat=True)
            ),
        }
    elif is_dac:
        initial = {
            "population": coverage.DAC_DEFAULT_POPULATION,
            "health_social": int(coverage.DAC_DEFAULT_AXES[0]),
            "complexity": int(coverage.DAC_DEFAULT_AXES[1]),
        }
    form = CoverageForm(request.POST or None, initial=initial, region=code, is_dac=is_dac)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        coverage.save_coverage(
            organisation,
            communes=None if is_dac else data["communes"],
            population=data["population"],
            health_social=data["health_social"],
            complexity=data["complexity"],
            note=data["note"],
        )
        messages.success(request, f"Couverture de « {organisation.name} » enregistrée.")
        return redirect("reporting:coverage")
    return render(
        request,
        "reporting/coverage/edit.html",
        {"organisation": organisation, "form": form, "existing": existing, "is_dac": is_dac},
    )


urlpatterns = [
    path("pilotage/region/", regional_view, name="regional"),
    path("pilotage/region/export.csv", regional_export, name="regional_export"),
    path("pilotage/cartographie/", coverage_view, name="coverage"),
    path("pilotage/cartographie/<int:pk>/", coverage_edit, name="coverage_edit"),
]
