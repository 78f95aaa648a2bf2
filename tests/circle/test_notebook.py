"""The liaison notebook: who reads which note, who may write what, mentions, notifications."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from appui.circle import notebook
from appui.circle.models import Attachment, LiaisonNote, LiaisonNoteRead, Notification
from appui.core.enums import Role
from appui.core.models import Event
from tests.circle.notebook_circle import benali_circle, private_media  # noqa: F401
from tests.factories import (
    AttachmentFactory,
    LiaisonNoteFactory,
    MembershipFactory,
    NotificationPreferenceFactory,
    ObjectionFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def files_and_mail(private_media, settings):  # noqa: F811
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def circle():
    return benali_circle()


def users(notifications):
    return {n.user_id for n in notifications}


def test_readers_follow_each_members_categories(circle):
    medical = {u.pk for u in notebook.readers(circle.person, "medical")}
    assert circle.gp.user_id in medical and circle.nurse.user_id in medical
    assert circle.coordinator.user_id in medical and circle.ssiad_nurse.user_id in medical
    # The APA evaluator (social worker) sees no medical data; the physiotherapist is limited by
    # the person's objection to the plan.
    assert circle.social_worker.user_id not in medical
    assert circle.physio.user_id not in medical
    assert circle.outsider.user_id not in medical
    social = {u.pk for u in notebook.readers(circle.person, "social")}
    assert circle.social_worker.user_id in social and circle.nurse.user_id not in social
    plan = {u.pk for u in notebook.readers(circle.person, "plan")}
    assert circle.physio.user_id in plan and circle.social_worker.user_id in plan


def test_audience_says_who_would_not_see_and_why(circle):
    audience = notebook.audience(circle.person)
    unseen = {r.user.pk: r for r in audience.unseen("medical", author_id=circle.nurse.user_id)}
    assert set(unseen) == {circle.physio.user_id, circle.social_worker.user_id}
    assert unseen[circle.physio.user_id].objection
    assert not unseen[circle.social_worker.user_id].objection
    assert any("épouse" in label for label in audience.without_account)


def test_the_nurse_writes_and_the_gp_is_notified(circle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = notebook.write_note(
            circle.person,
            circle.nurse,
            text="Plaie du talon en voie de cicatrisation, pansement tous les deux jours.",
            category="medical",
        )
    assert note.author == circle.nurse.user and "Infirmier" in note.author_label
    assert LiaisonNoteRead.objects.filter(note=note, user=circle.nurse.user).exists()
    notified = users(Notification.objects.filter(kind="liaison_note"))
    assert circle.gp.user_id in notified
    assert circle.coordinator.user_id in notified  # the référente of the open episode
    assert circle.nurse.user_id not in notified  # never the author
    assert circle.physio.user_id not in notified and circle.social_worker.user_id not in notified
    assert circle.outsider.user_id not in notified
    event = Event.objects.get(verb="liaison_note_written")
    assert event.data["category"] == "medical" and "Plaie" not in str(event.data)
    # E-mails: only the link, never the text nor the person's name.
    assert mail.outbox
    for message in mail.outbox:
        assert "Plaie" not in message.body and "cicatrisation" not in message.body
        assert "Benali" not in message.body and "Benali" not in message.subject
        assert reverse("circle:notebook", args=[circle.person.pk]) in message.body


def test_email_preference_is_respected(circle, django_capture_on_commit_callbacks):
    NotificationPreferenceFactory(user=circle.gp.user, email_kinds=["mention"])
    with django_capture_on_commit_callbacks(execute=True):
        notebook.write_note(circle.person, circle.nurse, text="Passage fait.", category="medical")
    assert Notification.objects.filter(user=circle.gp.user).exists()  # still in the app
    recipients = {address for m in mail.outbox for address in m.to}
    assert circle.gp.user.email not in recipients
    assert circle.coordinator.user.email in recipients


def test_mentions_are_notified_apart(circle):
    notebook.write_note(
        circle.person,
        circle.coordinator,
        text="Point à faire avec le médecin.",
        category="medical",
        mentions=[circle.gp.user],
    )
    assert Notification.objects.get(user=circle.gp.user).kind == "mention"
    assert Notification.objects.get(user=circle.nurse.user).kind == "liaison_note"


def test_mentioning_someone_who_could_not_read_is_refused_by_name(circle):
    with pytest.raises(ValidationError) as error:
        notebook.write_note(
            circle.person,
            circle.coordinator,
            text="Traitement modifié.",
            category="medical",
            mentions=[circle.physio.user, circle.gp.user],
        )
    message = " ".join(error.value.message_dict["mentions"])
    assert "Kiné" in message and "Médical" in message and "Morel" not in message
    assert not LiaisonNote.objects.exists() and not Notification.objects.exists()


def test_nobody_writes_in_a_category_they_cannot_read(circle):
    with pytest.raises(ValidationError) as error:
        notebook.write_note(circle.person, circle.social_worker, text="x", category="medical")
    assert "Médical" in error.value.message_dict["category"][0]
    with pytest.raises(ValidationError):
        notebook.write_note(circle.person, circle.physio, text="x", category="autonomy")
    note = notebook.write_note(
        circle.person, circle.physio, text="Exercices faits.", category="plan"
    )
    assert note.pk


def test_outsiders_cannot_write(circle):
    with pytest.raises(PermissionDenied):
        notebook.write_note(circle.person, circle.outsider, text="x", category="plan")
    excluded, _ = circle.nurse, None
    ObjectionFactory(person=circle.person, user=excluded.user, scope="exclude")
    with pytest.raises(PermissionDenied):
        notebook.write_note(circle.person, excluded, text="x", category="medical")


def test_nothing_is_saved_when_one_file_is_bad(circle, settings):
    files = [
        SimpleUploadedFile("ordonnance.pdf", PDF, "application/pdf"),
        SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00" * 200, "image/png"),
    ]
    with pytest.raises(ValidationError) as error:
        notebook.write_note(
            circle.person, circle.nurse, text="Voir pièces.", category="medical", files=files
        )
    assert "photo.png" in error.value.message_dict["files"][0]
    assert not LiaisonNote.objects.exists() and not Attachment.objects.exists()
    assert not Notification.objects.exists()
    folder = settings.PRIVATE_MEDIA_ROOT
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


def test_notes_for_filters_by_category_and_tracks_reading(circle):
    medical = LiaisonNoteFactory(person=circle.person, category="medical")
    social = LiaisonNoteFactory(person=circle.person, category="social")
    plan = LiaisonNoteFactory(person=circle.person, category="plan")
    assert set(notebook.notes_for(circle.person, circle.nurse)) == {medical, plan}
    assert set(notebook.notes_for(circle.person, circle.social_worker)) == {social, plan}
    assert set(notebook.notes_for(circle.person, circle.physio)) == {plan}
    assert set(notebook.notes_for(circle.person, circle.gp)) == {medical, social, plan}
    assert not list(notebook.notes_for(circle.person, circle.outsider))

    notes = list(notebook.notes_for(circle.person, circle.nurse))
    assert not any(n.is_read for n in notes)
    assert notebook.mark_read(notes, circle.nurse.user) == 2
    assert all(n.is_read for n in notebook.notes_for(circle.person, circle.nurse))
    assert (
        notebook.mark_read(list(notebook.notes_for(circle.person, circle.nurse)), circle.nurse.user)
        == 0
    )


# --- The page ------------------------------------------------------------------------------------


def test_notebook_page_shows_readable_notes_and_marks_them_read(
    client, circle, django_assert_max_num_queries
):
    LiaisonNoteFactory(person=circle.person, category="medical", text="Tension basse ce matin.")
    LiaisonNoteFactory(person=circle.person, category="social", text="Dossier APA déposé.")
    client.force_login(circle.nurse.user)
    url = reverse("circle:notebook", args=[circle.person.pk])
    with django_assert_max_num_queries(60):
        response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Tension basse" in content and "APA déposé" not in content
    assert "Non lue" in content
    assert LiaisonNoteRead.objects.filter(user=circle.nurse.user).count() == 1
    assert "Non lue" not in client.get(url).content.decode()


def test_notebook_page_query_count_does_not_grow_with_notes(client, circle):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    AttachmentFactory(note=LiaisonNoteFactory(person=circle.person, category="medical"))
    client.force_login(circle.coordinator.user)
    url = reverse("circle:notebook", args=[circle.person.pk])
    client.get(url)  # marks the first note read
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(15):
        note = LiaisonNoteFactory(person=circle.person, category="medical")
        AttachmentFactory(note=note)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    # Marking the new notes read adds one insert; nothing grows with the number of notes.
    assert len(many) <= len(few) + 1, "\n".join(q["sql"] for q in many.captured_queries)


def test_staff_see_who_will_not_read_each_category(client, circle):
    client.force_login(circle.coordinator.user)
    content = client.get(reverse("circle:notebook", args=[circle.person.pk])).content.decode()
    assert "Qui ne verra pas la note" in content
    assert "opposition de la personne" in content
    assert "Sans compte dans Appui" in content and "épouse" in content


def test_partner_does_not_get_the_staff_notice(client, circle):
    client.force_login(circle.nurse.user)
    content = client.get(reverse("circle:notebook", args=[circle.person.pk])).content.decode()
    assert "Qui ne verra pas la note" not in content


def test_writing_through_the_page(client, circle):
    client.force_login(circle.nurse.user)
    url = reverse("circle:notebook", args=[circle.person.pk])
    response = client.post(
        url,
        {
            "category": "medical",
            "text": "Glycémie à surveiller.",
            "mentions": [circle.gp.user_id],
            "files": [SimpleUploadedFile("bilan.pdf", PDF, "application/pdf")],
        },
    )
    assert response.status_code == 302
    note = LiaisonNote.objects.get()
    assert response["Location"].endswith(f"#note-{note.pk}")
    assert note.attachments.get().original_name == "bilan.pdf"
    assert list(note.mentions.all()) == [circle.gp.user]


def test_page_refusals_are_shown_next_to_the_field(client, circle):
    client.force_login(circle.coordinator.user)
    url = reverse("circle:notebook", args=[circle.person.pk])
    response = client.post(
        url,
        {"category": "medical", "text": "Point.", "mentions": [circle.social_worker.user_id]},
    )
    assert response.status_code == 200
    assert "ne pourrait pas lire une note « Médical »" in response.content.decode()
    assert not LiaisonNote.objects.exists()


def test_page_category_choices_are_those_the_user_reads(client, circle):
    client.force_login(circle.social_worker.user)
    content = client.get(reverse("circle:notebook", args=[circle.person.pk])).content.decode()
    assert 'value="social"' in content and 'value="medical"' not in content
    assert "Vous ne voyez pas les notes des catégories" in content


def test_page_access(client, circle):
    url = reverse("circle:notebook", args=[circle.person.pk])
    client.force_login(circle.outsider.user)
    assert client.get(url).status_code == 404
    ObjectionFactory(person=circle.person, user=circle.nurse.user, scope="exclude")
    client.force_login(circle.nurse.user)
    assert client.get(url).status_code == 403
    pilot = MembershipFactory(role=Role.REGIONAL_PILOT)
    client.force_login(pilot.user)
    assert client.get(url).status_code == 403
