"""S8 — A teenager, his family, and the right door.

The school nurse of the Collège Jean-Moulin writes to the DAC about Lucas Petit, 16, autism
spectrum disorder, excluded from school, family in financial difficulty. The coordinator opens
Lucas's record (a minor: the page asks for his legal representative) and adds his mother, who
holds parental authority; records the request; gives a one-off support (an appointment with the
MDPH referent, a check of the family's rights) and refers the family to the Communauté 360, which
accepts. The request is closed with that outcome."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from appui.accounts.models import User
from appui.intake.enums import Channel, RequestStatus, ResponseType
from appui.intake.models import SupportRequest
from appui.persons.enums import LegalMeasure, Relationship
from appui.persons.models import Carer, Person
from appui.territory.models import Organisation, Professional

from .steps import (
    answer,
    check_reasons,
    checkbox,
    choose_response,
    close_request,
    email,
    events_of,
    fill_person,
    flash,
    main,
    menu,
    open_answer_form,
    open_new_request,
    pick_requester,
    radio,
    save_answer,
    save_request,
    screenshot,
    search_person,
    section,
    select,
    sign_in,
    take_in_analysis,
    textbox,
    write_summary,
)

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = datetime(2026, 11, 9, 10, 15, tzinfo=ZoneInfo("Europe/Paris"))

MINOR_WARNING = "Personne mineure sans représentant·e légal·e enregistré·e"


def test_s8_minor_with_legal_representative_referred_out(page, territory, time_machine):
    time_machine.move_to(MONDAY)  # the e-mail arrives
    school_nurse = Professional.objects.get(first_name="Isabelle", last_name="Dumont")
    c360 = Organisation.objects.get(name="Communauté 360 du Nord")
    sign_in(page, "coordination")
    today = date(2026, 11, 9)
    birth = date(2010, 3, 2)

    # --- Lucas's record, then his mother as legal representative ---------------------------------
    menu(page, "Personnes")
    page.get_by_role("link", name="Nouvelle personne").click()
    fill_person(
        page,
        birth_name="Petit",
        first_names="Lucas Antoine",
        sex="Masculin",
        birth_date=birth.isoformat(),
        address="3 rue du Moulin",
        commune="Somain",
        gp="Claire Morel",
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_have_text("M. Lucas PETIT")
    expect(main(page)).to_contain_text("(16 ans)")
    expect(main(page)).to_contain_text(MINOR_WARNING)
    screenshot(page, "s8-1-mineur-sans-representant")

    page.get_by_role("link", name="Ajouter un proche").click()
    expect(main(page)).to_contain_text("mineur·e : indiquez le ou les titulaires de l'autorité")
    textbox(page, "Prénom").fill("Céline")
    textbox(page, "Nom").fill("Petit")
    select(page, "Lien").select_option(label="Parent")
    checkbox(page, "Représentant·e légal·e").check(force=True)
    select(page, "Mesure").select_option(label="Autorité parentale")
    checkbox(page, "Vit avec la personne").check(force=True)
    textbox(page, "Téléphone").fill("06 22 33 44 55")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_have_text("M. Lucas PETIT")
    carers = page.get_by_role("table", name="Proches de la personne")
    expect(carers).to_contain_text("Céline PETIT")
    expect(carers).to_contain_text("autorité parentale")
    expect(main(page)).not_to_contain_text(MINOR_WARNING)
    screenshot(page, "s8-2-representante-legale")

    # --- The school nurse's e-mail ---------------------------------------------------------------
    open_new_request(page)
    search_person(page, "petit lucas")
    page.locator("#person-results").get_by_role(
        "button", name=f"Choisir M. Lucas PETIT ({birth:%d/%m/%Y})"
    ).click()
    expect(page.locator("#person-block .appui-picked")).to_contain_text("(16 ans)")
    answer(page, "channel", "Courriel")
    pick_requester(page, "Dumont", "Isabelle Dumont")
    textbox(page, "Coordonnées du demandeur").fill("infirmerie@college-jean-moulin.test")
    check_reasons(page, "Situation de handicap", "Scolarité, insertion", "Précarité")
    textbox(page, "Situation, précisions").fill(
        "Trouble du spectre de l'autisme ; exclu du collège depuis trois semaines ; famille en "
        "difficulté financière. La mère est d'accord pour être contactée."
    )
    answer(page, "person_informed", "Oui")
    answer(page, "person_agrees", "Oui")
    save_request(page)
    support_request = SupportRequest.objects.get()
    take_in_analysis(page)

    # --- One-off support, then referral to the Communauté 360 ------------------------------------
    open_answer_form(page)
    choose_response(page, "Appui ponctuel")
    write_summary(
        page,
        "Rendez-vous pris avec le référent de la MDPH ; vérification des droits de la famille "
        "(AEEH, complément, allocation de rentrée scolaire).",
    )
    save_answer(page, "Appui ponctuel")

    open_answer_form(page)
    choose_response(page, "Réorientation vers un autre dispositif")
    select(page, "Structure vers laquelle la demande est réorientée").fill(c360.name)
    write_summary(
        page, "Famille orientée vers la Communauté 360 pour une solution de scolarisation adaptée."
    )
    screenshot(page, "s8-3-reorientation")
    save_answer(page, "Réorientation vers un autre dispositif")
    expect(main(page)).to_contain_text("Réorientée")

    answers = section(page, "reponses")
    expect(answers).to_contain_text("Communauté 360 du Nord — réponse attendue")
    radio(answers, "Elle accepte la réorientation").check(force=True)
    expect(answers.get_by_label("Le", exact=True)).to_have_value(today.isoformat())
    answers.get_by_role("button", name="Enregistrer la réponse de la structure").click()
    expect(flash(page)).to_contain_text("Réorientation acceptée : la demande peut être clôturée.")
    expect(answers).to_contain_text(f"Communauté 360 du Nord — a accepté le {today:%d/%m/%Y}")

    close_request(page, "Famille accompagnée par la Communauté 360 du Nord.")
    expect(main(page)).to_contain_text("Clôturée")
    screenshot(page, "s8-4-demande-cloturee")

    # --- Stored outcome --------------------------------------------------------------------------
    coordinator = User.objects.get(email=email("coordination"))
    lucas = Person.objects.get()
    assert lucas.is_minor and lucas.age() == 16
    mother = Carer.objects.get(person=lucas)
    assert (mother.first_name, mother.last_name) == ("Céline", "PETIT")
    assert mother.relationship == Relationship.PARENT
    assert mother.is_legal_representative is True
    assert mother.legal_measure == LegalMeasure.PARENTAL_AUTHORITY

    support_request.refresh_from_db()
    assert support_request.person == lucas
    assert support_request.channel == Channel.EMAIL
    assert support_request.requester_professional == school_nurse
    assert support_request.status == RequestStatus.CLOSED
    assert support_request.closed_at is not None
    assert support_request.first_answer_delay_days == 0
    responses = list(support_request.responses.order_by("given_at", "pk"))
    assert [r.response_type for r in responses] == [
        ResponseType.ONE_OFF_SUPPORT,
        ResponseType.REFERRAL_OUT,
    ]
    referral = responses[1]
    assert referral.referral_organisation == c360
    assert referral.referral_accepted is True
    assert referral.referral_decided_on == today
    assert all(r.given_by == coordinator for r in responses)

    events = events_of(support_request)
    assert [e.verb for e in events] == [
        "created",
        "taken_in_analysis",
        "answered",
        "answered",
        "referral_decided",
        "closed",
    ]
    assert {e.actor for e in events} == {coordinator}
    assert [e.data.get("to") for e in events[2:]] == [
        RequestStatus.ANSWERED,
        RequestStatus.REFERRED,
        RequestStatus.REFERRED,
        RequestStatus.CLOSED,
    ]
    assert events[4].data["accepted"] is True
