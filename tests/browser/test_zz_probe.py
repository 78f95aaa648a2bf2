import pytest
from appui.core.enums import Role
from appui.intake import services, workflow, screening
from appui.intake.enums import ResponseType
from tests.browser.conftest import log_in, screenshot
from tests.factories import *  # noqa

@pytest.mark.django_db(transaction=True)
def test_probe(page):
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut", phone="03 27 99 00 00", email="contact@dac-se.fr")
    staff = MembershipFactory(organisation=dac, role=Role.COORDINATOR, user__email="c@dac.test", user__first_name="Inès", user__last_name="Lambert")
    partner = MembershipFactory(role=Role.PARTNER, user__email="p@dac.test")
    gp = ProfessionalFactory(title="Dr", first_name="Claire", last_name="Morel")
    person = PersonFactory(dac=dac, birth_name="Roux", first_name="Jeanne", gp=gp, gp_status="known")
    r = SupportRequestFactory(dac=dac, person=person, requester_kind="carer", requester_professional=None, requester_name="Sophie Roux", requester_relationship="fille", submitted_by=partner.user, description="Maladie d'Alzheimer, vit seule, chutes fréquentes, refuse l'aide.")
    r.reasons.add(RequestReasonFactory(dac=dac, label="Chutes répétées"))
    workflow.take_in_analysis(staff, r)
    screening.record_screening(staff, r, ["severity", "isolation", "autonomy_loss", "unsuitable_practices", "carer_exhausted"], True, "Alzheimer évolué, isolement, refus d'aide.")
    services.log_contact(staff, request=r, kind="call_out", with_whom="Mme Sophie Roux (fille)", purpose="Organiser la visite à domicile", outcome="Visite jeudi", duration_minutes=15)
    cm = MembershipFactory(organisation=dac, role=Role.CASE_MANAGER, user__first_name="Paul", user__last_name="Gestion")
    workflow.give_response(staff, r, ResponseType.CASE_MANAGEMENT, "Gestion de cas proposée ; visite à domicile jeudi.", level="long_term", case_manager=cm.user)
    log_in(page, "c@dac.test", "Mot-de-passe-solide-1")
    page.goto(f"/demandes/{r.pk}/")
    screenshot(page, "probe-s4-detail")
    page.goto(f"/demandes/{r.pk}/medecin-traitant/")
    screenshot(page, "probe-gp")
    page.goto(f"/demandes/{r.pk}/accord/")
    screenshot(page, "probe-accord")
    page.goto(f"/demandes/{r.pk}/contacts/ajout/")
    screenshot(page, "probe-contact")
    page.goto("/compte/deconnexion/")
    log_in(page, "p@dac.test", "Mot-de-passe-solide-1")
    page.goto(f"/demandes/{r.pk}/")
    screenshot(page, "probe-partner")
