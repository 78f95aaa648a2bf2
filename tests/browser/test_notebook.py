"""The liaison notebook in the browser (S5): the liberal nurse writes a note with a file and
mentions the GP; the GP sees the bell's count, opens the notification, reads the note and
downloads the file; the coordinator sees who will not read each category."""

import pytest
from playwright.sync_api import expect

from appui.circle.models import LiaisonNote
from tests.browser.conftest import log_in, screenshot
from tests.circle.notebook_circle import benali_circle, private_media  # noqa: F401

PASSWORD = "Mot-de-passe-solide-1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


@pytest.mark.django_db(transaction=True)
def test_nurse_writes_gp_is_notified_and_downloads(page, private_media):  # noqa: F811
    circle = benali_circle()
    notebook_url = f"/personnes/{circle.person.pk}/cahier-de-liaison/"

    log_in(page, circle.nurse.user.email, PASSWORD)
    page.goto(notebook_url)
    expect(page.get_by_role("heading", name="Écrire une note")).to_be_visible()
    page.get_by_label("Catégorie").select_option("medical")
    page.get_by_label("Note", exact=True).fill(
        "Plaie du talon en voie de cicatrisation. Compte rendu du passage joint."
    )
    page.get_by_label("Hélène Morel (médecin traitant)").check(force=True)
    page.get_by_label("Pièces jointes").set_input_files(
        {"name": "compte-rendu.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Ajouter la note").click()
    expect(page.get_by_text("Note ajoutée au cahier de liaison.")).to_be_visible()
    expect(page.get_by_text("Plaie du talon en voie de cicatrisation")).to_be_visible()
    screenshot(page, "notebook-nurse")
    note = LiaisonNote.objects.get()
    assert note.attachments.count() == 1
    log_out(page)

    log_in(page, circle.gp.user.email, PASSWORD)
    page.goto("/")
    badge = page.locator("#notifications-non-lues")
    expect(badge).to_contain_text("1")
    page.locator("#mes-notifications").click()
    expect(page.get_by_role("heading", name="Mes notifications")).to_be_visible()
    screenshot(page, "notifications")
    page.get_by_role(
        "link", name="Vous êtes mentionné·e dans une note du cahier de liaison"
    ).click()
    article = page.locator(f"#note-{note.pk}")
    expect(article).to_contain_text("Plaie du talon")
    expect(article).to_contain_text("Non lue")
    expect(page.locator("#notifications-non-lues")).to_have_count(0)
    with page.expect_download() as download_info:
        article.get_by_role("link", name="compte-rendu.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "compte-rendu.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF
    page.goto("/notifications/preferences/")
    screenshot(page, "notification-preferences")
    log_out(page)

    log_in(page, circle.coordinator.user.email, PASSWORD)
    page.goto(notebook_url)
    expect(page.get_by_text("Qui ne verra pas la note")).to_be_visible()
    expect(page.get_by_text("(opposition de la personne)").first).to_be_visible()
    screenshot(page, "notebook-coordinator")
