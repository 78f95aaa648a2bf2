"""S2 (start) — A hospital discharge that becomes an accompaniment.

The social worker of the hospital centre sends a request by secure messaging: M. Ahmed Benali, 72,
COPD and heart failure, three hospitalisations in six months, lives with his wife who is
exhausted; discharge in three days. The coordinator fills the complexity screening: positive
(repeated hospitalisations, exhausted carer, imminent discharge) and the grid suggests level 2,
*court terme*, with its reasons. The coordinator answers with an accompaniment at that level (the
episode opens), prepares the printable "Information au médecin traitant" for Dr Claire Morel and
records its sending by MSSanté. (The assessment and the PPCS come with the care-plan pages.)"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appui.accounts.models import User
from appui.care.models import CareEpisode
from appui.intake.enums import Channel, IntensityLevel, RequestStatus, ResponseType
from appui.intake.models import ComplexityScreening, GpInformation, SupportRequest
from appui.territory.models import Professional

from .steps import (
    actions,
    answer,
    check_reasons,
    checkbox,
    choose_response,
    create_person_from_request,
    email,
    events_of,
    flash,
    main,
    open_answer_form,
    open_new_request,
    pick_requester,
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

WEDNESDAY = datetime(2026, 11, 18, 11, 5, tzinfo=ZoneInfo("Europe/Paris"))
CRITERIA = [
    "Plusieurs pathologies et/ou plusieurs ALD",
    "Hospitalisations répétées pour le même problème",
    "Sortie d'hospitalisation récente ou imminente",
    "Aidant·e épuisé·e ou absent·e",
]


def test_s2_hospital_discharge_screened_and_accompanied(page, territory, time_machine):
    time_machine.move_to(WEDNESDAY)  # the secure message arrives
    social_worker = Professional.objects.get(first_name="Nadia", last_name="Benkhaled")
    gp = Professional.objects.get(first_name="Claire", last_name="Morel")
    sign_in(page, "coordination")

    # --- The hospital's secure message -----------------------------------------------------------
    open_new_request(page)
    create_person_from_request(
        page,
        search="Benali Ahmed",
        first_names="Ahmed",
        sex="Masculin",
        birth_date="1954-02-11",
        address="18 rue Jean-Jaurès",
        commune="Saint-Amand-les-Eaux",
        gp="Claire Morel",
        phone="03 27 22 33 44",
        lives_alone=False,
    )
    answer(page, "channel", "Messagerie sécurisée de santé")
    pick_requester(page, "Benkhaled", "Nadia Benkhaled")
    textbox(page, "Coordonnées du demandeur").fill("service-social@ch-scarpe.mssante.test")
    check_reasons(page, "Sortie d'hospitalisation", "Épuisement de l'aidant")
    textbox(page, "Situation, précisions").fill(
        "BPCO et insuffisance cardiaque ; trois hospitalisations en six mois. Vit avec son "
        "épouse, épuisée. Sortie prévue dans trois jours."
    )
    answer(page, "gp_known", "Oui")
    answer(page, "person_informed", "Oui")
    answer(page, "person_agrees", "Oui")
    save_request(page)
    support_request = SupportRequest.objects.get()
    take_in_analysis(page)

    # --- Complexity screening: positive, level 2 suggested, with its reasons ---------------------
    actions(page).get_by_role("link", name="Repérage de la complexité").click()
    expect(page.locator("h1")).to_contain_text("Repérage de la complexité")
    checkbox(page, "La situation nécessite l'intervention de plusieurs catégories").check(
        force=True
    )
    for label in CRITERIA:
        checkbox(page, label).check(force=True)
    textbox(page, "Justification").fill(
        "Médecin traitant, infirmier, SSIAD, aide à domicile et service social à coordonner "
        "pour le retour à domicile ; épouse épuisée."
    )
    screenshot(page, "s2-1-reperage")
    page.get_by_role("button", name="Enregistrer le repérage").click()
    expect(flash(page)).to_contain_text(
        "Repérage enregistré. Niveau suggéré : niveau 2 — complexe à court terme."
    )
    screening_section = section(page, "reperage")
    expect(screening_section).to_contain_text(
        "Situation complexe — niveau suggéré : Niveau 2 — complexe à court terme"
    )
    expect(screening_section).to_contain_text(
        "Plusieurs catégories de professionnels sont nécessaires"
    )
    expect(screening_section).to_contain_text(
        "Facteur aigu ou de court terme (sortie d'hospitalisation récente ou imminente)"
    )
    expect(screening_section).to_contain_text("Hospitalisations répétées pour le même problème")
    expect(screening_section).to_contain_text("Aidant·e épuisé·e ou absent·e")
    screenshot(page, "s2-2-reperage-enregistre")

    # --- Accompaniment at the suggested level ----------------------------------------------------
    open_answer_form(page)
    expect(main(page)).to_contain_text("niveau suggéré niveau 2 — complexe à court terme")
    choose_response(page, "Accompagnement (coordination renforcée)")
    level = select(page, "Niveau d'intensité retenu")
    expect(level).to_have_value(IntensityLevel.SHORT_TERM)
    write_summary(
        page,
        "Inclusion en accompagnement (niveau 2) : M. Benali est d'accord. Évaluation à domicile "
        "dans la semaine suivant la sortie.",
    )
    save_answer(page, "Accompagnement (coordination renforcée)")
    expect(main(page)).to_contain_text("Transformée en accompagnement")
    expect(main(page)).to_contain_text("Niveau 2 — complexe à court terme")

    # --- Information of the GP: a printable message, its sending recorded ------------------------
    gp_section = section(page, "medecin-traitant")
    expect(gp_section).to_contain_text("Le médecin traitant, Dr Claire Morel, doit être informé")
    gp_section.get_by_role(
        "link", name="Préparer le message « Information au médecin traitant »"
    ).click()
    expect(page.locator("h1")).to_contain_text("Information au médecin traitant")
    letter = page.get_by_role("article", name="Message au médecin traitant")
    expect(letter).to_contain_text("Docteur Claire Morel,")
    expect(letter).to_contain_text("votre patient M. Ahmed BENALI, né le 11/02/1954")
    expect(letter).to_contain_text("reçue par messagerie sécurisée de santé")
    expect(letter).to_contain_text("Mme Nadia Benkhaled")
    expect(letter).to_contain_text("accompagnement (coordination renforcée)")
    expect(letter).to_contain_text("Niveau d'intensité retenu : Niveau 2 — complexe à court terme.")
    expect(page.get_by_role("button", name="Imprimer")).to_be_visible()
    screenshot(page, "s2-3-information-medecin-traitant")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Imprimer")).to_be_hidden()
    expect(letter).to_be_visible()
    page.emulate_media(media="screen")
    select(page, "Envoyé par").select_option(label="Messagerie sécurisée de santé (MSSanté)")
    page.get_by_role("button", name="Enregistrer l'envoi").click()
    expect(flash(page)).to_contain_text("Envoi au médecin traitant enregistré")
    expect(gp_section).to_contain_text(
        "Dr Claire Morel a été informé·e le 18/11/2026 (messagerie sécurisée de santé (MSSanté))"
    )
    gp_section.get_by_role("link", name="Message du 18/11/2026").click()
    expect(main(page)).to_contain_text("Docteur Claire Morel,")
    screenshot(page, "s2-4-message-envoye")

    # --- Stored outcome --------------------------------------------------------------------------
    coordinator = User.objects.get(email=email("coordination"))
    support_request.refresh_from_db()
    person = support_request.person
    assert (person.birth_name, person.first_name, person.gp) == ("BENALI", "Ahmed", gp)
    assert person.age(on=date(2026, 11, 18)) == 72
    assert support_request.channel == Channel.SECURE_MESSAGE
    assert support_request.requester_professional == social_worker

    screening = ComplexityScreening.objects.get()
    assert (screening.request, screening.person) == (support_request, person)
    assert screening.is_positive is True
    assert screening.several_categories is True
    assert set(screening.criteria) == {
        "several_pathologies",
        "repeated_hospitalisations",
        "hospital_discharge",
        "carer_exhausted",
    }
    assert screening.suggested_level == IntensityLevel.SHORT_TERM
    assert len(screening.suggestion_reasons) >= 2

    assert support_request.status == RequestStatus.ACCOMPANIMENT
    assert support_request.level == IntensityLevel.SHORT_TERM
    assert support_request.first_answer_delay_days == 0
    response = support_request.responses.get()
    assert (response.response_type, response.given_by) == (
        ResponseType.COORDINATION,
        coordinator,
    )
    episode = CareEpisode.objects.get()
    assert (episode.person, episode.request, episode.kind, episode.level) == (
        person,
        support_request,
        "coordination",
        IntensityLevel.SHORT_TERM,
    )
    assert episode.referent == coordinator
    assert episode.opened_on == date(2026, 11, 18)

    letter = GpInformation.objects.get()
    assert (letter.request, letter.gp, letter.channel, letter.sent_by) == (
        support_request,
        gp,
        "mssante",
        coordinator,
    )
    assert timezone.localtime(letter.sent_at).date() == date(2026, 11, 18)
    assert letter.body.startswith("Docteur Claire Morel,")
    assert "Niveau 2 — complexe à court terme" in letter.body

    events = events_of(support_request)
    assert [e.verb for e in events] == [
        "created",
        "taken_in_analysis",
        "screened",
        "answered",
        "gp_informed",
    ]
    assert {e.actor for e in events} == {coordinator}
