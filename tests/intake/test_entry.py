"""Recording a request at the front desk: the form, its searches, its checks, what it saves."""

from datetime import date, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import Event
from appui.intake import services
from appui.intake.models import RequestReason, SupportRequest
from appui.intake.search import fold
from appui.intake.views.entry import DRAFT_KEY
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    PracticePlaceFactory,
    ProfessionalFactory,
    luhn_number,
)

pytestmark = pytest.mark.django_db
URL = reverse("intake:request_create")


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")


@pytest.fixture
def assistant(dac, client, login):
    return login(Role.ASSISTANT, organisation=dac)


@pytest.fixture
def person(dac):
    return PersonFactory(
        dac=dac, birth_name="LEFÈVRE", first_name="Lucienne", birth_date=date(1942, 3, 14)
    )


@pytest.fixture
def pharmacist():
    professional = ProfessionalFactory(
        first_name="Julien", last_name="Carpentier", rpps=luhn_number("1", 424242, 11)
    )
    PracticePlaceFactory(professional=professional, organisation__name="Pharmacie de Rieulay")
    return professional


def text(response) -> str:
    """The page as a user reads it (entities decoded)."""
    return unescape(response.content.decode())


def reasons(dac, *labels):
    services.ensure_default_reasons(dac)
    return [RequestReason.objects.get(dac=dac, label=label) for label in labels]


def valid_data(dac, chosen, professional, **changes):
    now = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=10)
    data = {
        "_action": "",
        "person": chosen.pk,
        "channel": "phone",
        "received_at": now.strftime("%Y-%m-%dT%H:%M"),
        "urgency": "normal",
        "requester_kind": "professional",
        "requester_professional": professional.pk,
        "requester_name": "",
        "requester_relationship": "",
        "requester_contact": "03 27 00 00 00",
        "reasons": [r.pk for r in reasons(dac, "Isolement", "Chutes répétées")],
        "description": "Vit seule, demande un portage de repas et une téléassistance.",
        "gp_known": "no",
        "person_informed": "yes",
        "person_agrees": "yes",
        "gp_may_be_informed": "yes",
    }
    data.update(changes)
    return data


# --- The page --------------------------------------------------------------------------------


def test_page_offers_the_dac_default_reasons(client, dac, assistant):
    page = text(client.get(URL))
    assert "Nouvelle demande d'appui" in page
    for label in ["Maintien à domicile difficile", "Épuisement de l'aidant", "Fin de vie"]:
        assert label in page
    assert RequestReason.objects.filter(dac=dac).count() == len(services.DEFAULT_REASONS)
    assert Event.objects.filter(
        subject_type="intake.intakesettings", verb="reasons_seeded"
    ).exists()
    # Seeded once: a second visit adds nothing.
    client.get(URL)
    assert RequestReason.objects.filter(dac=dac).count() == len(services.DEFAULT_REASONS)


def test_page_offers_only_active_reasons(client, dac, assistant):
    services.ensure_default_reasons(dac)
    RequestReason.objects.filter(dac=dac, label="Fin de vie").update(is_active=False)
    page = text(client.get(URL))
    assert "Fin de vie" not in page
    assert "Isolement" in page


def test_received_at_defaults_to_now(client, assistant):
    page = text(client.get(URL))
    assert timezone.localtime().strftime("%Y-%m-%dT%H:") in page


def test_the_chosen_person_is_shown_as_a_card(client, dac, assistant, person):
    page = text(client.get(f"{URL}?person={person.pk}"))
    assert "Mme Lucienne LEFÈVRE" in page
    assert "14/03/1942" in page
    assert f'name="person" value="{person.pk}"' in page
    assert "Changer" in page


def test_a_person_of_another_dac_is_not_shown(client, assistant):
    stranger = PersonFactory(birth_name="AILLEURS", first_name="Jeanne")
    page = text(client.get(f"{URL}?person={stranger.pk}"))
    assert "AILLEURS" not in page
    assert 'id="person-q"' in page


def test_a_partner_is_sent_to_the_partner_form(client, login):
    login(Role.PARTNER)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:partner_create")


@pytest.mark.parametrize("role", [Role.REGIONAL_PILOT, Role.ADMIN])
def test_roles_without_the_right_are_refused(client, login, role):
    login(role)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("intake:person_results")).status_code == 403


def test_page_query_count_is_bounded(client, dac, assistant, person, django_assert_max_num_queries):
    services.ensure_default_reasons(dac)
    with django_assert_max_num_queries(16):
        response = client.get(f"{URL}?person={person.pk}")
    assert response.status_code == 200


