"""At the front desk, on the phone: the pharmacist of Rieulay calls about Mme Martin. The assistant
finds her, finds the pharmacist by RPPS, ticks the reasons and saves; then works the queue."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appui.core.enums import Role
from appui.core.models import Event
from appui.intake import services
from appui.intake.models import SupportRequest
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PracticePlaceFactory,
    ProfessionalFactory,
    SupportRequestFactory,
    TerritoryFactory,
    luhn_number,
)

PASSWORD = "Mot-de-passe-solide-1"
RPPS = luhn_number("1", 515151, 11)


@pytest.fixture
def front_desk(transactional_db):
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")
    MembershipFactory(organisation=dac, role=Role.ASSISTANT, user__email="accueil@appui.test")
    person = PersonFactory(
        dac=dac, birth_name="MARTIN", first_name="Lucienne", birth_date=date(1942, 3, 14)
    )
    PersonFactory(dac=dac, birth_name="MARTINEZ", first_name="Paul", sex="M")
    pharmacist = ProfessionalFactory(
        first_name="Julien",
        last_name="Carpentier",
        profession="pharmacist",
        specialty="",
        rpps=RPPS,
    )
    PracticePlaceFactory(
        professional=pharmacist,
        organisation__name="Pharmacie de Rieulay",
        organisation__kind="pharmacy",
    )
    return dac, person, pharmacist


@pytest.mark.django_db(transaction=True)
def test_record_a_request_on_the_phone(page, front_desk):
    dac, person, pharmacist = front_desk
    log_in(page, "accueil@appui.test", PASSWORD)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Demandes"
    ).click()
    expect(page.locator("h1")).to_have_text("Demandes d'appui")
    page.get_by_role("link", name="Nouvelle demande").first.click()
    expect(page.locator("h1")).to_have_text("Nouvelle demande d'appui")

    # The person: a few letters, no accents needed; Enter searches, it does not submit.
    search = page.get_by_label("Rechercher la personne")
    search.fill("martin luc")
    results = page.locator("#person-results")
    expect(results).to_contain_text("Mme Lucienne MARTIN")
    expect(results).not_to_contain_text("MARTINEZ")
    search.press("Enter")
    expect(page.locator("h1")).to_have_text("Nouvelle demande d'appui")
    expect(page.locator(".fr-alert--error")).to_have_count(0)
    screenshot(page, "entree-1-recherche-personne")
    results.get_by_role("button", name="Choisir Mme Lucienne MARTIN").click()
    card = page.locator("#person-block .appui-picked")
    expect(card).to_contain_text("Mme Lucienne MARTIN")
    expect(card).to_contain_text("14/03/1942")

    # The requester: the search follows the kind of requester chosen…
    expect(page.get_by_role("radio", name="Un·e professionnel·le")).to_be_checked()
    page.get_by_role("radio", name="Une structure").check(force=True)
    page.wait_for_load_state("networkidle")
    page.get_by_label("Rechercher le demandeur dans le répertoire").fill("pharmacie rieulay")
    expect(page.locator("#requester-results")).to_contain_text("Pharmacie de Rieulay")
    page.get_by_role("radio", name="Un·e professionnel·le").check(force=True)
    expect(page.locator("#requester-results")).to_contain_text("Aucun résultat")
    expect(page.get_by_label("Rechercher le demandeur dans le répertoire")).to_have_value(
        "pharmacie rieulay"
    )
    # … and finds the pharmacist by RPPS.
    page.get_by_label("Rechercher le demandeur dans le répertoire").fill(RPPS)
    requester_results = page.locator("#requester-results")
    expect(requester_results).to_contain_text("Julien Carpentier")
    expect(requester_results).to_contain_text("Pharmacie de Rieulay")
    screenshot(page, "entree-2-recherche-demandeur-rpps")
    requester_results.get_by_role("button", name="Choisir Julien Carpentier").click()
    expect(page.locator("#requester-block .appui-picked")).to_contain_text(f"RPPS {RPPS}")
    page.get_by_label("Coordonnées du demandeur").fill("03 27 86 00 00")

    # Reasons, situation, agreement.
    page.get_by_label("Isolement").check(force=True)
    page.get_by_label("Maintien à domicile difficile").check(force=True)
    page.get_by_label("Situation, précisions").fill(
        "Vit seule à 84 ans ; souhaite un portage de repas et une téléassistance."
    )
    page.locator("#radio-id_person_informed").get_by_label("Oui").check(force=True)
    page.locator("#radio-id_person_agrees").get_by_label("Oui").check(force=True)
    screenshot(page, "entree-3-formulaire-rempli")
    page.get_by_role("button", name="Enregistrer la demande").click()

    expect(page.get_by_role("status").first).to_contain_text("enregistrée")
    screenshot(page, "entree-4-page-de-la-demande")
    saved = SupportRequest.objects.get()
    assert saved.person == person and saved.requester_professional == pharmacist
    assert saved.requester_contact == "03 27 86 00 00"
    assert {r.label for r in saved.reasons.all()} == {"Isolement", "Maintien à domicile difficile"}
    assert (saved.person_informed, saved.person_agrees) == ("yes", "yes")
    assert saved.answer_due_at == services.due_at(saved)
    assert Event.objects.filter(subject_id=str(saved.pk), verb="created").exists()
    assert page.url.endswith(f"/demandes/{saved.pk}/")


@pytest.mark.django_db(transaction=True)
def test_mistakes_are_shown_next_to_the_fields(page, front_desk):
    log_in(page, "accueil@appui.test", PASSWORD)
    page.goto("/demandes/nouvelle/")
    page.get_by_role("radio", name="Un·e aidant·e, un proche").check(force=True)
    # A carer is not searched in the directory: that block hides, the relationship shows.
    expect(page.get_by_label("Rechercher le demandeur dans le répertoire")).to_be_hidden()
    expect(page.get_by_label("Lien avec la personne")).to_be_visible()
    tomorrow = timezone.localtime() + timedelta(days=1)
    page.get_by_label("Reçue le").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page.locator(".fr-alert--error")).to_contain_text("La demande n'est pas enregistrée")
    expect(page.locator("#person-error")).to_have_text(
        "Choisissez la personne concernée, ou créez-la si elle est nouvelle."
    )
    expect(page.locator("main")).to_contain_text("Indiquez au moins un motif.")
    expect(page.locator("main")).to_contain_text(
        "La date de réception ne peut pas être dans le futur."
    )
    expect(page.locator("main")).to_contain_text("Indiquez le nom du demandeur.")
    screenshot(page, "entree-5-erreurs")
    assert SupportRequest.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_queue_filters_live(page, front_desk):
    dac, person, pharmacist = front_desk
    now = timezone.now()
    SupportRequestFactory(
        dac=dac,
        number="2026-00001",
        person=person,
        requester_professional=pharmacist,
        urgency="urgent",
        received_at=now - timedelta(days=1),
        answer_due_at=now - timedelta(hours=2),
    )
    SupportRequestFactory(
        dac=dac,
        number="2026-00002",
        person=person,
        requester_professional=pharmacist,
        received_at=now - timedelta(hours=2),
        answer_due_at=now + timedelta(days=2),
    )
    log_in(page, "accueil@appui.test", PASSWORD)
    page.wait_for_url("**/")
    home = page.locator("main")
    expect(home).to_contain_text("1 demande a dépassé le délai de première réponse")
    expect(home).to_contain_text("Non attribuées : 2")
    screenshot(page, "accueil-demandes-en-retard")
    home.get_by_role("link", name="Voir les demandes en retard").click()
    expect(page.locator("#queue-results tbody tr")).to_have_count(1)
    page.goto("/demandes/")
    expect(page.locator(".fr-alert--warning")).to_contain_text(
        "1 demande a dépassé le délai de première réponse"
    )
    rows = page.locator("#queue-results tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("tr.appui-overdue")).to_contain_text("2026-00001")
    screenshot(page, "file-1-demandes")
    page.get_by_label("Urgence").select_option("normal")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("2026-00002")
    page.wait_for_url("**/demandes/?*urgency=normal*")
    screenshot(page, "file-2-filtre-urgence")
    page.reload()
    expect(rows).to_have_count(1)


@pytest.mark.django_db(transaction=True)
def test_a_new_person_is_created_without_losing_the_request(page, front_desk):
    log_in(page, "accueil@appui.test", PASSWORD)
    page.goto("/demandes/nouvelle/")
    page.get_by_label("Situation, précisions").fill("Sa fille ne peut plus faire face.")
    page.get_by_label("Épuisement de l'aidant").check(force=True)
    page.get_by_label("Rechercher la personne").fill("Roux Jeanne 12/05/1946")
    expect(page.locator("#person-results")).to_contain_text("Aucune personne du DAC")
    page.get_by_role("button", name="Nouvelle personne").click()
    # The persons page, prefilled from the search.
    expect(page.locator("#id_birth_name")).to_have_value("Roux")
    expect(page.locator("#id_first_name")).to_have_value("Jeanne")
    expect(page.locator("#id_birth_date")).to_have_value("1946-05-12")
    page.get_by_role("radio", name="Féminin").check(force=True)
    screenshot(page, "entree-6-nouvelle-personne")
    page.get_by_role("button", name="Enregistrer").click()
    # Back to the request, with the new person and what was typed before.
    expect(page.locator("h1")).to_have_text("Nouvelle demande d'appui")
    expect(page.locator("#person-block .appui-picked")).to_contain_text("Mme Jeanne ROUX")
    expect(page.get_by_label("Situation, précisions")).to_have_value(
        "Sa fille ne peut plus faire face."
    )
    expect(page.get_by_label("Épuisement de l'aidant")).to_be_checked()
    screenshot(page, "entree-7-retour-avec-la-personne")


@pytest.mark.django_db(transaction=True)
def test_a_partner_asks_the_dac_and_follows_the_answer(page, transactional_db):
    territory = TerritoryFactory(dac__name="DAC Scarpe-Escaut")
    territory.communes.add(CommuneFactory(insee_code="59501", name="Rieulay"))
    membership = MembershipFactory(
        role=Role.PARTNER,
        organisation__name="Maison de santé des Deux Rivières",
        user__email="dr.morel@appui.test",
        user__first_name="Claire",
        user__last_name="Morel",
    )
    ProfessionalFactory(user=membership.user, first_name="Claire", last_name="Morel", title="Dr")
    log_in(page, "dr.morel@appui.test", PASSWORD)
    page.get_by_role("link", name="Solliciter le DAC").click()
    page.get_by_label("Commune où vit la personne").fill("Rieulay")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator(".fr-callout")).to_contain_text("DAC Scarpe-Escaut")
    page.get_by_label("Nom de naissance").fill("Roux")
    page.get_by_label("Prénom", exact=True).fill("Jeanne")
    page.get_by_label("Date de naissance").fill("1946-05-12")
    page.get_by_role("radio", name="Féminin").check(force=True)
    page.get_by_label("Troubles cognitifs").check(force=True)
    page.get_by_label("Chutes répétées").check(force=True)
    page.get_by_label("Situation, ce que vous attendez du DAC").fill(
        "Maladie d'Alzheimer, vit seule, chutes fréquentes, refuse les aides."
    )
    page.locator("#radio-id_person_informed").get_by_label("Oui").check(force=True)
    screenshot(page, "partenaire-1-solliciter")
    page.get_by_role("button", name="Envoyer la demande au DAC").click()
    expect(page.get_by_role("status").first).to_contain_text("a été transmise au DAC Scarpe-Escaut")
    expect(page.locator("tbody")).to_contain_text("Jeanne ROUX")
    expect(page.locator("tbody")).to_contain_text("En attente")
    screenshot(page, "partenaire-2-mes-demandes")
    saved = SupportRequest.objects.get()
    assert saved.channel == "web_form" and saved.submitted_by == membership.user
    assert saved.proposed_person["birth_name"] == "Roux"


@pytest.mark.django_db(transaction=True)
def test_the_director_tidies_the_reasons(page, transactional_db):
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")
    MembershipFactory(organisation=dac, role=Role.DIRECTOR, user__email="direction@appui.test")
    log_in(page, "direction@appui.test", PASSWORD)
    page.goto("/demandes/")
    page.get_by_role("link", name="Motifs et délais").click()
    expect(page.locator("h1")).to_have_text("Motifs et délais de l'accueil")
    page.get_by_label("Libellé du motif").fill("Logement indigne")
    page.get_by_role("button", name="Ajouter le motif").click()
    expect(page.get_by_role("status").first).to_contain_text("Motif « Logement indigne » ajouté")
    page.get_by_role("button", name="Monter « Logement indigne »").click()
    page.get_by_role("button", name="Désactiver « Fin de vie »").click()
    page.get_by_label("autre demande").fill("3")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status").first).to_contain_text("Délais enregistrés")
    screenshot(page, "reglages-motifs-delais")
    labels = list(dac.request_reasons.order_by("position").values_list("label", "is_active"))
    assert labels[-2] == ("Logement indigne", True)
    assert ("Fin de vie", False) in labels
    assert dac.intake_settings.normal_answer_days == 3
