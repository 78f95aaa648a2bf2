"""The PPCS tab of an episode: the current version and its history, editing a draft (htmx-friendly:
each form works as a page of its own and inside the plan page), submission, validation by the
médecin traitant, the person's agreement, the follow-up of actions, comparison, PDF."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from appui.core.enums import SensitivityCategory
from appui.core.permissions import can

from .. import plan_pdf, plans, services
from .. import sharing as care_sharing
from ..enums import InformationChannel, PlanStatus
from ..forms.plans import (
    ActionForm,
    ActionStatusForm,
    AgreementForm,
    CompareForm,
    ConfirmForm,
    GoalForm,
    GoalStatusForm,
    GpValidationForm,
    NeedForm,
    RecordedValidationForm,
    ReopenForm,
    SynthesisForm,
    add_errors,
)
from ..models import Action, CareEpisode, Goal, Need
from ..models import CarePlanVersion as Version

PLAN = SensitivityCategory.PLAN


def _episode(request, pk, action="view") -> CareEpisode:
    """The episode; changing its PPCS also needs the plan category of the person's data."""
    episode = services.episode_for(
        request.membership,
        pk,
        action,
        queryset=CareEpisode.objects.select_related("person__gp", "dac"),
    )
    if action != "view":
        care_sharing.require_category(_access(request, episode), PLAN)
    return episode


def _access(request, episode):
    return care_sharing.episode_access(request, episode)


def _check_need(request, episode, domain) -> None:
    """403 for a need of a domain the user may not see (adding, changing or removing it)."""
    care_sharing.require_category(_access(request, episode), care_sharing.domain_category(domain))


def _check_action(request, episode, action) -> None:
    """403 for an action the user may not see (the person limited them to their own)."""
    access = _access(request, episode)
    if access.own_actions_only and not care_sharing.own_action(access, action):
        raise PermissionDenied


def _version(request, episode, number) -> Version:
    return get_object_or_404(
        plans.visible_versions(request.membership, episode).select_related(
            "plan__episode__person__gp"
        ),
        number=number,
    )


def _version_url(version, anchor="") -> str:
    url = reverse("care:plan_version", args=[version.plan.episode_id, version.number])
    return f"{url}#{anchor}" if anchor else url


def _done(request, url: str, message: str):
    """After a change: back to the plan (a full reload under htmx, so every form on the page
    carries the new lock version)."""
    if message:
        messages.success(request, message)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        if urlsplit(request.htmx.current_url or "").path == urlsplit(url).path:
            # Same page, another anchor: the browser would only scroll; reload it.
            response["HX-Refresh"] = "true"
        return response
    return redirect(url)


def _refused(request, version, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)
    return _done(request, _version_url(version), "")


def _form(request, version, form, template: str, title: str, **extra):
    """A form alone (htmx) or in its page."""
    context = {
        "episode": version.plan.episode,
        "version": version,
        "form": form,
        "title": title,
        "form_template": template,
        "post_url": request.get_full_path(),
        "back_url": _version_url(version),
        "question": "",
        "problems": [],
        "submit": "Enregistrer",
        **extra,
    }
    if request.htmx:
        return render(request, template, context)
    return render(request, "care/plan/form_page.html", context)


def _save(request, version, form, call, *, template, title, message, anchor="", **extra):
    """Validate `form`, call the service; its refusals go next to the fields, input kept."""
    if request.method == "POST" and form.is_valid():
        try:
            call(form)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return _done(request, _version_url(version, anchor), message)
    return _form(request, version, form, template, title, **extra)


def _draft(request, pk, number):
    """The draft being edited, or a response sending the user back to the plan."""
    episode = _episode(request, pk, "change")
    version = _version(request, episode, number)
    if version.status != PlanStatus.DRAFT:
        messages.error(
            request,
            plans.NOT_A_DRAFT.format(status=version.get_status_display().lower()),
        )
        return version, _done(request, _version_url(version), "")
    return version, None


def _data(request):
    return request.POST if request.method == "POST" else None


# --- The tab --------------------------------------------------------------------------------------