# --- Saving ----------------------------------------------------------------------------------


def test_a_valid_request_is_saved_with_number_deadline_and_event(
    client, dac, assistant, person, pharmacist
):
    data = valid_data(dac, person, pharmacist)
    response = client.post(URL, data)
    saved = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:request_detail", args=[saved.pk])
    year = timezone.localtime(saved.received_at).year
    assert saved.number == f"{year}-00001"
    assert saved.dac == dac and saved.person == person
    assert saved.requester_professional == pharmacist and saved.requester_organisation is None
    assert {r.label for r in saved.reasons.all()} == {"Isolement", "Chutes répétées"}
    assert saved.status == "new" and saved.channel == "phone"
    assert saved.created_by == assistant.user
    assert saved.answer_due_at == services.due_at(saved)
    assert timezone.localtime(saved.answer_due_at).date() > timezone.localdate() - timedelta(days=1)
    event = Event.objects.get(subject_type="intake.supportrequest", verb="created")
    assert event.subject_id == str(saved.pk) and event.actor == assistant.user
    follow = client.get(response["Location"])
    assert f"Demande n° {saved.number} enregistrée" in text(follow)


def test_an_urgent_request_is_due_the_same_working_day(client, dac, assistant, person, pharmacist):
    friday = timezone.make_aware(datetime(2026, 1, 9, 17, 10))
    data = valid_data(dac, person, pharmacist, urgency="urgent", received_at="2026-01-09T17:10")
    client.post(URL, data)
    saved = SupportRequest.objects.get()
    assert saved.received_at == friday
    assert timezone.localtime(saved.answer_due_at).date() == date(2026, 1, 9)
    assert saved.number == "2026-00001"


def test_a_normal_request_is_due_two_working_days_later(client, dac, assistant, person, pharmacist):
    client.post(URL, valid_data(dac, person, pharmacist, received_at="2026-04-30T11:00"))
    saved = SupportRequest.objects.get()
    # 1 May is a holiday, then a weekend: Monday 4 and Tuesday 5 May.
    assert timezone.localtime(saved.answer_due_at).date() == date(2026, 5, 5)


def test_a_carer_request_keeps_name_relationship_and_contact(client, dac, assistant, person):
    data = valid_data(
        dac,
        person,
        ProfessionalFactory(),
        requester_kind="carer",
        requester_name="Sophie Roux",
        requester_relationship="fille",
        requester_contact="06 12 34 56 78",
        gp_may_be_informed="no",
    )
    client.post(URL, data)
    saved = SupportRequest.objects.get()
    assert saved.requester_kind == "carer"
    assert saved.requester_professional is None  # only the fields of the chosen kind are kept
    assert (saved.requester_name, saved.requester_relationship) == ("Sophie Roux", "fille")
    assert saved.gp_may_be_informed == "no"


def test_a_request_from_the_person_takes_their_name(client, dac, assistant, person):
    client.post(URL, valid_data(dac, person, ProfessionalFactory(), requester_kind="person"))
    assert SupportRequest.objects.get().requester_name == "Mme Lucienne LEFÈVRE"


def test_a_request_from_a_structure(client, dac, assistant, person):
    hospital = OrganisationFactory(name="Centre hospitalier de Douai", kind="hospital")
    data = valid_data(
        dac,
        person,
        ProfessionalFactory(),
        requester_kind="organisation",
        requester_organisation=hospital.pk,
        requester_name="Service social",
    )
    client.post(URL, data)
    saved = SupportRequest.objects.get()
    assert saved.requester_organisation == hospital and saved.requester_professional is None


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"reasons": []}, "Indiquez au moins un motif."),
        (
            {"received_at": "2099-01-01T10:00"},
            "La date de réception ne peut pas être dans le futur.",
        ),
        ({"person": ""}, "Choisissez la personne concernée, ou créez-la si elle est nouvelle."),
        (
            {"requester_professional": ""},
            "Choisissez le professionnel demandeur dans le répertoire (nom ou RPPS).",
        ),
        (
            {"requester_kind": "organisation"},
            "Choisissez la structure demandeuse dans le répertoire.",
        ),
        ({"requester_kind": "carer", "requester_name": ""}, "Indiquez le nom du demandeur."),
        ({"description": ""}, "Décrivez la situation en quelques mots."),
    ],
)
def test_invalid_input_gets_a_french_message_and_saves_nothing(
    client, dac, assistant, person, pharmacist, changes, field_message
):
    data = valid_data(dac, person, pharmacist, **changes)
    events_before = Event.objects.count()
    response = client.post(URL, data)
    page = text(response)
    assert response.status_code == 200
    assert field_message in page
    assert "La demande n'est pas enregistrée" in page
    assert SupportRequest.all_objects.count() == 0
    assert Event.objects.count() == events_before


