from django.contrib.auth.models import update_last_login

from appui.core import audit


def attribute_login(sender, request, user, **kwargs):
    context = audit.current()
    if context is not None:
        context.user_id, context.user_label, context.user_name = user.pk, user.email, str(user)
    update_last_login(sender, user, **kwargs)
