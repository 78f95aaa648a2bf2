"""S3 — An emergency on a Friday evening.

Friday 17:10, Dr Hugo Lambert calls: his patient M. René Dufour, advanced cancer, at home; his wife
was hospitalised this afternoon; he cannot stay alone tonight. The coordinator records an urgent
request — the first answer is due the same day (urgent threshold: 0 working days) — and answers
the same evening with an accompaniment at level *urgence*: the care episode opens. The GP, who
made the request, is told by phone what was organised."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appui.accounts.models import User
from appui.care.models import CareEpisode
from appui.intake.enums import IntensityLevel, RequestStatus, ResponseType, Urgency
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
    open_answer_form,
    open_new_request,
    pick_requester,
    save_answer,
    screenshot,
    section,
    select,
    sign_in,
    textbox,
    write_summary,
)

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
FRIDAY_EVENING = datetime(2026, 11, 20, 17, 10, tzinfo=PARIS)


def test_s3_urgent_request_answered_the_same_evening(page, territory, time_machine):
    gp = Professional.objects.get(first_name="Hugo", last_name="Lambert")
    # The clock of the application (server and pages) runs from Friday 17:10.
    time_machine.move_to(FRIDAY_EVENING)
    sign_in(page, "coordination")
    open_new_request(page)
    # The request form opens at the time of the call: the server lives on Friday evening.
    expect(page.get_by_label("Reçue le")).to_have_value("2026-11-20T17:10")
    create_person_from_request(
        page,
        search="Dufour René",
        first_names="René Louis",
        sex="Masculin",
        birth_date="1949-06-02",
        commune="Saint-Amand-les-Eaux",
        gp="Hugo Lambert",
        phone="03 27 48 12 12",
    )
    expect(page.locator("#person-block .appui-picked")).to_contain_text(
        "Médecin traitant : Dr Hugo Lambert"
    )
    answer(page, "urgency", "Urgente")
    pick_requester(page, "Lambert", "Hugo Lambert")
    check_reasons(page, "Fin de vie", "Rupture de parcours")
    textbox(page, "Situation, précisions").fill(
        "Cancer évolué, à domicile. Son épouse a été hospitalisée cet après-midi : il ne peut "
        "pas rester seul cette nuit."
    )
    answer(page, "gp_known", "Oui")
    answer(page, "person_informed", "Oui")
    answer(page, "person_agrees", "Oui")
    screenshot(page, "s3-1-demande-urgente")
    page.get_by_role("button", name="Enregistrer la demande").click()
    # Urgent: the first answer is due today, Friday.
    expect(flash(page)).to_contain_text("Première réponse attendue au plus tard le 20/11/2026")
    expect(main(page)).to_contain_text("Urgente")
    expect(main(page)).to_contain_text("vendredi 20 novembre 2026")
    support_request = SupportRequest.objects.get()

    # The same evening: HAD and night nursing found; accompaniment at level "urgence".
    open_answer_form(page)
    choose_response(page, "Accompagnement (coordination renforcée)")
    select(page, "Niveau d'intensité retenu").select_option(label="Urgence")
    write_summary(
        page,
        "HAD Hainaut-Scarpe et service infirmier de nuit mobilisés pour cette nuit ; "
        "réévaluation demain.",
    )
    screenshot(page, "s3-2-reponse-urgence")
    save_answer(page, "Accompagnement (coordination renforcée)")
    expect(main(page)).to_contain_text("Transformée en accompagnement")
    expect(main(page)).to_contain_text("délai de 0 jour ouvré")
    expect(actions(page)).to_contain_text(
        "La demande est devenue un accompagnement : la suite se passe dans le dossier de la "
        "personne."
    )

    # The GP made the request: he is told by phone what was organised.
    gp_section = section(page, "medecin-traitant")
    expect(gp_section).to_contain_text("La demande vient du médecin traitant")
    actions(page).get_by_role("link", name="Informer le médecin traitant").click()
    expect(page.locator("h1")).to_contain_text("Information au médecin traitant")
    letter = page.get_by_role("article", name="Message au médecin traitant")
    expect(letter).to_contain_text("Docteur Hugo Lambert,")
    expect(letter).to_contain_text("Niveau d'intensité retenu : Urgence.")
    select(page, "Envoyé par").select_option(label="Téléphone")
    page.get_by_role("button", name="Enregistrer l'envoi").click()
    expect(flash(page)).to_contain_text("Envoi au médecin traitant enregistré")
    expect(gp_section).to_contain_text("a été informé·e le 20/11/2026 (téléphone)")
    screenshot(page, "s3-3-demande-accompagnement")

    # The episode, from the person's page.
    section(page, "personne").get_by_role("link", name="M. René DUFOUR").click()
    page.get_by_role("link", name="Accompagnement (coordination renforcée)", exact=True).click()
    expect(page.locator("h1")).to_have_text("Accompagnement (coordination renforcée)")
    expect(main(page)).to_contain_text("Urgence")
    expect(main(page)).to_contain_text("le 20/11/2026")
    screenshot(page, "s3-4-accompagnement")

    # --- Stored outcome --------------------------------------------------------------------------
    coordinator = User.objects.get(email=email("coordination"))
    support_request.refresh_from_db()
    received = timezone.localtime(support_request.received_at)
    assert received.date() == date(2026, 11, 20) and received.weekday() == 4
    assert (received.hour, received.minute) == (17, 10)
    assert support_request.urgency == Urgency.URGENT
    assert timezone.localtime(support_request.answer_due_at).date() == date(2026, 11, 20)
    assert support_request.first_answered_at <= support_request.answer_due_at
    assert support_request.first_answer_delay_days == 0
    assert support_request.status == RequestStatus.ACCOMPANIMENT
    assert support_request.level == IntensityLevel.URGENT
    assert support_request.requester_professional == gp
    assert support_request.person.gp == gp

    response = support_request.responses.get()
    assert response.response_type == ResponseType.COORDINATION
    assert response.given_by == coordinator
    assert timezone.localtime(response.given_at).date() == date(2026, 11, 20)

    episode = CareEpisode.objects.get()
    assert episode.person == support_request.person
    assert episode.request == support_request
    assert episode.level == IntensityLevel.URGENT
    assert episode.kind == "coordination"
    assert episode.opened_on == date(2026, 11, 20)
    assert episode.referent == coordinator

    letter = GpInformation.objects.get()
    assert (letter.request, letter.gp, letter.channel) == (support_request, gp, "phone")
    assert letter.sent_by == coordinator
    assert timezone.localtime(letter.sent_at).date() == date(2026, 11, 20)
    assert "Urgence" in letter.body

    events = events_of(support_request)
    assert [e.verb for e in events] == ["created", "answered", "gp_informed"]
    assert {e.actor for e in events} == {coordinator}
    assert events[1].data["to"] == RequestStatus.ACCOMPANIMENT
    assert events[1].data["level"] == IntensityLevel.URGENT