def _version_page(request, episode, version):
    membership = request.membership
    access = _access(request, episode)
    view = plans.load_version(version.pk, access)
    versions = list(plans.visible_versions(membership, episode))
    # Changing the PPCS also needs its category (the person may have limited the user).
    can_change = access.plan and can(membership, "care", "change", episode)
    status = version.status
    is_gp = plans.is_persons_gp(membership, episode)
    draft = status == PlanStatus.DRAFT and can_change and episode.is_open
    awaiting = status in (PlanStatus.SUBMITTED, PlanStatus.VALIDATED)
    context = {
        "episode": view.episode,
        "view": view,
        "version": view.version,
        "versions": versions,
        "can_change": can_change,
        "editing": draft,
        "following": status == PlanStatus.ACTIVE and can_change and episode.is_open,
        "gp_form": GpValidationForm()
        if is_gp and access.plan and status == PlanStatus.SUBMITTED
        else None,
        "can_record_validation": not is_gp
        and status == PlanStatus.SUBMITTED
        and membership.is_dac_staff
        and can(membership, "care", "validate", episode),
        "can_record_agreement": awaiting and can_change and not version.person_agreed_on,
        "can_reopen": awaiting and can_change,
        "can_start": can_change
        and episode.is_open
        and not any(v.status in plans.IN_PREPARATION for v in versions),
        "pending": next(
            (v for v in versions if v.status in plans.IN_PREPARATION and v.pk != version.pk),
            None,
        ),
        "active": next(
            (v for v in versions if v.status == PlanStatus.ACTIVE and v.pk != version.pk), None
        ),
        "problems": plans.submission_problems(view.version) if draft else [],
        "decisions": plans.meeting_decisions(episode) if draft and access.plan else [],
        "history": plans.version_history(version),
    }
    return render(request, "care/plan/detail.html", context)


@login_required
def plan_detail(request, pk):
    """The PPCS tab: the latest version the user may read, or how to start the plan."""
    episode = _episode(request, pk)
    version = plans.visible_versions(request.membership, episode).first()
    if version is not None:
        return _version_page(request, episode, version)
    access = _access(request, episode)
    can_change = access.plan and can(request.membership, "care", "change", episode)
    plan = plans.plan_of(episode)
    return render(
        request,
        "care/plan/empty.html",
        {
            "episode": episode,
            "can_start": can_change and episode.is_open,
            "found_needs": care_sharing.visible_needs(
                access, plans.assessment_needs(episode, plan) if can_change else []
            ),
            "decisions": plans.meeting_decisions(episode) if can_change and access.plan else [],
        },
    )


@login_required
def plan_version(request, pk, number):
    episode = _episode(request, pk)
    return _version_page(request, episode, _version(request, episode, number))


@login_required
@require_POST
def plan_start(request, pk):
    episode = _episode(request, pk, "change")
    try:
        version = plans.start_plan_version(request.membership, episode)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("care:plan_detail", pk=episode.pk)
    messages.success(
        request,
        f"Version {version.number} du PPCS commencée"
        + (f" à partir de la version {version.based_on.number}." if version.based_on_id else "."),
    )
    return redirect(_version_url(version))


# --- Editing a draft ------------------------------------------------------------------------------


@login_required
def plan_synthesis(request, pk, number):
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    # The synthesis holds the situation summary and the difficulties (medical category).
    care_sharing.require_category(
        _access(request, version.plan.episode), SensitivityCategory.MEDICAL
    )
    form = SynthesisForm(_data(request), version=version)
    return _save(
        request,
        version,
        form,
        lambda f: plans.save_plan_version(
            request.membership,
            version,
            expected_version=f.cleaned_data["lock_version"],
            **f.values(),
        ),
        template="care/plan/_synthesis_form.html",
        title="Synthèse, difficultés, révision et contacts",
        message="Synthèse enregistrée.",
        anchor="synthese",
    )


@login_required
def plan_need_add(request, pk, number):
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    form = NeedForm(_data(request), version=version)
    return _save(
        request,
        version,
        form,
        lambda f: (
            _check_need(request, version.plan.episode, f.cleaned_data["domain"])
            or plans.add_need(
                request.membership,
                version,
                expected_version=f.cleaned_data["lock_version"],
                domain=f.cleaned_data["domain"],
                description=f.cleaned_data["description"],
            )
        ),
        template="care/plan/_need_form.html",
        title="Ajouter un problème ou un besoin",
        message="Problème ou besoin ajouté.",
        anchor="besoins",
    )


