"""Pages of the CPOM: the DAC's contracts, a contract (objectives, indicators, targets), the
targets grid, the annual review (target against actual, comments, transmission to the ARS, the
ARS's letter) and its exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from appui.core.models import Event
from appui.core.permissions import can
from appui.intake.forms_triage import add_errors

from .. import contracts, contracts_export
from ..enums import ObjectiveKind, ReviewStatus
from ..forms_contracts import (
    ArsLetterForm,
    ContractForm,
    IndicatorForm,
    ObjectiveForm,
    ReviewForm,
    TargetsForm,
)
from ..models import AnnualReview, ContractIndicator, ContractObjective

#: How many events a contract's page shows.
HISTORY_LENGTH = 15
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _data(request):
    return request.POST if request.method == "POST" else None


def _to_contract(contract, anchor=""):
    response = redirect("reporting:contract", pk=contract.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


# --- Contracts ----------------------------------------------------------------------------------


@login_required
def contract_list(request):
    rows = list(contracts.contracts_in_reach(request.membership))
    today = timezone.localdate()
    return render(
        request,
        "reporting/contracts/list.html",
        {
            "contracts": rows,
            "today": today,
            "can_change": can(request.membership, "contract", "change"),
        },
    )


def _contract_form_page(request, form, contract, title, submit):
    return render(
        request,
        "reporting/contracts/form.html",
        {"form": form, "contract": contract, "title": title, "submit": submit},
    )


@login_required
def contract_create(request):
    contracts.contracts_in_reach(request.membership, "change")
    form = ContractForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            contract = contracts.create_contract(request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "CPOM enregistré. Ajoutez ses objectifs stratégiques.")
            return _to_contract(contract)
    return _contract_form_page(request, form, None, "Nouveau CPOM", "Enregistrer le CPOM")


@login_required
def contract_edit(request, pk):
    contract = contracts.contract_for(request.membership, pk, "change")
    form = ContractForm(
        _data(request),
        initial={
            name: getattr(contract, name)
            for name in ("title", "reference", "ars", "starts_on", "ends_on", "signed_on")
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            contracts.update_contract(request.membership, contract, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "CPOM modifié.")
            return _to_contract(contract)
    return _contract_form_page(request, form, contract, "Modifier le CPOM", "Enregistrer")


@login_required
def contract_detail(request, pk):
    contract = contracts.contract_for(request.membership, pk)
    tree = contracts.structure(contract)
    reviews = {r.year: r for r in AnnualReview.objects.filter(contract=contract)}
    history = list(
        Event.objects.filter(subject_type="reporting.contract", subject_id=str(contract.pk))[
            :HISTORY_LENGTH
        ]
    )
    for event in history:
        data = event.data or {}
        event.details = " — ".join(str(data[k]) for k in ("code", "label", "title") if data.get(k))
    return render(
        request,
        "reporting/contracts/detail.html",
        {
            "contract": contract,
            "tree": tree,
            "years": contract.years,
            "reviews": [(year, reviews.get(year)) for year in contract.years],
            "history": history,
            "can_change": can(request.membership, "contract", "change", contract),
            "has_indicators": any(o.indicators for s in tree for o in s.operational),
        },
    )


# --- Objectives ---------------------------------------------------------------------------------


def _objective_page(request, contract, form, title, objective=None):
    return render(
        request,
        "reporting/contracts/objective_form.html",
        {"contract": contract, "form": form, "title": title, "objective": objective},
    )


@login_required
def objective_add(request, pk):
    contract = contracts.contract_for(request.membership, pk, "change")
    kind = (
        ObjectiveKind.OPERATIONAL
        if request.GET.get("niveau") == "operationnel"
        else ObjectiveKind.STRATEGIC
    )
    parent = request.GET.get("parent", "")
    form = ObjectiveForm(
        _data(request),
        contract=contract,
        kind=kind,
        initial={"parent": int(parent)} if parent.isdigit() else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            objective = contracts.add_objective(
                request.membership,
                contract,
                kind=kind,
                title=form.cleaned_data["title"],
                parent=form.cleaned_data.get("parent"),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Objectif {objective.code} ajouté.")
            return _to_contract(contract, f"objectif-{objective.pk}")
    title = (
        "Ajouter un objectif opérationnel"
        if kind == ObjectiveKind.OPERATIONAL
        else "Ajouter un objectif stratégique"
    )
    return _objective_page(request, contract, form, title)


def _objective(request, pk) -> ContractObjective:
    objective = get_object_or_404(ContractObjective.objects.select_related("contract"), pk=pk)
    contracts.contract_for(request.membership, objective.contract_id, "change")
    return objective


@login_required
def objective_edit(request, pk):
    objective = _objective(request, pk)
    contract = objective.contract
    form = ObjectiveForm(
        _data(request),
        contract=contract,
        kind=objective.kind,
        initial={"title": objective.title, "parent": objective.parent_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            contracts.update_objective(
                request.membership,
                objective,
                title=form.cleaned_data["title"],
                parent=form.cleaned_data.get("parent"),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Objectif modifié.")
            return _to_contract(contract, f"objectif-{objective.pk}")
    return _objective_page(
        request, contract, form, f"Modifier l'objectif {objective.code}", objective
    )


def _offset(request) -> int:
    return -1 if request.POST.get("sens") == "monter" else 1


@login_required
@require_POST
def objective_move(request, pk):
    objective = _objective(request, pk)
    moved = contracts.move_objective(request.membership, objective, _offset(request))
    messages.success(request, f"Objectif déplacé : c'est maintenant {moved.code}.")
    return _to_contract(objective.contract, f"objectif-{objective.pk}")


# --- Indicators and targets ---------------------------------------------------------------------


def _indicator_page(request, contract, objective, form, title, indicator=None):
    return render(
        request,
        "reporting/contracts/indicator_form.html",
        {
            "contract": contract,
            "objective": objective,
            "form": form,
            "title": title,
            "indicator": indicator,
        },
    )


@login_required
def indicator_add(request, pk):
    objective = _objective(request, pk)
    contract = objective.contract
    form = IndicatorForm(_data(request), years=contract.years)
    if request.method == "POST" and form.is_valid():
        try:
            contracts.add_indicator(request.membership, objective, **form.service_values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Indicateur ajouté.")
            return _to_contract(contract, f"objectif-{objective.pk}")
    return _indicator_page(
        request, contract, objective, form, f"Ajouter un indicateur à l'objectif {objective.code}"
    )


def _indicator(request, pk) -> ContractIndicator:
    indicator = get_object_or_404(
        ContractIndicator.objects.select_related("objective__contract"), pk=pk
    )
    contracts.contract_for(request.membership, indicator.objective.contract_id, "change")
    return indicator


@login_required
def indicator_edit(request, pk):
    indicator = _indicator(request, pk)
    objective, contract = indicator.objective, indicator.objective.contract
    initial = {
        "source": IndicatorForm.CATALOGUE if indicator.indicator_code else IndicatorForm.MANUAL,
        "indicator_code": indicator.indicator_code,
        "label": indicator.label,
        "unit": indicator.unit,
        "direction": indicator.direction,
        **{f"target_{t.year}": t.target for t in indicator.targets.all()},
    }
    form = IndicatorForm(_data(request), years=contract.years, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contracts.update_indicator(request.membership, indicator, **form.service_values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Indicateur modifié.")
            return _to_contract(contract, f"objectif-{objective.pk}")
    return _indicator_page(
        request, contract, objective, form, "Modifier l'indicateur", indicator=indicator
    )


@login_required
@require_POST
def indicator_move(request, pk):
    indicator = _indicator(request, pk)
    contracts.move_indicator(request.membership, indicator, _offset(request))
    messages.success(request, "Indicateur déplacé.")
    return _to_contract(indicator.objective.contract, f"objectif-{indicator.objective_id}")


@login_required
def contract_targets(request, pk):
    contract = contracts.contract_for(request.membership, pk, "change")
    rows = [
        row for s in contracts.structure(contract) for o in s.operational for row in o.indicators
    ]
    form = TargetsForm(_data(request), rows=rows, years=contract.years)
    if request.method == "POST" and form.is_valid():
        try:
            changed = contracts.set_targets(request.membership, contract, form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"{changed} cible(s) modifiée(s)." if changed else "Aucune cible n'a changé.",
            )
            return _to_contract(contract, "cibles")
    return render(
        request,
        "reporting/contracts/targets.html",
        {"contract": contract, "form": form, "years": contract.years},
    )


# --- The annual review --------------------------------------------------------------------------


def _review_context(request, contract, review, lines, form=None, letter_form=None):
    year = review.year
    draft = review.status == ReviewStatus.DRAFT
    can_change = can(request.membership, "contract", "change", contract)
    return {
        "contract": contract,
        "review": review,
        "year": year,
        "lines": lines,
        "form": form
        if form is not None
        else (ReviewForm(lines=lines, review=review) if draft else None),
        "letter_form": letter_form
        if letter_form is not None
        else (ArsLetterForm() if review.status == ReviewStatus.SENT else None),
        "draft": draft,
        "can_change": can_change,
        "year_running": year >= timezone.localdate().year,
        "met_count": sum(1 for line in lines if line.met),
        "evaluable_count": sum(1 for line in lines if line.met is not None),
        "history": list(
            Event.objects.filter(subject_type="reporting.annualreview", subject_id=str(review.pk))[
                :HISTORY_LENGTH
            ]
        )
        if review.pk
        else [],
    }


@login_required
def review(request, pk, year):
    contract = contracts.contract_for(request.membership, pk)
    current = contracts.review_of(contract, year)
    lines = contracts.review_lines(current)
    form = None
    if request.method == "POST":
        contracts.contract_for(request.membership, pk, "change")
        form = ReviewForm(request.POST, lines=lines, review=current)
        if form.is_valid():
            try:
                contracts.save_review(request.membership, contract, year, **form.service_values())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Revue enregistrée.")
                return redirect("reporting:review", pk=contract.pk, year=year)
    return render(
        request,
        "reporting/contracts/review.html",
        _review_context(request, contract, current, lines, form=form),
    )


@login_required
@require_POST
def review_send(request, pk, year):
    contract = contracts.contract_for(request.membership, pk, "change")
    try:
        contracts.send_review(request.membership, contract, year)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, "Revue transmise à l'ARS : les valeurs réalisées sont désormais figées."
        )
    return redirect("reporting:review", pk=contract.pk, year=year)


@login_required
@require_POST
def review_letter(request, pk, year):
    contract = contracts.contract_for(request.membership, pk, "change")
    form = ArsLetterForm(request.POST)
    if form.is_valid():
        try:
            contracts.record_ars_letter(
                request.membership,
                contract,
                year,
                letter_on=form.cleaned_data["ars_letter_on"],
                observations=form.cleaned_data["ars_observations"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Observations de l'ARS enregistrées : la revue est close.")
            return redirect("reporting:review", pk=contract.pk, year=year)
    current = contracts.review_of(contract, year)
    lines = contracts.review_lines(current)
    return render(
        request,
        "reporting/contracts/review.html",
        _review_context(request, contract, current, lines, letter_form=form),
        status=200,
    )


def _review_document(request, pk, year):
    contract = contracts.contract_for(request.membership, pk)
    contract = type(contract).objects.select_related("dac", "ars").get(pk=contract.pk)
    return contracts_export.document(contracts.review_of(contract, year))


@login_required
def review_xlsx(request, pk, year):
    doc = _review_document(request, pk, year)
    response = HttpResponse(contracts_export.review_xlsx(doc), content_type=XLSX)
    filename = contracts_export.filename(doc.review, "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def review_pdf(request, pk, year):
    doc = _review_document(request, pk, year)
    pdf = contracts_export.review_pdf(doc, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = contracts_export.filename(doc.review, "pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


urlpatterns = [
    path("pilotage/cpom/", contract_list, name="contracts"),
    path("pilotage/cpom/nouveau/", contract_create, name="contract_create"),
    path("pilotage/cpom/<int:pk>/", contract_detail, name="contract"),
    path("pilotage/cpom/<int:pk>/modifier/", contract_edit, name="contract_edit"),
    path("pilotage/cpom/<int:pk>/objectifs/ajouter/", objective_add, name="objective_add"),
    path("pilotage/cpom/<int:pk>/cibles/", contract_targets, name="contract_targets"),
    path("pilotage/cpom/objectifs/<int:pk>/modifier/", objective_edit, name="objective_edit"),
    path("pilotage/cpom/objectifs/<int:pk>/deplacer/", objective_move, name="objective_move"),
    path(
        "pilotage/cpom/objectifs/<int:pk>/indicateurs/ajouter/",
        indicator_add,
        name="indicator_add",
    ),
    path("pilotage/cpom/indicateurs/<int:pk>/modifier/", indicator_edit, name="indicator_edit"),
    path("pilotage/cpom/indicateurs/<int:pk>/deplacer/", indicator_move, name="indicator_move"),
    path("pilotage/cpom/<int:pk>/revue/<int:year>/", review, name="review"),
    path("pilotage/cpom/<int:pk>/revue/<int:year>/transmettre/", review_send, name="review_send"),
    path(
        "pilotage/cpom/<int:pk>/revue/<int:year>/observations-ars/",
        review_letter,
        name="review_letter",
    ),
    path("pilotage/cpom/<int:pk>/revue/<int:year>/revue.xlsx", review_xlsx, name="review_xlsx"),
    path("pilotage/cpom/<int:pk>/revue/<int:year>/revue.pdf", review_pdf, name="review_pdf"),
]