def test_the_error_sits_next_to_its_field(client, dac, assistant, person, pharmacist):
    page = text(client.post(URL, valid_data(dac, person, pharmacist, reasons=[])))
    fieldset = page.index('id="checkboxes-id_reasons"')
    assert fieldset < page.index("Indiquez au moins un motif.") < page.index('id="id_description"')


def test_a_person_of_another_dac_cannot_be_posted(client, dac, assistant, pharmacist):
    stranger = PersonFactory()
    page = text(client.post(URL, valid_data(dac, stranger, pharmacist)))
    assert "Cette personne n'est pas dans les dossiers du DAC." in page
    assert SupportRequest.objects.count() == 0


def test_a_reason_of_another_dac_cannot_be_posted(client, dac, assistant, person, pharmacist):
    foreign = reasons(OrganisationFactory(dac=True), "Isolement")[0]
    client.post(URL, valid_data(dac, person, pharmacist, reasons=[foreign.pk]))
    assert SupportRequest.objects.count() == 0


def test_what_was_typed_is_kept_after_an_error(client, dac, assistant, person, pharmacist):
    page = text(client.post(URL, valid_data(dac, person, pharmacist, reasons=[])))
    assert "Vit seule, demande un portage de repas" in page
    assert "Mme Lucienne LEFÈVRE" in page  # the person card stays
    assert "Julien Carpentier" in page  # and the requester card


# --- Searches --------------------------------------------------------------------------------


def test_fold_ignores_accents_case_hyphens_and_apostrophes():
    assert fold("Lefèvre") == fold("LEFEVRE") == "lefevre"
    assert fold("Marie-Claire") == fold("marie claire") == "marie claire"
    assert fold("D'Almeida") == "d almeida"
    assert fold("Œuvray") == "oeuvray"


@pytest.mark.parametrize(
    "query", ["lefevre", "LEFÈVRE", "Lefevre Lucienne", "lucienne lef", "14/03/1942", "lef 1942"]
)
def test_person_search_is_accent_insensitive(client, dac, assistant, person, query):
    PersonFactory(dac=dac, birth_name="DUFOUR", first_name="René", birth_date=date(1950, 1, 2))
    response = client.get(reverse("intake:person_results"), {"person_q": query})
    page = text(response)
    assert "Mme Lucienne LEFÈVRE" in page
    assert "DUFOUR" not in page
    assert f'value="pick_person:{person.pk}"' in page


def test_person_search_finds_compound_and_used_names(client, dac, assistant):
    PersonFactory(dac=dac, birth_name="DUPONT", used_name="MARTIN-LEROY", first_name="Marie-Claire")
    for query in ["martin leroy", "marie claire", "dupont", "Martin-Leroy Marie"]:
        page = text(client.get(reverse("intake:person_results"), {"person_q": query}))
        assert "Mme Marie-Claire MARTIN-LEROY" in page, query


def test_person_search_stays_within_the_dac(client, assistant):
    PersonFactory(birth_name="LEFEVRE", first_name="Odette")  # another DAC's person
    page = text(client.get(reverse("intake:person_results"), {"person_q": "lefevre"}))
    assert "Odette" not in page
    assert "Aucune personne du DAC ne correspond" in page


def test_person_search_says_when_results_are_cut(client, dac, assistant):
    for n in range(12):
        PersonFactory(dac=dac, birth_name=f"MARTIN{n:02d}", first_name="Jean")
    page = text(client.get(reverse("intake:person_results"), {"person_q": "martin"}))
    assert page.count("pick_person:") == 10
    assert "D'autres personnes correspondent" in page


def test_person_block_gives_the_card_then_the_search_again(client, dac, assistant, person):
    card = text(client.get(reverse("intake:person_block"), {"person": person.pk}))
    assert "Mme Lucienne LEFÈVRE" in card and f'value="{person.pk}"' in card
    search = text(client.get(reverse("intake:person_block")))
    assert 'id="person-q"' in search and "LEFÈVRE" not in search


