"""Person record: creation and edition (INS traits, NIR, commune, médecin traitant), duplicates on
entry, list and detail pages, scopes."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import Event
from appui.persons.enums import IdentityStatus
from appui.persons.forms import gp_label
from appui.persons.models import IdentityCheck, Person
from appui.persons.panels import Panel
from tests.factories import (
    CarerFactory,
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PersonMergeFactory,
    ProfessionalFactory,
)
from tests.persons.helpers import make_nir, with_bad_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def rieulay():
    return CommuneFactory(insee_code="59501", name="Rieulay", postal_codes="59870")


def entry(**overrides):
    data = {
        "birth_name": "Martin",
        "used_name": "",
        "first_names": "Lucienne Marie",
        "first_name": "",
        "used_first_name": "",
        "sex": "F",
        "birth_date": "1941-03-02",
        "birthplace_code": "59350",
        "birthplace_label": "Lille",
        "nir": "",
        "nir_kind": "",
        "address": "3 rue des Écoles",
        "postal_code": "59870",
        "commune": "59501",
        "phone": "03 27 00 00 00",
        "lives_alone": "true",
        "gp_status": "unknown",
        "gp": "",
    }
    data.update(overrides)
    return data


def create_url(**params):
    url = reverse("persons:create")
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


# --- Creation and validation ---------------------------------------------------------------------


def test_create_a_person_with_a_provisional_identity(client, login, rieulay):
    membership = login(Role.ASSISTANT)
    response = client.post(
        create_url(), entry(birth_name=" martin ", first_names=" Lucienne  Marie ")
    )
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("persons:detail", args=[person.pk])
    assert person.dac == membership.organisation
    assert person.birth_name == "MARTIN"
    assert person.first_names == "Lucienne Marie"
    assert person.first_name == "Lucienne"  # deduced from the list of birth first names
    assert person.birth_name_key == "MARTIN"
    assert person.commune == rieulay
    assert person.lives_alone is True
    assert person.identity_status == IdentityStatus.PROVISIONAL
    check = IdentityCheck.objects.get(person=person)
    assert check.status == IdentityStatus.PROVISIONAL
    assert check.by == membership.user
    event = Event.objects.get(subject_type="persons.person", subject_id=str(person.pk))
    assert event.verb == "created"
    assert event.data == {"dismissed_candidates": []}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"nir": with_bad_key(make_nir("F", 1941, 3))},
            "nir",
            "NIR invalide : la clé ne correspond pas aux 13 premiers caractères.",
        ),
        ({"nir": "24103593501"}, "nir", "Le NIR compte 15 caractères (13 + clé de 2 chiffres)."),
        (
            {"nir": make_nir("M", 1941, 3)},
            "nir",
            "Ce NIR correspond à une personne de l'autre sexe",
        ),
        (
            {"nir": make_nir("F", 1955, 3)},
            "nir",
            "Ce NIR correspond à une année de naissance finissant par 55, et non par 41",
        ),
        ({"nir_kind": "NIR"}, "nir", "Indiquez le matricule, ou laissez le type vide."),
        (
            {"birth_date": (timezone.localdate() + timedelta(days=1)).isoformat()},
            "birth_date",
            "La date de naissance ne peut pas être dans le futur.",
        ),
        (
            {"commune": "99999"},
            "commune",
            "Commune inconnue : saisissez son nom exact ou son code Insee.",
        ),
        (
            {"first_name": "Marie"},
            "first_name",
            "Le premier prénom doit être le premier de la liste des prénoms de naissance.",
        ),
        ({"first_names": "", "first_name": ""}, "first_name", "Indiquez le premier prénom"),
        ({"birthplace_code": "5935"}, "birthplace_code", "Code invalide : 5 caractères"),
        ({"postal_code": "5987"}, "postal_code", "Code postal invalide : 5 chiffres."),
        (
            {"gp_status": "known"},
            "gp",
            "Choisissez le médecin traitant dans le répertoire, ou indiquez qu'il est inconnu.",
        ),
        ({"gp": "Personne Inconnue"}, "gp", "Aucun médecin de ce nom dans le répertoire"),
    ],
)
def test_bad_input_gets_a_french_message_next_to_the_field(
    client, login, rieulay, overrides, field, message
):
    login(Role.ASSISTANT)
    response = client.post(create_url(), entry(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert message.split("'")[0] in response.content.decode().replace("&#x27;", "'")
    assert not Person.objects.exists()
    assert not Event.objects.filter(subject_type="persons.person").exists()


def test_valid_nir_is_compacted_and_its_kind_deduced(client, login, rieulay):
    login(Role.COORDINATOR)
    nir = make_nir("F", 1941, 3)
    spaced = " ".join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]])
    client.post(create_url(), entry(nir=spaced))
    person = Person.objects.get()
    assert person.nir == nir
    assert person.nir_kind == "NIR"
    assert person.ins == ""  # not qualified: the INS is not shown


def test_gp_chosen_from_the_directory_by_rpps_or_name(client, login, rieulay):
    login(Role.ASSISTANT)
    morel = ProfessionalFactory(first_name="Claire", last_name="Morel")
    nurse = ProfessionalFactory(nurse=True, last_name="Soignant")
    client.post(create_url(), entry(gp=gp_label(morel), gp_status="unknown"))
    person = Person.objects.get()
    assert person.gp == morel
    assert person.gp_status == "known"
    response = client.post(create_url(), entry(birth_name="Autre", gp="Soignant"))
    assert "Aucun médecin de ce nom" in response.context["form"].errors["gp"][0]
    response = client.post(create_url(), entry(birth_name="Autre", gp=gp_label(nurse)))
    assert response.context["form"].errors["gp"] == ["Ce professionnel n'est pas médecin."]
    client.post(create_url(), entry(birth_name="Troisieme", birth_date="1950-01-01", gp="dr morel"))
    assert Person.objects.get(birth_name="TROISIEME").gp == morel


def test_gp_suggestions_list_physicians_only(client, login):
    login(Role.ASSISTANT)
    ProfessionalFactory(first_name="Claire", last_name="Morel")
    ProfessionalFactory(nurse=True, first_name="Paul", last_name="Morelli")
    response = client.get(reverse("persons:gp_options"), {"gp": "morel"})
    html = response.content.decode()
    assert "Claire Morel — RPPS" in html
    assert "Morelli" not in html


def test_next_receives_the_new_person_and_foreign_urls_are_ignored(client, login, rieulay):
    login(Role.ASSISTANT)
    response = client.post(
        create_url(next="/demandes/nouvelle/?channel=phone"),
        entry(next="/demandes/nouvelle/?channel=phone"),
    )
    person = Person.objects.get()
    target = urlsplit(response["Location"])
    assert target.path == "/demandes/nouvelle/"
    assert parse_qs(target.query) == {"channel": ["phone"], "person": [str(person.pk)]}
    response = client.post(
        create_url(),
        entry(birth_name="Autre", birth_date="1950-01-01", next="https://ailleurs.example/vol"),
    )
    assert response["Location"].startswith("/personnes/")


def test_traits_can_be_prefilled_from_the_address(client, login):
    login(Role.ASSISTANT)
    response = client.get(
        create_url(birth_name="Roux", first_name="Jeanne", birth_date="1946-05-04", sex="F")
    )
    form = response.context["form"]
    assert form["birth_name"].value() == "Roux"
    assert form["birth_date"].value() == "1946-05-04"
    html = response.content.decode()
    assert 'value="Roux"' in html
    assert 'value="1946-05-04"' in html


# --- Duplicates on entry -------------------------------------------------------------------------


@pytest.fixture
def existing(login):
    membership = login(Role.ASSISTANT)
    person = PersonFactory(
        dac=membership.organisation,
        birth_name="LEFÈVRE",
        first_names="Marie Claire",
        first_name="Marie",
        birth_date=date(1941, 3, 2),
        birthplace_code="59350",
    )
    return person


def similar_entry(**overrides):
    return entry(
        birth_name="Lefevre",
        first_names="Marie-Claire",
        first_name="Marie-Claire",
        birth_date="1941-02-03",
        commune="",
        postal_code="",
        **overrides,
    )


def test_a_similar_entry_shows_the_candidates_side_by_side(client, existing):
    response = client.post(create_url(), similar_entry())
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert "Cette personne a peut-être déjà un dossier" in html
    assert f"Dossier n° {existing.pk}" in html
    assert "Date de naissance avec jour et mois inversés" in html
    assert "<mark>03/02/1941</mark>" in html  # the difference is highlighted
    assert "C'est cette personne" in html
    assert "Créer une nouvelle personne" in html
    assert Person.objects.count() == 1


def test_picking_the_existing_person_creates_nothing(client, existing):
    response = client.post(
        create_url(),
        similar_entry(use_existing=existing.pk, next="/demandes/nouvelle/"),
    )
    assert response["Location"] == f"/demandes/nouvelle/?person={existing.pk}"
    assert Person.objects.count() == 1
    event = Event.objects.get(subject_type="persons.person", subject_id=str(existing.pk))
    assert event.verb == "found_on_entry"


def test_creating_anyway_needs_the_confirmation_and_keeps_the_dismissed(client, existing):
    response = client.post(create_url(), similar_entry(create_anyway="1"))
    assert response.status_code == 200
    assert "Cochez cette case pour créer un nouveau dossier" in response.content.decode()
    assert Person.objects.count() == 1
    response = client.post(create_url(), similar_entry(create_anyway="1", confirm_distinct="1"))
    assert response.status_code == 302
    new = Person.objects.exclude(pk=existing.pk).get()
    event = Event.objects.get(subject_type="persons.person", subject_id=str(new.pk))
    assert event.data["dismissed_candidates"][0]["person"] == existing.pk
    assert event.data["dismissed_candidates"][0]["score"] >= 65


def test_back_to_the_entry_keeps_what_was_typed(client, existing):
    response = client.post(create_url(), similar_entry(create_anyway="1", edit_entry="1"))
    assert response.templates[0].name == "persons/person_form.html"
    assert response.context["form"]["birth_name"].value() == "Lefevre"
    assert Person.objects.count() == 1


def test_a_person_of_another_dac_is_never_a_candidate(client, login):
    login(Role.ASSISTANT)
    PersonFactory(
        birth_name="MARTIN",
        first_names="Lucienne Marie",
        first_name="Lucienne",
        birth_date=date(1941, 3, 2),
    )
    response = client.post(create_url(), entry(commune="", postal_code=""))
    assert response.status_code == 302
    assert Person.objects.count() == 2


# --- List and detail -----------------------------------------------------------------------------


def test_list_searches_birth_and_used_names_without_accents(client, login):
    membership = login(Role.COORDINATOR)
    dac = membership.organisation
    PersonFactory(dac=dac, birth_name="LEFÈVRE", first_name="Marie")
    PersonFactory(dac=dac, birth_name="MARTIN", used_name="DURAND", first_name="Lucienne")
    PersonFactory(dac=dac, birth_name="DUPONT", first_name="Jeanne", identity_status="QUAL")
    PersonFactory(birth_name="LEFEVRE", first_name="Marie")  # another DAC
    url = reverse("persons:list")

    def names(**params):
        response = client.get(url, params)
        return sorted(p.birth_name for p in response.context["object_list"])

    assert names() == ["DUPONT", "LEFÈVRE", "MARTIN"]
    assert names(q="lefevre") == ["LEFÈVRE"]
    assert names(q="Lefè") == ["LEFÈVRE"]
    assert names(q="durand") == ["MARTIN"]
    assert names(q="Durand Lucienne") == ["MARTIN"]
    assert names(q="Durand Jeanne") == []
    assert names(identity_status="QUAL") == ["DUPONT"]


def test_list_excludes_merged_records_and_is_paginated(client, login):
    membership = login(Role.ASSISTANT)
    kept = PersonFactory(dac=membership.organisation, birth_name="GARDE")
    PersonFactory(dac=membership.organisation, birth_name="FUSION", merged_into=kept)
    PersonFactory.create_batch(30, dac=membership.organisation)
    response = client.get(reverse("persons:list"))
    assert response.context["page_obj"].paginator.count == 31
    assert len(response.context["object_list"]) == 25
    assert client.get(reverse("persons:list"), {"page": 2}).status_code == 200


def test_list_query_count_is_bounded(client, login, django_assert_max_num_queries):
    membership = login(Role.COORDINATOR)
    commune = CommuneFactory()
    PersonFactory.create_batch(50, dac=membership.organisation, commune=commune)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("persons:list"))
    assert len(response.context["object_list"]) == 25
    with django_assert_max_num_queries(10):
        client.get(reverse("persons:list"), {"q": "personne", "identity_status": "PROV"})


def test_detail_shows_identity_contacts_gp_carers_and_history(client, login, rieulay):
    membership = login(Role.COORDINATOR)
    gp = ProfessionalFactory(first_name="Claire", last_name="Morel")
    person = PersonFactory(
        dac=membership.organisation,
        birth_name="MARTIN",
        used_name="DURAND",
        first_name="Lucienne",
        commune=rieulay,
        postal_code="59870",
        gp=gp,
        gp_status="known",
        nir=make_nir("F", 1941, 3),
    )
    CarerFactory(person=person, first_name="Sophie", last_name="DURAND", is_main_carer=True)
    response = client.get(reverse("persons:detail", args=[person.pk]))
    html = response.content.decode()
    assert "Mme Lucienne DURAND" in html
    assert "née MARTIN" in html
    assert "Rieulay" in html
    assert "Claire Morel" in html
    assert "Sophie DURAND" in html
    assert "aidant·e principal·e" in html
    assert "INS non qualifiée" in html
    assert person.nir not in html  # RNIV: the matricule of a non-qualified identity is not shown
    assert "Identité provisoire" in html


def test_detail_query_count_is_bounded(client, login, django_assert_max_num_queries, monkeypatch):
    from appui.persons import panels

    membership = login(Role.COORDINATOR)
    person = PersonFactory(dac=membership.organisation, gp=ProfessionalFactory())
    for _ in range(5):
        CarerFactory(person=person, linked_person=PersonFactory(dac=membership.organisation))
    PersonMergeFactory.create_batch(3, kept=person)
    for _ in range(5):
        CarerFactory(linked_person=person, person=PersonFactory(dac=membership.organisation))
    url = reverse("persons:detail", args=[person.pk])
    # The panels other apps register bring their own few queries each.
    registered = len(panels.registered_panels())
    # + the reader's access to a person without an episode (core.sharing: five queries), + the
    # header's bell and the rights links (access log, export), + whether the reader, outside the
    # circle, may open emergency access.
    with django_assert_max_num_queries(16 + 5 + 3 + 4 * registered):
        response = client.get(url)
    assert response.status_code == 200
    monkeypatch.setattr(panels, "_PANELS", {})
    with django_assert_max_num_queries(16 + 5 + 3):
        response = client.get(url)
    assert response.status_code == 200


def test_panels_registered_by_other_apps_are_rendered_in_order(client, login, monkeypatch):
    from appui.persons import panels

    membership = login(Role.COORDINATOR)
    person = PersonFactory(dac=membership.organisation)
    monkeypatch.setattr(
        panels,
        "_PANELS",
        {
            "b": Panel(
                "b", 20, "persons/_options.html", lambda request, p: {"options": ["second"]}
            ),
            "a": Panel(
                "a", 10, "persons/_options.html", lambda request, p: {"options": ["premier"]}
            ),
            "c": Panel("c", 5, "persons/_options.html", lambda request, p: None),
        },
    )
    html = client.get(reverse("persons:detail", args=[person.pk])).content.decode()
    assert html.index('value="premier"') < html.index('value="second"')
    assert 'id="panneau-c"' not in html


def test_merged_record_shows_a_banner_and_no_actions(client, login):
    membership = login(Role.COORDINATOR)
    kept = PersonFactory(dac=membership.organisation, birth_name="GARDE")
    merged = PersonFactory(dac=membership.organisation, merged_into=kept)
    html = client.get(reverse("persons:detail", args=[merged.pk])).content.decode()
    assert "Ce dossier a été fusionné dans" in html
    assert reverse("persons:detail", args=[kept.pk]) in html
    assert reverse("persons:edit", args=[merged.pk]) not in html
    assert client.get(reverse("persons:edit", args=[merged.pk])).status_code == 404


# --- Scopes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["detail", "edit", "identity", "duplicates", "carer_create"])
def test_a_person_of_another_dac_is_not_found(client, login, url_name):
    login(Role.COORDINATOR)
    stranger = PersonFactory()
    assert client.get(reverse(f"persons:{url_name}", args=[stranger.pk])).status_code == 404


def test_partner_sees_only_their_patients_and_changes_nothing(client, login):
    membership = login(Role.PARTNER, organisation=OrganisationFactory())
    own_gp = ProfessionalFactory(user=membership.user)
    patient = PersonFactory(gp=own_gp, birth_name="PATIENTE")
    other = PersonFactory(birth_name="AUTRE")
    listing = client.get(reverse("persons:list"))
    assert [p.pk for p in listing.context["object_list"]] == [patient.pk]
    page = client.get(reverse("persons:detail", args=[patient.pk]))
    assert page.status_code == 200
    assert reverse("persons:edit", args=[patient.pk]) not in page.content.decode()
    assert client.get(reverse("persons:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("persons:edit", args=[patient.pk])).status_code == 403
    assert client.get(reverse("persons:create")).status_code == 403


def test_pilot_has_no_access_to_persons(client, login):
    login(Role.REGIONAL_PILOT, organisation=OrganisationFactory())
    assert client.get(reverse("persons:list")).status_code == 403


def test_navigation_leads_to_the_person_list(client, login):
    MembershipFactory()  # another organisation exists
    login(Role.ASSISTANT)
    html = client.get("/").content.decode()
    assert f'href="{reverse("persons:list")}"' in html
