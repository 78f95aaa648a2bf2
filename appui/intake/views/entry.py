"""The entry point: the queue, recording a request, the partner's form and "my requests"."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from appui.core.mixins import paginate
from appui.core.permissions import OWN, can, cell, require, scope
from appui.persons.models import Person
from appui.territory.models import Organisation, Professional

from .. import queue, search, services
from ..enums import Answer, RequesterKind
from ..forms import (
    DIRECTORY_KINDS,
    PartnerDacForm,
    PartnerRequestForm,
    QueueFilterForm,
    ReasonForm,
    RequestForm,
    ThresholdsForm,
)
from ..models import RequestReason, SupportRequest

#: The request being typed, kept while the user creates the person on the persons page.
DRAFT_KEY = "appui_request_draft"
#: Fields of the request form carried from one rendering to the next (searches, picks).
CARRIED = [*RequestForm.Meta.fields, "person_q", "requester_q"]


def is_partner(membership) -> bool:
    """A partner files requests and follows their own; the DAC's staff work the queue."""
    return cell(getattr(membership, "role", None), "support_request", "list") == OWN


def _require_staff(membership, action: str) -> None:
    require(membership, "support_request", action)
    if is_partner(membership):
        raise PermissionDenied


# --- The queue ------------------------------------------------------------------------------


def _queue_context(request) -> dict:
    membership = request.membership
    form = QueueFilterForm(request.GET or None, dac=membership.organisation)
    filters = form.filters() if form.is_bound else queue.QueueFilters()
    narrowed = queue.narrow(queue.dac_requests(membership), filters, request.user)
    tabs = queue.status_tabs(queue.status_counts(narrowed), filters.status)
    for tab in tabs:
        params = request.GET.copy()
        params.pop("page", None)
        params.pop("status", None)
        if tab["value"]:
            params["status"] = tab["value"]
        tab["query"] = params.urlencode()
    rows = queue.page_rows(queue.with_status(narrowed, filters.status), filters)
    overdue = queue.overdue_counts(membership, request.user)
    page = paginate(request, rows)
    queue.decorate(page["object_list"])
    return {
        "form": form,
        "filters": filters,
        "tabs": tabs,
        "overdue": overdue,
        "overdue_query": urlencode({"status": queue.ALL, "overdue": "on", "sort": "due"}),
        "current_query": request.GET.urlencode(),
        "refreshed_at": timezone.localtime(),
        "can_change_settings": can(membership, "intake_settings", "change"),
        **page,
    }


@login_required
def queue_page(request):
    require(request.membership, "support_request", "list")
    if is_partner(request.membership):
        return redirect("intake:partner_requests")
    return render(request, "intake/queue.html", _queue_context(request))


@login_required
def queue_results(request):
    """The queue's table, counts and alert: refreshed every minute and on each filter change."""
    _require_staff(request.membership, "list")
    response = render(request, "intake/_queue_results.html", _queue_context(request))
    if request.htmx and request.htmx.trigger == "queue-filters":
        query = request.GET.urlencode()
        response["HX-Push-Url"] = reverse("intake:queue") + (f"?{query}" if query else "")
    return response


# --- Recording a request (staff) -------------------------------------------------------------


def _picked(queryset, value):
    value = str(value or "")
    return queryset.filter(pk=int(value)).first() if value.isdigit() else None


def _values_from(data) -> QueryDict:
    values = QueryDict(mutable=True)
    for name in CARRIED:
        if name in data:
            values[name] = data.get(name)
    values.setlist("reasons", data.getlist("reasons"))
    return values


def _initial(values: QueryDict) -> dict:
    initial = {name: values.get(name) for name in CARRIED if name in values}
    if "reasons" in values:
        initial["reasons"] = values.getlist("reasons")
    return initial


