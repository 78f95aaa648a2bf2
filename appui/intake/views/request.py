"""The request page: timeline, triage, responses, contacts, GP letter."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from appui.core.enums import Role
from appui.core.models import Event
from appui.core.permissions import can, require, scope
from appui.directory.models import Service, UnmetNeed
from appui.directory.search import SearchParams, explain, search_services
from appui.persons.duplicates import find_candidates
from appui.persons.enums import Sex
from appui.persons.forms import PREFILLABLE
from appui.persons.models import Person

from .. import screening as grid
from .. import services, workflow
from ..enums import Answer, RequestStatus, ResponseType
from ..forms_triage import (
    AgreementForm,
    AssignForm,
    CloseForm,
    ContactForm,
    GpSendingForm,
    ReferralDecisionForm,
    ResponseForm,
    ScreeningForm,
    add_errors,
)
from ..models import GpInformation, RequestResponse, SupportRequest

#: A time typed this close to now means "now" (forms are filled to the minute).
RECENT = timedelta(minutes=10)

#: How many directory services a search on the answer form offers.
SERVICE_HITS = 8


def _staff_request(request, pk, *related) -> SupportRequest:
    """The request, if the user handles requests of its DAC (404 outside the scope)."""
    require(request.membership, "support_request", "change")
    queryset = scope(request.membership, "support_request", "change", SupportRequest.objects.all())
    return get_object_or_404(queryset.select_related("dac", "person", *related), pk=pk)


def _data(request):
    """The posted data (even empty: a form of optional fields is still submitted), or None."""
    return request.POST if request.method == "POST" else None


def _moment(value):
    """A date and time typed to the minute: None when it is (about) now — the form's default —
    so that the service stamps the exact moment and the timeline keeps the true order."""
    if value is not None and timedelta(0) <= timezone.now() - value < RECENT:
        return None
    return value


def _back(support_request):
    return redirect("intake:request_detail", pk=support_request.pk)


def _refused(request, support_request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)
    return _back(support_request)


def _person_url(name, *args, query=None) -> str:
    """A URL of the persons pages, or "" while that page does not exist."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


# --- The page --------------------------------------------------------------------------------


@login_required
def request_detail(request, pk):
    require(request.membership, "support_request", "view")
    visible = scope(request.membership, "support_request", "view", SupportRequest.objects.all())
    if not can(request.membership, "support_request", "change"):
        return _requester_page(request, visible, pk)
    support_request = get_object_or_404(
        visible.select_related(
            "dac",
            "person",
            "person__gp",
            "person__commune",
            "requester_professional",
            "requester_organisation",
            "assigned_to",
            "submitted_by",
        ).prefetch_related("reasons"),
        pk=pk,
    )
    status = support_request.status
    responses = list(
        support_request.responses.select_related("given_by", "referral_organisation")
        .prefetch_related(
            Prefetch(
                "services",
                Service.objects.select_related("organisation", "professional", "commune"),
            ),
            Prefetch("unmet_needs", UnmetNeed.objects.select_related("commune")),
        )
        .order_by("given_at", "pk")
    )
    contacts = list(support_request.contacts.select_related("by", "with_professional"))
    screenings = list(support_request.screenings.select_related("created_by"))
    letters = list(support_request.gp_informations.select_related("gp", "sent_by"))
    events = list(
        Event.objects.filter(subject_type="intake.supportrequest", subject_id=str(pk))
        .select_related("actor")
        .order_by("at", "pk")
    )
    team = list(workflow.assignable_users(support_request.dac_id))
    users = {user.pk: user.get_full_name() or user.email for user in team}
    pending_referrals = [
        r
        for r in responses
        if r.response_type == ResponseType.REFERRAL_OUT and r.referral_accepted is None
    ]
    context = {
        "support_request": support_request,
        "reasons": list(support_request.reasons.all()),
        "responses": responses,
        "contacts": contacts,
        "screening": screenings[0] if screenings else None,
        "screening_groups": grid.criteria_by_group(screenings[0].criteria) if screenings else [],
        "letters": [letter for letter in letters if letter.sent_at],
        "gp_state": services.gp_information_state(support_request, letters),
        "timeline": services.build_timeline(
            events, responses, contacts, screenings, letters, users
        ),
        "actions": {
            "take": workflow.can_transition(status, "take_in_analysis"),
            "assign": status in workflow.IN_TRIAGE,
            "screen": status in workflow.IN_TRIAGE and support_request.person_id is not None,
            "respond": workflow.can_answer(status),
            "agreement": status not in workflow.FINISHED,
            "close": workflow.can_transition(status, "close"),
        },
        "assign_form": AssignForm(
            users=workflow.assignable_users(support_request.dac_id),
            initial={"user": support_request.assigned_to_id},
        ),
        "team_size": len(team),
        "close_form": CloseForm(),
        "pending_referral": pending_referrals[-1]
        if pending_referrals and status == RequestStatus.REFERRED
        else None,
        "referral_form": ReferralDecisionForm(),
        "to_agree": support_request.person_agrees != Answer.YES,
        **_identification(request, support_request),
    }
    return render(request, "intake/request_detail.html", context)


