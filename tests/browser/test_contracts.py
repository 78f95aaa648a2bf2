"""The CPOM in the browser (journey S7): the director creates the contract, a strategic and an
operational objective, the file active as indicator with its 2025 target, fills the 2025 review,
sends it to the ARS (the actual is frozen), then records the ARS's observations letter."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from appui.core.enums import Role
from appui.reporting.models import AnnualReview, AnnualReviewLine
from appui.territory.enums import OrganisationKind
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    CareEpisodeFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

PASSWORD = "Mot-de-passe-solide-1"
D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_director_builds_the_cpom_and_sends_the_2025_review(page, live_server):
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")
    OrganisationFactory(kind=OrganisationKind.ARS, name="ARS Hauts-de-France")
    MembershipFactory(
        organisation=dac,
        role=Role.DIRECTOR,
        user__first_name="Hélène",
        user__last_name="Dumont",
        user__email="direction@dac.test",
    )
    # File active 2025: followed across New Year, and a person included in March = 2.
    for opened_on in (D(2024, 11, 2), D(2025, 3, 1)):
        CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=opened_on)

    log_in(page, "direction@dac.test", PASSWORD)
    page.goto("/pilotage/cpom/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CPOM")
    page.get_by_role("link", name="Nouveau CPOM").click()
    page.get_by_label("Intitulé").fill("CPOM 2024-2028 du DAC Scarpe-Escaut")
    page.get_by_label("Référence").fill("ARS-HDF-DAC-07")
    page.get_by_label("ARS signataire").select_option(label="ARS Hauts-de-France")
    page.get_by_label("Début").fill("2024-01-01")
    page.get_by_label(re.compile(r"^\s*Fin")).fill("2028-12-31")
    page.get_by_label("Signé le").fill("2023-12-15")
    screenshot(page, "cpom-01-creation")
    page.get_by_role("button", name="Enregistrer le CPOM").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CPOM 2024-2028 du DAC Scarpe-Escaut")

    page.get_by_role("link", name="Ajouter un objectif stratégique").click()
    page.get_by_label("Intitulé de l'objectif").fill(
        "Améliorer l'accès à l'appui à la coordination"
    )
    page.get_by_role("button", name="Enregistrer l'objectif").click()
    expect(page.get_by_text("Objectif OS1 ajouté.")).to_be_visible()

    page.get_by_role("link", name="Ajouter un objectif opérationnel à OS1").click()
    page.get_by_label("Intitulé de l'objectif").fill("Accompagner davantage de personnes")
    page.get_by_role("button", name="Enregistrer l'objectif").click()
    expect(page.get_by_text("Objectif OO1.1 ajouté.")).to_be_visible()

    page.get_by_role("link", name="Ajouter un indicateur à OO1.1").click()
    page.get_by_label(re.compile(r"^\s*Indicateur du catalogue")).select_option("file_active")
    page.get_by_text("Au moins la cible").click()
    page.get_by_label("Cible 2025").fill("2")
    page.get_by_label("Cible 2026").fill("3")
    screenshot(page, "cpom-02-indicateur")
    page.get_by_role("button", name="Enregistrer l'indicateur").click()
    expect(page.get_by_text("Indicateur ajouté.")).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Indicateurs et cibles de l'objectif OO1.1"))
    expect(table).to_contain_text("File active")
    screenshot(page, "cpom-03-contrat")

    page.get_by_role("link", name="Revue 2025").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revue annuelle 2025")
    row = page.get_by_role("row", name=re.compile("File active"))
    expect(row).to_contain_text("Atteint")
    page.get_by_label(re.compile("Commentaire — File active")).fill("Cible tenue.")
    page.get_by_label("Votre analyse de l'année").fill(
        "Montée en charge de l'équipe de coordination."
    )
    page.get_by_role("button", name="Enregistrer la revue").click()
    expect(page.get_by_text("Revue enregistrée.")).to_be_visible()
    screenshot(page, "cpom-04-revue")

    page.get_by_role("button", name="Transmettre à l'ARS").click()
    expect(page.get_by_text("les valeurs réalisées sont désormais figées")).to_be_visible()
    assert AnnualReviewLine.objects.get().actual == 2

    page.get_by_label("Date du courrier de l'ARS").fill(datetime.date.today().isoformat())
    page.get_by_label("Observations de l'ARS").fill("L'ARS prend acte des résultats 2025.")
    page.get_by_role("button", name="Enregistrer les observations").click()
    expect(page.get_by_text("la revue est close")).to_be_visible()
    expect(page.get_by_text("L'ARS prend acte des résultats 2025.")).to_be_visible()
    screenshot(page, "cpom-05-revue-close")
    review = AnnualReview.objects.get()
    assert review.status == "closed" and review.dac_comment.startswith("Montée en charge")
