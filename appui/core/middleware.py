from . import audit


def client_ip(request) -> str | None:
    # Behind the production reverse proxy the address comes from REMOTE_ADDR as set by the proxy
    # protocol; X-Forwarded-For is not trusted here on purpose (it is forgeable).
    return request.META.get("REMOTE_ADDR") or None


class AuditMiddleware:
    """Opens the audit context of each request and writes its pending reads when it ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        membership = getattr(request, "membership", None)
        authenticated = bool(user is not None and user.is_authenticated)
        context = audit.AuditContext(
            user_id=user.pk if authenticated else None,
            user_label=user.email if authenticated else "",
            user_name=str(user) if authenticated else "",
            role=membership.role if membership else "",
            organisation_id=membership.organisation_id if membership else None,
            path=request.get_full_path(),
            ip=client_ip(request),
        )
        request.audit = context
        token = audit.activate(context)
        try:
            return self.get_response(request)
        finally:
            audit.deactivate(token)
            audit.flush(context)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is not None and hasattr(request, "audit"):
            request.audit.view_name = match.view_name or ""
