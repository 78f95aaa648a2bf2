"""Pages of the assessments part of the episode (tab "Évaluations"), and the DAC's grids."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from appui.core.mixins import paginate
from appui.core.permissions import can, require, scope
from appui.intake import screening as intake_screening
from appui.intake.models import ComplexityScreening, SupportRequest

from .. import aggir, services
from .. import assessments as grids
from .. import sharing as care_sharing
from ..enums import AssessmentStatus
from ..forms.assessments import (
    FORMAT_HELP,
    AssessmentFillForm,
    GridEditorForm,
    StartAssessmentForm,
    add_service_errors,
)
from ..models import Assessment, AssessmentForm, CareEpisode


def _episode(request, pk, action="view") -> CareEpisode:
    return services.episode_for(
        request.membership,
        pk,
        action,
        queryset=CareEpisode.objects.select_related("person", "dac"),
    )


def _assessment(request, episode, assessment_pk, whole=False) -> Assessment:
    """The assessment, if the user sees some of its categories (all of them to fill it in)."""
    assessment = get_object_or_404(
        episode.assessments.select_related("form", "author"), pk=assessment_pk
    )
    _check_grid(request, episode, assessment.form, whole)
    return assessment


def _check_grid(request, episode, form_row, whole=True) -> None:
    access = care_sharing.episode_access(request, episode)
    check = care_sharing.sees_whole_assessment if whole else care_sharing.sees_assessment
    if not check(access, form_row):
        raise PermissionDenied


def _screenings(request, episode) -> list[dict]:
    """The complexity screenings of the episode's person and request (read-only, from the
    intake), each with a link to its request when the user may open it."""
    where = Q(person_id=episode.person_id)
    if episode.request_id:
        where |= Q(request_id=episode.request_id)
    screenings = list(
        ComplexityScreening.objects.filter(where)
        .select_related("request", "created_by")
        .order_by("-screened_at", "-id")[:20]
    )
    request_ids = {s.request_id for s in screenings if s.request_id}
    visible = (
        set(
            scope(
                request.membership,
                "support_request",
                "view",
                SupportRequest.objects.filter(pk__in=request_ids),
            ).values_list("pk", flat=True)
        )
        if request_ids
        else set()
    )
    return [
        {
            "screening": s,
            "groups": intake_screening.criteria_by_group(s.criteria),
            "request_visible": s.request_id in visible,
        }
        for s in screenings
    ]


@login_required
def assessment_list(request, pk):
    episode = _episode(request, pk)
    access = care_sharing.episode_access(request, episode)
    rows = (
        episode.assessments.filter(care_sharing.assessments_q(access))
        .select_related("form", "author")
        .annotate(needs_count=Count("needs"))
        .order_by("-assessed_on", "-id")
    )
    can_change = can(request.membership, "care", "change", episode)
    page = paginate(request, rows)
    for row in page["object_list"]:
        whole = care_sharing.sees_whole_assessment(access, row.form)
        row.result_label = grids.result_label(row) if whole else ""
    return render(
        request,
        "care/assessments/list.html",
        {
            "episode": episode,
            **page,
            "can_change": can_change,
            "forms": [
                grid
                for grid in grids.available_forms(episode.dac)
                if care_sharing.sees_whole_assessment(access, grid)
            ]
            if can_change and episode.is_open
            else [],
            "screenings": _screenings(request, episode) if access.medical else [],
            "sees_screenings": access.medical,
            "can_manage_grids": can(request.membership, "assessment_form", "change"),
        },
    )


@login_required
def assessment_start(request, pk, form_pk):
    episode = _episode(request, pk, "change")
    form_row = get_object_or_404(
        AssessmentForm.objects.filter(Q(dac__isnull=True) | Q(dac_id=episode.dac_id)),
        pk=form_pk,
    )
    _check_grid(request, episode, form_row)
    form = StartAssessmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = grids.start_assessment(
                request.membership, episode, form_row, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("care:assessment_edit", pk=episode.pk, assessment_pk=assessment.pk)
    return render(
        request,
        "care/assessments/start.html",
        {"episode": episode, "grid": form_row, "form": form},
    )


@login_required
def assessment_edit(request, pk, assessment_pk):
    episode = _episode(request, pk, "change")
    assessment = _assessment(request, episode, assessment_pk, whole=True)
    if assessment.status != AssessmentStatus.DRAFT:
        return redirect("care:assessment_detail", pk=episode.pk, assessment_pk=assessment.pk)
    form = AssessmentFillForm(
        request.POST if request.method == "POST" else None, assessment=assessment
    )
    if request.method == "POST" and form.is_valid():
        complete = request.POST.get("action") == "complete"
        service = grids.complete_assessment if complete else grids.save_assessment
        try:
            service(
                request.membership,
                assessment,
                answers=form.answers(),
                needs=form.needs(),
                expected_version=form.cleaned_data["lock_version"],
                **form.fields_for_service(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not complete:
                messages.success(request, "Brouillon enregistré.")
                return redirect("care:assessment_edit", pk=episode.pk, assessment_pk=assessment.pk)
            messages.success(request, _completed_message(assessment))
            return redirect("care:assessment_detail", pk=episode.pk, assessment_pk=assessment.pk)
    return render(
        request,
        "care/assessments/fill.html",
        {
            "episode": episode,
            "assessment": assessment,
            "form": form,
            "grid_help": assessment.form.definition.get("help", ""),
        },
    )


def _completed_message(assessment) -> str:
    if assessment.gir:
        return f"Évaluation terminée : GIR {assessment.gir}."
    count = assessment.needs.count()
    if count:
        return (
            f"Évaluation terminée : {count} problème{'s' if count > 1 else ''} ou "
            f"besoin{'s' if count > 1 else ''} non couvert{'s' if count > 1 else ''} "
            "relevé" + ("s." if count > 1 else ".")
        )
    return "Évaluation terminée."


def _gir_detail(result: dict) -> dict | None:
    if result.get("method") != "aggir":
        return None
    letters = result.get("variables", {})
    variables = [
        {"label": label, "letter": letters.get(name, ""), "weighted": name in aggir.WEIGHTED}
        for name, label in aggir.DISCRIMINANT.items()
    ]
    return {
        "gir": result["gir"],
        "rank": result["rank"],
        "group": result["group"],
        "meaning": aggir.GIR_MEANINGS[result["gir"]],
        "apa": result["gir"] in aggir.APA_GIRS,
        "variables": variables,
        "steps": aggir.explanation(result),
    }


@login_required
def assessment_detail(request, pk, assessment_pk):
    episode = _episode(request, pk)
    assessment = _assessment(request, episode, assessment_pk)
    access = care_sharing.episode_access(request, episode)
    whole = care_sharing.sees_whole_assessment(access, assessment.form)
    needs = list(assessment.needs.all())
    definition = assessment.form.definition
    saved_needs = needs or (assessment.answers or {}).get(grids.NEEDS_KEY, [])
    domains = care_sharing.visible_domains(
        access, assessment.form, grids.readable(definition, assessment.answers or {}, saved_needs)
    )
    return render(
        request,
        "care/assessments/detail.html",
        {
            "episode": episode,
            "assessment": assessment,
            "domains": domains,
            "needs_count": sum(len(d["needs"]) for d in domains),
            "whole": whole,
            "gir": _gir_detail(assessment.result or {}) if whole else None,
            "score": assessment.result
            if whole and (assessment.result or {}).get("method") == "sum"
            else None,
            "is_draft": assessment.status == AssessmentStatus.DRAFT,
            "can_change": assessment.status == AssessmentStatus.DRAFT
            and can(request.membership, "care", "change", episode),
        },
    )


# --- The DAC's grids -------------------------------------------------------------------------


def _dac_grids(request):
    require(request.membership, "assessment_form", "change")
    return scope(request.membership, "assessment_form", "change", AssessmentForm.objects.all())


@login_required
def grid_list(request):
    rows = list(
        _dac_grids(request).annotate(uses=Count("assessments")).order_by("code", "-version")
    )
    grids_by_code: dict[str, dict] = {}
    for row in rows:
        entry = grids_by_code.setdefault(row.code, {"latest": row, "versions": [], "uses": 0})
        entry["versions"].append(row)
        entry["uses"] += row.uses
    shipped = [
        f for f in grids.available_forms(request.membership.organisation) if f.dac_id is None
    ]
    return render(
        request,
        "care/assessments/grids.html",
        {
            "grids": sorted(grids_by_code.values(), key=lambda g: g["latest"].title.lower()),
            "shipped": shipped,
        },
    )


def _editor_page(request, form, *, grid=None):
    return render(
        request,
        "care/assessments/grid_form.html",
        {"form": form, "grid": grid, "format_help": FORMAT_HELP},
    )


@login_required
def grid_create(request):
    _dac_grids(request)
    form = GridEditorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            grid = grids.create_form(
                request.membership,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                definition=form.definition,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Grille « {grid.title} » créée : elle est proposée.")
            return redirect("care:grid_list")
    return _editor_page(request, form)


@login_required
def grid_edit(request, form_pk):
    grid = get_object_or_404(_dac_grids(request), pk=form_pk)
    form = GridEditorForm(
        request.POST if request.method == "POST" else None,
        initial={
            "title": grid.title,
            "description": grid.description,
            "text": grids.form_text(grid.definition),
            "category": care_sharing.grid_category(grid),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            revised = grids.revise_form(
                request.membership,
                grid,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                definition=form.definition,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Version {revised.version} de « {revised.title} » enregistrée. Les évaluations "
                "déjà saisies gardent la version avec laquelle elles ont été remplies.",
            )
            return redirect("care:grid_list")
    return _editor_page(request, form, grid=grid)


@login_required
@require_POST
def grid_toggle(request, form_pk):
    grid = get_object_or_404(_dac_grids(request), pk=form_pk)
    try:
        grid = grids.set_form_active(request.membership, grid, not grid.is_active)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"« {grid.title} » est de nouveau proposée."
            if grid.is_active
            else f"« {grid.title} » n'est plus proposée pour les nouvelles évaluations.",
        )
    return redirect("care:grid_list")


def _preview_form(definition):
    draft = Assessment(form=AssessmentForm(definition=definition), answers={})
    return AssessmentFillForm(assessment=draft, auto_id="apercu_%s")


@login_required
@require_POST
def grid_preview(request):
    """The live preview of the editor: the grid as the assessor will see it, or the errors."""
    _dac_grids(request)
    try:
        definition = grids.parse_form_text(request.POST.get("text", ""))
    except ValidationError as error:
        return render(request, "care/assessments/_grid_preview.html", {"errors": error.messages})
    return render(
        request,
        "care/assessments/_grid_preview.html",
        {"errors": [], "preview": _preview_form(definition)},
    )


@login_required
def grid_detail(request, form_pk):
    """One version of a grid, as the assessor sees it (shipped grids and the DAC's)."""
    require(request.membership, "assessment_form", "change")
    grid = get_object_or_404(grids.readable_forms(request.membership.organisation_id), pk=form_pk)
    versions = AssessmentForm.objects.filter(dac_id=grid.dac_id, code=grid.code).order_by(
        "-version"
    )
    return render(
        request,
        "care/assessments/grid_detail.html",
        {"grid": grid, "versions": list(versions), "preview": _preview_form(grid.definition)},
    )


urlpatterns = [
    path("accompagnements/<int:pk>/evaluations/", assessment_list, name="assessment_list"),
    path(
        "accompagnements/<int:pk>/evaluations/nouvelle/<int:form_pk>/",
        assessment_start,
        name="assessment_start",
    ),
    path(
        "accompagnements/<int:pk>/evaluations/<int:assessment_pk>/",
        assessment_detail,
        name="assessment_detail",
    ),
    path(
        "accompagnements/<int:pk>/evaluations/<int:assessment_pk>/saisie/",
        assessment_edit,
        name="assessment_edit",
    ),
    path("grilles-d-evaluation/", grid_list, name="grid_list"),
    path("grilles-d-evaluation/nouvelle/", grid_create, name="grid_create"),
    path("grilles-d-evaluation/apercu/", grid_preview, name="grid_preview"),
    path("grilles-d-evaluation/<int:form_pk>/", grid_detail, name="grid_detail"),
    path("grilles-d-evaluation/<int:form_pk>/modifier/", grid_edit, name="grid_edit"),
    path("grilles-d-evaluation/<int:form_pk>/proposer/", grid_toggle, name="grid_toggle"),
]
