import json
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from appui.core.mixins import paginate
from appui.core.models import Event
from appui.core.permissions import can, require, scope
from appui.territory.models import Organisation

from . import services
from .exports import export_csv, export_data_inclusion
from .forms import ImportForm, ServiceForm, ServiceSearchForm, UnmetNeedFilterForm, UnmetNeedForm
from .importers import run_import
from .models import ImportRun, Service, UnmetNeed
from .search import RankedResults, explain, guess_theme, search_services


def _filtered(request, form):
    """The services a search form narrows to before ranking (upkeep, "mine", one structure)."""
    queryset = Service.objects.all()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if data.get("to_verify"):
        limit = timezone.now() - timedelta(days=settings.APPUI_DIRECTORY_VERIFY_DAYS)
        queryset = queryset.filter(Q(verified_at__isnull=True) | Q(verified_at__lt=limit))
    if data.get("mine"):
        queryset = scope(request.membership, "directory", "change", queryset)
    structure = request.GET.get("structure", "")
    if structure.isdigit():
        queryset = queryset.filter(organisation_id=int(structure))
    return queryset


@login_required
def search(request):
    require(request.membership, "directory", "list")
    form = ServiceSearchForm(request.GET or None)
    params = form.params()
    searched = bool(form.is_bound and any(v for k, v in request.GET.items() if k != "page"))
    results = RankedResults(params, _filtered(request, form))
    page = paginate(request, results)
    hits = [explain(service, params) for service in page["object_list"]]
    unmet_need_url = ""
    if searched and can(request.membership, "unmet_need", "create"):
        prefill = {
            "theme": params.theme or guess_theme(params.q),
            "commune": params.commune.insee_code if params.commune else "",
            "public": params.public,
            "q": params.q,
        }
        unmet_need_url = "?" + urlencode({k: v for k, v in prefill.items() if v})
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "params": params,
            "hits": hits,
            "searched": searched,
            "unmet_need_url": unmet_need_url,
            "can_import": can(request.membership, "directory", "import"),
            "can_list_unmet_needs": can(request.membership, "unmet_need", "list"),
            "can_list_professionals": can(request.membership, "professional", "list"),
            "export_query": request.GET.urlencode(),
            "capped": results.capped,
            **page,
        },
    )


@login_required
def service_detail(request, pk):
    require(request.membership, "directory", "view")
    service = get_object_or_404(
        Service.objects.select_related("organisation", "professional", "commune", "verified_by"),
        pk=pk,
    )
    history = Event.objects.filter(subject_type="directory.service", subject_id=str(pk))[:20]
    return render(
        request,
        "directory/service_detail.html",
        {
            "service": service,
            "history": history,
            "zone_labels": services.zone_labels(service),
            "can_change": can(request.membership, "directory", "change", service),
            "can_view_professional": can(request.membership, "professional", "view"),
        },
    )


def _service_form_page(request, form, service=None, organisation=None):
    return render(
        request,
        "directory/service_form.html",
        {"form": form, "service": service, "organisation": organisation},
    )