@login_required
def plan_need_edit(request, pk, number, item):
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    need = get_object_or_404(Need, pk=item, plan_version=version)
    _check_need(request, version.plan.episode, need.domain)
    form = NeedForm(_data(request), version=version, need=need)
    return _save(
        request,
        version,
        form,
        lambda f: (
            _check_need(request, version.plan.episode, f.cleaned_data["domain"])
            or plans.update_need(
                request.membership,
                need,
                expected_version=f.cleaned_data["lock_version"],
                domain=f.cleaned_data["domain"],
                description=f.cleaned_data["description"],
            )
        ),
        template="care/plan/_need_form.html",
        title="Modifier un problème ou un besoin",
        message="Problème ou besoin modifié.",
        anchor="besoins",
    )


@login_required
def plan_need_remove(request, pk, number, item):
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    need = get_object_or_404(Need, pk=item, plan_version=version)
    _check_need(request, version.plan.episode, need.domain)
    form = ConfirmForm(_data(request), version=version)
    return _save(
        request,
        version,
        form,
        lambda f: plans.remove_need(
            request.membership, need, expected_version=f.cleaned_data["lock_version"]
        ),
        template="care/plan/_confirm_form.html",
        title="Retirer un problème ou un besoin",
        message="Problème ou besoin retiré du PPCS.",
        anchor="besoins",
        question=f"Retirer « {need.description} » de cette version du PPCS ?",
        submit="Retirer",
    )


@login_required
def plan_goal_add(request, pk, number):
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    form = GoalForm(_data(request), version=version)
    return _save(
        request,
        version,
        form,
        lambda f: plans.add_goal(
            request.membership,
            version,
            expected_version=f.cleaned_data["lock_version"],
            **f.values(),
        ),
        template="care/plan/_goal_form.html",
        title="Ajouter un objectif",
        message="Objectif ajouté.",
        anchor="objectifs",
    )


@login_required
def plan_goal_edit(request, pk, number, item):
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    goal = get_object_or_404(Goal, pk=item, plan_version=version)
    form = GoalForm(_data(request), version=version, goal=goal)
    return _save(
        request,
        version,
        form,
        lambda f: plans.update_goal(
            request.membership,
            goal,
            expected_version=f.cleaned_data["lock_version"],
            **f.values(),
        ),
        template="care/plan/_goal_form.html",
        title="Modifier un objectif",
        message="Objectif modifié.",
        anchor=f"objectif-{goal.pk}",
    )


@login_required
def plan_goal_remove(request, pk, number, item):
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    goal = get_object_or_404(Goal, pk=item, plan_version=version)
    count = goal.actions.count()
    question = f"Retirer l'objectif « {goal.title} » de cette version du PPCS ?"
    if count:
        question += f" Ses {count} action{'s' if count > 1 else ''} seront retirées aussi."
    form = ConfirmForm(_data(request), version=version)
    return _save(
        request,
        version,
        form,
        lambda f: plans.remove_goal(
            request.membership, goal, expected_version=f.cleaned_data["lock_version"]
        ),
        template="care/plan/_confirm_form.html",
        title="Retirer un objectif",
        message="Objectif retiré du PPCS.",
        anchor="objectifs",
        question=question,
        submit="Retirer",
    )


def _action_form(request, version, action=None):
    """The action form; "Rechercher" without JavaScript redraws it with the directory hits."""
    membership = request.membership
    if request.method == "POST" and "search" in request.POST:
        initial = request.POST.dict()
        return ActionForm(
            initial=initial,
            version=version,
            membership=membership,
            query=initial.get("responsible_q", ""),
        ), True
    goal = None
    if action is None and request.GET.get("objectif", "").isdigit():
        goal = version.goals.filter(pk=request.GET["objectif"]).first()
    return ActionForm(
        _data(request), version=version, membership=membership, action=action, goal=goal
    ), False


@login_required
def plan_action_add(request, pk, number):
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    form, searching = _action_form(request, version)
    template, title = "care/plan/_action_form.html", "Ajouter une action"
    if searching:
        return _form(request, version, form, template, title)
    return _save(
        request,
        version,
        form,
        lambda f: plans.add_action(
            request.membership,
            version,
            expected_version=f.cleaned_data["lock_version"],
            **f.values(),
        ),
        template=template,
        title=title,
        message="Action ajoutée.",
        anchor="objectifs",
    )


@login_required
def plan_action_edit(request, pk, number, item):
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    action = get_object_or_404(Action, pk=item, plan_version=version)
    _check_action(request, version.plan.episode, action)
    form, searching = _action_form(request, version, action)
    template, title = "care/plan/_action_form.html", "Modifier une action"
    if searching:
        return _form(request, version, form, template, title)
    return _save(
        request,
        version,
        form,
        lambda f: plans.update_action(
            request.membership,
            action,
            expected_version=f.cleaned_data["lock_version"],
            **f.values(),
        ),
        template=template,
        title=title,
        message="Action modifiée.",
        anchor=f"action-{action.pk}",
    )


