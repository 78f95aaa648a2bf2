"""The PPCS in the browser (journey S2): the coordinator builds version 1 from the needs of the
home assessment, with two goals and three actions; the médecin traitant logs in and validates it;
the person's agreement puts it in force; version 2 is started and changed, the comparison shows
what changed, and the PDF is downloaded."""

import datetime
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from appui.care.models import CarePlanVersion
from appui.core.enums import Role
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    AssessmentFactory,
    CareEpisodeFactory,
    CarerFactory,
    CommuneFactory,
    MembershipFactory,
    NeedFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    ServiceFactory,
    UserFactory,
)

PASSWORD = "Mot-de-passe-solide-1"


def save(page, button) -> None:
    """Click a button whose success reloads the plan page (htmx asks for a full reload)."""
    with page.expect_navigation():
        button.click()


def add_action(page, goal: int, kind: str, description: str, fill_who, **when):
    page.get_by_role("link", name=f"Ajouter une action à l'objectif {goal}").click()
    form = page.locator(".appui-plan-form")
    expect(form.get_by_role("heading", name="Ajouter une action")).to_be_visible()
    form.get_by_text(kind, exact=True).click()
    form.get_by_label(re.compile(r"^\s*Action\b")).fill(description)
    fill_who(form)
    for label, value in when.items():
        form.get_by_label(re.compile(rf"^\s*{label}")).fill(value)
    save(page, form.get_by_role("button", name="Enregistrer"))
    expect(page.get_by_role("status").first).to_contain_text("Action ajoutée.")


