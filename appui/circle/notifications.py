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