def _apply(values: QueryDict, action: str) -> None:
    """The buttons that change the page without saving (they work without JavaScript)."""
    name, _, argument = action.partition(":")
    if name == "pick_person" and argument.isdigit():
        values["person"] = argument
    elif name == "change_person":
        values["person"] = ""
    elif name == "pick_requester":
        kind, _, pk = argument.partition(":")
        if kind in DIRECTORY_KINDS and pk.isdigit():
            values["requester_kind"] = kind
            values["requester_professional"] = pk if kind == RequesterKind.PROFESSIONAL else ""
            values["requester_organisation"] = pk if kind == RequesterKind.ORGANISATION else ""
    elif name == "change_requester":
        values["requester_professional"] = values["requester_organisation"] = ""


def _requester_results(membership, kind: str, text: str) -> tuple[list, bool]:
    if kind == RequesterKind.PROFESSIONAL:
        found, more = search.search_professionals(membership, text)
    elif kind == RequesterKind.ORGANISATION:
        found, more = search.search_organisations(text)
    else:
        return [], False
    return [(kind, item) for item in found], more


def _first_error(form, name: str) -> str:
    return form[name].errors[0] if form is not None and form[name].errors else ""


def _person_block(membership, person, text: str, form=None) -> dict:
    results, more = ([], False)
    if person is None and text:
        results, more = search.search_persons(membership, text)
    return {
        "person": person,
        "person_q": text,
        "person_results": results,
        "person_more": more,
        "person_searched": bool(text),
        "person_error": _first_error(form, "person"),
    }


def _requester_block(membership, kind: str, professional, organisation, text: str, form=None):
    picked = None
    if kind == RequesterKind.PROFESSIONAL and professional is not None:
        picked = (kind, professional)
    elif kind == RequesterKind.ORGANISATION and organisation is not None:
        picked = (kind, organisation)
    results, more = ([], False)
    if picked is None and text:
        results, more = _requester_results(membership, kind, text)
    error = _first_error(form, "requester_professional") or _first_error(
        form, "requester_organisation"
    )
    return {
        "requester": picked,
        "requester_q": text,
        "requester_results": results,
        "requester_more": more,
        "requester_searched": bool(text) and kind in DIRECTORY_KINDS,
        "requester_kind": kind,
        "requester_error": error,
    }


def _new_person_url(text: str) -> str:
    back = reverse("intake:request_create") + "?brouillon=1"
    params = {"next": back, **search.PersonQuery.parse(text).prefill()}
    return reverse("persons:create") + "?" + urlencode(params)


@login_required
def request_create(request):
    """ "Nouvelle demande": the page the front desk fills in while on the phone."""
    membership = request.membership
    require(membership, "support_request", "create")
    if is_partner(membership):
        return redirect("intake:partner_create")
    dac = membership.organisation
    services.ensure_default_reasons(dac)
    action = request.POST.get("_action", "") if request.method == "POST" else None
    if action == "":
        form = RequestForm(request.POST, membership=membership, dac=dac)
        if form.is_valid():
            support_request = services.create_request(
                membership, form.save(commit=False), form.cleaned_data["reasons"]
            )
            request.session.pop(DRAFT_KEY, None)
            messages.success(
                request,
                f"Demande n° {support_request.number} enregistrée. Première réponse attendue "
                f"au plus tard le {timezone.localtime(support_request.answer_due_at):%d/%m/%Y}.",
            )
            return redirect("intake:request_detail", pk=support_request.pk)
        values = _values_from(request.POST)
    elif action is not None:
        values = _values_from(request.POST)
        if action == "new_person":
            request.session[DRAFT_KEY] = {k: values.getlist(k) for k in values}
            return redirect(_new_person_url(values.get("person_q", "")))
        _apply(values, action)
        form = RequestForm(initial=_initial(values), membership=membership, dac=dac)
    else:
        values = QueryDict(mutable=True)
        draft = request.session.pop(DRAFT_KEY, None) if request.GET.get("brouillon") else None
        for name, items in (draft or {}).items():
            values.setlist(name, items)
        if request.GET.get("person"):
            values["person"] = request.GET["person"]
        form = RequestForm(initial=_initial(values), membership=membership, dac=dac)
    person = _picked(form.fields["person"].queryset, values.get("person"))
    if person is not None and person.gp_id and "gp_known" not in values:
        form.initial["gp_known"] = Answer.YES
    bound = form if form.is_bound else None
    context = {
        "form": form,
        **_person_block(membership, person, values.get("person_q", "").strip(), bound),
        **_requester_block(
            membership,
            values.get("requester_kind") or RequesterKind.PROFESSIONAL,
            _picked(Professional.objects.all(), values.get("requester_professional")),
            _picked(Organisation.objects.all(), values.get("requester_organisation")),
            values.get("requester_q", "").strip(),
            bound,
        ),
    }
    return render(request, "intake/new_request.html", context)


