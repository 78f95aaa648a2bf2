"""The cartography of coordination structures and the editing of a structure's coverage."""

import pytest
from django.urls import reverse

from appui.core.enums import Role
from appui.core.models import Event
from appui.reporting.coverage import communes_coverage, region_communes, region_structures
from appui.reporting.models import CoordinationCoverage
from tests.factories import CommuneFactory, OrganisationFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    a = CommuneFactory(insee_code="59178", name="Douai", region_code="32")
    b = CommuneFactory(insee_code="59569", name="Sin-le-Noble", region_code="32")
    c = CommuneFactory(insee_code="59122", name="Cambrai", region_code="32")
    d = CommuneFactory(insee_code="59139", name="Caudry", region_code="32")
    paris = CommuneFactory(insee_code="75056", name="Paris", region_code="11", department_code="75")
    ars = OrganisationFactory(kind="ars", name="ARS", commune=a)
    douai = OrganisationFactory(dac=True, name="DAC du Douaisis", commune=a)
    TerritoryFactory(dac=douai).communes.set([a, b])
    cambrai = OrganisationFactory(dac=True, name="DAC du Cambrésis", commune=c)
    TerritoryFactory(dac=cambrai).communes.set([b, c])
    clic = OrganisationFactory(kind="clic", name="CLIC du Douaisis", commune=a)
    coverage = CoordinationCoverage.objects.create(
        organisation=clic, population="Personnes de 60 ans et plus", health_social=4, complexity=1
    )
    coverage.communes.set([a, b])
    cpts = OrganisationFactory(kind="cpts", name="CPTS du Cambrésis", commune=c)
    return {
        "communes": (a, b, c, d, paris),
        "ars": ars,
        "dacs": (douai, cambrai),
        "clic": clic,
        "cpts": cpts,
    }


def test_structures_of_the_region_with_their_communes_and_axes(
    region, django_assert_max_num_queries
):
    a, b, c, d, _ = region["communes"]
    with django_assert_max_num_queries(4):
        structures = region_structures("32")
    assert [s.organisation.name for s in structures] == [
        "DAC du Cambrésis",
        "DAC du Douaisis",
        "CLIC du Douaisis",
    ]
    cambrai, douai, clic = structures
    assert [x.name for x in douai.communes] == ["Douai", "Sin-le-Noble"]
    assert not douai.described and (douai.health_social, douai.complexity) == (3, 3)
    assert (clic.health_social, clic.complexity) == (4, 1) and clic.described
    # Complex situations are drawn above standard ones, the social field right of the health one.
    assert douai.y < clic.y and douai.x < clic.x

    lines = {
        line.commune.name: line for line in communes_coverage(region_communes("32"), structures)
    }
    assert lines["Caudry"].without_dac
    assert lines["Sin-le-Noble"].several_dacs
    assert [o.name for o in lines["Sin-le-Noble"].others] == ["CLIC du Douaisis"]
    assert [c.name for c in region_communes("32", "sans-dac")] == ["Caudry"]
    assert [c.name for c in region_communes("32", "plusieurs-dac")] == ["Sin-le-Noble"]


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.CASE_MANAGER, Role.SUPPORT_PHYSICIAN, Role.DIRECTOR]
)
def test_dac_staff_see_the_cartography_without_editing(client, login, region, role):
    login(role, organisation=region["dacs"][0])
    response = client.get(reverse("reporting:coverage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html and "CLIC du Douaisis" in html
    assert "Aucun DAC" in html and "Plusieurs DAC" in html
    assert reverse("reporting:coverage_edit", args=[region["clic"].pk]) not in html
    url = reverse("reporting:coverage_edit", args=[region["clic"].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"population": "x"}).status_code == 403


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.PARTNER])
def test_assistant_and_partner_do_not_see_it(client, login, region, role):
    login(role, organisation=region["dacs"][0])
    assert client.get(reverse("reporting:coverage")).status_code == 403