def _requester_page(request, visible, pk):
    """What the professional who filed the request sees: status, dates, answers' summaries."""
    support_request = get_object_or_404(
        visible.only(
            "pk",
            "number",
            "status",
            "channel",
            "received_at",
            "first_answered_at",
            "closed_at",
            "urgency",
            "person_id",
            "dac_id",
        ),
        pk=pk,
    )
    answers = list(
        RequestResponse.objects.filter(request_id=support_request.pk)
        .only("pk", "request_id", "response_type", "given_at", "summary")
        .order_by("given_at", "pk")
    )
    return render(
        request,
        "intake/request_requester.html",
        {"support_request": support_request, "answers": answers},
    )


#: How the traits a requester gave are labelled on the page (the keys of `proposed_person`).
TRAIT_LABELS = {
    "birth_name": "Nom de naissance",
    "used_name": "Nom utilisé",
    "first_name": "Prénom",
    "first_names": "Prénoms",
    "sex": "Sexe",
    "birth_date": "Date de naissance",
    "birthplace_code": "Lieu de naissance (code Insee)",
    "commune_name": "Commune",
    "commune": "Commune (code Insee)",
    "address": "Adresse",
    "phone": "Téléphone",
    "email": "Adresse électronique",
}


def _birth_date(value):
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _traits(proposed: dict) -> list[tuple[str, str]]:
    """The traits given by the requester, in words."""
    traits = []
    ordered = [k for k in TRAIT_LABELS if k in proposed] + [
        k for k in proposed if k not in TRAIT_LABELS
    ]
    for key in ordered:
        value = proposed[key]
        if value in (None, "", []) or (key == "commune" and proposed.get("commune_name")):
            continue
        if key == "sex" and value in Sex.values:
            value = Sex(value).label
        elif key == "birth_date" and _birth_date(value):
            value = f"{_birth_date(value):%d/%m/%Y}"
        traits.append((TRAIT_LABELS.get(key, key.replace("_", " ")), str(value)))
    return traits


def _identification(request, support_request) -> dict:
    """For a request whose person is not identified yet (online form): the traits given by the
    requester, a link to create the person pre-filled, and the likely existing records."""
    if support_request.person_id is not None:
        return {"proposed_traits": [], "create_person_url": "", "candidates": []}
    proposed = support_request.proposed_person or {}
    create_url = ""
    if can(request.membership, "person", "create"):
        query = {k: v for k, v in proposed.items() if k in PREFILLABLE and v not in (None, "")}
        query["next"] = reverse("intake:request_attach_person", args=[support_request.pk])
        create_url = _person_url("persons:create", query=query)
    return {
        "proposed_traits": _traits(proposed),
        "create_person_url": create_url,
        "candidates": _candidates(request, support_request, proposed),
    }


def _candidates(request, support_request, proposed) -> list:
    """Existing persons who may be the one described (the persons app's duplicate finder)."""
    birth_date = _birth_date(proposed.get("birth_date", ""))
    if not (proposed.get("birth_name") and proposed.get("first_name") and birth_date):
        return []
    if not can(request.membership, "person", "view"):
        return []
    return find_candidates(
        support_request.dac_id,
        birth_name=proposed["birth_name"],
        used_name=proposed.get("used_name", ""),
        first_name=proposed["first_name"],
        birth_date=birth_date,
        sex=proposed.get("sex", ""),
        limit=5,
    )


# --- Transitions -----------------------------------------------------------------------------


@login_required
@require_POST
def request_take(request, pk):
    support_request = _staff_request(request, pk)
    try:
        workflow.take_in_analysis(request.membership, support_request)
    except ValidationError as error:
        return _refused(request, support_request, error)
    messages.success(request, "Demande prise en analyse.")
    return _back(support_request)


def _form_page(request, support_request, form, *, title, intro="", submit, template=None, **extra):
    return render(
        request,
        template or "intake/request_form.html",
        {
            "support_request": support_request,
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            **extra,
        },
    )


