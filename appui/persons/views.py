from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from appui.core.mixins import paginate
from appui.core.models import Event
from appui.core.permissions import can, require, scope

from . import names, services
from .duplicates import Traits, comparison, find_candidates, find_candidates_for
from .enums import IdentityStatus
from .forms import (
    PREFILLABLE,
    CarerForm,
    IdentityForm,
    MergeForm,
    PersonFilterForm,
    PersonForm,
    UndoMergeForm,
    gp_label,
    person_label,
    physicians,
)
from .history import describe
from .models import Carer, IdentityCheck, Person, PersonMerge
from .panels import render_panels

HISTORY_LENGTH = 30
RELIABILITY = [
    IdentityStatus.PROVISIONAL,
    IdentityStatus.RETRIEVED,
    IdentityStatus.VALIDATED,
    IdentityStatus.QUALIFIED,
]


# --- Helpers -------------------------------------------------------------------------------------


def _person(request, pk, action="view", current=False):
    """The person if the membership may `action` it, else 404 (never a hint it exists)."""
    queryset = Person.objects.current() if current else Person.objects.all()
    return get_object_or_404(scope(request.membership, "person", action, queryset), pk=pk)


def _safe_next(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else ""


def _with_person(url: str, person_id: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "person"]
    query.append(("person", str(person_id)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _done(person, next_url):
    if next_url:
        return redirect(_with_person(next_url, person.pk))
    return redirect("persons:detail", pk=person.pk)


def _form_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


# --- List, detail --------------------------------------------------------------------------------


@login_required
def person_list(request):
    require(request.membership, "person", "list")
    form = PersonFilterForm(request.GET or None)
    queryset = scope(request.membership, "person", "list", Person.objects.current())
    if form.is_bound:
        queryset = form.filter(queryset)
    page = paginate(
        request, queryset.select_related("commune").order_by("birth_name", "first_name", "pk")
    )
    return render(
        request,
        "persons/person_list.html",
        {
            "form": form,
            "searched": form.is_bound and any(v for k, v in request.GET.items() if k != "page"),
            "can_create": can(request.membership, "person", "create"),
            **page,
        },
    )


@login_required
def person_detail(request, pk):
    require(request.membership, "person", "view")
    person = get_object_or_404(
        scope(
            request.membership,
            "person",
            "view",
            Person.objects.select_related("commune", "gp", "merged_into", "identity_changed_by"),
        ),
        pk=pk,
    )
    carers = list(person.carers.select_related("linked_person"))
    cared_for = list(
        Carer.objects.filter(
            linked_person=person,
            person__merged_into__isnull=True,
            # Only the persons the user may see (not those who excluded them).
            person__in=scope(request.membership, "person", "view", Person.objects.all()),
        )
        .select_related("person")
        .order_by("person__birth_name")
    )
    merges = list(
        PersonMerge.objects.filter(kept=person).select_related("merged", "by", "undone_by")
    )
    checks = list(person.identity_checks.select_related("by")[:5])
    history = list(
        Event.objects.filter(subject_type="persons.person", subject_id=str(person.pk))[
            :HISTORY_LENGTH
        ]
    )
    for event in history:
        event.details = describe(event)
    current = person.merged_into_id is None
    can_change = current and can(request.membership, "person", "change", person)
    return render(
        request,
        "persons/person_detail.html",
        {
            "person": person,
            "carers": carers,
            "cared_for": cared_for,
            "merges": merges,
            "checks": checks,
            "history": history,
            "can_change": can_change,
            "can_view_access_log": can(request.membership, "access_log", "list"),
            "can_export": can(request.membership, "person", "export", person),
            "can_merge": can_change and can(request.membership, "person", "merge", person),
            "needs_representative": person.is_minor
            and not any(c.is_legal_representative for c in carers),
            "panels": render_panels(request, person) if current else [],
        },
    )


# --- Create, edit --------------------------------------------------------------------------------


def _prefill(request) -> dict:
    return {name: request.GET[name][:150] for name in PREFILLABLE if request.GET.get(name)}


def _candidates(request, form):
    data = form.cleaned_data
    return find_candidates(
        request.membership.organisation_id,
        birth_name=data["birth_name"],
        used_name=data.get("used_name", ""),
        first_name=data["first_name"],
        first_names=data.get("first_names", ""),
        used_first_name=data.get("used_first_name", ""),
        birth_date=data["birth_date"],
        sex=data["sex"],
        birthplace_code=data.get("birthplace_code", ""),
        nir=data.get("nir", ""),
    )


@login_required
def person_create(request):
    require(request.membership, "person", "create")
    next_url = _safe_next(request)
    form = PersonForm(request.POST or None, initial=_prefill(request))
    if request.method == "POST" and form.is_valid() and not request.POST.get("edit_entry"):
        candidates = _candidates(request, form)
        chosen = request.POST.get("use_existing", "")
        existing = next((c.person for c in candidates if str(c.person.pk) == chosen), None)
        if existing is not None:
            services.record_found_on_entry(request.membership, existing, candidates)
            messages.success(
                request, f"Dossier existant retenu : {existing.display_name}. Aucun doublon créé."
            )
            return _done(existing, next_url)
        confirmation_missing = bool(request.POST.get("create_anyway")) and not request.POST.get(
            "confirm_distinct"
        )
        if candidates and (not request.POST.get("create_anyway") or confirmation_missing):
            entered = Traits(
                **{f: form.cleaned_data.get(f, "") for f in Traits.__dataclass_fields__}
            )
            for candidate in candidates:
                candidate.rows = comparison(entered, candidate.person)
            return render(
                request,
                "persons/person_duplicates_on_entry.html",
                {
                    "form": form,
                    "candidates": candidates,
                    "next_url": next_url,
                    "confirmation_missing": confirmation_missing,
                },
            )
        person = services.create_person(request.membership, form, dismissed=candidates)
        messages.success(request, f"Dossier créé : {person.display_name} (identité provisoire).")
        return _done(person, next_url)
    return render(
        request, "persons/person_form.html", {"form": form, "next_url": next_url, "person": None}
    )


@login_required
def person_edit(request, pk):
    require(request.membership, "person", "change")
    person = _person(request, pk, "change", current=True)
    form = PersonForm(request.POST or None, instance=person)
    previous_status = person.identity_status
    if request.method == "POST" and form.is_valid():
        person = services.update_person(request.membership, form)
        if person.identity_status != previous_status:
            messages.warning(
                request,
                f"Traits d'identité modifiés : l'identité passe au statut "
                f"« {person.get_identity_status_display()} ». Refaites la vérification.",
            )
        messages.success(request, "Dossier enregistré.")
        return redirect("persons:detail", pk=person.pk)
    return render(
        request, "persons/person_form.html", {"form": form, "person": person, "next_url": ""}
    )


@login_required
@require_GET
def gp_options(request):
    """Suggestions for the médecin traitant field (htmx fills a `<datalist>`)."""
    require(request.membership, "professional", "list")
    words = [w for w in request.GET.get("gp", "").replace(",", " ").split() if len(w) > 1]
    words = [w for w in words if w.lower() not in {"dr", "pr"}]
    found = []
    if words:
        queryset = physicians()
        for word in words[:3]:
            if word.isdigit():
                queryset = queryset.filter(rpps__startswith=word)
            else:
                queryset = queryset.filter(
                    Q(last_name__icontains=word) | Q(first_name__icontains=word)
                )
        found = list(queryset.order_by("last_name", "first_name")[:12])
    return render(request, "persons/_options.html", {"options": [gp_label(p) for p in found]})


@login_required
@require_GET
def person_options(request):
    """Suggestions for a field designating another person of the DAC (a carer also followed)."""
    require(request.membership, "person", "list")
    return person_suggestions(request, request.GET.get("linked_person", ""))


def person_suggestions(request, text: str):
    """The persons the user may list whose name starts like `text` (a typed label "NOM, Prénom —
    né·e le…" is cut to its name), as options of a suggestion field."""
    key = names.name_key(text.split("—")[0].split(",")[0])
    found = []
    if len(key) > 1:
        queryset = scope(request.membership, "person", "list", Person.objects.current()).filter(
            Q(birth_name_key__startswith=key) | Q(used_name_key__startswith=key)
        )
        found = list(queryset.order_by("birth_name", "first_name")[:12])
    return render(request, "persons/_options.html", {"options": [person_label(p) for p in found]})


# --- Identity ------------------------------------------------------------------------------------


@login_required
def identity(request, pk):
    require(request.membership, "person", "change")
    person = _person(request, pk, "change", current=True)
    initial = {
        "status": person.identity_status,
        "doubtful": person.identity_doubtful,
        "fictitious": person.identity_fictitious,
    }
    form = IdentityForm(request.POST or None, person=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            check, notice = services.set_identity_status(
                request.membership, person, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if notice:
                messages.warning(request, notice)
            messages.success(request, f"Statut enregistré : {check.get_status_display()}.")
            return redirect("persons:detail", pk=person.pk)
    checks = IdentityCheck.objects.filter(person=person).select_related("by")
    return render(
        request,
        "persons/identity.html",
        {"person": person, "form": form, "checks": checks},
    )


# --- Carers --------------------------------------------------------------------------------------


@login_required
def carer_edit(request, pk, carer_pk=None):
    require(request.membership, "person", "change")
    person = _person(request, pk, "change", current=True)
    carer = get_object_or_404(person.carers, pk=carer_pk) if carer_pk else None
    form = CarerForm(request.POST or None, instance=carer, person=person)
    if request.method == "POST" and form.is_valid():
        carer = services.save_carer(request.membership, person, form)
        messages.success(request, f"{carer} : enregistré·e.")
        return redirect("persons:detail", pk=person.pk)
    return render(
        request, "persons/carer_form.html", {"person": person, "form": form, "carer": carer}
    )


@login_required
@require_POST
def carer_archive(request, pk, carer_pk):
    require(request.membership, "person", "change")
    person = _person(request, pk, "change", current=True)
    carer = get_object_or_404(person.carers, pk=carer_pk)
    services.archive_carer(request.membership, carer)
    messages.success(request, f"{carer} ne figure plus parmi les proches (fiche archivée).")
    return redirect("persons:detail", pk=person.pk)


# --- Duplicates and merges -----------------------------------------------------------------------


@login_required
def duplicates(request, pk):
    require(request.membership, "person", "change")
    person = _person(request, pk, "change", current=True)
    candidates = find_candidates_for(person)
    for candidate in candidates:
        candidate.rows = comparison(person, candidate.person)
    return render(
        request,
        "persons/duplicates.html",
        {
            "person": person,
            "candidates": candidates,
            "can_merge": can(request.membership, "person", "merge", person),
        },
    )


@login_required
@require_POST
def not_duplicate(request, pk, other_pk):
    require(request.membership, "person", "change")
    person = _person(request, pk, "change", current=True)
    other = _person(request, other_pk, "change", current=True)
    try:
        services.declare_not_duplicate(request.membership, person, other)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Noté : {other.display_name} (dossier n° {other.pk}) est une autre personne. Cette "
            "paire ne sera plus proposée.",
        )
    return redirect("persons:duplicates", pk=person.pk)


@login_required
def merge(request, pk, other_pk):
    require(request.membership, "person", "merge")
    first = _person(request, pk, "merge", current=True)
    second = _person(request, other_pk, "merge", current=True)
    if first.pk == second.pk:
        messages.error(request, "Choisissez deux dossiers différents.")
        return redirect("persons:duplicates", pk=first.pk)
    # Suggest keeping the better-checked identity, then the older record.
    suggested = min((first, second), key=lambda p: (-RELIABILITY.index(p.identity_status), p.pk))
    form = MergeForm(
        request.POST or None, first=first, second=second, initial={"kept": suggested.pk}
    )
    if request.method == "POST" and form.is_valid():
        kept, merged = (
            (first, second) if form.cleaned_data["kept"] == str(first.pk) else (second, first)
        )
        try:
            services.merge_persons(request.membership, kept, merged, form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                f"Dossier n° {merged.pk} fusionné dans le dossier n° {kept.pk}. La fusion peut "
                "être annulée depuis ce dossier.",
            )
            return redirect("persons:detail", pk=kept.pk)
    return render(
        request,
        "persons/merge.html",
        {
            "first": first,
            "second": second,
            "rows": comparison(first, second),
            "form": form,
            "first_carers": first.carers.count(),
            "second_carers": second.carers.count(),
        },
    )


@login_required
def merge_undo(request, pk, merge_pk):
    require(request.membership, "person", "merge")
    person = _person(request, pk, "merge", current=True)
    merge_ = get_object_or_404(
        PersonMerge.objects.select_related("merged", "by"), pk=merge_pk, kept=person
    )
    form = UndoMergeForm(request.POST or None)
    if merge_.undone_at:
        messages.info(request, "Cette fusion est déjà annulée.")
        return redirect("persons:detail", pk=person.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.undo_merge(request.membership, merge_, form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                f"Fusion annulée : le dossier n° {merge_.merged_id} est de nouveau distinct, avec "
                "ce qui lui appartenait.",
            )
            return redirect("persons:detail", pk=person.pk)
    moved_count = sum(len(ids) for ids in merge_.moved.values())
    return render(
        request,
        "persons/merge_undo.html",
        {"person": person, "merge": merge_, "form": form, "moved_count": moved_count},
    )
