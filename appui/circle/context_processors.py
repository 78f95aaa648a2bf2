from django.utils.functional import cached_property


class UnreadNotifications:
    """The count of the user's unread notifications, asked (one query) only when a page shows it."""

    def __init__(self, user_id):
        self.user_id = user_id

    @cached_property
    def count(self) -> int:
        from .models import Notification

        return Notification.objects.filter(user_id=self.user_id, read_at__isnull=True).count()


def notifications(request):
    """The bell of the header, for logged-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": UnreadNotifications(user.pk)}
