"""S1 — A pharmacist asks for information (mission 1).

The pharmacist of Rieulay calls: his customer Mme Lucienne Martin, 84, living alone, asks about
meal delivery and a personal alarm. The front desk records the request (the pharmacist found in
the directory), creates Mme Martin (provisional identity), gives the information, then an
orientation to the two meal-delivery services covering Rieulay; no personal alarm provider covers
the commune: an unmet need is recorded. Closed the same day: first answer after 0 working days."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appui.accounts.models import User
from appui.directory.models import UnmetNeed
from appui.intake.enums import RequestStatus, ResponseType
from appui.intake.models import SupportRequest
from appui.persons.enums import IdentityStatus
from appui.territory.models import Organisation, Professional

from .steps import (
    answer,
    check_reasons,
    choose_response,
    close_request,
    create_person_from_request,
    email,
    events_of,
    main,
    named,
    open_answer_form,
    open_new_request,
    pick_requester,
    save_answer,
    save_request,
    screenshot,
    search_resources,
    section,
    select,
    sign_in,
    take_in_analysis,
    textbox,
    write_summary,
)

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY_MORNING = datetime(2026, 11, 16, 9, 40, tzinfo=ZoneInfo("Europe/Paris"))


def test_s1_pharmacist_asks_for_information(page, territory, time_machine):
    time_machine.move_to(MONDAY_MORNING)  # the call
    pharmacist = Professional.objects.get(first_name="Julien", last_name="Carpentier")
    sign_in(page, "accueil")

    # --- The call: Mme Martin is new to the DAC; the pharmacist is in the directory. -------------
    open_new_request(page)
    create_person_from_request(
        page,
        search="Martin Lucienne",
        first_names="Lucienne Marie",
        sex="Féminin",
        birth_date="1942-03-14",
        commune="59501",
        phone="03 27 91 00 00",
        lives_alone=True,
    )
    card = page.locator("#person-block .appui-picked")
    expect(card).to_contain_text("Mme Lucienne MARTIN")
    expect(card).to_contain_text("14/03/1942 (84 ans)")
    expect(card).to_contain_text("Rieulay")
    expect(card).to_contain_text("Identité provisoire")

    pick_requester(page, "Carpentier", "Julien Carpentier")
    expect(page.locator("#requester-block .appui-picked")).to_contain_text(
        f"RPPS {pharmacist.rpps}"
    )
    textbox(page, "Coordonnées du demandeur").fill("03 27 00 36 00")
    check_reasons(page, "Isolement", "Maintien à domicile difficile")
    textbox(page, "Situation, précisions").fill(
        "Vit seule à 84 ans. Demande un portage de repas et une téléassistance."
    )
    answer(page, "person_informed", "Oui")
    answer(page, "person_agrees", "Oui")
    screenshot(page, "s1-1-demande-saisie")
    save_request(page)
    support_request = SupportRequest.objects.get()
    expect(main(page)).to_contain_text("Nouvelle")
    expect(main(page)).to_contain_text("Première réponse attendue au plus tard le")

    # --- Analysis, then two answers: information, orientation ------------------------------------
    take_in_analysis(page)
    expect(main(page)).to_contain_text("En analyse")

    open_answer_form(page)
    choose_response(page, "Information, conseil")
    write_summary(
        page,
        "Informée sur le portage de repas (prix, aide possible du CCAS) et sur la téléassistance.",
    )
    save_answer(page, "Information, conseil")
    expect(main(page)).to_contain_text("Répondue")

    open_answer_form(page)
    choose_response(page, "Orientation, mise en relation")
    search_resources(page, "portage de repas")
    resources = page.get_by_role("group", name=named("Ressources proposées"))
    pevele = resources.get_by_role(
        "checkbox", name=re.compile(r"^Portage de repas.*Les Repas de la Pévèle")
    )
    admr = resources.get_by_role(
        "checkbox", name=re.compile(r"^Portage de repas.*ADMR des Deux Rivières")
    )
    expect(pevele).to_have_accessible_name(re.compile("intervient dans la commune"))
    expect(admr).to_have_accessible_name(re.compile("intervient dans la commune"))
    pevele.check(force=True)
    admr.check(force=True)
    screenshot(page, "s1-2-orientation-ressources")
    # No personal alarm provider covers Rieulay: an unmet need (theme, commune, public).
    search_resources(page, "téléassistance")
    alarms = resources.get_by_role("checkbox", name=re.compile(r"^Téléassistance"))
    expect(alarms.first).to_have_accessible_name(re.compile(r"\(hors zone\)$"))
    covering = re.compile(r"^(Téléassistance|Détecteur de chute).*intervient dans la commune")
    expect(resources.get_by_role("checkbox", name=covering)).to_have_count(0)
    expect(pevele).to_be_checked()
    expect(admr).to_be_checked()
    select(page, "Besoin non couvert : thématique").select_option("teleassistance")
    expect(textbox(page, "Commune concernée")).to_have_value("59501")
    select(page, "Public").select_option("seniors")
    write_summary(
        page,
        "Coordonnées des deux services de portage de repas qui livrent à Rieulay. Aucune "
        "téléassistance ne couvre la commune : besoin non couvert signalé.",
    )
    screenshot(page, "s1-3-orientation-besoin-non-couvert")
    save_answer(page, "Orientation, mise en relation")
    answers = section(page, "reponses")
    expect(answers).to_contain_text("Les Repas de la Pévèle")
    expect(answers).to_contain_text("ADMR des Deux Rivières")
    expect(answers).to_contain_text("Téléassistance — Rieulay — Personnes âgées")
    expect(main(page)).to_contain_text("délai de 0 jour ouvré")

    # --- Closed the same day ---------------------------------------------------------------------
    close_request(page, "Information et orientation données ; besoin non couvert signalé.")
    expect(main(page)).to_contain_text("Clôturée")
    screenshot(page, "s1-4-demande-cloturee")

    # --- Stored outcome --------------------------------------------------------------------------
    front_desk = User.objects.get(email=email("accueil"))
    support_request.refresh_from_db()
    person = support_request.person
    assert (person.birth_name, person.first_name, person.birth_date) == (
        "MARTIN",
        "Lucienne",
        date(1942, 3, 14),
    )
    assert person.commune.insee_code == "59501"
    assert person.identity_status == IdentityStatus.PROVISIONAL
    assert support_request.requester_professional == pharmacist
    assert support_request.status == RequestStatus.CLOSED
    assert timezone.localtime(support_request.received_at).date() == date(2026, 11, 16)
    assert timezone.localtime(support_request.closed_at).date() == date(2026, 11, 16)
    assert support_request.first_answer_delay_days == 0
    assert support_request.first_answered_at <= support_request.answer_due_at

    responses = list(support_request.responses.order_by("given_at", "pk"))
    assert [r.response_type for r in responses] == [
        ResponseType.INFORMATION,
        ResponseType.ORIENTATION,
    ]
    assert all(r.given_by == front_desk for r in responses)
    orientation = responses[1]
    assert {s.provider_name for s in orientation.services.all()} == {
        "Les Repas de la Pévèle",
        "ADMR des Deux Rivières",
    }
    assert all("portage-repas" in s.themes for s in orientation.services.all())
    need = orientation.unmet_needs.get()
    dac = Organisation.objects.get(name="DAC Scarpe-Escaut")
    assert (need.theme, need.commune.insee_code, need.dac, need.public) == (
        "teleassistance",
        "59501",
        dac,
        "seniors",
    )
    assert UnmetNeed.objects.filter(request_responses=orientation).count() == 1

    events = events_of(support_request)
    assert [e.verb for e in events] == [
        "created",
        "taken_in_analysis",
        "answered",
        "answered",
        "closed",
    ]
    assert {e.actor for e in events} == {front_desk}
