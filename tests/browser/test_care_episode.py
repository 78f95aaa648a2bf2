"""The care episode in the browser: a coordinator opens an accompaniment from the person page,
records the consent given at a home visit and the GP informed, changes the level with a reason,
plans a concertation with the nurse, the SSIAD and the GP, records the decisions, prints the
minutes, closes the episode for death — and reopens another person's closed one."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appui.care.models import CareEpisode, Meeting
from appui.core.enums import AccessAction, Role
from appui.core.models import AccessLog
from appui.persons.models import Person
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    CareEpisodeFactory,
    CarerFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
)

PASSWORD = "Mot-de-passe-solide-1"


@pytest.mark.django_db(transaction=True)
def test_episode_from_opening_to_exit_and_a_reopening(page):
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")
    coordinator = MembershipFactory(
        organisation=dac,
        role=Role.COORDINATOR,
        user__first_name="Inès",
        user__last_name="Lambert",
        user__email="coordination@dac.test",
    )
    gp = ProfessionalFactory(
        title="Dr", first_name="Claire", last_name="Morel", mssante_address="c.morel@mssante.fr"
    )
    nurse = ProfessionalFactory(
        civility="Mme", first_name="Julie", last_name="Vasseur", profession="nurse", rpps=""
    )
    benali = PersonFactory(
        dac=dac, birth_name="Benali", first_name="Ahmed", sex="M", gp=gp, gp_status="known"
    )
    CarerFactory(person=benali, first_name="Fatima", last_name="Benali", relationship="spouse")
    roux = PersonFactory(dac=dac, birth_name="Roux", first_name="Jeanne")
    closed = CareEpisodeFactory(
        person=roux,
        referent=coordinator.user,
        status="closed",
        exit_reason="stabilised",
        opened_on=timezone.localdate() - timedelta(days=200),
        closed_on=timezone.localdate() - timedelta(days=30),
    )

    log_in(page, "coordination@dac.test", PASSWORD)
    main = page.locator("main")

    # --- Opening from the person page ---------------------------------------------------------
    page.goto(f"/personnes/{benali.pk}/")
    page.get_by_role("link", name="Ouvrir un accompagnement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ouvrir un accompagnement")
    page.get_by_label("Niveau d'intensité").select_option(label="Niveau 2 — complexe à court terme")
    page.get_by_role("button", name="Ouvrir l'accompagnement").click()
    expect(page.locator(".fr-error-text").first).to_contain_text("Indiquez le motif")
    page.get_by_label("Motif de l'ouverture").fill(
        "Signalé par l'infirmière : trois hospitalisations en six mois, épouse épuisée."
    )
    screenshot(page, "episode-1-ouverture")
    page.get_by_role("button", name="Ouvrir l'accompagnement").click()
    expect(page.get_by_role("status").first).to_contain_text("Accompagnement ouvert")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accompagnement (coordination renforcée)"
    )
    expect(main).to_contain_text("M. Ahmed BENALI")
    expect(main).to_contain_text("Consentement de la personne à recueillir")
    expect(main).to_contain_text("Médecin traitant à informer")
    episode = CareEpisode.objects.get(person=benali)

    # --- Consent given at a home visit --------------------------------------------------------
    page.get_by_role("link", name="Enregistrer le consentement").click()
    page.get_by_text("Accepte l'accompagnement", exact=True).click()
    page.get_by_label("Comment la personne a-t-elle été informée ?").select_option(
        label="Lors d'une visite à domicile"
    )
    page.get_by_label("Précisions").fill("Accord donné en présence de son épouse.")
    screenshot(page, "episode-2-consentement")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_role("status").first).to_contain_text("Consentement enregistré")
    expect(main).to_contain_text("Accepte l'accompagnement — le")
    expect(main).to_contain_text("lors d'une visite à domicile")

    # --- The GP informed ----------------------------------------------------------------------
    page.get_by_role("link", name="Enregistrer l'information du médecin traitant").click()
    expect(main).to_contain_text("Dr Claire Morel")
    page.get_by_label("Comment ?").select_option(label="Par messagerie sécurisée (MSSanté)")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(main).to_contain_text("Informé de l'accompagnement le")

    # --- Level change with a reason -----------------------------------------------------------
    page.get_by_role("link", name="Changer de niveau").click()
    page.get_by_label("Nouveau niveau d'intensité").select_option(
        label="Niveau 3 — complexe à long terme"
    )
    page.get_by_label("Motif du changement").fill("Réhospitalisation non programmée.")
    page.get_by_role("button", name="Changer le niveau").click()
    expect(page.get_by_role("status").first).to_contain_text("Niveau d'intensité changé")
    levels = page.locator("table", has_text="Depuis le")
    expect(levels).to_contain_text("Réhospitalisation non programmée.")
    expect(levels).to_contain_text("auparavant : niveau 2 — complexe à court terme")
    expect(levels).to_contain_text("Niveau à l'inclusion")
    screenshot(page, "episode-3-dossier")

    # --- A concertation with the nurse, the SSIAD and the GP ----------------------------------
    page.get_by_role("link", name="Concertations", exact=True).click()
    expect(main).to_contain_text("Aucune concertation tenue pour cette situation.")
    page.get_by_role("link", name="Planifier une concertation").click()
    held_at = timezone.localtime() - timedelta(hours=2)
    page.get_by_label("Date et heure").fill(held_at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Objet").fill("Concertation pluriprofessionnelle au domicile")
    page.get_by_label("Lieu").fill("Au domicile de M. Benali")
    page.get_by_role("button", name="Enregistrer la concertation").click()
    expect(page.get_by_role("status").first).to_contain_text("Concertation enregistrée")
    expect(main).to_contain_text("M. Ahmed BENALI")
    meeting = Meeting.objects.get()

    for search, name, role in (
        ("vasseur", "Mme Julie Vasseur", "Infirmière libérale"),
        ("morel", "Dr Claire Morel", "Médecin traitant"),
    ):
        page.get_by_role("link", name="Ajouter un·e participant·e").click()
        page.get_by_label("Chercher dans le répertoire").fill(search)
        page.get_by_role("button", name="Rechercher").click()
        page.get_by_text(name).click()
        page.get_by_label("Rôle dans la situation").fill(role)
        page.get_by_role("button", name="Ajouter", exact=True).click()
        expect(page.get_by_role("status").first).to_contain_text("ajouté·e")
    page.get_by_role("link", name="Ajouter un·e participant·e").click()
    page.get_by_text("Une autre personne", exact=True).click()
    page.get_by_label("Nom de la personne ou de la structure").fill("SSIAD du Douaisis — Mme Leroy")
    page.get_by_label("Rôle dans la situation").fill("Infirmière coordinatrice du SSIAD")
    screenshot(page, "episode-4-participant")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    participants = page.locator("table", has_text="Rôle dans la situation")
    for text in ("Mme Julie Vasseur", "Dr Claire Morel", "SSIAD du Douaisis"):
        expect(participants).to_contain_text(text)
    assert {p.professional_id for p in meeting.participants.all()} == {nurse.pk, gp.pk, None}

    page.get_by_role("link", name="Discussion et décisions").click()
    page.get_by_label("Éléments discutés").fill(
        "Dyspnée d'effort, trois hospitalisations ; Mme Benali épuisée."
    )
    page.get_by_label("Décisions pour le PPCS").fill(
        "Passage infirmier quotidien ; SSIAD matin et soir ; accueil de jour deux jours par "
        "semaine ; consultation de pneumologie sous un mois."
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(main).to_contain_text("SSIAD matin et soir")
    screenshot(page, "episode-5-concertation")

    # --- Printable minutes --------------------------------------------------------------------
    page.get_by_role("link", name="Compte rendu imprimable").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Compte rendu de concertation pluriprofessionnelle"
    )
    expect(page.locator("header.fr-header")).to_have_count(0)
    page.evaluate("window.print = function () { window.__printed = true; }")
    page.get_by_role("button", name="Imprimer").click()
    assert page.evaluate("window.__printed") is True
    expect(page.locator("main")).to_contain_text("consultation de pneumologie sous un mois")
    expect(page.locator("main")).to_contain_text("Infirmière coordinatrice du SSIAD")
    screenshot(page, "episode-6-compte-rendu")
    assert AccessLog.objects.filter(
        action=AccessAction.PRINT, person_id=benali.pk, object_type="care.meetingsituation"
    ).exists()

    page.goto(f"/accompagnements/{episode.pk}/concertations/")
    expect(main).to_contain_text("accueil de jour deux jours par semaine")
    screenshot(page, "episode-6b-onglet-concertations")
    page.get_by_role("link", name="Dossier", exact=True).click()
    expect(page.locator("#bloc-meetings")).to_contain_text(
        "Concertation pluriprofessionnelle au domicile"
    )

    # --- Exit for death -----------------------------------------------------------------------
    page.get_by_role("link", name="Clôturer l'accompagnement").click()
    page.get_by_label("Motif de sortie").select_option(label="Décès")
    page.get_by_label("Précisions sur la sortie").fill("Décès à domicile, entouré des siens.")
    page.get_by_role("button", name="Clôturer l'accompagnement").click()
    expect(page.get_by_role("status").first).to_contain_text("motif : décès")
    expect(main).to_contain_text("Clôturé")
    expect(main).to_contain_text("— décès")
    expect(page.get_by_role("link", name="Rouvrir l'accompagnement")).to_have_count(0)
    expect(page.get_by_role("link", name="Changer de niveau")).to_have_count(0)
    screenshot(page, "episode-7-sortie-deces")
    assert Person.objects.get(pk=benali.pk).deceased_on == timezone.localdate()

    # --- Reopening another person's closed episode --------------------------------------------
    page.goto(f"/accompagnements/{closed.pk}/")
    page.get_by_role("link", name="Rouvrir l'accompagnement").click()
    page.get_by_label("Motif de la réouverture").fill(
        "Nouvelles chutes, sa fille ne fait plus face."
    )
    page.get_by_label("Niveau d'intensité").select_option(label="Niveau 2 — complexe à court terme")
    page.get_by_role("button", name="Rouvrir").click()
    expect(page.get_by_role("status").first).to_contain_text("Nouvel accompagnement ouvert")
    expect(main).to_contain_text("Accompagnement précédent")
    expect(main).to_contain_text("Nouvelles chutes, sa fille ne fait plus face.")
    screenshot(page, "episode-8-reouverture")
    reopened = CareEpisode.objects.get(previous=closed)
    assert reopened.is_open and CareEpisode.objects.get(pk=closed.pk).status == "closed"
    page.get_by_role("link", name=str(closed)).click()
    expect(main).to_contain_text("Accompagnement suivant")
    page.get_by_role("link", name="Mme Jeanne ROUX").first.click()
    panel = page.locator("#panneau-care")
    expect(panel).to_contain_text("en cours")
    expect(panel).to_contain_text("(situation stabilisée (retour en veille))")
    expect(page.get_by_role("link", name="Ouvrir un accompagnement")).to_have_count(0)
    screenshot(page, "episode-9-personne")
    page.goto("/concertations/?periode=passees")
    expect(main).to_contain_text("Concertation pluriprofessionnelle au domicile")
    screenshot(page, "episode-10-concertations")