@login_required
@require_POST
def request_assign(request, pk):
    support_request = _staff_request(request, pk)
    form = AssignForm(request.POST, users=workflow.assignable_users(support_request.dac_id))
    if form.is_valid():
        try:
            workflow.assign(request.membership, support_request, form.cleaned_data["user"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            user = form.cleaned_data["user"]
            messages.success(request, f"Demande attribuée à {user.get_full_name() or user.email}.")
            return _back(support_request)
    return _form_page(
        request, support_request, form, title="Attribuer la demande", submit="Attribuer"
    )


@login_required
def request_screening(request, pk):
    support_request = _staff_request(request, pk)
    last = support_request.screenings.first()
    initial = {}
    if last is not None:
        initial = {
            "several_categories": last.several_categories,
            "justification": last.justification,
            **{
                group: [
                    c
                    for c in last.criteria
                    if grid.CRITERIA.get(c) and grid.CRITERIA[c].group == group
                ]
                for group in grid.GROUPS
            },
        }
    form = ScreeningForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            screening = grid.record_screening(
                request.membership,
                support_request,
                form.criteria(),
                form.cleaned_data["several_categories"],
                form.cleaned_data["justification"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                "Repérage enregistré. Niveau suggéré : "
                f"{screening.get_suggested_level_display().lower()}.",
            )
            return _back(support_request)
    return _form_page(
        request,
        support_request,
        form,
        title="Repérage de la complexité",
        intro="Cochez les critères présents. La grille suggère un niveau d'intensité ; la "
        "décision d'accompagner reste celle de l'équipe.",
        submit="Enregistrer le repérage",
        template="intake/request_screening.html",
    )


def _service_hits(support_request, q: str) -> list:
    if not q.strip():
        return []
    commune = support_request.person.commune if support_request.person_id else None
    params = SearchParams(q=q, commune=commune)
    return [explain(s, params) for s in search_services(params)[:SERVICE_HITS]]


@login_required
def request_respond(request, pk):
    support_request = _staff_request(request, pk, "person__commune")
    if not workflow.can_answer(support_request.status):
        messages.error(
            request,
            f"Une demande « {support_request.get_status_display().lower()} » ne reçoit plus de "
            "réponse.",
        )
        return _back(support_request)
    data = request.POST if request.method == "POST" else None
    searching = data is not None and "search" in data
    q = (data or request.GET).get("q", "")
    checked = [int(v) for v in (data.getlist("services") if data else []) if v.isdigit()]
    hits = _service_hits(support_request, q)
    service_ids = list(dict.fromkeys(checked + [hit.service.pk for hit in hits]))
    case_managers = workflow.case_managers(support_request.dac_id)
    last = support_request.screenings.first()
    person = support_request.person
    initial = {
        "level": last.suggested_level if last else support_request.level,
        "need_commune": person.commune.insee_code if person and person.commune_id else "",
        "q": q,
        # A case manager answering "gestion de cas" usually takes the situation herself.
        "case_manager": request.user.pk if request.membership.role == Role.CASE_MANAGER else None,
    }
    if searching:
        initial.update(
            {k: v for k, v in data.items() if k not in ("csrfmiddlewaretoken", "search")}
        )
        initial["services"] = checked
        form = ResponseForm(initial=initial, service_ids=service_ids, case_managers=case_managers)
    else:
        form = ResponseForm(
            data, initial=initial, service_ids=service_ids, case_managers=case_managers
        )
    form.fields["services"].notes = {
        hit.service.pk: "intervient dans la commune" if hit.covers else "hors zone"
        for hit in hits
        if hit.covers is not None
    }
    if data is not None and not searching and form.is_valid():
        cleaned = form.cleaned_data
        try:
            workflow.give_response(
                request.membership,
                support_request,
                cleaned["response_type"],
                cleaned["summary"],
                services=cleaned["services"],
                unmet_needs=form.unmet_needs(),
                referral_organisation=cleaned["referral_organisation"],
                level=cleaned["level"],
                case_manager=cleaned["case_manager"],
                given_at=_moment(cleaned["given_at"]),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                f"Réponse enregistrée : {ResponseType(cleaned['response_type']).label.lower()}.",
            )
            return _back(support_request)
    structures = sorted(
        {hit.service.organisation.name for hit in hits if hit.service.organisation_id}
    )
    return _form_page(
        request,
        support_request,
        form,
        title="Répondre à la demande",
        submit="Enregistrer la réponse",
        template="intake/request_respond.html",
        hits=hits,
        has_service_choices=bool(service_ids),
        searched=bool(q.strip()),
        structures=structures,
        screening=last,
    )


@login_required
def request_agreement(request, pk):
    support_request = _staff_request(request, pk)
    form = AgreementForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workflow.record_person_agreement(
                request.membership, support_request, data["answer"], data["on"], data["how"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Accord de la personne enregistré.")
            return _back(support_request)
    return _form_page(
        request,
        support_request,
        form,
        title="Accord de la personne",
        intro="La personne (ou son représentant légal) accepte-t-elle que le DAC intervienne ? "
        "Cet accord est souvent recueilli après la demande, par exemple à la visite à domicile.",
        submit="Enregistrer",
    )


@login_required
@require_POST
def request_referral_decision(request, pk, response_pk):
    support_request = _staff_request(request, pk)
    response = get_object_or_404(support_request.responses, pk=response_pk)
    form = ReferralDecisionForm(request.POST)
    if form.is_valid():
        accepted = form.cleaned_data["accepted"] == "yes"
        try:
            workflow.record_referral_decision(
                request.membership, response, accepted, form.cleaned_data["on"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                "Réorientation acceptée : la demande peut être clôturée."
                if accepted
                else "Réorientation refusée : la demande revient en analyse.",
            )
            return _back(support_request)
    return _form_page(
        request,
        support_request,
        form,
        title="Réorientation : réponse de la structure",
        submit="Enregistrer",
    )


@login_required
def request_close(request, pk):
    support_request = _staff_request(request, pk)
    form = CloseForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            workflow.close_request(request.membership, support_request, form.cleaned_data["note"])
        except ValidationError as error:
            return _refused(request, support_request, error)
        messages.success(request, "Demande clôturée.")
        return _back(support_request)
    return _form_page(
        request, support_request, form, title="Clôturer la demande", submit="Clôturer"
    )


# --- Person -----------------------------------------------------------------------------------


@login_required
def request_attach_person(request, pk):
    """Confirm, then attach, the person found or created for a request filed online."""
    support_request = _staff_request(request, pk)
    raw = request.POST.get("person") or request.GET.get("person", "")
    persons = scope(request.membership, "person", "view", Person.objects.current())
    person = get_object_or_404(persons, pk=int(raw)) if raw.isdigit() else None
    if support_request.person_id is not None:
        messages.info(request, "La personne concernée est déjà identifiée.")
        return _back(support_request)
    if person is None:
        messages.error(request, "Choisissez la personne à rattacher à la demande.")
        return _back(support_request)
    if request.method == "POST":
        try:
            workflow.attach_person(request.membership, support_request, person)
        except ValidationError as error:
            return _refused(request, support_request, error)
        messages.success(request, f"{person.display_name} est rattaché·e à la demande.")
        return _back(support_request)
    return render(
        request,
        "intake/request_attach_person.html",
        {
            "support_request": support_request,
            "person": person,
            "proposed": _traits(support_request.proposed_person or {}),
        },
    )


# --- Contacts ---------------------------------------------------------------------------------


@login_required
def request_contact(request, pk):
    support_request = _staff_request(request, pk)
    form = ContactForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            data = {**form.cleaned_data, "at": _moment(form.cleaned_data["at"])}
            services.log_contact(request.membership, request=support_request, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Contact ajouté au journal de la demande.")
            return _back(support_request)
    return _form_page(
        request,
        support_request,
        form,
        title="Ajouter un contact",
        intro="Un appel reçu ou passé, une visite, un message à propos de cette demande : avec "
        "qui, pourquoi, ce qui en sort.",
        submit="Ajouter le contact",
    )


# --- Information of the GP --------------------------------------------------------------------


@login_required
def request_gp_information(request, pk):
    """The message "Information au médecin traitant", printable, and the record of its sending."""
    support_request = _staff_request(request, pk, "person__gp", "assigned_to")
    letters = list(support_request.gp_informations.all())
    state = services.gp_information_state(support_request, letters)
    form = GpSendingForm(_data(request)) if state.can_send else None
    if request.method == "POST":
        if form is None:
            messages.error(request, state.message)
            return _back(support_request)
        if form.is_valid():
            try:
                services.record_gp_information(
                    request.membership,
                    support_request,
                    form.cleaned_data["channel"],
                    _moment(form.cleaned_data["sent_at"]),
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Envoi au médecin traitant enregistré.")
                return _back(support_request)
    body = services.gp_letter_body(support_request) if state.can_send else ""
    return render(
        request,
        "intake/request_gp_information.html",
        {"support_request": support_request, "state": state, "body": body, "form": form},
    )


@login_required
def request_gp_letter(request, pk, letter_pk):
    """A message as it was sent (printable)."""
    # The records the text speaks of are read too (the access log says who saw them).
    support_request = _staff_request(request, pk, "requester_professional", "assigned_to")
    letter = get_object_or_404(
        GpInformation.objects.select_related("gp", "sent_by"),
        pk=letter_pk,
        request=support_request,
    )
    list(
        Service.objects.filter(request_responses__request=support_request).select_related(
            "organisation", "professional"
        )
    )
    return render(
        request,
        "intake/request_gp_letter.html",
        {"support_request": support_request, "letter": letter},
    )
