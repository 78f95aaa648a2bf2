from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from appui.core.mixins import paginate
from appui.core.models import record_event
from appui.core.permissions import can, require, scope

from .forms import CommuneImportForm, DirectorySearchForm, ProfessionalForm
from .importers import import_communes
from .models import Commune, Organisation, PracticePlace, Professional


@login_required
def directory(request):
    """Répertoire: structures and professionals of the territory, searchable and paginated."""
    require(request.membership, "directory", "list")
    tab = "professionnels" if request.GET.get("onglet") == "professionnels" else "structures"
    if tab == "professionnels" and not can(request.membership, "professional", "list"):
        tab = "structures"
    form = DirectorySearchForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    q = data.get("q", "")
    if tab == "structures":
        queryset = Organisation.objects.select_related("commune")
        if q:
            queryset = queryset.filter(
                Q(name__icontains=q) | Q(commune__name__icontains=q) | Q(finess_et=q) | Q(siret=q)
            )
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        queryset = queryset.order_by("name", "pk")
    else:
        queryset = scope(request.membership, "professional", "list", Professional.objects.all())
        if q:
            queryset = queryset.filter(
                Q(last_name__icontains=q)
                | Q(first_name__icontains=q)
                | Q(rpps=q)
                | Q(practice_places__commune__name__icontains=q)
            ).distinct()
        if data.get("profession"):
            queryset = queryset.filter(profession=data["profession"])
        queryset = queryset.order_by("last_name", "first_name", "pk")
    context = {
        "form": form,
        "tab": tab,
        "can_list_professionals": can(request.membership, "professional", "list"),
        "can_create_professional": can(request.membership, "professional", "create"),
        **paginate(request, queryset),
    }
    return render(request, "territory/directory.html", context)


@login_required
def organisation_detail(request, pk):
    require(request.membership, "directory", "view")
    organisation = get_object_or_404(
        Organisation.objects.select_related("commune", "parent"), pk=pk
    )
    places = []
    if can(request.membership, "professional", "list"):
        places = (
            scope(
                request.membership,
                "professional",
                "list",
                Professional.objects.filter(practice_places__organisation=organisation),
            )
            .distinct()
            .order_by("last_name", "first_name")[:100]
        )
    territory = getattr(organisation, "territory", None) if organisation.is_dac else None
    communes = territory.communes.order_by("name") if territory else []
    return render(
        request,
        "territory/organisation_detail.html",
        {
            "organisation": organisation,
            "professionals": places,
            "territory": territory,
            "communes": communes,
            "can_add_service": can(request.membership, "directory", "create", organisation),
        },
    )


@login_required
def professional_detail(request, pk):
    require(request.membership, "professional", "view")
    professional = get_object_or_404(
        scope(request.membership, "professional", "view", Professional.objects.all()), pk=pk
    )
    places = PracticePlace.objects.filter(professional=professional).select_related(
        "organisation", "commune"
    )
    return render(
        request,
        "territory/professional_detail.html",
        {
            "professional": professional,
            "places": places,
            "warnings": professional.identifier_warnings(),
            "can_change": can(request.membership, "professional", "change", professional),
        },
    )


@login_required
def professional_edit(request, pk=None):
    if pk is None:
        require(request.membership, "professional", "create")
        professional = None
    else:
        require(request.membership, "professional", "change")
        professional = get_object_or_404(
            scope(request.membership, "professional", "change", Professional.objects.all()), pk=pk
        )
    form = ProfessionalForm(request.POST or None, instance=professional)
    if request.method == "POST" and form.is_valid():
        created = professional is None
        professional = form.save()
        record_event(professional, "created" if created else "updated", fields=form.changed_data)
        messages.success(request, "Fiche enregistrée.")
        for warning in professional.identifier_warnings():
            messages.warning(request, warning)
        return redirect("territory:professional_detail", pk=professional.pk)
    return render(
        request, "territory/professional_form.html", {"form": form, "professional": professional}
    )


@login_required
def commune_list(request):
    require(request.membership, "territory", "view")
    q = request.GET.get("q", "").strip()
    queryset = Commune.objects.all().order_by("name", "insee_code")
    if q:
        queryset = queryset.filter(
            Q(name__icontains=q) | Q(insee_code=q) | Q(postal_codes__contains=q)
        )
    can_import = can(request.membership, "territory", "import")
    form = CommuneImportForm() if can_import else None
    report = None
    if request.method == "POST":
        require(request.membership, "territory", "import")
        form = CommuneImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = import_communes(
                    form.cleaned_data["cog"].read(),
                    form.cleaned_data["geo"].read() if form.cleaned_data.get("geo") else None,
                )
            except ValidationError as exc:
                form.add_error("cog", exc)
            else:
                if report.ok:
                    messages.success(request, "Import terminé : " + report.summary() + ".")
                else:
                    messages.error(request, "Import refusé, aucune commune enregistrée.")
    return render(
        request,
        "territory/commune_list.html",
        {"q": q, "form": form, "report": report, **paginate(request, queryset, per_page=50)},
    )
