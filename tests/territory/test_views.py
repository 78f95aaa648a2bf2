import pytest
from django.urls import reverse

from appui.core.enums import Role
from appui.territory.models import Professional
from tests.factories import OrganisationFactory, PracticePlaceFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def professional_data(**overrides):
    data = {
        "civility": "Mme",
        "title": "Dr",
        "first_name": "Claire",
        "last_name": "Morel",
        "profession": "physician",
        "specialty": "Médecine générale",
        "rpps": "10000000017",
        "adeli": "",
        "email": "",
        "mssante_address": "",
        "phone": "",
    }
    data.update(overrides)
    return data


def test_create_professional(client, login):
    login(Role.ASSISTANT)
    response = client.post(reverse("territory:professional_create"), professional_data())
    professional = Professional.objects.get(rpps="10000000017")
    assert response.status_code == 302
    assert response["Location"] == reverse("territory:professional_detail", args=[professional.pk])


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rpps": "1234"}, "rpps", "11 chiffres"),
        ({"rpps": "", "adeli": ""}, "rpps", "Indiquez le numéro RPPS"),
        ({"last_name": ""}, "last_name", "Ce champ est obligatoire"),
        ({"email": "pas-une-adresse"}, "email", "adresse de courriel valide"),
    ],
)
def test_bad_input_gets_a_french_message_next_to_the_field_and_saves_nothing(
    client, login, overrides, field, message
):
    login(Role.ASSISTANT)
    response = client.post(reverse("territory:professional_create"), professional_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and any(message in e for e in errors[field])
    html = response.content.decode()
    assert f'id="id_{field}-desc-error"' in html  # rendered right under the field
    assert Professional.objects.count() == 0


def test_duplicate_rpps_is_refused(client, login):
    ProfessionalFactory(rpps="10000000017")
    login(Role.ASSISTANT)
    response = client.post(reverse("territory:professional_create"), professional_data())
    assert "déjà enregistré" in response.content.decode()
    assert Professional.objects.count() == 1


def test_unreliable_rpps_key_warns_but_saves(client, login):
    login(Role.ASSISTANT)
    response = client.post(
        reverse("territory:professional_create"), professional_data(rpps="10000000018"), follow=True
    )
    assert Professional.objects.filter(rpps="10000000018").exists()
    assert "la clé de contrôle usuelle ne correspond pas" in response.content.decode()


def test_directory_lists_are_paginated_with_bounded_queries(
    client, login, django_assert_max_num_queries
):
    login(Role.COORDINATOR)
    for _ in range(40):
        PracticePlaceFactory()
    with django_assert_max_num_queries(10):
        structures = client.get(reverse("territory:directory"))
    with django_assert_max_num_queries(10):
        professionals = client.get(reverse("territory:directory"), {"onglet": "professionnels"})
    assert len(structures.context["object_list"]) == 25
    assert len(professionals.context["object_list"]) == 25
    page_two = client.get(reverse("territory:directory"), {"onglet": "professionnels", "page": 2})
    assert len(page_two.context["object_list"]) == 15


def test_directory_search(client, login):
    login(Role.ASSISTANT)
    ProfessionalFactory(last_name="Lambert", first_name="Hugo")
    ProfessionalFactory(last_name="Morel")
    OrganisationFactory(name="Pharmacie de Rieulay")
    found = client.get(reverse("territory:directory"), {"onglet": "professionnels", "q": "lamb"})
    assert [p.last_name for p in found.context["object_list"]] == ["Lambert"]
    orgs = client.get(reverse("territory:directory"), {"q": "rieulay"})
    assert [o.name for o in orgs.context["object_list"]] == ["Pharmacie de Rieulay"]


def test_detail_pages_have_bounded_queries(client, login, django_assert_max_num_queries):
    login(Role.COORDINATOR)
    place = PracticePlaceFactory()
    for _ in range(10):
        PracticePlaceFactory(organisation=place.organisation)
    with django_assert_max_num_queries(10):
        client.get(reverse("territory:professional_detail", args=[place.professional.pk]))
    with django_assert_max_num_queries(10):
        client.get(reverse("territory:organisation_detail", args=[place.organisation.pk]))
