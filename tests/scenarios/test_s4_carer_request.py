"""S4 — A daughter who can no longer cope.

Mme Sophie Roux calls about her mother, Mme Jeanne Roux, 79, Alzheimer's disease, living alone,
frequent falls, refusing help. The requester is a carer; the mother does not know yet and the GP
does not know the DAC is involved: the request page says the GP must be informed. Two days later,
at the home visit, the case manager obtains the mother's agreement, then answers with case
management, as the case manager herself; the episode page shows her caseload against the target.
Then the GP is informed."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from appui.accounts.models import User
from appui.care.models import CareEpisode
from appui.core.models import Event
from appui.intake.enums import Answer, IntensityLevel, RequesterKind, RequestStatus, ResponseType
from appui.intake.models import GpInformation, SupportRequest
from appui.territory.models import Professional

from .steps import (
    actions,
    answer,
    check_reasons,
    choose_response,
    create_person_from_request,
    email,
    events_of,
    flash,
    main,
    menu,
    open_answer_form,
    open_new_request,
    radio,
    save_answer,
    save_request,
    screenshot,
    section,
    select,
    sign_in,
    take_in_analysis,
    textbox,
    write_summary,
)

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
TUESDAY = datetime(2026, 11, 17, 10, 30, tzinfo=PARIS)
THURSDAY = datetime(2026, 11, 19, 16, 0, tzinfo=PARIS)


def test_s4_carer_request_consent_later_and_case_management(page, territory, time_machine):
    gp = Professional.objects.get(first_name="Claire", last_name="Morel")
    time_machine.move_to(TUESDAY)
    # --- Tuesday: the daughter calls the front desk ----------------------------------------------
    sign_in(page, "accueil")
    open_new_request(page)
    create_person_from_request(
        page,
        search="Roux Jeanne",
        first_names="Jeanne Marie",
        sex="Féminin",
        birth_date="1947-05-04",
        address="7 rue des Écoles",
        commune="Marchiennes",
        gp="Claire Morel",
        lives_alone=True,
    )
    expect(page.locator("#person-block .appui-picked")).to_contain_text(
        "Médecin traitant : Dr Claire Morel"
    )
    radio(page, "Un·e aidant·e, un proche").check(force=True)
    expect(page.get_by_label("Rechercher le demandeur dans le répertoire")).to_be_hidden()
    textbox(page, "Nom du demandeur").fill("Sophie Roux")
    textbox(page, "Lien avec la personne").fill("fille")
    textbox(page, "Coordonnées du demandeur").fill("06 12 34 56 78")
    check_reasons(page, "Épuisement de l'aidant", "Chutes répétées", "Troubles cognitifs")
    textbox(page, "Situation, précisions").fill(
        "Maladie d'Alzheimer, vit seule, chutes fréquentes, refuse toute aide. Sa fille "
        "n'y arrive plus."
    )
    answer(page, "gp_known", "Oui")
    answer(page, "person_informed", "Non")
    answer(page, "person_agrees", "Pas encore recueilli")
    screenshot(page, "s4-1-demande-aidante")
    save_request(page)
    support_request = SupportRequest.objects.get()

    # The GP has not been told: the page says it must be done; the agreement is awaited.
    gp_section = section(page, "medecin-traitant")
    expect(gp_section).to_contain_text(
        "Le médecin traitant, Dr Claire Morel, doit être informé de cette demande : aucun "
        "message ne lui a encore été envoyé."
    )
    expect(main(page)).to_contain_text("L'accord de la personne reste à recueillir")
    screenshot(page, "s4-2-medecin-a-informer")
    assert not GpInformation.objects.exists()

    # --- Thursday: the case manager visits Mme Roux at home --------------------------------------
    time_machine.move_to(THURSDAY)
    sign_in(page, "gestion-de-cas")
    menu(page, "Demandes")
    page.get_by_role("link", name=support_request.number).click()
    expect(page.locator("h1")).to_have_text(f"Demande {support_request.number}")
    take_in_analysis(page)

    actions(page).get_by_role("link", name="Enregistrer l'accord de la personne").click()
    expect(page.locator("h1")).to_contain_text("Accord de la personne")
    radio(page, "Oui, elle accepte").check(force=True)
    expect(page.get_by_label("Recueilli le")).to_have_value("2026-11-19")
    textbox(page, "Comment").fill("visite à domicile")
    page.get_by_role("button", name="Enregistrer").click()
    expect(flash(page)).to_contain_text("Accord de la personne enregistré")
    expect(main(page)).to_contain_text("Oui (le 19/11/2026, visite à domicile)")
    expect(main(page)).not_to_contain_text("L'accord de la personne reste à recueillir")

    open_answer_form(page)
    choose_response(page, "Gestion de cas")
    select(page, "Niveau d'intensité retenu").select_option(
        label="Niveau 3 — complexe à long terme"
    )
    select(page, "Gestionnaire de cas").select_option(label="Julie Mercier")
    write_summary(
        page,
        "Situation relevant de la gestion de cas (MAIA) : évaluation multidimensionnelle à "
        "domicile, plan de services à construire avec la fille et le médecin traitant.",
    )
    screenshot(page, "s4-3-reponse-gestion-de-cas")
    save_answer(page, "Gestion de cas")
    expect(main(page)).to_contain_text("Transformée en accompagnement")
    expect(main(page)).to_contain_text("délai de 2 jours ouvrés")
    # Still nobody told the GP: the page keeps saying so.
    expect(gp_section).to_contain_text("doit être informé de cette demande")
    assert not GpInformation.objects.exists()

    # The episode shows the case manager's caseload against the target.
    section(page, "personne").get_by_role("link", name="Mme Jeanne ROUX").click()
    expect(page.locator("h1")).to_have_text("Mme Jeanne ROUX")
    page.get_by_role("link", name="Gestion de cas", exact=True).click()
    expect(page.locator("h1")).to_have_text("Gestion de cas")
    target = settings.APPUI_CASELOAD_TARGET_CASE_MANAGER
    expect(main(page)).to_contain_text(
        f"Julie Mercier — 1 situation suivie pour un objectif de {target}"
    )
    screenshot(page, "s4-4-gestion-de-cas-charge")

    # Now the GP is informed, by secure messaging.
    page.get_by_role("link", name=f"demande {support_request.number}").click()
    actions(page).get_by_role("link", name="Informer le médecin traitant").click()
    letter = page.get_by_role("article", name="Message au médecin traitant")
    expect(letter).to_contain_text("Docteur Claire Morel,")
    expect(letter).to_contain_text("Sophie Roux (fille)")
    expect(letter).to_contain_text("La personne est informée de la démarche et l'accepte.")
    select(page, "Envoyé par").select_option(label="Messagerie sécurisée de santé (MSSanté)")
    page.get_by_role("button", name="Enregistrer l'envoi").click()
    expect(flash(page)).to_contain_text("Envoi au médecin traitant enregistré")
    expect(gp_section).to_contain_text("Dr Claire Morel a été informé·e le 19/11/2026")

    # --- The case-management file: the mother's consent given at the visit, the GP informed ----
    section(page, "personne").get_by_role("link", name="Mme Jeanne ROUX").click()
    page.get_by_role("link", name="Gestion de cas", exact=True).click()
    expect(main(page)).to_contain_text("Consentement de la personne à recueillir")
    page.get_by_role("link", name="Enregistrer le consentement").click()
    page.get_by_text("Accepte l'accompagnement", exact=True).click()
    page.get_by_label("Comment la personne a-t-elle été informée ?").select_option(
        label="Lors d'une visite à domicile"
    )
    page.get_by_label("Précisions").fill("Accord donné en présence de sa fille Sophie.")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(flash(page)).to_contain_text("Consentement enregistré")
    expect(main(page)).to_contain_text("Accepte l'accompagnement — le 19/11/2026")
    page.get_by_role("link", name="Enregistrer l'information du médecin traitant").click()
    page.get_by_label("Comment ?").select_option(label="Par messagerie sécurisée (MSSanté)")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(main(page)).to_contain_text("Informé de l'accompagnement le 19/11/2026")
    screenshot(page, "s4-5-dossier-gestion-de-cas")

    # The case manager's home page: her caseload against the target, Mme Roux at level 3.
    page.get_by_role("link", name="Accueil").first.click()
    work = page.get_by_role("region", name="Mon travail")
    expect(work).to_contain_text(f"Gestionnaire de cas de 1 situation pour un objectif de {target}")
    expect(work.get_by_role("link", name="Niveau 3 — complexe à long terme : 1")).to_be_visible()
    expect(work.get_by_role("table")).to_contain_text("Mme Jeanne ROUX")
    screenshot(page, "s4-6-mon-travail")

    # --- Stored outcome --------------------------------------------------------------------------
    front_desk = User.objects.get(email=email("accueil"))
    case_manager = User.objects.get(email=email("gestion-de-cas"))
    support_request.refresh_from_db()
    person = support_request.person
    assert (person.birth_name, person.first_name) == ("ROUX", "Jeanne")
    assert person.age(on=date(2026, 11, 17)) == 79
    assert person.gp == gp
    assert support_request.requester_kind == RequesterKind.CARER
    assert support_request.requester_professional is None
    assert (
        support_request.requester_name,
        support_request.requester_relationship,
        support_request.requester_contact,
    ) == ("Sophie Roux", "fille", "06 12 34 56 78")
    assert support_request.gp_known == Answer.YES
    assert timezone.localtime(support_request.received_at).date() == date(2026, 11, 17)
    # Agreement obtained two days later, at the home visit.
    assert support_request.person_agrees == Answer.YES
    assert support_request.person_informed == Answer.YES
    assert support_request.person_agreement_on == date(2026, 11, 19)
    assert support_request.person_agreement_how == "visite à domicile"
    assert support_request.status == RequestStatus.ACCOMPANIMENT
    assert support_request.level == IntensityLevel.LONG_TERM
    assert support_request.first_answer_delay_days == 2
    assert support_request.first_answered_at <= support_request.answer_due_at

    response = support_request.responses.get()
    assert (response.response_type, response.given_by) == (
        ResponseType.CASE_MANAGEMENT,
        case_manager,
    )
    episode = CareEpisode.objects.get()
    assert (episode.person, episode.request, episode.kind) == (
        person,
        support_request,
        "case_management",
    )
    assert episode.case_manager == case_manager
    assert episode.level == IntensityLevel.LONG_TERM
    assert episode.opened_on == date(2026, 11, 19)

    letter = GpInformation.objects.get()
    assert (letter.gp, letter.channel, letter.sent_by) == (gp, "mssante", case_manager)

    episode.refresh_from_db()
    consent = episode.consents.get()
    assert (consent.answer, consent.informed_how, consent.informed_on) == (
        "agrees",
        "home_visit",
        date(2026, 11, 19),
    )
    assert (consent.informed_by, consent.recorded_by) == (case_manager, case_manager)
    assert (episode.gp_informed_on, episode.gp_informed_how) == (date(2026, 11, 19), "mssante")
    assert [
        (e.verb, e.actor)
        for e in Event.objects.filter(
            subject_type="care.careepisode", subject_id=str(episode.pk)
        ).order_by("at", "pk")
    ][-2:] == [("consent_recorded", case_manager), ("gp_informed", case_manager)]

    events = events_of(support_request)
    assert [(e.verb, e.actor) for e in events] == [
        ("created", front_desk),
        ("taken_in_analysis", case_manager),
        ("agreement_recorded", case_manager),
        ("answered", case_manager),
        ("gp_informed", case_manager),
    ]
    agreement = events[2]
    assert timezone.localtime(agreement.at).date() == date(2026, 11, 19)
    assert agreement.data == {
        "from": Answer.UNKNOWN,
        "to": Answer.YES,
        "on": "2026-11-19",
        "how": "visite à domicile",
    }