@login_required
def person_results(request):
    _require_staff(request.membership, "create")
    text = request.GET.get("person_q", "").strip()
    return render(
        request,
        "intake/_person_results.html",
        _person_block(request.membership, None, text),
    )


@login_required
def person_block(request):
    """The chosen person's card (`?person=<id>`), or the search box again ("Changer")."""
    _require_staff(request.membership, "create")
    persons = scope(request.membership, "person", "view", Person.objects.current())
    person = _picked(persons.select_related("commune", "gp"), request.GET.get("person"))
    return render(
        request, "intake/_person_block.html", _person_block(request.membership, person, "")
    )


@login_required
def requester_results(request):
    _require_staff(request.membership, "create")
    kind = request.GET.get("requester_kind", RequesterKind.PROFESSIONAL)
    text = request.GET.get("requester_q", "").strip()
    return render(
        request,
        "intake/_requester_results.html",
        _requester_block(request.membership, kind, None, None, text),
    )


@login_required
def requester_block(request):
    """The requester part for a kind of requester: the chosen one's card if it is of that kind
    (`requester_professional` or `requester_organisation`), else the directory search."""
    _require_staff(request.membership, "create")
    kind = request.GET.get("requester_kind", "")
    if kind not in RequesterKind.values:
        kind = RequesterKind.PROFESSIONAL
    return render(
        request,
        "intake/_requester_block.html",
        _requester_block(
            request.membership,
            kind,
            _picked(Professional.objects.all(), request.GET.get("requester_professional")),
            _picked(Organisation.objects.all(), request.GET.get("requester_organisation")),
            request.GET.get("requester_q", "").strip(),
        ),
    )


# --- The partner's form and "my requests" ------------------------------------------------------


@login_required
def partner_create(request):
    """ "Solliciter le DAC": a partner professional files a request online."""
    membership = request.membership
    require(membership, "support_request", "create")
    if not is_partner(membership):
        return redirect("intake:request_create")
    dac_form = PartnerDacForm(request.GET if "commune" in request.GET else None)
    if not dac_form.is_valid():
        return render(request, "intake/partner_form.html", {"dac_form": dac_form, "form": None})
    dac, commune = dac_form.cleaned_data["dac"], dac_form.cleaned_data["commune"]
    services.ensure_default_reasons(dac)
    user = request.user
    form = PartnerRequestForm(
        request.POST or None,
        dac=dac,
        initial={"requester_contact": ", ".join(filter(None, [user.phone, user.email]))},
    )
    if request.method == "POST" and form.is_valid():
        support_request = services.create_request(
            membership,
            form.build_request(user=user, membership=membership, dac=dac, commune=commune),
            form.cleaned_data["reasons"],
        )
        messages.success(
            request,
            f"Votre demande n° {support_request.number} a été transmise au {dac.name}. "
            "Vous suivrez ici sa prise en charge et la réponse du DAC.",
        )
        return redirect("intake:partner_requests")
    return render(
        request,
        "intake/partner_form.html",
        {"dac_form": dac_form, "form": form, "dac": dac, "commune": commune},
    )


@login_required
def partner_requests(request):
    """ "Mes demandes": the requests a partner filed (or that name them as the requester)."""
    membership = request.membership
    require(membership, "support_request", "list")
    if not is_partner(membership):
        return redirect("intake:queue")
    queryset = scope(
        membership,
        "support_request",
        "list",
        SupportRequest.objects.select_related("dac").order_by("-received_at", "-pk"),
    )
    page = paginate(request, queryset)
    queue.decorate(page["object_list"])
    return render(request, "intake/partner_requests.html", page)


