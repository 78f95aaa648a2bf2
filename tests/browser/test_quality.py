"""The director fills in the year's ISQ self-assessment: the data pre-fills what it can, she
answers the rest with her evidence, completes it and sees the score in the history."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from appui.reporting.models import QualityAssessment
from appui.territory.demo import DEMO_PASSWORD, DOMAIN
from tests.browser.conftest import log_in, screenshot


@pytest.mark.django_db(transaction=True)
def test_isq_self_assessment_from_prefill_to_score(page):
    call_command("seed_demo", stdout=StringIO())
    year = timezone.localdate().year
    log_in(page, f"direction@{DOMAIN}", DEMO_PASSWORD)
    page.goto("/pilotage/qualite/")
    expect(page.locator("main")).to_contain_text("non commencée")
    page.get_by_role("link", name=f"Auto-évaluation {year}").click()
    expect(page.locator("main")).to_contain_text("Ce que disent les données")
    expect(page.locator("main")).to_contain_text(f"de la file active {year}")
    screenshot(page, "quality-year-prefilled")

    for fieldset in page.locator("fieldset.fr-fieldset").all():
        fieldset.get_by_text("Oui", exact=True).click()
    page.get_by_role("group", name="Le système d'information du DAC").get_by_text(
        "Non", exact=True
    ).click()
    page.get_by_label("Éléments de preuve").nth(4).fill("Planning de la permanence téléphonique")
    page.get_by_role("button", name=f"Terminer l'auto-évaluation {year}").click()
    expect(page.get_by_role("status").first).to_contain_text("terminée : score 9/10")
    screenshot(page, "quality-year-completed")
    assert QualityAssessment.objects.get(year=year).completed_at is not None

    page.get_by_role("link", name="Auto-évaluation qualité").first.click()
    expect(page.locator("main table")).to_contain_text("9/10")
    screenshot(page, "quality-history")
