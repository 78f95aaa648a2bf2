import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from appui.core.mixins import paginate
from appui.core.models import record_event
from appui.core.permissions import can, require, scope

from . import services
from .forms import (
    EndMembershipForm,
    InvitationForm,
    LoginForm,
    MembershipForm,
    NewPasswordForm,
    ResetForm,
    TokenForm,
)
from .middleware import SESSION_KEY
from .models import Membership, User


def organisations():
    # Organisations live in a higher layer: reached through the relation, never imported.
    return Membership._meta.get_field("organisation").related_model.objects.order_by("name")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = ResetForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
@require_POST
def switch_membership(request):
    wanted = request.POST.get("membership")
    membership = next((m for m in request.memberships if str(m.pk) == wanted), None)
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = membership.pk
    record_event(
        request.user, "membership_switched", membership_id=membership.pk, role=membership.role
    )
    messages.success(
        request,
        f"Vous agissez maintenant en tant que {membership.get_role_display()} — {membership.organisation}.",
    )
    return redirect("core:home")


@login_required
def profile(request):
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
    return render(request, "accounts/profile.html", {"has_device": devices.exists()})


def _safe_next(request, default="core:home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse_lazy(default)


@login_required
def second_factor(request):
    """Verify a TOTP code, or set up the authenticator app when the user has none yet."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    setup = device is None
    if setup:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=request.user, name="Application d'authentification", confirmed=False
            )
    form = TokenForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        if setup:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            record_event(request.user, "second_factor_enrolled")
        otp_login(request, device)
        messages.success(request, "Double authentification confirmée.")
        return redirect(_safe_next(request))
    context = {"form": form, "setup": setup, "next": _safe_next(request)}
    if setup:
        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
        buffer = BytesIO()
        image.save(buffer)
        context["qr_data_uri"] = (
            "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
        )
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/second_factor.html", context)


@login_required
def account_list(request):
    require(request.membership, "account", "list")
    queryset = scope(
        request.membership,
        "account",
        "list",
        User.objects.prefetch_related("memberships__organisation"),
    ).order_by("last_name", "first_name", "email")
    q = request.GET.get("q", "").strip()
    if q:
        queryset = queryset.filter(email__icontains=q) | queryset.filter(last_name__icontains=q)
    context = {"q": q, "can_create": can(request.membership, "account", "create")}
    return render(request, "accounts/account_list.html", {**context, **paginate(request, queryset)})


@login_required
def account_detail(request, pk):
    require(request.membership, "account", "view")
    queryset = scope(request.membership, "account", "view", User.objects.all())
    account = get_object_or_404(queryset, pk=pk)
    can_change = can(request.membership, "account", "change")
    form = (
        MembershipForm(request.POST or None, organisations=organisations()) if can_change else None
    )
    if request.method == "POST":
        require(request.membership, "account", "change")
        if form.is_valid():
            _, created = services.add_membership(request.membership, account, **form.cleaned_data)
            messages.success(
                request, "Rattachement ajouté." if created else "Ce rattachement existe déjà."
            )
            return redirect("accounts:detail", pk=account.pk)
    memberships = account.memberships.select_related("organisation").order_by(
        "-is_active", "organisation__name"
    )
    return render(
        request,
        "accounts/account_detail.html",
        {"account": account, "memberships": memberships, "form": form, "can_change": can_change},
    )


@login_required
def account_create(request):
    require(request.membership, "account", "create")
    form = InvitationForm(request.POST or None, organisations=organisations())
    if request.method == "POST" and form.is_valid():
        user = services.invite_user(request.membership, request=request, **form.cleaned_data)
        messages.success(
            request,
            f"Compte créé. Un lien pour choisir son mot de passe a été envoyé à {user.email}.",
        )
        return redirect("accounts:detail", pk=user.pk)
    return render(request, "accounts/account_form.html", {"form": form})


@login_required
def membership_end(request, pk, membership_pk):
    require(request.membership, "account", "change")
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"), pk=membership_pk, user_id=pk
    )
    form = EndMembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.end_membership(request.membership, membership, reason=form.cleaned_data["reason"])
        messages.success(request, "Rattachement terminé.")
        return redirect("accounts:detail", pk=pk)
    return render(request, "accounts/membership_end.html", {"form": form, "target": membership})
