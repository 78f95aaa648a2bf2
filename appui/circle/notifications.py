"""Notifications: a notice in the app, and an e-mail when the user wants it (the default).

No health detail ever leaves in an e-mail: the body names the kind of event and gives the link;
the page behind the link applies the reader's rights.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .enums import NotificationKind
from .models import Notification, NotificationPreference


def wants_email(user, kind: str) -> bool:
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        return True
    return kind in preference.email_kinds


def notify(users, kind: str, title: str, url: str, person_id: int | None = None) -> list:
    """Notify each user once (in the app; by e-mail after the commit, if they want it)."""
    seen, notifications = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notifications.append(
            Notification(user=user, kind=kind, title=title[:255], url=url, person_id=person_id)
        )
    Notification.objects.bulk_create(notifications)
    for notification in notifications:
        if wants_email(notification.user, kind):
            transaction.on_commit(lambda n=notification: _send_email(n))
    return notifications


def _send_email(notification: Notification) -> None:
    label = NotificationKind(notification.kind).label
    link = settings.APPUI_BASE_URL.rstrip("/") + notification.url
    send_mail(
        subject=f"[Appui] {label}",
        message=(
            f"Bonjour,\n\n{notification.title}.\n\nPour la consulter, connectez-vous à Appui :\n"
            f"{link}\n\nPar respect du secret professionnel, ce courriel ne contient aucune "
            "information sur la personne.\n\nAppui — ne pas répondre à ce message."
        ),
        from_email=None,
        recipient_list=[notification.user.email],
        fail_silently=True,
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


# --- The user's side: reading and preferences ----------------------------------------------------


def email_kinds(user) -> list[str]:
    """The kinds the user also receives by e-mail (all of them until they choose)."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return list(NotificationKind.values) if preference is None else list(preference.email_kinds)


def set_email_kinds(user, kinds) -> NotificationPreference:
    """Record which kinds of notification the user also wants by e-mail."""
    from appui.core.models import record_event

    kinds = [k for k in NotificationKind.values if k in set(kinds)]
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.update_or_create(
            user=user, defaults={"email_kinds": kinds}
        )
        record_event(preference, "notification_preferences_changed", email_kinds=kinds)
    return preference


def mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def open_notification(user, pk) -> Notification | None:
    """The user's notification, marked read (None if it is not theirs)."""
    notification = Notification.objects.filter(user=user, pk=pk).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def safe_url(url: str) -> str | None:
    """The notification's link if it is a path of this site (never another site)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return None
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=set()) else None
