"""Pilotage hub, the DAC dashboard, an indicator's page with its drill-down list, the exports."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path

from appui.core.mixins import paginate
from appui.core.permissions import can, require

from .. import dashboard as services
from ..forms_dashboard import PeriodForm
from ..hub import cards_for, may_use_hub
from ..indicators import base as catalogue

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def home(request):
    if not may_use_hub(request.membership):
        raise PermissionDenied
    cards = cards_for(request.membership)
    return render(request, "reporting/home.html", {"cards": cards})


def _period_form(request):
    form = PeriodForm(request.GET)
    return form, form.period()


@login_required
def dashboard(request):
    require(request.membership, "indicator", "view")
    form, period = _period_form(request)
    dac = request.membership.organisation
    return render(
        request,
        "reporting/dashboard.html",
        {
            "form": form,
            "period": period,
            "previous": period.previous(),
            "query": form.query(period),
            "dac": dac,
            "sections": services.dashboard(dac.pk, period),
            "can_export": can(request.membership, "indicator", "export"),
        },
    )


@login_required
def indicator(request, code):
    require(request.membership, "indicator", "view")
    try:
        indicator = catalogue.get(code)
    except KeyError:
        raise Http404("Indicateur inconnu") from None
    form, period = _period_form(request)
    dac = request.membership.organisation
    line = services.lines(dac.pk, period, [indicator])[0]
    key = request.GET.get("cle") or None
    key_label = None
    if key is not None:
        key_label = {r.key: r.label for r in line.rows}.get(key) or dict(
            indicator.breakdown([key]) if indicator.breakdown else []
        ).get(key)
        if key_label is None:
            raise Http404("Clé inconnue pour cet indicateur")
    context = {
        "form": form,
        "period": period,
        "previous": period.previous(),
        "query": form.query(period),
        "dac": dac,
        "indicator": indicator,
        "section": catalogue.SECTIONS[indicator.section],
        "line": line,
        "key": key,
        "key_label": key_label,
        "can_export": can(request.membership, "indicator", "export"),
    }
    rows = services.drilldown_rows(request.membership, indicator, period, key)
    if rows is not None:
        context.update(paginate(request, rows))
        described = [services.describe(row) for row in context["object_list"]]
        context["described"] = described
        context["columns"] = services.columns(described)
    else:
        context["described"] = None
        context["columns"] = None
    return render(request, "reporting/indicator.html", context)


def _export(request, fmt):
    require(request.membership, "indicator", "export")
    form, period = _period_form(request)
    if form.is_bound and not form.is_valid():
        raise Http404("Période invalide")
    content = services.export(request.membership, period, fmt)
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{services.filename(period, fmt)}"'
    return response


@login_required
def dashboard_csv(request):
    return _export(request, "csv")


@login_required
def dashboard_xlsx(request):
    return _export(request, "xlsx")


urlpatterns = [
    path("pilotage/", home, name="home"),
    path("pilotage/tableau-de-bord/", dashboard, name="dashboard"),
    path("pilotage/tableau-de-bord/export.csv", dashboard_csv, name="dashboard_csv"),
    path("pilotage/tableau-de-bord/export.xlsx", dashboard_xlsx, name="dashboard_xlsx"),
    path("pilotage/indicateurs/<slug:code>/", indicator, name="indicator"),
]
