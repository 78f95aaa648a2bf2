"""The director enters the year's budget, a coordinator's derogatory service is recorded for a
person followed, the ledger shows the totals against the envelope, and a mistake is cancelled."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from appui.care.models import CareEpisode
from appui.persons.forms import person_label
from appui.reporting.models import DerogatoryService
from appui.territory.demo import DEMO_PASSWORD, DOMAIN
from tests.browser.conftest import log_in, screenshot


@pytest.mark.django_db(transaction=True)
def test_budget_then_a_service_then_its_cancellation(page):
    call_command("seed_demo", stdout=StringIO())
    today = timezone.localdate()
    year = today.year
    episode = (
        CareEpisode.objects.filter(dac__name="DAC Scarpe-Escaut", closed_on__isnull=True)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    log_in(page, f"direction@{DOMAIN}", DEMO_PASSWORD)

    page.goto("/pilotage/budget/")
    page.get_by_label("Année").fill(str(year))
    page.get_by_label("Budget de fonctionnement (€)").fill("480 000")
    page.get_by_label("Enveloppe des prestations dérogatoires (€)").fill("15 000")
    page.get_by_role("button", name="Enregistrer le budget").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Budget {year} enregistré.")
    screenshot(page, "ledger-budget")

    page.goto("/pilotage/prestations-derogatoires/")
    page.get_by_role("link", name="Enregistrer une prestation").click()
    page.get_by_label("Personne accompagnée").fill(person_label(episode.person))
    page.get_by_label("Prestation", exact=True).select_option(label="Psychologue")
    page.get_by_label("Prestataire").fill("Mme Lambert, psychologue")
    page.get_by_label("Réalisée le").fill(today.isoformat())
    page.get_by_label("Nombre de séances").fill("4")
    page.get_by_label("Montant payé (€)").fill("240,00")
    page.get_by_label("Ligne budgétaire").fill("Soutien psychologique")
    page.get_by_label("Référence de la facture").fill("FAC-0042")
    screenshot(page, "ledger-form")
    page.get_by_role("button", name="Enregistrer la prestation").click()
    expect(page.get_by_role("status").first).to_contain_text("Prestation enregistrée : Psychologue")
    expect(page.locator("main")).to_contain_text("240,00 €")
    expect(page.locator("main")).to_contain_text("14 760,00 €")  # 15 000 − 240
    screenshot(page, "ledger-list")
    assert DerogatoryService.objects.get(invoice_reference="FAC-0042").episode == episode

    page.get_by_role("link", name="Annuler la prestation du").click()
    page.get_by_label("Motif de l'annulation").fill("Facture saisie deux fois")
    screenshot(page, "ledger-cancel")
    page.get_by_role("button", name="Annuler la prestation").click()
    expect(page.locator("main")).to_contain_text("annulée le")
    expect(page.locator("main")).to_contain_text("15 000,00 €")
    screenshot(page, "ledger-list-cancelled")
    assert (
        DerogatoryService.objects.get(invoice_reference="FAC-0042").cancel_reason
        == "Facture saisie deux fois"
    )