@pytest.mark.django_db(transaction=True)
def test_ppcs_from_draft_to_version_2(page, browser, live_server):
    today = datetime.date.today()
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut", phone="03 27 99 00 00")
    rieulay = CommuneFactory(insee_code="59501", name="Rieulay", latitude=50.377, longitude=3.253)
    coordinator = MembershipFactory(
        organisation=dac,
        role=Role.COORDINATOR,
        user__first_name="Inès",
        user__last_name="Lambert",
        user__email="coordination@dac.test",
        user__phone="06 12 34 56 78",
    )
    gp_user = UserFactory(email="dr.morel@cabinet.test", first_name="Claire", last_name="Morel")
    gp = ProfessionalFactory(
        title="Dr", first_name="Claire", last_name="Morel", phone="03 27 11 22 33", user=gp_user
    )
    MembershipFactory(user=gp_user, role=Role.PARTNER, organisation=OrganisationFactory())
    person = PersonFactory(
        dac=dac,
        birth_name="Benali",
        first_name="Ahmed",
        sex="M",
        commune=rieulay,
        gp=gp,
        gp_status="known",
    )
    CarerFactory(
        person=person,
        first_name="Fatima",
        last_name="Benali",
        relationship="spouse",
        is_main_carer=True,
    )
    meals = ServiceFactory(
        meals=True,
        organisation=OrganisationFactory(name="Les Repas de la Pévèle", commune=rieulay),
        zone_codes=["59501"],
        phone="03 27 00 11 22",
    )
    episode = CareEpisodeFactory(person=person, referent=coordinator.user)
    assessment = AssessmentFactory(episode=episode, status="completed", author=coordinator.user)
    NeedFactory(
        episode=episode,
        assessment=assessment,
        domain="health",
        description="Trois hospitalisations en six mois",
    )
    NeedFactory(
        episode=episode,
        assessment=assessment,
        domain="carers",
        description="Épouse aidante épuisée",
    )

    # --- The coordinator builds version 1 -------------------------------------------------------
    log_in(page, "coordination@dac.test", PASSWORD)
    page.goto(f"/accompagnements/{episode.pk}/ppcs/")
    main = page.locator("main")
    expect(main).to_contain_text("Besoins relevés par les évaluations (2)")
    page.get_by_role("button", name="Commencer le PPCS").click()
    expect(page.get_by_role("status").first).to_contain_text("Version 1 du PPCS commencée.")
    expect(main).to_contain_text("Trois hospitalisations en six mois")

    page.get_by_role("link", name="Modifier la synthèse").click()
    form = page.locator(".appui-plan-form")
    form.get_by_label("Synthèse de la situation").fill(
        "BPCO et insuffisance cardiaque ; vit avec son épouse, épuisée."
    )
    form.get_by_label("Attentes et projet de la personne").fill("Rester chez lui.")
    form.get_by_label("Date de révision").fill((today + datetime.timedelta(days=180)).isoformat())
    screenshot(page, "ppcs-1-synthese")
    save(page, form.get_by_role("button", name="Enregistrer"))
    expect(page.get_by_role("status").first).to_contain_text("Synthèse enregistrée.")

    for title, need in [
        ("Éviter la réhospitalisation", "Santé — Trois hospitalisations en six mois"),
        ("Soulager l'aidante", "Entourage et aidant — Épouse aidante épuisée"),
    ]:
        page.get_by_role("link", name="Ajouter un objectif").click()
        form = page.locator(".appui-plan-form")
        form.get_by_label(re.compile(r"^\s*Objectif")).fill(title)
        form.get_by_text(need).click()
        expect(form.get_by_label(need)).to_be_checked()
        save(page, form.get_by_role("button", name="Enregistrer"))
        expect(page.get_by_role("status").first).to_contain_text("Objectif ajouté.")

    def other(label):
        def fill(form):
            form.get_by_label("Qui fait l'action").select_option(
                label="Autre responsable (à préciser ci-dessous)"
            )
            form.get_by_label("Autre responsable").fill(label)

        return fill

    def the_gp(form):
        form.get_by_label("Qui fait l'action").select_option(label="Dr Claire Morel — Médecin")

    def searched(form):
        form.get_by_label("Chercher dans le répertoire").fill("portage repas")
        expect(form.get_by_label("Qui fait l'action")).to_have_value(f"service:{meals.pk}")
        expect(form).to_contain_text("ajouté à la liste")
        screenshot(page, "ppcs-2-action-recherche")

    add_action(
        page,
        1,
        "Soins",
        "Passage infirmier quotidien",
        other("Infirmière libérale"),
        **{"Périodicité": "tous les jours"},
    )
    add_action(
        page,
        1,
        "Soins",
        "Consultation de pneumologie",
        the_gp,
        **{"Échéance": (today + datetime.timedelta(days=30)).isoformat()},
    )
    add_action(
        page,
        2,
        "Accompagnement et aides",
        "Portage des repas à domicile",
        searched,
        **{"Début": (today + datetime.timedelta(days=7)).isoformat()},
    )
    expect(main).to_contain_text("Le PPCS est prêt à être soumis au médecin traitant")
    screenshot(page, "ppcs-3-brouillon")

    page.get_by_role("link", name="Soumettre au médecin traitant").click()
    page.get_by_role("button", name="Soumettre au médecin traitant").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "PPCS soumis au médecin traitant (Dr Claire Morel)."
    )
    expect(main).to_contain_text("Soumis au médecin traitant")

    # --- The médecin traitant validates in Appui --------------------------------------------------
    gp_context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    gp_page = gp_context.new_page()
    gp_page.set_default_timeout(10_000)
    log_in(gp_page, "dr.morel@cabinet.test", PASSWORD)
    gp_page.goto(f"/accompagnements/{episode.pk}/ppcs/")
    gp_main = gp_page.locator("main")
    expect(gp_main).to_contain_text("Vous êtes le médecin traitant de M. Ahmed BENALI")
    expect(gp_main).to_contain_text("Portage des repas à domicile")
    expect(gp_main.get_by_role("link", name="Modifier la synthèse")).to_have_count(0)
    gp_page.get_by_label("Commentaire").fill("D'accord, je vois M. Benali jeudi.")
    screenshot(gp_page, "ppcs-4-validation-medecin")
    gp_page.get_by_role("button", name="Valider le PPCS").click()
    expect(gp_page.get_by_role("status").first).to_contain_text(
        "Validation du PPCS par le médecin traitant enregistrée."
    )
    expect(gp_main).to_contain_text("Validé par Dr Claire Morel le")
    expect(gp_main).to_contain_text(", dans Appui")
    gp_context.close()

    # --- The person's agreement puts it in force ---------------------------------------------------
    page.reload()
    page.get_by_role("link", name="Enregistrer l'accord de la personne").click()
    form = page.locator(".appui-plan-form")
    form.get_by_label("Accord donné le").fill(today.isoformat())
    form.get_by_label("Accord recueilli").select_option(label="Lors d'une visite à domicile")
    save(page, form.get_by_role("button", name="Enregistrer l'accord"))
    expect(page.get_by_role("status").first).to_contain_text("Accord de la personne enregistré.")
    expect(main).to_contain_text("En vigueur")
    expect(main).to_contain_text("« D'accord, je vois M. Benali jeudi. »")
    screenshot(page, "ppcs-5-en-vigueur")

    # Follow-up: the meal delivery started.
    page.get_by_role(
        "link", name="Mettre à jour le statut de « Portage des repas à domicile »"
    ).click()
    form = page.locator(".appui-plan-form")
    form.get_by_text("Réalisée", exact=True).click()
    save(page, form.get_by_role("button", name="Enregistrer"))
    expect(page.get_by_role("status").first).to_contain_text("Statut de l'action mis à jour.")
    expect(main).to_contain_text("3 actions : 2 prévues, 1 réalisée.")

    # --- Version 2: changed, then compared -----------------------------------------------------------
    page.get_by_role("button", name="Commencer une nouvelle version").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Version 2 du PPCS commencée à partir de la version 1."
    )
    page.get_by_role("link", name="Modifier la synthèse").click()
    form = page.locator(".appui-plan-form")
    form.get_by_label("Synthèse de la situation").fill(
        "BPCO et insuffisance cardiaque ; réhospitalisé en urgence ; son épouse est épuisée."
    )
    form.get_by_label("Date de révision").fill((today + datetime.timedelta(days=90)).isoformat())
    save(page, form.get_by_role("button", name="Enregistrer"))
    expect(page.get_by_role("status").first).to_contain_text("Synthèse enregistrée.")
    page.get_by_role("link", name="Retirer l'action « Passage infirmier quotidien »").click()
    save(page, page.locator(".appui-plan-form").get_by_role("button", name="Retirer"))
    expect(page.get_by_role("status").first).to_contain_text("Action retirée du PPCS.")
    page.get_by_role("link", name="Modifier l'action « Consultation de pneumologie »").click()
    form = page.locator(".appui-plan-form")
    form.get_by_label(re.compile(r"^\s*Échéance")).fill(
        (today + datetime.timedelta(days=14)).isoformat()
    )
    save(page, form.get_by_role("button", name="Enregistrer"))
    expect(page.get_by_role("status").first).to_contain_text("Action modifiée.")
    add_action(
        page,
        2,
        "Accompagnement et aides",
        "Accueil de jour deux jours par semaine",
        other("Accueil de jour Les Tilleuls"),
        **{"Périodicité": "mardi et jeudi"},
    )
    page.get_by_role("link", name="Comparer les versions").click()
    expect(main).to_contain_text("De la version 1 (en vigueur) à la version 2 (brouillon)")
    actions = main.locator("section", has=page.get_by_role("heading", name="Actions"))
    expect(actions).to_contain_text("Retiré")
    expect(actions).to_contain_text("Passage infirmier quotidien")
    expect(actions).to_contain_text("Ajouté")
    expect(actions).to_contain_text("Accueil de jour deux jours par semaine")
    expect(actions).to_contain_text("Modifié")
    expect(actions).to_contain_text("Échéance")
    synthesis = main.locator(".appui-plan-diff").first
    expect(synthesis.locator("ins")).to_have_text(["réhospitalisé en urgence ;", "épouse est"])
    expect(synthesis.locator("del")).to_have_text(["vit avec", "épouse,"])
    expect(main).to_contain_text("Date de révision")
    screenshot(page, "ppcs-6-comparaison")

    # --- The PDF of the version in force -------------------------------------------------------------
    page.get_by_role("link", name="version 1").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    pdf = download.value
    assert pdf.suggested_filename == "PPCS-benali-ahmed-v1.pdf"
    with open(pdf.path(), "rb") as handle:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    for expected in (
        "Passage infirmier quotidien",
        "Consultation de pneumologie",
        "Portage des repas à domicile",
        "Qui fait quoi et quand",
    ):
        assert expected in text
    versions = CarePlanVersion.objects.filter(plan__episode=episode).order_by("number")
    assert [v.status for v in versions] == ["active", "draft"]
