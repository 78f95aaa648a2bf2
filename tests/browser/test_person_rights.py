"""The person's rights in the browser: the director opens M. Benali's access log and downloads
the PDF for him; a coordinator outside his circle breaks the glass with a justification and sees
the record; the director reviews the emergency access."""

import pytest
from playwright.sync_api import expect

from appui.circle.models import EmergencyAccess
from appui.core.enums import AccessAction, Role
from appui.core.models import AccessLog
from tests.browser.conftest import SCREENSHOTS, log_in, screenshot
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory

PASSWORD = "Mot-de-passe-solide-1"


@pytest.mark.django_db(transaction=True)
def test_access_log_pdf_and_emergency_access(page):
    dac = OrganisationFactory(dac=True, name="DAC du Douaisis", phone="03 27 00 00 00")
    MembershipFactory(
        organisation=dac,
        role=Role.DIRECTOR,
        user__first_name="Claire",
        user__last_name="Vasseur",
        user__email="direction@dac.test",
    )
    MembershipFactory(
        organisation=dac,
        role=Role.COORDINATOR,
        user__first_name="Inès",
        user__last_name="Lambert",
        user__email="coordination@dac.test",
    )
    person = PersonFactory(dac=dac, birth_name="Benali", first_name="Ahmed", sex="M")

    # A coordinator outside the circle breaks the glass.
    log_in(page, "coordination@dac.test", PASSWORD)
    page.goto(f"/personnes/{person.pk}/acces-en-urgence/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accès en urgence")
    page.get_by_label("Justification de l'urgence").fill("Urgent")
    page.get_by_role("button", name="Ouvrir l'accès en urgence").click()
    expect(page.locator("main")).to_contain_text("20 caractères")
    page.get_by_label("Justification de l'urgence").fill(
        "Appel du SAMU : M. Benali a chuté, son épouse est injoignable."
    )
    screenshot(page, "droits-1-bris-de-glace")
    page.get_by_role("button", name="Ouvrir l'accès en urgence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("M. Ahmed BENALI")
    expect(page.get_by_role("status").first).to_contain_text("Accès en urgence ouvert jusqu'au")
    assert EmergencyAccess.objects.filter(person=person).count() == 1
    page.context.clear_cookies()

    # The director: the access log, its PDF, then the review.
    log_in(page, "direction@dac.test", PASSWORD)
    page.goto(f"/personnes/{person.pk}/")
    screenshot(page, "droits-0-fiche-personne")
    page.get_by_role("link", name="Qui a consulté ce dossier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Qui a consulté le dossier")
    main = page.locator("main")
    expect(main).to_contain_text("Inès Lambert")
    expect(main).to_contain_text("bris de glace")
    screenshot(page, "droits-2-journal-des-acces")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF pour la personne").click()
    assert download.value.suggested_filename.startswith("acces-au-dossier-benali")
    assert AccessLog.objects.filter(person_id=person.pk, action=AccessAction.EXPORT).exists()
    if SCREENSHOTS:
        download.value.save_as(f"{SCREENSHOTS}/droits-journal.pdf")

    # The data export: the page, then the ZIP.
    page.goto(f"/personnes/{person.pk}/")
    page.get_by_role("link", name="Exporter les données de la personne").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Exporter les données")
    screenshot(page, "droits-5-export")
    with page.expect_download() as export:
        page.get_by_role("button", name="Télécharger l'export").click()
    assert export.value.suggested_filename.endswith(".zip")
    if SCREENSHOTS:
        export.value.save_as(f"{SCREENSHOTS}/droits-export.zip")

    page.goto("/administration/")
    expect(page.locator("main")).to_contain_text("1 à examiner")
    page.get_by_role("link", name="Accès en urgence (bris de glace)").click()
    expect(page.locator("main")).to_contain_text("Appel du SAMU")
    screenshot(page, "droits-3-acces-en-urgence")
    page.get_by_label("Conclusion de l'examen").fill("Justifié : chute, prise en charge urgente.")
    page.get_by_role("button", name="Marquer comme examiné").click()
    expect(page.get_by_role("status").first).to_contain_text("Accès en urgence examiné")
    expect(page.locator("main")).to_contain_text("Examiné")
    screenshot(page, "droits-4-acces-examine")
