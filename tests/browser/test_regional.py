"""S7, the ARS pilot's part in the browser: the three DACs of the region side by side with small
counts masked, the CSV export, and the cartography (SVG and its table)."""

import datetime

import pytest
from playwright.sync_api import expect

from appui.core.enums import Role
from appui.reporting.models import CoordinationCoverage
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    CareEpisodeFactory,
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    TerritoryFactory,
)

PASSWORD = "Mot-de-passe-solide-1"


@pytest.mark.django_db(transaction=True)
def test_pilot_sees_three_dacs_masked_counts_and_the_cartography(page):
    lille = CommuneFactory(insee_code="59350", name="Lille", region_code="32")
    ars = OrganisationFactory(kind="ars", name="ARS Hauts-de-France", commune=lille)
    for name, code, followed in [
        ("DAC Scarpe-Escaut", "59526", 40),
        ("DAC du Douaisis", "59178", 25),
        ("DAC du Cambrésis", "59122", 3),
    ]:
        commune = CommuneFactory(insee_code=code, name=name[7:], region_code="32")
        dac = OrganisationFactory(dac=True, name=name, commune=commune)
        TerritoryFactory(dac=dac).communes.set([commune])
        for _ in range(followed):
            CareEpisodeFactory(
                person=PersonFactory(dac=dac, birth_name="Vandamme"),
                opened_on=datetime.date(2025, 2, 3),
            )
    clic = OrganisationFactory(kind="clic", name="CLIC du Douaisis", commune=lille)
    CoordinationCoverage.objects.create(
        organisation=clic, population="Personnes de 60 ans et plus", health_social=5, complexity=1
    ).communes.set([lille])
    MembershipFactory(organisation=ars, role=Role.REGIONAL_PILOT, user__email="pilote@ars.test")

    log_in(page, "pilote@ars.test", PASSWORD)
    page.goto("/pilotage/region/?annee=2025")
    expect(page.locator("h1")).to_have_text("Indicateurs des DAC de la région — 2025")
    table = page.get_by_role("table", name="Activité — 2025")
    for name in ["DAC Scarpe-Escaut", "DAC du Douaisis", "DAC du Cambrésis", "Région"]:
        expect(table.get_by_role("columnheader", name=name)).to_be_visible()
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="File active"))
    expect(row).to_contain_text("< 5")
    expect(row).to_contain_text("68\u00a0personnes")
    assert "Vandamme" not in page.content()
    screenshot(page, "pilotage-region")

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter le tableau (CSV)").click()
    assert download.value.suggested_filename == "indicateurs-region-2025.csv"

    page.get_by_role("link", name="Cartographie des structures").click()
    expect(page.locator("h1")).to_have_text("Cartographie des structures de coordination")
    figure = page.get_by_role(
        "img", name="Cartographie des structures de coordination de la région"
    )
    expect(figure).to_be_visible()
    expect(figure).to_contain_text("CLIC du Douaisis")
    structures = page.get_by_role("table", name="Structures de coordination de la région")
    expect(structures.get_by_role("row")).to_have_count(5)  # the header, three DACs, the CLIC
    expect(structures).to_contain_text("Situations standard")
    communes = page.get_by_role("table", name="Structures couvrant chaque commune")
    expect(communes.get_by_role("row").filter(has_text="Lille")).to_contain_text("Aucun DAC")
    screenshot(page, "pilotage-cartographie")

    structures.get_by_role("link", name="Modifier la couverture de CLIC du Douaisis").click()
    page.get_by_label("Communes couvertes").fill("59350, 59999")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text(
        "Code Insee inconnu du référentiel des communes : 59999."
    )
    screenshot(page, "pilotage-cartographie-modifier")
    page.get_by_label("Communes couvertes").fill("59350, 59178")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Couverture de « CLIC du Douaisis » enregistrée."
    )

    page.goto("/personnes/")
    expect(page.locator("h1")).to_contain_text("Accès refusé")
