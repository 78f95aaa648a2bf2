from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "appui_membership_id"


class ActiveMembershipMiddleware:
    """Sets `request.membership`: the organisation and role the user acts as (chosen in the header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.memberships = []
        user = request.user
        if user.is_authenticated:
            memberships = list(
                user.memberships.filter(is_active=True)
                .select_related("organisation")
                .order_by("organisation__name", "role")
            )
            request.memberships = memberships
            chosen = request.session.get(SESSION_KEY)
            membership = next((m for m in memberships if m.pk == chosen), None)
            if membership is None and memberships:
                # Default: the user's oldest membership, their main role.
                membership = min(memberships, key=lambda m: m.pk)
            request.membership = membership
            user.active_membership = membership
        return self.get_response(request)


class SecondFactorMiddleware:
    """When `APPUI_REQUIRE_2FA` is on, DAC staff must confirm a TOTP code before anything else."""

    EXEMPT_PREFIXES = (
        "/static/",
        "/sante/",
        "/compte/double-authentification/",
        "/compte/deconnexion/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.APPUI_REQUIRE_2FA
            and request.user.is_authenticated
            and request.membership is not None
            and request.membership.is_dac_staff
            and not request.user.is_verified()
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:second_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
