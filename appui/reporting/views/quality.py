"""Pages of the yearly quality self-assessment (ISQ)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from appui.core.permissions import can, require

from .. import quality
from ..forms_quality import QualityForm


@login_required
def quality_history(request):
    require(request.membership, "quality_assessment", "view")
    return render(
        request,
        "reporting/quality/history.html",
        {"rows": quality.history(request.membership), "max_score": quality.MAX_SCORE},
    )


@login_required
def quality_year(request, year):
    require(request.membership, "quality_assessment", "view")
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    membership = request.membership
    assessment = quality.assessment_for(membership, year)
    completed = assessment is not None and assessment.completed_at is not None
    editable = not completed and can(membership, "quality_assessment", "change")
    states = quality.item_states(assessment, membership.organisation_id, year)
    form = QualityForm(
        request.POST if editable and request.method == "POST" else None, states=states
    )
    if editable and request.method == "POST" and form.is_valid():
        complete = request.POST.get("action") == "complete"
        try:
            quality.save_answers(membership, year, form.answers(), complete=complete)
        except quality.AlreadyCompleted:
            messages.info(request, "Cette auto-évaluation est déjà terminée.")
        else:
            score = sum(1 for answer, _ in form.answers().values() if answer is True)
            if complete:
                messages.success(
                    request, f"Auto-évaluation {year} terminée : score {score}/{quality.MAX_SCORE}."
                )
            else:
                messages.success(request, f"Auto-évaluation {year} enregistrée.")
        return redirect("reporting:quality_year", year=year)
    if request.method == "POST" and not editable:
        require(membership, "quality_assessment", "change")
    groups = [
        {
            "label": label,
            "items": [
                {
                    "state": state,
                    "answer_field": form[f"{state.item.code}_answer"],
                    "evidence_field": form[f"{state.item.code}_evidence"],
                }
                for state in states
                if state.item.group == code
            ],
        }
        for code, label in quality.GROUPS
    ]
    score = sum(1 for state in states if state.answer is True)
    return render(
        request,
        "reporting/quality/year.html",
        {
            "year": year,
            "assessment": assessment,
            "completed": completed,
            "editable": editable,
            "form": form,
            "groups": groups,
            "score": score,
            "max_score": quality.MAX_SCORE,
            "saved": assessment is not None,
        },
    )


urlpatterns = [
    path("pilotage/qualite/", quality_history, name="quality"),
    path("pilotage/qualite/<int:year>/", quality_year, name="quality_year"),
]
