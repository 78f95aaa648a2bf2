"""View helpers: the only way views check permissions (they never filter rights by hand)."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator

from .permissions import can, scope


class PermissionMixin(LoginRequiredMixin):
    """Requires a login and the matrix cell `permission = (object, action)`."""

    permission: tuple[str, str] | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission is not None and not can(request.membership, *self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedQuerysetMixin(PermissionMixin):
    """Detail/list/edit views over protected objects: the queryset is narrowed by the matrix scope,
    so an object out of reach is a 404, never a leak."""

    def get_base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        obj, action = self.permission
        return scope(self.request.membership, obj, action, self.get_base_queryset())


def paginate(request, queryset, per_page=None):
    """Paginate and give the query string to keep the filters across pages."""
    paginator = Paginator(queryset, per_page or settings.APPUI_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    querystring = params.urlencode()
    return {
        "page_obj": page_obj,
        "object_list": page_obj.object_list,
        "querystring_without_page": f"{querystring}&" if querystring else "",
    }
