"""The alerts: the DAC staff's list, the acknowledgement, the DAC's thresholds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from appui.core.enums import Role
from appui.core.mixins import paginate
from appui.core.permissions import can, require

from .. import alerts as service
from ..enums import AlertStatus
from ..forms.alerts import ALL, MINE, AcknowledgeForm, AlertFilterForm, CareSettingsForm
from ..forms.followup import add_errors
from ..models import CareSettings


def _require_staff(membership) -> None:
    require(membership, "care", "list")
    if not membership.is_dac_staff:
        raise PermissionDenied


@login_required
def alert_list(request):
    membership = request.membership
    _require_staff(membership)
    follows_episodes = membership.role in (Role.COORDINATOR, Role.CASE_MANAGER)
    form = AlertFilterForm(request.GET or None, default_whose=MINE if follows_episodes else ALL)
    filters = form.filters()
    queryset = service.find_alerts(
        membership, mine=filters["whose"] == MINE, kind=filters["kind"], status=filters["status"]
    )
    page = paginate(request, queryset)
    service.label(page["object_list"])
    return render(
        request,
        "care/alerts/alert_list.html",
        {
            "form": form,
            "filters": filters,
            "can_acknowledge": can(membership, "care", "change"),
            "can_change_settings": can(membership, "care_settings", "change"),
            "current_path": request.get_full_path(),
            **page,
        },
    )


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
def alert_acknowledge(request, pk):
    membership = request.membership
    require(membership, "care", "change")
    alert = get_object_or_404(
        service.alerts_in_reach(membership).select_related("episode__person"), pk=pk
    )
    back = _next_url(request, reverse("care:episode_detail", args=[alert.episode_id]))
    if alert.status != AlertStatus.OPEN:
        messages.info(request, "Cette alerte n'est plus à traiter.")
        return redirect(back)
    form = AcknowledgeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service.acknowledge_alert(membership, alert, form.cleaned_data["comment"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Alerte prise en compte.")
            return redirect(back)
    service.label([alert])
    return render(
        request,
        "care/alerts/acknowledge.html",
        {"alert": alert, "form": form, "back": back},
    )


@login_required
def care_settings(request):
    membership = request.membership
    require(membership, "care_settings", "change")
    current = CareSettings.for_dac(membership.organisation_id)
    form = CareSettingsForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            service.update_care_settings(
                membership, **{name: form.cleaned_data[name] for name in service.SETTINGS_FIELDS}
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, "Seuils enregistrés : ils s'appliquent au prochain calcul des alertes."
            )
            return redirect("care:care_settings")
    return render(
        request,
        "care/alerts/settings.html",
        {"form": form, "dac": membership.organisation},
    )


urlpatterns = [
    path("accompagnements/alertes/", alert_list, name="alert_list"),
    path(
        "accompagnements/alertes/<int:pk>/prise-en-compte/",
        alert_acknowledge,
        name="alert_acknowledge",
    ),
    path("accompagnements/reglages/", care_settings, name="care_settings"),
]
