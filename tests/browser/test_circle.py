"""The care circle in the browser (S5): the coordinator adds the physiotherapist from the
directory and records M. Benali's objection (only his exercise plan); the physiotherapist logs in
and sees the circle read-only. Then an invited professional creates their account, and the
direction adjusts the sharing settings.

The PPCS page's filtering to the physiotherapist's own action belongs to the enforcement on every
page (built separately); here the restriction is checked where this journey shows it: the circle
page, and `core.sharing` for the physiotherapist."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appui.circle import services
from appui.circle.models import Objection, SharingDefault
from appui.core import sharing
from appui.core.enums import Role
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    CareCircleMemberFactory,
    CareEpisodeFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PracticePlaceFactory,
    ProfessionalFactory,
    UserFactory,
)

PASSWORD = "Mot-de-passe-solide-1"


@pytest.mark.django_db(transaction=True)
def test_circle_objection_partner_invitation_and_sharing_settings(page, browser, live_server):
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")
    coordinator = MembershipFactory(
        organisation=dac,
        role=Role.COORDINATOR,
        user__first_name="Camille",
        user__last_name="Dubois",
        user__email="coordination@dac.test",
    )
    today = timezone.localdate()
    gp = ProfessionalFactory(civility="Mme", title="Dr", first_name="Claire", last_name="Morel")
    person = PersonFactory(dac=dac, birth_name="Benali", first_name="Ahmed", sex="M", gp=gp)
    CareEpisodeFactory(
        person=person, referent=coordinator.user, opened_on=today - datetime.timedelta(days=30)
    )
    practice = OrganisationFactory(kind="msp", name="Maison de santé des Deux Rivières")
    physio_user = UserFactory(
        email="thomas.vasseur@kine.test", first_name="Thomas", last_name="Vasseur"
    )
    physio = ProfessionalFactory(
        civility="M.",
        first_name="Thomas",
        last_name="Vasseur",
        profession="physiotherapist",
        specialty="",
        user=physio_user,
    )
    MembershipFactory(user=physio_user, organisation=practice, role=Role.PARTNER)

    # The coordinator adds the physiotherapist from the directory.
    log_in(page, "coordination@dac.test", PASSWORD)
    page.goto(f"/personnes/{person.pk}/cercle/")
    expect(page.get_by_role("heading", level=1)).to_have_text("M. Ahmed BENALI")
    page.get_by_role("link", name="Ajouter un professionnel").click()
    page.get_by_role("searchbox").fill("Vasseur")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Ajouter M. Thomas Vasseur").click()
    page.get_by_label("Rôle dans la situation").fill("Kinésithérapeute, plan d'exercices")
    page.get_by_role("button", name="Ajouter au cercle").click()
    expect(page.get_by_role("status").first).to_contain_text("ajouté·e au cercle de soins")
    expect(page.locator("main table").first).to_contain_text("Kinésithérapeute, plan d'exercices")

    # M. Benali objects: only the exercise plan the physiotherapist carries.
    page.get_by_role("link", name="Opposition au partage avec M. Thomas Vasseur").click()
    page.get_by_text("Limiter le partage à certaines catégories").click()
    page.get_by_text("Plan d'accompagnement (PPCS)").click()
    page.get_by_text("Du PPCS, seulement les actions dont ce membre est responsable").click()
    page.get_by_label("Exprimée comment").select_option(label="Lors d'une visite à domicile")
    page.get_by_label("Précisions").fill("Dit oralement lors de la visite à domicile.")
    screenshot(page, "cercle-2-opposition")
    page.get_by_role("button", name="Enregistrer l'opposition").click()
    expect(page.get_by_role("status").first).to_contain_text("s'applique dès maintenant")
    main = page.locator("main")
    expect(main).to_contain_text("Limité·e à : Plan d'accompagnement (PPCS)")
    expect(main).to_contain_text("seulement les actions dont il est responsable")
    expect(main).to_contain_text(
        "M. Benali s'oppose au partage avec M. Thomas Vasseur (Masseur-kinésithérapeute) au-delà "
        "des actions du PPCS dont il est responsable"
    )
    screenshot(page, "cercle-1-equipe")
    objection = Objection.objects.get(person=person)
    assert objection.categories == ["plan"] and objection.own_actions_only

    # The physiotherapist sees the circle, read-only, and only his actions of the PPCS.
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    physio_page = context.new_page()
    log_in(physio_page, "thomas.vasseur@kine.test", PASSWORD)
    physio_page.goto(f"/personnes/{person.pk}/cercle/")
    physio_main = physio_page.locator("main")
    expect(physio_main).to_contain_text("M. Thomas Vasseur")
    expect(physio_main).to_contain_text("Médecin traitant")
    expect(physio_main).not_to_contain_text("Limité·e à")
    expect(physio_page.get_by_role("link", name="Ajouter un professionnel")).to_have_count(0)
    screenshot(physio_page, "cercle-3-partenaire")
    membership = physio_user.memberships.get()
    access = sharing.access(membership, person)
    assert access.plan and not access.medical and access.own_actions_professional_id == physio.pk
    context.close()

    # An invited nurse creates her account from the link.
    nurse = ProfessionalFactory(
        civility="Mme", first_name="Sandrine", last_name="Lefebvre", profession="nurse"
    )
    cabinet = OrganisationFactory(kind="practice", name="Cabinet infirmier de la Scarpe")
    PracticePlaceFactory(professional=nurse, organisation=cabinet)
    member = CareCircleMemberFactory(circle=person.care_circle, professional=nurse)
    _, token = services.invite(member, "sandrine.lefebvre@idel.test", cabinet, actor=coordinator)
    page.context.clear_cookies()
    page.goto(f"/invitation/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer votre compte Appui")
    expect(page.get_by_label("Nom", exact=True)).to_have_value("Lefebvre")
    page.locator("#id_password1").fill("Infirmiere-Scarpe-2026")
    page.locator("#id_password2").fill("Infirmiere-Scarpe-2026")
    screenshot(page, "cercle-4-invitation")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("status").first).to_contain_text("Votre compte Appui est créé")
    nurse.refresh_from_db()
    assert nurse.user.email == "sandrine.lefebvre@idel.test"

    # The direction lets nurses see the social part for this DAC.
    MembershipFactory(organisation=dac, role=Role.DIRECTOR, user__email="direction@dac.test")
    page.context.clear_cookies()
    log_in(page, "direction@dac.test", PASSWORD)
    page.goto("/administration/")
    page.get_by_role("link", name="Règles de partage").click()
    page.get_by_label("Infirmier·ère — Social").check()
    page.get_by_role("button", name="Enregistrer les règles").click()
    expect(page.get_by_role("status").first).to_contain_text("1 changement")
    screenshot(page, "cercle-5-regles-de-partage")
    assert SharingDefault.objects.get(dac=dac, profile="nurse", category="social").allowed
