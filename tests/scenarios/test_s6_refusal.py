"""S6 — Refusal.

Mme Sandrine Lefebvre, the liberal nurse of Mme Odette Lenoir, asks the DAC for help. After the
triage, Mme Lenoir refuses the accompaniment proposed: the coordinator records the refusal (the
request is closed as refused), then calls the nurse to tell her, and notes that call in the
request's contact log. The request's timeline shows both."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appui.accounts.models import User
from appui.care.models import CareEpisode
from appui.intake.enums import ContactKind, RequestStatus, ResponseType
from appui.intake.models import ContactLog, SupportRequest
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
    named,
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

THURSDAY = datetime(2026, 11, 12, 14, 20, tzinfo=ZoneInfo("Europe/Paris"))


def test_s6_refusal_recorded_and_requester_informed(page, territory, time_machine):
    time_machine.move_to(THURSDAY)  # the nurse calls
    nurse = Professional.objects.get(first_name="Sandrine", last_name="Lefebvre")
    sign_in(page, "coordination")

    # --- The nurse's request ---------------------------------------------------------------------
    open_new_request(page)
    create_person_from_request(
        page,
        search="Lenoir Odette",
        first_names="Odette",
        sex="Féminin",
        birth_date="1938-09-21",
        commune="Marchiennes",
    )
    pick_requester(page, "Lefebvre", "Sandrine Lefebvre")
    textbox(page, "Coordonnées du demandeur").fill("06 45 12 78 90")
    check_reasons(page, "Maintien à domicile difficile", "Isolement")
    textbox(page, "Situation, précisions").fill(
        "Vit seule, se néglige, perte de poids ; refuse jusqu'ici toute aide à domicile."
    )
    answer(page, "person_informed", "Oui")
    save_request(page)
    support_request = SupportRequest.objects.get()
    take_in_analysis(page)

    # --- Mme Lenoir refuses the accompaniment proposed -------------------------------------------
    open_answer_form(page)
    choose_response(page, "Refus de la personne")
    write_summary(
        page,
        "Accompagnement proposé par téléphone puis au domicile : Mme Lenoir le refuse. Elle "
        "sait qu'elle peut rappeler le DAC.",
    )
    save_answer(page, "Refus de la personne")
    expect(main(page)).to_contain_text("Refusée")
    expect(actions(page)).to_contain_text("La demande est terminée (refusée le 12/11/2026)")
    expect(actions(page).get_by_role("link", name="Répondre")).to_have_count(0)

    # --- The nurse is told, by phone; the call goes in the contact log ---------------------------
    actions(page).get_by_role("link", name="Ajouter un contact").click()
    expect(page.locator("h1")).to_contain_text("Ajouter un contact")
    select(page, "Type").select_option(label="Appel passé")
    textbox(page, "Avec qui").fill("Mme Sandrine Lefebvre, infirmière libérale")
    textbox(page, "Professionnel·le du répertoire").fill("Sandrine Lefebvre")
    textbox(page, "Objet").fill("Informer l'infirmière du refus de Mme Lenoir")
    textbox(page, "Suite donnée").fill(
        "L'infirmière reste vigilante lors de ses passages et rappellera le DAC si la situation "
        "se dégrade."
    )
    page.get_by_role("spinbutton", name=named("Durée (minutes)")).fill("10")
    screenshot(page, "s6-1-contact-infirmiere")
    page.get_by_role("button", name="Ajouter le contact").click()
    expect(flash(page)).to_contain_text("Contact ajouté au journal de la demande")

    contacts = section(page, "contacts")
    expect(contacts).to_contain_text("Appel passé")
    expect(contacts).to_contain_text("Mme Sandrine Lefebvre, infirmière libérale")
    expect(contacts).to_contain_text("10 min")
    timeline = section(page, "historique").locator("li")
    expect(timeline.filter(has_text="Réponse : refus de la personne")).to_have_count(1)
    expect(
        timeline.filter(has_text=re.compile("Appel passé — Mme Sandrine Lefebvre"))
    ).to_contain_text("Informer l'infirmière du refus de Mme Lenoir")
    screenshot(page, "s6-2-demande-refusee")

    # --- Stored outcome --------------------------------------------------------------------------
    coordinator = User.objects.get(email=email("coordination"))
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.REFUSED
    assert support_request.closed_at is not None
    assert timezone.localtime(support_request.closed_at).date() == date(2026, 11, 12)
    assert support_request.requester_professional == nurse
    assert support_request.first_answer_delay_days == 0
    response = support_request.responses.get()
    assert (response.response_type, response.given_by) == (
        ResponseType.REFUSED_BY_PERSON,
        coordinator,
    )
    assert not CareEpisode.objects.exists()

    contact = ContactLog.objects.get()
    assert contact.request == support_request
    assert contact.person == support_request.person
    assert contact.kind == ContactKind.CALL_OUT
    assert contact.by == coordinator
    assert contact.with_whom == "Mme Sandrine Lefebvre, infirmière libérale"
    assert contact.with_professional == nurse
    assert contact.purpose == "Informer l'infirmière du refus de Mme Lenoir"
    assert contact.outcome.startswith("L'infirmière reste vigilante")
    assert contact.duration_minutes == 10
    assert timezone.localtime(contact.at).date() == date(2026, 11, 12)

    events = events_of(support_request)
    assert [e.verb for e in events] == [
        "created",
        "taken_in_analysis",
        "answered",
        "contact_logged",
    ]
    assert {e.actor for e in events} == {coordinator}
    assert events[2].data["to"] == RequestStatus.REFUSED
    assert events[3].data == {"contact": contact.pk, "kind": ContactKind.CALL_OUT}
