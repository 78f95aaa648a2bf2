"""Pages of the derogatory services ledger and of the yearly budget."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from appui.core.mixins import paginate
from appui.core.permissions import can, require
from appui.persons.views import person_suggestions

from .. import ledger
from ..formatting import number
from ..forms_ledger import BudgetForm, CancelForm, DerogatoryServiceForm, LedgerFilterForm


@login_required
def ledger_list(request):
    require(request.membership, "derogatory_service", "list")
    current = timezone.localdate().year
    form = LedgerFilterForm(request.GET or {"annee": current})
    year, kind = current, ""
    if form.is_valid():
        year = form.cleaned_data.get("annee") or current
        kind = form.cleaned_data.get("type") or ""
    services = ledger.services_for(request.membership, year, kind)
    page = paginate(
        request, services.select_related("person", "recorded_by", "cancelled_by", "episode")
    )
    return render(
        request,
        "reporting/ledger/list.html",
        {
            "form": form,
            "year": year,
            "kind_label": dict(form.fields["type"].choices).get(kind, "") if kind else "",
            "totals": ledger.totals(services),
            "envelope": ledger.envelope(request.membership.organisation_id, year),
            "can_create": can(request.membership, "derogatory_service", "create"),
            "can_change": can(request.membership, "derogatory_service", "change"),
            **page,
        },
    )


@login_required
def ledger_new(request):
    require(request.membership, "derogatory_service", "create")
    form = DerogatoryServiceForm(
        request.POST or None,
        membership=request.membership,
        initial={"provided_on": timezone.localdate(), "sessions": 1},
    )
    if request.method == "POST" and form.is_valid():
        service = ledger.record_service(request.membership, form.cleaned_data)
        messages.success(
            request,
            f"Prestation enregistrée : {service.get_kind_display()} du "
            f"{service.provided_on:%d/%m/%Y}, {number(service.amount, 2)}\u00a0€.",
        )
        return redirect(f"{_ledger_url()}?annee={service.provided_on.year}")
    dac_id = request.membership.organisation_id
    return render(
        request,
        "reporting/ledger/form.html",
        {
            "form": form,
            "budget_lines": ledger.used_values(dac_id, "budget_line"),
            "providers": ledger.used_values(dac_id, "provider_label"),
        },
    )


def _ledger_url():
    return reverse("reporting:ledger")


@login_required
def ledger_cancel(request, pk):
    require(request.membership, "derogatory_service", "change")
    services = ledger.services_for(request.membership)
    service = get_object_or_404(services.select_related("person"), pk=pk)
    if service.cancelled_at is not None:
        messages.info(request, "Cette prestation est déjà annulée.")
        return redirect(f"{_ledger_url()}?annee={service.provided_on.year}")
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ledger.cancel_service(request.membership, service, form.cleaned_data["reason"])
        except ledger.AlreadyCancelled:
            messages.info(request, "Cette prestation est déjà annulée.")
        else:
            messages.success(request, "Prestation annulée : elle reste au registre, hors totaux.")
        return redirect(f"{_ledger_url()}?annee={service.provided_on.year}")
    return render(request, "reporting/ledger/cancel.html", {"form": form, "service": service})


@login_required
@require_GET
def ledger_person_options(request):
    """Suggestions for the person field: the persons of the DAC the user may list."""
    require(request.membership, "derogatory_service", "create")
    return person_suggestions(request, request.GET.get("person", ""))


@login_required
def budget(request):
    require(request.membership, "derogatory_service", "change")
    dac_id = request.membership.organisation_id
    rows = ledger.budgets_with_spending(dac_id)
    year = request.GET.get("annee", "")
    initial = {"year": timezone.localdate().year}
    for row in rows:
        if str(row["year"]) == year and row["budget"]:
            initial = {
                "year": row["year"],
                "amount": number(row["budget"].amount, 2),
                "derogatory_amount": number(row["budget"].derogatory_amount, 2),
            }
    form = BudgetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _, changed = ledger.set_budget(
            request.membership, data["year"], data["amount"], data["derogatory_amount"]
        )
        if changed:
            messages.success(request, f"Budget {data['year']} enregistré.")
        else:
            messages.info(request, f"Budget {data['year']} inchangé.")
        return redirect("reporting:budget")
    return render(request, "reporting/ledger/budget.html", {"form": form, "rows": rows})


urlpatterns = [
    path("pilotage/prestations-derogatoires/", ledger_list, name="ledger"),
    path("pilotage/prestations-derogatoires/nouvelle/", ledger_new, name="ledger_new"),
    path(
        "pilotage/prestations-derogatoires/<int:pk>/annuler/", ledger_cancel, name="ledger_cancel"
    ),
    path(
        "pilotage/prestations-derogatoires/personnes/",
        ledger_person_options,
        name="ledger_person_options",
    ),
    path("pilotage/budget/", budget, name="budget"),
]