@login_required
def plan_action_remove(request, pk, number, item):
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    action = get_object_or_404(Action, pk=item, plan_version=version)
    _check_action(request, version.plan.episode, action)
    form = ConfirmForm(_data(request), version=version)
    return _save(
        request,
        version,
        form,
        lambda f: plans.remove_action(
            request.membership, action, expected_version=f.cleaned_data["lock_version"]
        ),
        template="care/plan/_confirm_form.html",
        title="Retirer une action",
        message="Action retirée du PPCS.",
        anchor="objectifs",
        question=f"Retirer l'action « {action.description} » de cette version du PPCS ?",
        submit="Retirer",
    )


@login_required
def plan_responsibles(request, pk, number):
    """The "who" list of the action form, with the directory hits for the text typed (htmx)."""
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    form = ActionForm(
        initial={"responsible": request.GET.get("responsible", "")},
        version=version,
        membership=request.membership,
        query=request.GET.get("responsible_q", ""),
    )
    return render(request, "care/plan/_responsible_field.html", {"form": form})


# --- Submission, validation, agreement ------------------------------------------------------------


@login_required
def plan_submit(request, pk, number):
    version, refused = _draft(request, pk, number)
    if refused:
        return refused
    form = ConfirmForm(_data(request), version=version)
    gp = version.plan.episode.person.gp
    return _save(
        request,
        version,
        form,
        lambda f: plans.submit_plan_version(
            request.membership, version, expected_version=f.cleaned_data["lock_version"]
        ),
        template="care/plan/_confirm_form.html",
        title=f"Soumettre la version {version.number} au médecin traitant",
        message=f"PPCS soumis au médecin traitant{f' ({gp.display_name})' if gp else ''}.",
        question="Une fois soumis, le PPCS ne se modifie plus : le médecin traitant le valide "
        "et la personne donne son accord. Il entre alors en vigueur.",
        problems=plans.submission_problems(version),
        submit="Soumettre au médecin traitant",
    )


@login_required
def plan_reopen(request, pk, number):
    episode = _episode(request, pk, "change")
    version = _version(request, episode, number)
    form = ReopenForm(_data(request))
    return _save(
        request,
        version,
        form,
        lambda f: plans.reopen_plan_version(
            request.membership, version, reason=f.cleaned_data["reason"]
        ),
        template="care/plan/_reopen_form.html",
        title=f"Reprendre la version {version.number} en brouillon",
        message="PPCS repris en brouillon : la validation et l'accord recueillis sont levés.",
    )


@login_required
def plan_validate(request, pk, number):
    """The médecin traitant validates in Appui, or the staff record a validation received."""
    episode = _episode(request, pk, "validate")
    version = _version(request, episode, number)
    membership = request.membership
    if plans.is_persons_gp(membership, episode):
        form = GpValidationForm(_data(request))

        def call(f):
            plans.validate_by_gp(
                membership,
                version,
                validated_on=timezone.localdate(),
                channel=InformationChannel.IN_APP,
                comment=f.cleaned_data["comment"],
            )

        template = "care/plan/_gp_validation_form.html"
    else:
        form = RecordedValidationForm(_data(request))

        def call(f):
            plans.validate_by_gp(membership, version, **f.cleaned_data)

        template = "care/plan/_recorded_validation_form.html"
    return _save(
        request,
        version,
        form,
        call,
        template=template,
        title=f"Validation de la version {version.number} par le médecin traitant",
        message="Validation du PPCS par le médecin traitant enregistrée.",
        anchor="validation",
    )


@login_required
def plan_agreement(request, pk, number):
    episode = _episode(request, pk, "change")
    version = _version(request, episode, number)
    person = episode.person
    form = AgreementForm(_data(request), person=person, carers=list(person.carers.all()))
    return _save(
        request,
        version,
        form,
        lambda f: plans.record_person_agreement(
            request.membership,
            version,
            agreed_on=f.cleaned_data["agreed_on"],
            how=f.cleaned_data["how"],
            by=f.by_label(),
        ),
        template="care/plan/_agreement_form.html",
        title=f"Accord de la personne sur la version {version.number}",
        message="Accord de la personne enregistré.",
        anchor="validation",
    )


# --- Follow-up, comparison, PDF ----------------------------------------------------------------