def test_requester_search_by_rpps_and_by_name(client, assistant, pharmacist):
    ProfessionalFactory(first_name="Hugo", last_name="Lambert")
    url = reverse("intake:requester_results")
    by_rpps = client.get(url, {"requester_q": pharmacist.rpps, "requester_kind": "professional"})
    assert "Julien Carpentier" in text(by_rpps)
    assert "Lambert" not in text(by_rpps)
    by_start = client.get(
        url, {"requester_q": pharmacist.rpps[:6], "requester_kind": "professional"}
    )
    assert "Julien Carpentier" in text(by_start)
    by_name = client.get(url, {"requester_q": "carpent", "requester_kind": "professional"})
    assert f"pick_requester:professional:{pharmacist.pk}" in text(by_name)
    assert "Pharmacie de Rieulay" in text(by_name)


def test_requester_search_for_a_structure(client, assistant):
    hospital = OrganisationFactory(name="Centre hospitalier de Douai", kind="hospital")
    url = reverse("intake:requester_results")
    page = client.get(url, {"requester_q": "hopital douai", "requester_kind": "organisation"})
    assert "Aucun résultat" in text(page)
    page = client.get(url, {"requester_q": "centre hosp", "requester_kind": "organisation"})
    assert f"pick_requester:organisation:{hospital.pk}" in text(page)


def test_no_directory_search_for_a_carer(client, assistant, pharmacist):
    page = text(
        client.get(
            reverse("intake:requester_results"),
            {"requester_q": "carpentier", "requester_kind": "carer"},
        )
    )
    assert "Carpentier" not in page


def test_requester_block_gives_the_card_of_the_kind_chosen(client, assistant, pharmacist):
    url = reverse("intake:requester_block")
    params = {"requester_kind": "professional", "requester_professional": pharmacist.pk}
    html = text(client.get(url, params))
    assert f'name="requester_professional" value="{pharmacist.pk}"' in html
    assert "Julien Carpentier" in html and f"RPPS {pharmacist.rpps}" in html
    # Another kind: the card goes, the search (with what was typed) comes back.
    params.update({"requester_kind": "organisation", "requester_q": "carpentier"})
    html = text(client.get(url, params))
    assert "requester_professional" not in html
    assert 'id="requester-q"' in html and 'value="carpentier"' in html
    assert "Aucun résultat dans le répertoire" in html


# --- Without JavaScript: the buttons re-render the page, keeping what was typed ----------------


def test_search_and_pick_without_javascript(client, dac, assistant, person, pharmacist):
    data = valid_data(dac, person, pharmacist, person="", requester_professional="")
    data.update({"_action": "refresh", "person_q": "lefevre", "requester_q": pharmacist.rpps})
    page = text(client.post(URL, data))
    assert f'value="pick_person:{person.pk}"' in page
    assert f'value="pick_requester:professional:{pharmacist.pk}"' in page
    assert "Vit seule, demande un portage de repas" in page
    assert SupportRequest.objects.count() == 0
    data["_action"] = f"pick_person:{person.pk}"
    page = text(client.post(URL, data))
    assert f'name="person" value="{person.pk}"' in page
    assert "Indiquez au moins un motif" not in page  # not validated: no error shown yet
    data.update({"_action": f"pick_requester:professional:{pharmacist.pk}", "person": person.pk})
    page = text(client.post(URL, data))
    assert f'name="requester_professional" value="{pharmacist.pk}"' in page
    data.update({"_action": "", "requester_professional": pharmacist.pk})
    assert client.post(URL, data).status_code == 302
    assert SupportRequest.objects.get().person == person


def test_change_person_without_javascript(client, dac, assistant, person, pharmacist):
    data = valid_data(dac, person, pharmacist, _action="change_person")
    page = text(client.post(URL, data))
    assert f'name="person" value="{person.pk}"' not in page
    assert 'id="person-q"' in page


def test_new_person_keeps_the_draft_and_comes_back(client, dac, assistant, person, pharmacist):
    data = valid_data(dac, person, pharmacist, person="", _action="new_person")
    data["person_q"] = "Roux Jeanne 12/05/1946"
    response = client.post(URL, data)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("persons:create")
    params = parse_qs(target.query)
    assert params["next"] == [f"{URL}?brouillon=1"]
    assert params["birth_name"] == ["Roux"] and params["first_name"] == ["Jeanne"]
    assert params["birth_date"] == ["1946-05-12"]
    assert client.session[DRAFT_KEY]["description"] == [data["description"]]
    # The persons page sends the user back with the new person.
    back = text(client.get(f"{URL}?brouillon=1&person={person.pk}"))
    assert "Vit seule, demande un portage de repas" in back
    assert f'name="person" value="{person.pk}"' in back
    assert DRAFT_KEY not in client.session
    # Without the flag, no stale draft is used.
    client.post(URL, data)
    fresh = text(client.get(URL))
    assert "Vit seule, demande un portage de repas" not in fresh
