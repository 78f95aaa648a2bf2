from django.conf import settings

from .navigation import navigation_for


def shell(request):
    membership = getattr(request, "membership", None)
    return {
        # Error pages may be rendered for requests that skipped the CSP middleware.
        "csp_nonce": getattr(request, "csp_nonce", ""),
        "site_title": settings.APPUI_SITE_TITLE,
        "site_tagline": settings.APPUI_SITE_TAGLINE,
        "app_version": settings.VERSION,
        "membership": membership,
        "user_memberships": getattr(request, "memberships", []),
        "navigation": navigation_for(request),
    }