def test_the_pilot_describes_a_structure_with_an_event(client, login, region):
    a, b, c, d, _ = region["communes"]
    login(Role.REGIONAL_PILOT, organisation=region["ars"])
    page = client.get(reverse("reporting:coverage")).content.decode()
    url = reverse("reporting:coverage_edit", args=[region["cpts"].pk])
    assert url in page  # offered: a coordination structure of the region not yet described
    response = client.post(
        url,
        {
            "communes": "59122,\n59139  59122",
            "population": "Patientèle des médecins du territoire",
            "health_social": "1",
            "complexity": "2",
            "note": "",
        },
    )
    assert response.status_code == 302
    coverage = CoordinationCoverage.objects.get(organisation=region["cpts"])
    assert sorted(coverage.communes.values_list("insee_code", flat=True)) == ["59122", "59139"]
    assert (coverage.health_social, coverage.complexity) == (1, 2)
    event = Event.objects.get(subject_type="reporting.coordinationcoverage", verb="created")
    assert event.data["communes"] == ["59122", "59139"]

    client.post(
        url, {"communes": "59122", "population": "Idem", "health_social": "2", "complexity": "2"}
    )
    event = Event.objects.get(subject_type="reporting.coordinationcoverage", verb="updated")
    assert event.data["changed"] == ["communes", "health_social", "population"]


def test_french_errors_on_the_coverage_form(client, login, region):
    login(Role.REGIONAL_PILOT, organisation=region["ars"])
    url = reverse("reporting:coverage_edit", args=[region["cpts"].pk])
    response = client.post(url, {"communes": "", "population": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indiquez au moins une commune couverte (code Insee)." in html
    assert "Indiquez la population concernée." in html
    assert "Situez la structure entre le champ sanitaire et le champ social." in html
    base = {"population": "x", "health_social": "3", "complexity": "1"}
    html = client.post(url, {**base, "communes": "591, 59122"}).content.decode()
    assert "Code Insee mal formé (5 caractères, par exemple 59178) : 591." in html
    html = client.post(url, {**base, "communes": "59999"}).content.decode()
    assert "Code Insee inconnu du référentiel des communes : 59999." in html
    html = client.post(url, {**base, "communes": "75056"}).content.decode()
    assert "Commune hors de la région : Paris (75056)." in html
    assert not CoordinationCoverage.objects.filter(organisation=region["cpts"]).exists()


def test_a_dac_s_communes_stay_its_territory_s(client, login, region):
    login(Role.ADMIN, organisation=region["dacs"][0])
    douai = region["dacs"][0]
    url = reverse("reporting:coverage_edit", args=[douai.pk])
    response = client.get(url)
    assert "communes" not in response.context["form"].fields
    client.post(url, {"population": "Toute personne", "health_social": "3", "complexity": "3"})
    coverage = CoordinationCoverage.objects.get(organisation=douai)
    assert coverage.population == "Toute personne" and not coverage.communes.exists()


def test_an_organisation_outside_the_region_is_not_found(client, login, region):
    login(Role.REGIONAL_PILOT, organisation=region["ars"])
    elsewhere = OrganisationFactory(kind="clic", commune=region["communes"][4])
    assert client.get(reverse("reporting:coverage_edit", args=[elsewhere.pk])).status_code == 404
    pharmacy = OrganisationFactory(kind="pharmacy", commune=region["communes"][0])
    assert client.get(reverse("reporting:coverage_edit", args=[pharmacy.pk])).status_code == 404


def test_coverage_page_queries_are_bounded(client, login, region, django_assert_max_num_queries):
    login(Role.REGIONAL_PILOT, organisation=region["ars"])
    for n in range(6):  # more structures, more communes: not more queries
        clic = OrganisationFactory(kind="clic", name=f"CLIC {n}", commune=region["communes"][0])
        coverage = CoordinationCoverage.objects.create(
            organisation=clic, population="Seniors", health_social=5, complexity=1
        )
        coverage.communes.set([region["communes"][0], CommuneFactory(region_code="32")])
    with django_assert_max_num_queries(16):
        assert client.get(reverse("reporting:coverage")).status_code == 200
