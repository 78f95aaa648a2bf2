"""S1 at the front desk: find meal delivery and personal alarm services for Rieulay in the demo
directory; none covers the alarm, so an unmet need is recorded in one click."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from appui.directory.models import UnmetNeed
from appui.territory.demo import DEMO_PASSWORD, DOMAIN
from tests.browser.conftest import log_in, screenshot


@pytest.mark.django_db(transaction=True)
def test_s1_search_then_record_the_unmet_need(page):
    call_command("seed_demo", stdout=StringIO())
    log_in(page, f"accueil@{DOMAIN}", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Répertoire"
    ).click()
    page.get_by_label("Que cherchez-vous ?").fill("portage repas")
    page.get_by_label("Commune de la personne").fill("Rieulay")
    page.get_by_text("Seulement les services qui interviennent dans cette commune").click()
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("status").first).to_contain_text("2 services")
    results = page.locator(".appui-results > li")
    expect(results).to_have_count(2)
    for index in range(2):
        expect(results.nth(index)).to_contain_text("Portage de repas à domicile")
        expect(results.nth(index)).to_contain_text("Intervient dans la commune")
    expect(page.locator(".appui-results")).to_contain_text("Les Repas de la Pévèle")
    expect(page.locator(".appui-results")).to_contain_text("ADMR des Deux Rivières")
    screenshot(page, "s1-repertoire-portage-repas")

    page.get_by_label("Que cherchez-vous ?").fill("téléassistance")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("main")).to_contain_text("Aucun service ne correspond")
    expect(page.locator(".appui-results")).to_have_count(0)
    screenshot(page, "s1-repertoire-teleassistance-vide")
    page.get_by_role("link", name="Enregistrer un besoin non couvert").click()
    expect(page.get_by_label("Besoin (thématique)")).to_have_value("teleassistance")
    expect(page.get_by_label("Commune de la personne")).to_have_value("59501")
    page.get_by_label("Précisions").fill(
        "Aucun prestataire de téléassistance n'intervient à Rieulay."
    )
    screenshot(page, "s1-besoin-non-couvert-formulaire")
    page.get_by_role("button", name="Enregistrer le besoin").click()
    expect(page.get_by_role("status").first).to_contain_text("Besoin non couvert enregistré")
    screenshot(page, "s1-besoins-non-couverts")
    need = UnmetNeed.objects.filter(search_query="téléassistance").get()
    assert need.theme == "teleassistance"
    assert need.commune.insee_code == "59501"
    assert need.created_by.email == f"accueil@{DOMAIN}"
