"""The activity report in the browser (journey S7): the director opens the 2025 report, reads the
figures against 2024, writes the introduction and a section's commentary, saves, downloads the
PDF (which carries the DAC's name, every indicator and her texts), then arrête the report."""

import datetime
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from appui.core.enums import Role
from appui.reporting.indicators import catalogue
from appui.reporting.models import ActivityReport
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    CareEpisodeFactory,
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    TerritoryFactory,
    UserFactory,
)

PASSWORD = "Mot-de-passe-solide-1"
D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_director_writes_and_downloads_the_2025_report(page):
    douai = CommuneFactory(name="Douai")
    dac = OrganisationFactory(
        dac=True,
        name="DAC Scarpe-Escaut",
        finess_et="590000014",
        address="12 rue de la Gare",
        postal_code="59500",
        commune=douai,
    )
    TerritoryFactory(dac=dac, name="Scarpe-Escaut").communes.set([douai, CommuneFactory()])
    MembershipFactory(
        organisation=dac,
        role=Role.DIRECTOR,
        user=UserFactory(email="direction@dac.test", first_name="Nadia", last_name="Durand"),
    )
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2024, 11, 2))
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2025, 3, 3))

    log_in(page, "direction@dac.test", PASSWORD)
    page.goto("/pilotage/rapport-activite/?annee=2025")
    expect(page.get_by_role("heading", name="Rapport d'activité 2025")).to_be_visible()
    expect(page.get_by_text("Nadia Durand", exact=True)).to_be_visible()
    activity = page.get_by_role("table", name="Activité : indicateurs 2025 et 2024")
    file_active = activity.get_by_role("row", name="File active").get_by_role("cell")
    expect(file_active.nth(0)).to_have_text("2")  # 2025: across New Year + included in March
    expect(file_active.nth(1)).to_have_text("1")  # 2024: the one included in November
    expect(file_active.nth(2)).to_have_text("personnes")

    page.get_by_role("textbox", name=re.compile(r"^Texte d'introduction")).fill(
        "Première année pleine du DAC."
    )
    page.get_by_role("textbox", name=re.compile(r"^Commentaire — Délais")).fill(
        "Les délais de réponse sont tenus."
    )
    page.get_by_role("button", name="Enregistrer les commentaires").click()
    expect(page.get_by_role("status").first).to_contain_text("Commentaires enregistrés.")
    expect(page.get_by_role("textbox", name=re.compile(r"^Texte d'introduction"))).to_have_value(
        "Première année pleine du DAC."
    )
    screenshot(page, "rapport-activite")

    # The first PDF of a process loads WeasyPrint and its fonts: allow it a little time.
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("link", name="Télécharger le PDF").click(timeout=60_000)
    download = download_info.value
    assert download.suggested_filename == "rapport-activite-2025-dac-scarpe-escaut.pdf"
    with open(download.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "DAC Scarpe-Escaut" in text
    assert "Première année pleine du DAC." in text
    assert "Les délais de réponse sont tenus." in text
    for indicator in catalogue():
        assert indicator.label in text, indicator.label

    page.get_by_role("button", name="Arrêter le rapport").click()
    expect(page.get_by_role("status").first).to_contain_text("Rapport d'activité 2025 arrêté")
    expect(page.get_by_role("textbox", name=re.compile(r"^Texte d'introduction"))).to_be_disabled()
    expect(page.get_by_role("button", name="Rouvrir le rapport")).to_be_visible()
    screenshot(page, "rapport-activite-arrete")
    assert ActivityReport.objects.get(dac=dac, year=2025).status == "final"