# --- The DAC's reasons and thresholds ---------------------------------------------------------


def _reasons(membership):
    return scope(membership, "intake_settings", "change", RequestReason.objects.all())


def _settings_page(request, thresholds=None, reason_form=None, status=200):
    membership = request.membership
    dac = membership.organisation
    reasons = (
        _reasons(membership)
        .annotate(uses=Count("supportrequest"))
        .order_by("position", "label", "pk")
    )
    return render(
        request,
        "intake/settings.html",
        {
            "dac": dac,
            "thresholds": thresholds or ThresholdsForm(instance=services.settings_for(dac)),
            "reason_form": reason_form or ReasonForm(dac=dac),
            "reasons": reasons,
        },
        status=status,
    )


@login_required
def intake_settings(request):
    """ "Réglages de l'accueil": the director's catalogue of reasons and first-answer thresholds."""
    membership = request.membership
    require(membership, "intake_settings", "change")
    dac = membership.organisation
    services.ensure_default_reasons(dac)
    if request.method == "POST":
        form = ThresholdsForm(request.POST, instance=services.settings_for(dac))
        if form.is_valid():
            services.update_thresholds(
                membership,
                dac,
                form.cleaned_data["urgent_answer_days"],
                form.cleaned_data["normal_answer_days"],
            )
            messages.success(
                request,
                "Délais enregistrés : ils s'appliquent aux demandes reçues à partir de maintenant.",
            )
            return redirect("intake:settings")
        return _settings_page(request, thresholds=form)
    return _settings_page(request)


@login_required
@require_POST
def reason_create(request):
    membership = request.membership
    require(membership, "intake_settings", "change")
    form = ReasonForm(request.POST, dac=membership.organisation)
    if not form.is_valid():
        return _settings_page(request, reason_form=form)
    reason = services.add_reason(membership, membership.organisation, form.cleaned_data["label"])
    messages.success(request, f"Motif « {reason.label} » ajouté en fin de liste.")
    return redirect(reverse("intake:settings") + "#motifs")


@login_required
def reason_edit(request, pk):
    membership = request.membership
    require(membership, "intake_settings", "change")
    reason = get_object_or_404(_reasons(membership), pk=pk)
    form = ReasonForm(
        request.POST or None, dac=reason.dac, reason=reason, initial={"label": reason.label}
    )
    if request.method == "POST" and form.is_valid():
        services.rename_reason(membership, reason, form.cleaned_data["label"])
        messages.success(
            request,
            f"Motif renommé : « {reason.label} ». Les demandes qui le citent affichent ce libellé.",
        )
        return redirect(reverse("intake:settings") + "#motifs")
    return render(request, "intake/reason_form.html", {"form": form, "reason": reason})


@login_required
@require_POST
def reason_move(request, pk, direction):
    membership = request.membership
    require(membership, "intake_settings", "change")
    reason = get_object_or_404(_reasons(membership), pk=pk)
    services.move_reason(membership, reason, -1 if direction == "monter" else 1)
    return redirect(reverse("intake:settings") + f"#motif-{reason.pk}")


@login_required
@require_POST
def reason_toggle(request, pk):
    membership = request.membership
    require(membership, "intake_settings", "change")
    reason = get_object_or_404(_reasons(membership), pk=pk)
    services.set_reason_active(membership, reason, not reason.is_active)
    if reason.is_active:
        messages.success(request, f"Le motif « {reason.label} » est de nouveau proposé.")
    else:
        messages.success(
            request,
            f"Le motif « {reason.label} » n'est plus proposé ; "
            "les demandes qui le citent le gardent.",
        )
    return redirect(reverse("intake:settings") + f"#motif-{reason.pk}")


@login_required
@require_POST
def reason_delete(request, pk):
    membership = request.membership
    require(membership, "intake_settings", "change")
    reason = get_object_or_404(_reasons(membership), pk=pk)
    try:
        services.delete_reason(membership, reason)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Motif « {reason.label} » supprimé.")
    return redirect(reverse("intake:settings") + "#motifs")
