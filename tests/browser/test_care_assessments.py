"""Assessments in the browser: a coordinator fills the AGGIR grid at M. Benali's home (GIR 3) and
the multidimensional grid with two uncovered needs; a director writes the DAC's own grid with its
live preview."""

import pytest
from playwright.sync_api import expect

from appui.care.models import Assessment, Need
from appui.core.enums import Role
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    CareEpisodeFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SupportRequestFactory,
)

PASSWORD = "Mot-de-passe-solide-1"

#: M. Benali (COPD, heart failure): help for the whole toilet and dressing, partial transfers
#: and moves indoors, does not go out alone — rank 9 (group F), GIR 3.
AGGIR_CODING = {
    "coherence": "A",
    "orientation": "A",
    "communication": "A",
    "toilette_haut": "C",
    "toilette_bas": "C",
    "habillage_haut": "C",
    "habillage_moyen": "C",
    "habillage_bas": "C",
    "alimentation_se_servir": "A",
    "alimentation_manger": "A",
    "elimination_urinaire": "A",
    "elimination_fecale": "A",
    "transferts": "B",
    "deplacement_interieur": "B",
    "deplacement_exterieur": "C",
    "cuisine": "C",
    "menage": "C",
}


def choose(page, code: str, value: str, values=("A", "B", "C")) -> None:
    page.locator(f"label[for='id_q_{code}_{values.index(value)}']").click()


@pytest.mark.django_db(transaction=True)
def test_coordinator_fills_aggir_and_the_multidimensional_grid(page):
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")
    MembershipFactory(
        organisation=dac,
        role=Role.COORDINATOR,
        user__first_name="Inès",
        user__last_name="Lambert",
        user__email="coordination@dac.test",
    )
    person = PersonFactory(dac=dac, birth_name="Benali", first_name="Ahmed", sex="M")
    request = SupportRequestFactory(dac=dac, person=person)
    episode = CareEpisodeFactory(person=person, request=request)

    log_in(page, "coordination@dac.test", PASSWORD)
    page.goto(f"/accompagnements/{episode.pk}/")
    page.get_by_role("link", name="Évaluations et repérages").click()
    expect(page.get_by_role("heading", level=2, name="Évaluations")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Aucune évaluation pour cet accompagnement.")

    # AGGIR, at home.
    page.get_by_role("link", name="Grille AGGIR").click()
    page.get_by_label("Participants").fill("M. Benali, Mme Benali (épouse)")
    page.get_by_role("button", name="Commencer la saisie").click()
    expect(page.get_by_role("heading", level=2, name="Grille AGGIR")).to_be_visible()
    for code, letter in AGGIR_CODING.items():
        choose(page, code, letter)
    page.get_by_label("Synthèse").fill(
        "Essoufflement à l'effort : aide pour la toilette et l'habillage."
    )
    screenshot(page, "evaluations-1-saisie-aggir")
    page.get_by_role("button", name="Terminer l'évaluation").click()
    expect(page.get_by_role("status").first).to_contain_text("Évaluation terminée : GIR 3.")
    expect(page.locator(".appui-gir")).to_have_text("GIR 3")
    page.get_by_text("Comment ce GIR est calculé").click()
    expect(page.locator("main")).to_contain_text("Groupe F : somme 1100 ≥ 800 → rang 9.")
    screenshot(page, "evaluations-2-resultat-aggir")

    # The multidimensional assessment, with two uncovered needs.
    page.get_by_role("link", name="Toutes les évaluations").click()
    page.get_by_role("link", name="Évaluation multidimensionnelle").click()
    page.get_by_role("button", name="Commencer la saisie").click()
    page.get_by_label("Pathologies principales et antécédents").fill(
        "BPCO, insuffisance cardiaque ; trois hospitalisations en six mois."
    )
    page.get_by_label("Hospitalisations dans les six derniers mois").fill("3")
    choose(page, "falls", "no", ("yes", "no"))
    choose(page, "carer_exhaustion", "yes", ("yes", "no", "none"))
    page.get_by_label("Problèmes et besoins non couverts — entourage et aidant").fill(
        "Épouse épuisée, sans relais\n"
    )
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("status").first).to_contain_text("Brouillon enregistré.")
    page.get_by_label("Problèmes et besoins non couverts — ressources et droits").fill(
        "APA non demandée"
    )
    screenshot(page, "evaluations-3-saisie-multidimensionnelle")
    page.get_by_role("button", name="Terminer l'évaluation").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "2 problèmes ou besoins non couverts relevés."
    )
    expect(page.locator("main")).to_contain_text("Épouse épuisée, sans relais")
    expect(page.locator("main")).to_contain_text("APA non demandée")
    screenshot(page, "evaluations-4-lecture-multidimensionnelle")

    page.get_by_role("link", name="Toutes les évaluations").click()
    expect(page.locator("main")).to_contain_text("2 évaluations")
    expect(page.locator("main")).to_contain_text("2 problèmes ou besoins")
    screenshot(page, "evaluations-5-onglet")
    page.goto(f"/accompagnements/{episode.pk}/")
    expect(page.locator("#bloc-evaluations ~ ul")).to_contain_text("GIR 3")
    screenshot(page, "evaluations-6-dossier")

    rows = Assessment.objects.filter(episode=episode).values_list("status", "gir")
    assert sorted((status, gir or 0) for status, gir in rows) == [
        ("completed", 0),
        ("completed", 3),
    ]
    assert sorted(Need.objects.filter(episode=episode).values_list("domain", flat=True)) == [
        "carers",
        "rights",
    ]


@pytest.mark.django_db(transaction=True)
def test_director_writes_a_grid_with_its_live_preview(page):
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")
    MembershipFactory(
        organisation=dac,
        role=Role.DIRECTOR,
        user__first_name="Nadia",
        user__last_name="Roussel",
        user__email="direction@dac.test",
    )
    log_in(page, "direction@dac.test", PASSWORD)
    page.goto("/grilles-d-evaluation/")
    page.get_by_role("link", name="Créer une grille").click()
    page.get_by_label("Intitulé de la grille").fill("Questionnaire aux aidants")
    editor = page.get_by_label("Domaines et questions")
    editor.fill("# Entourage et aidant\nFatigue de l'aidant [liste]\n")
    expect(page.locator("#apercu")).to_contain_text("Ligne 2 : type « liste » inconnu.")
    editor.fill(
        "# Entourage et aidant\n"
        "Fatigue de l'aidant [choix] *\n"
        "- Aucune = 0\n- Certains jours = 1\n- Tous les jours = 2\n"
        "? Telle que l'aidant la décrit.\n"
        "Nuits interrompues [oui/non]\n"
        "Problèmes et besoins non couverts [besoins]\n"
        "= 0 à 1 : À surveiller\n= 2 et plus : Relais à organiser\n"
    )
    expect(page.locator("#apercu")).to_contain_text("Tous les jours")
    expect(page.locator("#apercu")).to_contain_text("Problèmes et besoins non couverts")
    screenshot(page, "evaluations-7-editeur-de-grille")
    page.get_by_role("button", name="Créer la grille").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Grille « Questionnaire aux aidants » créée"
    )
    screenshot(page, "evaluations-8-grilles-du-dac")
