"""The director's dashboard in the browser: from the Pilotage hub to the dashboard, a change of
period, a chart with its data table, an indicator's page and the list behind its figure."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from appui.core.enums import Role
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    CareEpisodeFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SupportRequestFactory,
)

PARIS = ZoneInfo("Europe/Paris")
D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_director_reads_the_dashboard_and_drills_down(page):
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")
    MembershipFactory(organisation=dac, role=Role.DIRECTOR, user__email="direction@dac.test")
    for name, opened in [("Aubert", D(2024, 10, 1)), ("Bernard", D(2025, 2, 3))]:
        CareEpisodeFactory(person=PersonFactory(dac=dac, birth_name=name), opened_on=opened)
    for channel, day in [
        ("phone", D(2025, 1, 6)),
        ("email", D(2025, 3, 3)),
        ("phone", D(2024, 5, 2)),
    ]:
        SupportRequestFactory(
            dac=dac,
            channel=channel,
            received_at=datetime.datetime(day.year, day.month, day.day, 10, tzinfo=PARIS),
        )

    log_in(page, "direction@dac.test", "Mot-de-passe-solide-1")
    page.wait_for_url("**/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Pilotage"
    ).click()
    expect(page.locator("h1")).to_have_text("Pilotage")
    screenshot(page, "pilotage-accueil")
    page.get_by_role("link", name="Tableau de bord").click()

    page.get_by_label("Année").select_option("2025")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("h1")).to_have_text("Tableau de bord — année 2025")
    file_active = page.get_by_role("article", name="File active", exact=True)
    expect(file_active).to_contain_text("2\u00a0personnes")
    expect(file_active).to_contain_text("année 2024 : 1\u00a0personne")
    expect(file_active).to_contain_text("En hausse de 1\u00a0personne")

    # the chart has a text alternative and its data table right under it
    channels = page.locator(
        "article", has=page.get_by_role("heading", name="Demandes reçues par canal")
    )
    chart = channels.get_by_role("img")
    expect(chart).to_have_attribute(
        "aria-label",
        "Demandes reçues par canal — Téléphone : 1\u00a0demande ; Courriel : 1\u00a0demande",
    )
    table = channels.get_by_role("table", name="Demandes reçues par canal (données du graphique)")
    expect(table.get_by_role("row", name="Téléphone")).to_contain_text("stable")
    expect(table.get_by_role("row", name="Courriel")).to_contain_text(
        "↑ en hausse de 1\u00a0demande"
    )
    expect(channels.get_by_role("link", name="Exporter")).to_have_count(0)
    expect(page.get_by_role("link", name="Exporter en CSV")).to_be_visible()
    screenshot(page, "pilotage-tableau-de-bord")

    # a period of dates: the comparison is with the same number of days just before
    page.get_by_label("Du", exact=True).fill("2025-01-01")
    page.get_by_label("Au", exact=True).fill("2025-01-31")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("h1")).to_have_text("Tableau de bord — du 01/01/2025 au 31/01/2025")
    expect(page.locator("main")).to_contain_text("du 01/12/2024 au 31/12/2024")

    # an inverted period gets a French message next to the field
    page.get_by_label("Du", exact=True).fill("2025-02-01")
    page.get_by_label("Au", exact=True).fill("2025-01-01")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("main")).to_contain_text("La fin de la période doit suivre son début.")
    screenshot(page, "pilotage-periode-invalide")

    # the indicator's page and the list behind the figure
    page.get_by_label("Du", exact=True).fill("")
    page.get_by_label("Au", exact=True).fill("")
    page.get_by_label("Année").select_option("2025")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_role("link", name="File active", exact=True).click()
    expect(page.locator("h1")).to_have_text("File active")
    expect(page.locator("main")).to_contain_text("Personnes distinctes accompagnées")
    listing = page.get_by_role("table", name="2 éléments — année 2025")
    expect(listing.get_by_role("link")).to_have_count(2)
    screenshot(page, "pilotage-indicateur")
    listing.get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("AUBERT")
