"""Notifications: the bell of the header, the list, opening one, the e-mail preferences."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appui.circle import notifications as notices
from appui.circle.models import Notification, NotificationPreference
from appui.core.enums import Role
from appui.core.models import Event
from tests.factories import (
    MembershipFactory,
    NotificationFactory,
    NotificationPreferenceFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    membership = MembershipFactory(role=Role.COORDINATOR)
    client.force_login(membership.user)
    return membership


def test_the_bell_counts_unread_notifications_in_one_query(client, staff):
    NotificationFactory.create_batch(3, user=staff.user)
    NotificationFactory(user=staff.user, read_at=timezone.now())
    NotificationFactory()  # someone else's
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accounts:profile"))
    content = response.content.decode()
    assert 'id="notifications-non-lues">3<' in content
    assert "Mes notifications" in content
    counts = [q for q in queries.captured_queries if "circle_notification" in q["sql"]]
    assert len(counts) == 1


def test_no_badge_without_unread_and_no_bell_for_anonymous(client, staff):
    content = client.get(reverse("accounts:profile")).content.decode()
    assert "Mes notifications" in content and "notifications-non-lues" not in content
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        content = client.get(reverse("accounts:login")).content.decode()
    assert "Mes notifications" not in content
    assert not [q for q in queries.captured_queries if "circle_notification" in q["sql"]]


def test_list_puts_unread_first_and_highlights_them(client, staff, django_assert_max_num_queries):
    old_unread = NotificationFactory(
        user=staff.user,
        title="Ancienne non lue",
        created_at=timezone.now() - datetime.timedelta(days=3),
    )
    NotificationFactory(user=staff.user, title="Récente lue", read_at=timezone.now())
    NotificationFactory(user=staff.user, title="Récente non lue")
    NotificationFactory(title="Celle d'un autre")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("circle:notifications"))
    content = response.content.decode()
    assert content.index("Récente non lue") < content.index("Ancienne non lue")
    assert content.index("Ancienne non lue") < content.index("Récente lue")
    assert "Celle d'un autre" not in content
    assert content.count("appui-note--unread") == 2
    assert "Tout marquer comme lu" in content
    assert reverse("circle:notification_open", args=[old_unread.pk]) in content


def test_list_query_count_does_not_grow(client, staff):
    person = PersonFactory(dac=staff.organisation)
    NotificationFactory(user=staff.user, person_id=person.pk)
    client.get(reverse("circle:notifications"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("circle:notifications"))
    for _ in range(20):
        NotificationFactory(user=staff.user, person_id=PersonFactory(dac=staff.organisation).pk)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("circle:notifications"))
    assert len(many) <= len(few)


def test_list_names_the_person_only_when_the_user_still_sees_them(client, staff):
    mine = PersonFactory(dac=staff.organisation, birth_name="Benali", first_name="Ahmed")
    elsewhere = PersonFactory(birth_name="Ailleurs")
    NotificationFactory(user=staff.user, person_id=mine.pk)
    NotificationFactory(user=staff.user, person_id=elsewhere.pk)
    content = client.get(reverse("circle:notifications")).content.decode()
    assert "BENALI" in content and "AILLEURS" not in content


def test_opening_marks_read_and_follows_the_link(client, staff):
    notification = NotificationFactory(
        user=staff.user, url="/personnes/12/cahier-de-liaison/#note-3"
    )
    response = client.get(reverse("circle:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/personnes/12/cahier-de-liaison/#note-3"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url", ["https://ailleurs.example/piege", "//ailleurs.example/", "/\\ailleurs.example", ""]
)
def test_opening_never_leaves_the_site(client, staff, url):
    notification = NotificationFactory(user=staff.user, url=url)
    response = client.get(reverse("circle:notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("circle:notifications")


def test_opening_someone_elses_notification_changes_nothing(client, staff):
    other = NotificationFactory(url="/personnes/1/")
    response = client.get(reverse("circle:notification_open", args=[other.pk]))
    assert response["Location"] == reverse("circle:notifications")
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read(client, staff):
    NotificationFactory.create_batch(2, user=staff.user)
    other = NotificationFactory()
    assert client.get(reverse("circle:notifications_read_all")).status_code == 405
    response = client.post(reverse("circle:notifications_read_all"), follow=True)
    assert "2 notifications marquées comme lues" in response.content.decode()
    assert not Notification.objects.filter(user=staff.user, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_preferences_default_to_every_kind_by_email(client, staff):
    response = client.get(reverse("circle:notification_preferences"))
    content = response.content.decode()
    assert content.count("checked") == len(notices.NotificationKind.values)
    assert "Mention dans une note" in content
    assert notices.wants_email(staff.user, "liaison_note")


def test_saving_preferences(client, staff):
    response = client.post(
        reverse("circle:notification_preferences"), {"email_kinds": ["mention"]}, follow=True
    )
    assert "préférences de notification sont enregistrées" in response.content.decode()
    assert NotificationPreference.objects.get(user=staff.user).email_kinds == ["mention"]
    assert notices.wants_email(staff.user, "mention")
    assert not notices.wants_email(staff.user, "liaison_note")
    assert Event.objects.filter(verb="notification_preferences_changed").exists()
    client.post(reverse("circle:notification_preferences"), {})
    assert NotificationPreference.objects.get(user=staff.user).email_kinds == []


def test_notify_sends_only_the_kind_and_the_link(staff, django_capture_on_commit_callbacks):
    NotificationPreferenceFactory(user=MembershipFactory().user, email_kinds=[])
    with django_capture_on_commit_callbacks(execute=True):
        notices.notify(
            [staff.user],
            "liaison_note",
            "Nouvelle note dans le cahier de liaison d'une personne que vous accompagnez",
            "/personnes/7/cahier-de-liaison/#note-1",
            person_id=7,
        )
    (message,) = mail.outbox
    assert message.to == [staff.user.email]
    assert message.subject == "[Appui] Nouvelle note du cahier de liaison"
    assert "http://127.0.0.1:8000/personnes/7/cahier-de-liaison/#note-1" in message.body
    assert "ne contient aucune information sur la personne" in message.body
    assert Notification.objects.get(user=staff.user).emailed_at is not None


def test_no_email_for_a_kind_the_user_turned_off(staff, django_capture_on_commit_callbacks):
    NotificationPreferenceFactory(user=staff.user, email_kinds=["mention"])
    with django_capture_on_commit_callbacks(execute=True):
        notices.notify([staff.user], "liaison_note", "Nouvelle note", "/")
    assert not mail.outbox
    assert Notification.objects.filter(user=staff.user).exists()
