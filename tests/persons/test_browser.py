"""Persons in the browser. At the front desk: create a person, then enter her again with another
spelling and swapped day and month; Appui shows the existing record and the user picks it. A
coordinator then qualifies an identity, adds a carer also followed, merges a duplicate and undoes it."""

from datetime import date

import pytest
from playwright.sync_api import expect

from appui.core.enums import Role
from appui.persons.models import Person
from tests.browser.conftest import log_in, screenshot
from tests.factories import CommuneFactory, MembershipFactory, PersonFactory, ProfessionalFactory
from tests.persons.helpers import make_nir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Mot-de-passe-solide-1"


def fill_identity(tab, *, birth_name, first_names, birth_date):
    tab.get_by_role("textbox", name="Nom de naissance Tel").fill(birth_name)
    tab.get_by_role("textbox", name="Prénoms de naissance (Optionnel)").fill(first_names)
    tab.get_by_label("Date de naissance").fill(birth_date)
    tab.get_by_text("Féminin", exact=True).click()
    tab.get_by_label("Lieu de naissance (code Insee)").fill("59350")


def test_create_then_recognise_the_same_person(page):  # noqa: F811
    membership = MembershipFactory(role=Role.ASSISTANT, user__email="accueil@appui.test")
    CommuneFactory(insee_code="59501", name="Rieulay", postal_codes="59870")
    ProfessionalFactory(first_name="Claire", last_name="Morel")
    log_in(page, "accueil@appui.test", PASSWORD)

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Personnes"
    ).click()
    page.get_by_role("link", name="Nouvelle personne").click()
    fill_identity(
        page, birth_name="Lefèvre", first_names="Marie-Claire Anne", birth_date="1941-03-02"
    )
    page.get_by_label("Commune de résidence").fill("59501")
    page.get_by_label("Médecin du répertoire").fill("Morel")
    screenshot(page, "personne-1-saisie")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mme Marie-Claire LEFÈVRE")
    expect(page.locator("main")).to_contain_text("INS non qualifiée")
    expect(page.locator("main")).to_contain_text("Claire Morel")
    screenshot(page, "personne-2-dossier")
    existing = Person.objects.get()
    assert existing.dac == membership.organisation

    page.goto("/personnes/nouvelle/")
    fill_identity(page, birth_name="LEFEVRE", first_names="Marie Claire", birth_date="1941-02-03")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cette personne a peut-être déjà un dossier"
    )
    candidate = page.locator("section", has_text=f"Dossier n° {existing.pk}")
    expect(candidate).to_contain_text("Date de naissance avec jour et mois inversés")
    expect(candidate.locator("mark").first).to_be_visible()
    screenshot(page, "personne-3-doublon-possible")
    candidate.get_by_role("button", name="C'est cette personne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mme Marie-Claire LEFÈVRE")
    expect(page.get_by_role("status").first).to_contain_text("Dossier existant retenu")
    screenshot(page, "personne-4-dossier-retenu")
    assert Person.objects.count() == 1


def test_qualify_identity_add_a_carer_merge_and_undo(page):  # noqa: F811
    membership = MembershipFactory(role=Role.COORDINATOR, user__email="coord@appui.test")
    dac = membership.organisation
    nir = make_nir("F", 1946, 5)
    mother = PersonFactory(
        dac=dac,
        birth_name="ROUX",
        first_name="Jeanne",
        first_names="Jeanne Marie",
        birth_date=date(1946, 5, 4),
        nir=nir,
        nir_kind="NIR",
    )
    daughter = PersonFactory(dac=dac, birth_name="ROUX", first_name="Sophie", first_names="Sophie")
    duplicate = PersonFactory(
        dac=dac,
        birth_name="ROUX",
        first_name="Jeane",
        first_names="Jeane",
        birth_date=date(1946, 4, 5),
    )
    log_in(page, "coord@appui.test", PASSWORD)

    page.goto(f"/personnes/{mother.pk}/")
    expect(page.locator("main")).to_contain_text("INS non qualifiée")
    page.get_by_role("link", name="Vérifier l'identité").click()
    page.get_by_text("Identité qualifiée", exact=True).click()
    page.get_by_label("Justificatif présenté").select_option("health_card")
    page.get_by_role("button", name="Enregistrer la vérification").click()
    expect(page.locator("main")).to_contain_text("haut niveau de confiance")
    expect(page.locator("main")).to_contain_text("indiquez sa date")
    screenshot(page, "identite-1-erreurs")
    page.get_by_label("Justificatif présenté").select_option("cni")
    page.get_by_label("Date d'interrogation du téléservice INSi").fill("2026-01-05")
    page.get_by_role("button", name="Enregistrer la vérification").click()
    expect(page.get_by_role("status").first).to_contain_text("Identité qualifiée")
    expect(page.locator("main")).to_contain_text(nir)
    screenshot(page, "identite-2-qualifiee")

    page.get_by_role("link", name="Ajouter un proche").click()
    page.get_by_label("Prénom").fill("Sophie")
    page.get_by_label("Nom", exact=True).fill("Roux")
    page.get_by_label("Lien").select_option("child")
    page.get_by_label("Aussi connu·e du DAC").fill(f"dossier n° {daughter.pk}")
    screenshot(page, "proche-1-saisie")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("Sophie ROUX")
    page.get_by_role("link", name=f"dossier n° {daughter.pk} au DAC").click()
    expect(page.locator("main")).to_contain_text("Aidant·e de Mme Jeanne ROUX")

    page.goto(f"/personnes/{mother.pk}/doublons/")
    candidate = page.locator("section", has_text=f"Dossier n° {duplicate.pk}")
    expect(candidate).to_contain_text("Prénoms proches")
    screenshot(page, "doublons-1-a-la-demande")
    candidate.get_by_role("link", name="Comparer et fusionner").click()
    page.get_by_label("Motif de la fusion").fill(
        "Même personne saisie deux fois, vérifié sur la CNI."
    )
    screenshot(page, "fusion-1-comparaison")
    page.get_by_role("button", name="Fusionner").click()
    expect(page.get_by_role("status").first).to_contain_text("fusionné dans le dossier")
    screenshot(page, "fusion-2-dossier-conserve")
    page.get_by_role("link", name="Annuler la fusion").click()
    page.get_by_label("Motif de l'annulation").fill("Deux sœurs : fusion faite par erreur.")
    page.get_by_role("button", name="Annuler la fusion").click()
    expect(page.get_by_role("status").first).to_contain_text("Fusion annulée")
    screenshot(page, "fusion-3-annulee")
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
