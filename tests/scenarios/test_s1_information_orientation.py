"""S1 — A pharmacist asks for information (mission 1).

The pharmacist of Rieulay calls: his customer Mme Lucienne Martin, 84, living alone, asks about
meal delivery and a personal alarm. The assistant records the request (the pharmacist found in
the directory), creates Mme Martin (provisional identity), gives the information, then an
orientation to the two meal-delivery services covering Rieulay; no personal alarm provider covers
the commune: an unmet need is recorded. Closed the same day: first answer after 0 working days."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from appui.accounts.models import User
from appui.directory.models import UnmetNeed
from appui.intake.enums import RequestStatus, ResponseType
from appui.intake.models import SupportRequest
from appui.persons.enums import IdentityStatus
from appui.territory.models import Organisation, Professional

from .steps import (
    actions,
    answer,
    check_reasons,
    choose_response,
    create_person_from_request,
    email,
    events_of,
    flash,
    open_answer_form,
    open_new_request,
    pick_requester,
    save_answer,
    save_request,
    screenshot,
    search_resources,
    sign_in,
    take_in_analysis,
    write_summary,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_s1_pharmacist_asks_for_information(page, territory):
    pharmacist = Professional.objects.get(first_name="Julien", last_name="Carpentier")
    sign_in(page, "accueil")

    # --- The call: Mme Martin is new to the DAC; the pharmacist is in the directory. ----------
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
    page.get_by_label("Coordonnées du demandeur").fill("03 27 00 36 00")
    check_reasons(page, "Isolement", "Maintien à domicile difficile")
    page.get_by_label("Situation, précisions").fill(
        "Vit seule à 84 ans. Demande un portage de repas et une téléassistance."
    )
    answer(page, "person_informed", "Oui")
    answer(page, "person_agrees", "Oui")
    screenshot(page, "s1-1-demande-saisie")
    save_request(page)
    support_request = SupportRequest.objects.get()
    expect(page.locator("main")).to_contain_text("Nouvelle")
    expect(page.locator("main")).to_contain_text("Première réponse attendue au plus tard le")

    # --- Analysis and answers ------------------------------------------------------------------
    take_in_analysis(page)
    expect(page.locator("main")).to_contain_text("En analyse")

    open_answer_form(page)
    choose_response(page, "Information, conseil")
    write_summary(
        page,
        "Informée sur le portage de repas (prix, aide possible du CCAS) et sur la téléassistance.",
    )
    page.get_by_role("textbox", name=re.compile("^Commune concernée")).fill("")  # TEMP
    save_answer(page, "Information, conseil")

    open_answer_form(page)
    choose_response(page, "Orientation, mise en relation")
    search_resources(page, "portage de repas")
    resources = page.get_by_role("group", name=re.compile("^Ressources proposées"))
    screenshot(page, "debug-s1")
    print("DEBUGTEXT", resources.inner_text())  # TEMP
    pevele = resources.get_by_label(re.compile(r"^Portage de repas.*Les Repas de la Pévèle"))
    admr = resources.get_by_label(re.compile(r"^Portage de repas.*ADMR des Deux Rivières"))
    expect(pevele).to_have_count(1)
    expect(admr).to_have_count(1)
    expect(resources).to_contain_text("intervient dans la commune")
    pevele.check(force=True)
    admr.check(force=True)
    screenshot(page, "s1-2-orientation-ressources")
    # No personal alarm provider covers Rieulay: an unmet need.
    search_resources(page, "téléassistance")
    expect(pevele).to_be_checked()
    expect(admr).to_be_checked()
    page.get_by_label("Besoin non couvert : thématique").select_option("teleassistance")
    expect(page.get_by_label("Commune concernée")).to_have_value("59501")
    page.get_by_label("Public", exact=True).select_option("seniors")
    write_summary(
        page,
        "Coordonnées des deux services de portage de repas qui livrent à Rieulay. Aucune "
        "téléassistance ne couvre la commune : besoin non couvert signalé.",
    )
    screenshot(page, "s1-3-orientation-besoin-non-couvert")
    save_answer(page, "Orientation, mise en relation")
    responses_section = page.locator("section", has=page.locator("h2#reponses"))
    expect(responses_section).to_contain_text("Les Repas de la Pévèle")
    expect(responses_section).to_contain_text("ADMR des Deux Rivières")
    expect(responses_section).to_contain_text("Téléassistance — Rieulay")
    expect(page.locator("main")).to_contain_text("délai de 0 jour ouvré")

    # --- Closed the same day -------------------------------------------------------------------
    actions(page).get_by_label("Note de clôture").fill("Information et orientation données.")
    actions(page).get_by_role("button", name="Clôturer la demande").click()
    expect(flash(page)).to_contain_text("Demande clôturée")
    expect(page.locator("main")).to_contain_text("Clôturée")
    screenshot(page, "s1-4-demande-cloturee")

    # --- Stored outcome ------------------------------------------------------------------------
    assistant = User.objects.get(email=email("accueil"))
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
    assert support_request.closed_at is not None
    assert support_request.first_answer_delay_days == 0
    assert support_request.first_answered_at <= support_request.answer_due_at

    responses = list(support_request.responses.order_by("given_at", "pk"))
    assert [r.response_type for r in responses] == [
        ResponseType.INFORMATION,
        ResponseType.ORIENTATION,
    ]
    assert all(r.given_by == assistant for r in responses)
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
    assert {e.actor for e in events} == {assistant}
