"""The person's rights: the access log of one person (page and PDF), the data export (right of
access), emergency access (bris de glace) and its review by the direction."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from dsfr.forms import DsfrBaseForm

from appui.care.models import CareEpisode
from appui.core import sharing
from appui.core.enums import AccessAction, Role
from appui.core.forms import FilterForm
from appui.core.mixins import paginate
from appui.core.permissions import can, require, scope
from appui.intake.forms_triage import add_errors
from appui.persons.models import Person

from .. import emergency, exports, rights
from ..models import EmergencyAccess

ROLE_LABELS = dict(Role.choices)


def _person(request, pk, action="view") -> Person:
    require(request.membership, "person", action)
    return get_object_or_404(
        scope(request.membership, "person", action, Person.objects.select_related("dac")), pk=pk
    )


# --- Access log of one person -------------------------------------------------------------------


class PersonLogFilterForm(FilterForm):
    start = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Toutes")] + list(AccessAction.choices)
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "La date de fin doit être postérieure à la date de début.")
        return data

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


@login_required
def access_log(request, person_pk):
    require(request.membership, "access_log", "list")
    person = _person(request, person_pk)
    form = PersonLogFilterForm(request.GET or None)
    filters = form.filters()
    queryset = rights.person_log(person, **filters)
    context = paginate(request, queryset, per_page=50)
    context["rows"] = rights.describe(context["object_list"], person)
    pdf_params = {k: v.isoformat() for k, v in filters.items() if k in ("start", "end")}
    context.update(
        person=person,
        form=form,
        can_export=can(request.membership, "access_log", "export"),
        pdf_query="&".join(f"{k}={v}" for k, v in pdf_params.items()),
    )
    return render(request, "circle/rights/access_log.html", context)


@login_required
def access_log_pdf(request, person_pk):
    person = _person(request, person_pk)
    form = PersonLogFilterForm(request.GET or None)
    filters = form.filters()
    pdf = rights.export_log_pdf(
        person, request.membership, start=filters.get("start"), end=filters.get("end")
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{rights.log_filename(person)}"'
    return response


# --- Data export (right of access) --------------------------------------------------------------


@login_required
def person_export(request, person_pk):
    person = _person(request, person_pk, "export")
    access = sharing.access(request.membership, person)
    if request.method == "POST":
        data = exports.build_person_export(person, request.membership)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(person)}"'
        return response
    return render(
        request,
        "circle/rights/person_export.html",
        {
            "person": person,
            "missing": access.hidden_categories,
            "archived": CareEpisode.objects.filter(
                person=person, archived_at__isnull=False
            ).count(),
        },
    )


# --- Emergency access (bris de glace) -----------------------------------------------------------


class EmergencyForm(DsfrBaseForm):
    justification = forms.CharField(
        label="Justification de l'urgence",
        help_text=(
            f"{emergency.MIN_JUSTIFICATION} caractères au moins : la situation, ce qui ne peut pas "
            "attendre, qui vous a alerté·e."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


def _after_opening(person, membership) -> str:
    episode = (
        CareEpisode.objects.filter(person=person, dac_id=membership.organisation_id)
        .order_by("-opened_on", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if episode:
        return reverse("care:episode_detail", args=[episode])
    return reverse("persons:detail", args=[person.pk])


@login_required
def emergency_open(request, person_pk):
    require(request.membership, "emergency_access", "create")
    person = _person(request, person_pk)
    require(request.membership, "emergency_access", "create", person)
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = emergency.open_emergency_access(
                person, request.membership, form.cleaned_data["justification"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.warning(
                request,
                "Accès en urgence ouvert jusqu'au "
                f"{access.expires_at.astimezone().strftime('%d/%m/%Y à %H:%M')} ; il est signalé "
                "dans le journal des accès et à la direction.",
            )
            return redirect(_after_opening(person, request.membership))
    return render(
        request,
        "circle/rights/emergency_open.html",
        {
            "person": person,
            "form": form,
            "refusal": emergency.refusal(request.membership, person),
            "hours": settings.APPUI_EMERGENCY_ACCESS_HOURS,
        },
    )


class EmergencyFilterForm(FilterForm):
    status = forms.ChoiceField(
        label="Examen",
        required=False,
        choices=[("", "Tous"), ("to_review", "À examiner"), ("reviewed", "Examinés")],
    )


class ReviewForm(DsfrBaseForm):
    comment = forms.CharField(
        label="Conclusion de l'examen",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


@login_required
def emergency_list(request):
    require(request.membership, "emergency_access", "list")
    form = EmergencyFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_bound and form.is_valid() else ""
    queryset = emergency.emergency_accesses(request.membership, status=status)
    context = paginate(request, queryset)
    for access in context["object_list"]:
        access.role_label = ROLE_LABELS.get(access.role, access.role)
    context.update(form=form, to_review=emergency.to_review_count(request.membership))
    return render(request, "circle/rights/emergency_list.html", context)


@login_required
@require_POST
def emergency_review(request, pk):
    require(request.membership, "emergency_access", "list")
    access = get_object_or_404(
        scope(request.membership, "emergency_access", "list", EmergencyAccess.objects.all()),
        pk=pk,
    )
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"comment": "Indiquez la conclusion de l'examen."})
        emergency.review_emergency_access(request.membership, access, form.cleaned_data["comment"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Accès en urgence examiné.")
    return redirect("circle:emergency_list")


urlpatterns = [
    path("personnes/<int:person_pk>/journal-des-acces/", access_log, name="access_log"),
    path("personnes/<int:person_pk>/journal-des-acces/pdf/", access_log_pdf, name="access_log_pdf"),
    path("personnes/<int:person_pk>/export/", person_export, name="person_export"),
    path("personnes/<int:person_pk>/acces-en-urgence/", emergency_open, name="emergency_open"),
    path("acces-en-urgence/", emergency_list, name="emergency_list"),
    path("acces-en-urgence/<int:pk>/examen/", emergency_review, name="emergency_review"),
]
