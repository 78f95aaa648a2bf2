"""Attachments of the liaison notebook: recognised by their content, stored out of the web root,
served only to the members who may read the note."""

import hashlib
import io

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from appui.circle import notebook
from appui.circle.models import Attachment, LiaisonNote
from appui.core.enums import Role
from appui.core.models import AccessLog
from tests.circle.notebook_circle import benali_circle, private_media  # noqa: F401
from tests.factories import MembershipFactory, ObjectionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)


def image(fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "steelblue").save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def files(private_media):  # noqa: F811
    return private_media


@pytest.fixture
def circle():
    return benali_circle()


def upload(name, data, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type)


def refusal(files) -> str:
    with pytest.raises(ValidationError) as error:
        notebook.check_attachments(files)
    return " ".join(error.value.messages)


# --- Checked on their content --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "browser_type"),
    [
        ("compte-rendu.pdf", ELF, "application/pdf"),
        ("ordonnance.pdf", PE, "application/pdf"),
        ("photo.png", SVG, "image/png"),
        ("radio.jpg", b"just some text, not an image", "image/jpeg"),
        ("vide.pdf", b"", "application/pdf"),
    ],
)
def test_disguised_or_unknown_files_are_refused(name, data, browser_type):
    message = refusal([upload(name, data, browser_type)])
    assert f"« {name} »" in message
    assert "PDF" in message and "PNG, JPEG ou WebP" in message


def test_an_image_with_a_png_signature_but_broken_content_is_refused():
    message = refusal([upload("plaie.png", image("PNG")[:40] + b"\x00" * 50, "image/png")])
    assert "« plaie.png » n'est pas une image lisible" in message


def test_an_oversized_file_is_refused_with_the_limit(settings):
    settings.APPUI_ATTACHMENT_MAX_BYTES = 1024 * 1024
    message = refusal([upload("scanner.pdf", PDF + b"0" * (1024 * 1024 + 10))])
    assert "« scanner.pdf » est trop volumineux" in message
    assert "la taille maximale d'un fichier est de 1 Mo" in message


def test_default_size_limit_is_ten_megabytes():
    assert django_settings.APPUI_ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    assert notebook.file_size_label(django_settings.APPUI_ATTACHMENT_MAX_BYTES) == "10 Mo"


def test_at_most_five_files():
    message = refusal([upload(f"f{i}.pdf", PDF) for i in range(6)])
    assert "au plus 5 fichiers" in message and "6" in message


def test_every_refusal_is_given_at_once():
    message = refusal([upload("a.pdf", ELF), upload("b.png", SVG, "image/png")])
    assert "« a.pdf »" in message and "« b.png »" in message


def test_accepted_types_are_recognised_whatever_their_name():
    checked = notebook.check_attachments(
        [
            upload("scan", PDF, "application/octet-stream"),
            upload("photo.pdf", image("PNG"), "application/pdf"),
            upload("photo.jpeg", image("JPEG"), "image/jpeg"),
            upload("photo.webp", image("WEBP"), "image/webp"),
        ]
    )
    assert [c.content_type for c in checked] == [
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/webp",
    ]
    assert checked[0].sha256 == hashlib.sha256(PDF).hexdigest()


# --- Stored out of the web root ------------------------------------------------------------------


def test_files_are_stored_privately_under_a_random_name(circle, settings):
    note = notebook.write_note(
        circle.person,
        circle.nurse,
        text="Photo de la plaie.",
        category="medical",
        files=[upload("../../plaie Benali.png", image("PNG"), "image/png")],
    )
    attachment = note.attachments.get()
    assert attachment.original_name == "plaie Benali.png"
    assert attachment.content_type == "image/png" and attachment.size == len(image("PNG"))
    assert attachment.sha256 == hashlib.sha256(image("PNG")).hexdigest()
    path = attachment.file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT))
    assert "Benali" not in attachment.file.name and attachment.file.name.endswith(".png")


# --- Served only to those who may read the note --------------------------------------------------


@pytest.fixture
def medical_attachment(circle):
    note = notebook.write_note(
        circle.person,
        circle.nurse,
        text="Compte rendu d'hospitalisation.",
        category="medical",
        files=[upload("compte-rendu.pdf", PDF)],
    )
    return note.attachments.get()


def test_an_authorised_member_downloads_the_file(client, circle, medical_attachment):
    client.force_login(circle.gp.user)
    response = client.get(reverse("circle:attachment", args=[medical_attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "compte-rendu.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    logged = AccessLog.objects.filter(
        user=circle.gp.user, object_type="circle.attachment", object_id=str(medical_attachment.pk)
    ).get()
    assert logged.action == "read" and logged.person_id == circle.person.pk


def test_an_image_downloads_with_its_stored_type(client, circle):
    note = notebook.write_note(
        circle.person,
        circle.nurse,
        text="Photo.",
        category="medical",
        files=[upload("photo.pdf", image("PNG"), "application/pdf")],
    )
    client.force_login(circle.coordinator.user)
    response = client.get(reverse("circle:attachment", args=[note.attachments.get().pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == image("PNG")


def test_a_member_without_the_category_is_refused(client, circle, medical_attachment):
    url = reverse("circle:attachment", args=[medical_attachment.pk])
    for membership in (circle.physio, circle.social_worker):
        client.force_login(membership.user)
        assert client.get(url).status_code == 403


def test_an_excluded_member_is_refused(client, circle, medical_attachment):
    ObjectionFactory(person=circle.person, user=circle.gp.user, scope="exclude")
    client.force_login(circle.gp.user)
    assert client.get(reverse("circle:attachment", args=[medical_attachment.pk])).status_code == 403


def test_someone_outside_the_circle_finds_nothing(client, circle, medical_attachment):
    client.force_login(circle.outsider.user)
    assert client.get(reverse("circle:attachment", args=[medical_attachment.pk])).status_code == 404
    other_dac = MembershipFactory(role=Role.COORDINATOR)
    client.force_login(other_dac.user)
    assert client.get(reverse("circle:attachment", args=[medical_attachment.pk])).status_code == 404
    client.force_login(circle.gp.user)
    assert client.get(reverse("circle:attachment", args=[999999])).status_code == 404


def test_roles_without_any_right_on_the_notebook_are_refused(client, medical_attachment):
    pilot = MembershipFactory(role=Role.REGIONAL_PILOT)
    client.force_login(pilot.user)
    assert client.get(reverse("circle:attachment", args=[medical_attachment.pk])).status_code == 403


def test_anonymous_users_are_sent_to_login(client, medical_attachment):
    response = client.get(reverse("circle:attachment", args=[medical_attachment.pk]))
    assert (
        response.status_code == 302
        and "connexion" in response["Location"]
        or "login" in (response["Location"])
    )


def test_a_refused_download_reads_nothing_of_the_note(client, circle, medical_attachment):
    client.force_login(circle.physio.user)
    client.get(reverse("circle:attachment", args=[medical_attachment.pk]))
    assert not AccessLog.objects.filter(
        user=circle.physio.user, object_type__in=["circle.attachment", "circle.liaisonnote"]
    ).exists()
    assert LiaisonNote.objects.count() == 1 and Attachment.objects.count() == 1