@login_required
def plan_action_status(request, pk, number, item):
    episode = _episode(request, pk, "change")
    version = _version(request, episode, number)
    action = get_object_or_404(Action, pk=item, plan_version=version)
    _check_action(request, version.plan.episode, action)
    form = ActionStatusForm(_data(request), action=action)
    return _save(
        request,
        version,
        form,
        lambda f: plans.set_action_status(
            request.membership, action, f.cleaned_data["status"], reason=f.cleaned_data["reason"]
        ),
        template="care/plan/_status_form.html",
        title="Où en est l'action ?",
        message="Statut de l'action mis à jour.",
        anchor=f"action-{action.pk}",
        action=action,
    )


@login_required
def plan_goal_status(request, pk, number, item):
    episode = _episode(request, pk, "change")
    version = _version(request, episode, number)
    goal = get_object_or_404(Goal, pk=item, plan_version=version)
    form = GoalStatusForm(_data(request), goal=goal)
    return _save(
        request,
        version,
        form,
        lambda f: plans.set_goal_status(request.membership, goal, f.cleaned_data["status"]),
        template="care/plan/_goal_status_form.html",
        title="Où en est l'objectif ?",
        message="Statut de l'objectif mis à jour.",
        anchor=f"objectif-{goal.pk}",
        goal=goal,
    )


@login_required
def plan_compare(request, pk):
    episode = _episode(request, pk)
    versions = list(plans.visible_versions(request.membership, episode))
    context = {"episode": episode, "versions": versions, "comparison": None, "form": None}
    if len(versions) >= 2:
        initial = {"old": versions[1].number, "new": versions[0].number}
        form = CompareForm(request.GET or None, initial=initial, versions=versions)
        numbers = initial
        if form.is_bound and form.is_valid():
            numbers = form.cleaned_data
        by_number = {v.number: v for v in versions}
        if numbers["old"] != numbers["new"]:
            context["comparison"] = plans.compare_versions(
                by_number[numbers["old"]], by_number[numbers["new"]], _access(request, episode)
            )
        context["form"] = form
    return render(request, "care/plan/compare.html", context)


@login_required
def plan_pdf_download(request, pk, number):
    episode = _episode(request, pk)
    version = _version(request, episode, number)
    view = plans.load_version(version.pk, _access(request, episode))
    pdf = plan_pdf.print_version(view, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{plan_pdf.filename(view)}"'
    return response


V = "accompagnements/<int:pk>/ppcs/v<int:number>/"

urlpatterns = [
    path("accompagnements/<int:pk>/ppcs/", plan_detail, name="plan_detail"),
    path("accompagnements/<int:pk>/ppcs/commencer/", plan_start, name="plan_start"),
    path("accompagnements/<int:pk>/ppcs/comparer/", plan_compare, name="plan_compare"),
    path(V, plan_version, name="plan_version"),
    path(V + "synthese/", plan_synthesis, name="plan_synthesis"),
    path(V + "besoins/ajouter/", plan_need_add, name="plan_need_add"),
    path(V + "besoins/<int:item>/", plan_need_edit, name="plan_need_edit"),
    path(V + "besoins/<int:item>/retirer/", plan_need_remove, name="plan_need_remove"),
    path(V + "objectifs/ajouter/", plan_goal_add, name="plan_goal_add"),
    path(V + "objectifs/<int:item>/", plan_goal_edit, name="plan_goal_edit"),
    path(V + "objectifs/<int:item>/retirer/", plan_goal_remove, name="plan_goal_remove"),
    path(V + "actions/ajouter/", plan_action_add, name="plan_action_add"),
    path(V + "actions/<int:item>/", plan_action_edit, name="plan_action_edit"),
    path(V + "actions/<int:item>/retirer/", plan_action_remove, name="plan_action_remove"),
    path(V + "actions/<int:item>/statut/", plan_action_status, name="plan_action_status"),
    path(V + "objectifs/<int:item>/statut/", plan_goal_status, name="plan_goal_status"),
    path(V + "responsables/", plan_responsibles, name="plan_responsibles"),
    path(V + "soumettre/", plan_submit, name="plan_submit"),
    path(V + "reprendre/", plan_reopen, name="plan_reopen"),
    path(V + "validation/", plan_validate, name="plan_validate"),
    path(V + "accord/", plan_agreement, name="plan_agreement"),
    path(V + "pdf/", plan_pdf_download, name="plan_pdf"),
]
