"""Triage in the browser: open a request, take it in analysis, screen it, answer with an
orientation and an unmet need, close it — and read the whole timeline."""

import pytest
from playwright.sync_api import expect

from appui.core.enums import Role
from appui.directory.models import UnmetNeed
from appui.intake import services
from appui.intake.enums import RequestStatus
from appui.intake.models import SupportRequest
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    RequestReasonFactory,
    ServiceFactory,
)

PASSWORD = "Mot-de-passe-solide-1"


def new_request(**fields) -> SupportRequest:
    """An unsaved request as the front desk fills it (create_request numbers and dates it)."""
    return SupportRequest(
        channel="phone",
        requester_kind="professional",
        description="Mme Martin, 84 ans, vit seule ; elle demande comment se faire livrer ses "
        "repas et s'équiper d'une téléassistance.",
        **fields,
    )


@pytest.mark.django_db(transaction=True)
def test_triage_from_new_request_to_closing(page):
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut", phone="03 27 99 00 00")
    rieulay = CommuneFactory(insee_code="59501", name="Rieulay", latitude=50.377, longitude=3.253)
    coordinator = MembershipFactory(
        organisation=dac,
        role=Role.COORDINATOR,
        user__first_name="Inès",
        user__last_name="Lambert",
        user__email="coordination@dac.test",
    )
    pharmacy = OrganisationFactory(name="Pharmacie de Rieulay", kind="pharmacy", commune=rieulay)
    pharmacist = ProfessionalFactory(first_name="Julien", last_name="Carpentier", nurse=True)
    meals = ServiceFactory(
        meals=True,
        organisation=OrganisationFactory(name="Les Repas de la Pévèle", commune=rieulay),
        zone_codes=["59501"],
    )
    person = PersonFactory(
        dac=dac, birth_name="Martin", first_name="Lucienne", commune=rieulay, gp_status="unknown"
    )
    request = services.create_request(
        coordinator,
        new_request(
            dac=dac,
            person=person,
            requester_professional=pharmacist,
            requester_organisation=pharmacy,
        ),
        [RequestReasonFactory(dac=dac, label="Maintien à domicile difficile")],
    )

    log_in(page, "coordination@dac.test", PASSWORD)
    page.goto(f"/demandes/{request.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demande {request.number}")
    expect(page.locator("main")).to_contain_text("Nouvelle")
    expect(page.locator("main")).to_contain_text("Première réponse attendue au plus tard le")
    screenshot(page, "triage-1-nouvelle-demande")

    page.get_by_role("button", name="Prendre en analyse").click()
    expect(page.get_by_role("status").first).to_contain_text("Demande prise en analyse")
    expect(page.locator("main")).to_contain_text("En analyse")
    expect(page.locator("main")).to_contain_text("Inès Lambert")

    page.get_by_role("link", name="Repérage de la complexité").click()
    page.get_by_text("Isolement ou vulnérabilité sociale").click()
    page.get_by_text("Perte d'autonomie", exact=True).click()
    page.get_by_label("Justification").fill("Vit seule, perte d'autonomie débutante.")
    screenshot(page, "triage-2-reperage")
    page.get_by_role("button", name="Enregistrer le repérage").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Niveau suggéré : niveau 1 — signalement d'un risque"
    )

    page.get_by_role("link", name="Répondre").click()
    expect(page.get_by_label("Niveau d'intensité retenu")).to_have_value("risk")
    page.get_by_text("Orientation, mise en relation").click()
    page.get_by_label("Ce qui a été dit, proposé ou organisé").fill(
        "Un service de portage de repas intervient à Rieulay ; pas de téléassistance sur la "
        "commune."
    )
    page.get_by_label("Chercher une ressource du répertoire").fill("portage repas")
    page.get_by_role("button", name="Rechercher").click()
    service = page.get_by_text("Portage de repas à domicile — Les Repas de la Pévèle")
    expect(service).to_contain_text("(intervient dans la commune)")
    service.click()
    expect(
        page.get_by_label("Portage de repas à domicile — Les Repas de la Pévèle")
    ).to_be_checked()
    page.get_by_label("Besoin non couvert : thématique").select_option("teleassistance")
    expect(page.get_by_label("Commune concernée")).to_have_value("59501")
    page.get_by_label("Public").select_option("seniors")
    screenshot(page, "triage-3-reponse-orientation")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Réponse enregistrée : orientation, mise en relation"
    )
    main = page.locator("main")
    expect(main).to_contain_text("Répondue")
    expect(main).to_contain_text("délai de 0 jour ouvré")
    expect(main).to_contain_text("Portage de repas à domicile")
    expect(main).to_contain_text("Téléassistance — Rieulay")

    page.get_by_label("Note de clôture").fill("Réponse donnée au pharmacien.")
    page.get_by_role("button", name="Clôturer la demande").click()
    expect(page.get_by_role("status").first).to_contain_text("Demande clôturée")
    expect(main).to_contain_text("La demande est terminée (clôturée")
    timeline = page.locator(".appui-timeline")
    for label in (
        "Demande enregistrée",
        "Prise en analyse",
        "Repérage de la complexité",
        "Réponse : orientation, mise en relation",
        "Demande clôturée",
    ):
        expect(timeline).to_contain_text(label)
    screenshot(page, "triage-4-demande-cloturee")

    request = SupportRequest.objects.get(pk=request.pk)
    assert request.status == RequestStatus.CLOSED
    assert request.first_answer_delay_days == 0
    assert list(request.responses.get().services.all()) == [meals]
    need = UnmetNeed.objects.get()
    assert (need.theme, need.commune, need.public, need.dac) == (
        "teleassistance",
        rieulay,
        "seniors",
        dac,
    )
