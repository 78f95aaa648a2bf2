from django.contrib.auth.backends import ModelBackend

from appui.core.permissions import can


class RoleBackend(ModelBackend):
    """E-mail login; `user.has_perm("object.action")` answers from the permissions matrix for the
    active membership, so templates and Django's own checks read the same single matrix."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username:
            username = username.strip().lower()
        return super().authenticate(request, username=username, password=password, **kwargs)

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        if "." in perm and not perm.startswith(("auth.", "admin.", "contenttypes.", "sessions.")):
            membership = getattr(user_obj, "active_membership", None)
            obj_code, action = perm.split(".", 1)
            return can(membership, obj_code, action, obj)
        return super().has_perm(user_obj, perm, obj)