@login_required
def service_create(request, organisation_pk):
    require(request.membership, "directory", "create")
    organisation = get_object_or_404(
        scope(request.membership, "directory", "create", Organisation.objects.all()),
        pk=organisation_pk,
    )
    form = ServiceForm(
        request.POST or None,
        instance=Service(organisation=organisation),
        initial={
            "sector": organisation.sector,
            "address": organisation.address,
            "postal_code": organisation.postal_code,
            "commune": organisation.commune.insee_code if organisation.commune_id else "",
            "phone": organisation.phone,
            "email": organisation.email,
            "zone_codes": organisation.commune.insee_code if organisation.commune_id else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        service = services.save_service(request.membership, form)
        messages.success(request, "Service ajouté au répertoire.")
        return redirect("directory:service_detail", pk=service.pk)
    return _service_form_page(request, form, organisation=organisation)


@login_required
def service_edit(request, pk):
    require(request.membership, "directory", "change")
    service = get_object_or_404(
        scope(request.membership, "directory", "change", Service.objects.all()), pk=pk
    )
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        services.save_service(request.membership, form)
        messages.success(request, "Service enregistré.")
        return redirect("directory:service_detail", pk=service.pk)
    return _service_form_page(request, form, service=service)


@login_required
@require_POST
def service_verify(request, pk):
    service = get_object_or_404(
        scope(request.membership, "directory", "change", Service.objects.all()), pk=pk
    )
    services.mark_verified(request.membership, service)
    messages.success(request, "Service marqué comme vérifié aujourd'hui.")
    return redirect("directory:service_detail", pk=pk)


@login_required
@require_POST
def service_archive(request, pk):
    service = get_object_or_404(
        scope(request.membership, "directory", "change", Service.objects.all()), pk=pk
    )
    services.archive_service(request.membership, service)
    messages.success(
        request, f"« {service.name} » est archivé : il n'apparaît plus dans les recherches."
    )
    return redirect("directory:search")


@login_required
def export(request, fmt):
    require(request.membership, "directory", "list")
    form = ServiceSearchForm(request.GET or None)
    queryset = search_services(form.params(), _filtered(request, form))
    stamp = date.today().isoformat()
    if fmt == "csv":
        response = StreamingHttpResponse(
            export_csv(queryset), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="repertoire-{stamp}.csv"'
        return response
    payload = json.dumps(export_data_inclusion(queryset), ensure_ascii=False, indent=2)
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="repertoire-{stamp}.json"'
    return response


@login_required
def unmet_needs(request):
    require(request.membership, "unmet_need", "list")
    today = timezone.localdate()
    form = UnmetNeedFilterForm(request.GET or {"start": date(today.year, 1, 1), "end": today})
    queryset = scope(request.membership, "unmet_need", "list", UnmetNeed.objects.all())
    if form.is_valid():
        data = form.cleaned_data
        if data.get("start"):
            queryset = queryset.filter(noted_on__gte=data["start"])
        if data.get("end"):
            queryset = queryset.filter(noted_on__lte=data["end"])
        if data.get("theme"):
            queryset = queryset.filter(theme=data["theme"])
    else:
        queryset = queryset.none()
    summary = services.unmet_needs_summary(queryset)
    page = paginate(request, queryset.select_related("commune", "created_by"))
    return render(
        request,
        "directory/unmet_needs.html",
        {
            "form": form,
            "summary": summary,
            "can_create": can(request.membership, "unmet_need", "create"),
            **page,
        },
    )


@login_required
def unmet_need_create(request):
    require(request.membership, "unmet_need", "create")
    initial = {
        "theme": request.GET.get("theme", ""),
        "commune": request.GET.get("commune", ""),
        "public": request.GET.get("public", ""),
        "search_query": request.GET.get("q", "")[:300],
        "noted_on": timezone.localdate(),
    }
    form = UnmetNeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        need = services.record_unmet_need(request.membership, form)
        messages.success(
            request,
            f"Besoin non couvert enregistré : {need.theme_label} à {need.commune.name}.",
        )
        return redirect("directory:unmet_needs")
    return render(request, "directory/unmet_need_form.html", {"form": form})


@login_required
def imports(request):
    require(request.membership, "directory", "import")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = run_import(
            form.cleaned_data["format"],
            upload.read(),
            filename=upload.name,
            skip_invalid=form.cleaned_data["skip_invalid"],
            user=request.user,
        )
        if report.applied:
            messages.success(request, "Import terminé : " + report.summary() + ".")
        else:
            messages.error(request, "Import refusé : " + report.summary() + ".")
    page = paginate(request, ImportRun.objects.select_related("by"), per_page=10)
    return render(request, "directory/imports.html", {"form": form, "report": report, **page})
