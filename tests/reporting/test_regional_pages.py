"""The regional page for the ARS pilot: three DACs side by side, masked, no personal data."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from appui.core.enums import Role
from appui.reporting.indicators import catalogue
from tests.factories import (
    CareEpisodeFactory,
    CommuneFactory,
    OrganisationFactory,
    PersonFactory,
    SupportRequestFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def region():
    lille = CommuneFactory(insee_code="59350", region_code="32")
    ars = OrganisationFactory(kind="ars", name="ARS Hauts-de-France", commune=lille)
    dacs = []
    for name, followed in [("DAC Alpha", 12), ("DAC Bêta", 3), ("DAC Gamma", 7)]:
        dac = OrganisationFactory(dac=True, name=name, commune=CommuneFactory(region_code="32"))
        TerritoryFactory(dac=dac).communes.set([dac.commune])
        for _ in range(followed):
            CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2025, 3, 1))
        dacs.append(dac)
    # Outside the region: never shown.
    other = OrganisationFactory(
        dac=True,
        name="DAC Ailleurs",
        commune=CommuneFactory(region_code="11", department_code="75"),
    )
    CareEpisodeFactory(person=PersonFactory(dac=other), opened_on=D(2025, 3, 1))
    return ars, dacs


def test_the_pilot_sees_every_indicator_for_the_three_dacs_masked(client, login, region):
    ars, dacs = region
    login(Role.REGIONAL_PILOT, organisation=ars)
    person = PersonFactory(dac=dacs[0], birth_name="Vandamme", first_name="Ginette")
    CareEpisodeFactory(person=person, opened_on=D(2025, 6, 1))
    response = client.get(reverse("reporting:regional"), {"annee": 2025})
    assert response.status_code == 200
    html = response.content.decode()
    for dac in dacs:
        assert dac.name in html
    assert "DAC Ailleurs" not in html
    for indicator in catalogue():
        assert escape(indicator.label) in html
    # File active: Alpha 13, Bêta 3 (masked), Gamma 7; region 23. With Bêta masked alone in
    # its row, the next smallest (Gamma, 7) is masked too.
    table = response.context["sections"][0].indicators[0]
    assert table.indicator.code == "file_active"
    line = table.lines[0]
    assert [c.text for c in line.cells] == ["13\u00a0personnes", "< 5", "secret statistique"]
    assert line.region.text == "23\u00a0personnes"
    # No personal data, no link to a person or a request.
    assert "Vandamme" not in html and "Ginette" not in html
    assert "/personnes/" not in html and "/demandes/" not in html
    assert "/accompagnements/" not in html


def test_the_csv_export_is_masked_too(client, login, region):
    ars, dacs = region
    login(Role.REGIONAL_PILOT, organisation=ars)
    response = client.get(reverse("reporting:regional_export"), {"annee": 2025})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header == "Rubrique;Indicateur;Ligne;Unité;DAC Alpha;DAC Bêta;DAC Gamma;Région"
    assert first.split(";")[:2] == ["Activité", "File active"]
    assert first.split(";")[4:] == [
        "12\u00a0personnes",
        "< 5",
        "secret statistique",
        "22\u00a0personnes",
    ]


def test_the_year_picker_defaults_to_the_last_complete_year(client, login, region):
    ars, _ = region
    login(Role.REGIONAL_PILOT, organisation=ars)
    response = client.get(reverse("reporting:regional"), {"annee": "n'importe quoi"})
    assert response.context["year"] == datetime.date.today().year - 1


@pytest.mark.parametrize(
    "role", [Role.DIRECTOR, Role.COORDINATOR, Role.ADMIN, Role.ASSISTANT, Role.PARTNER]
)
def test_only_the_pilot_opens_the_regional_view(client, login, region, role):
    _, dacs = region
    login(role, organisation=dacs[0])
    assert client.get(reverse("reporting:regional")).status_code == 403
    assert client.get(reverse("reporting:regional_export")).status_code == 403


def test_the_pilot_gets_403_on_every_person_request_and_care_page(client, login, region):
    ars, dacs = region
    login(Role.REGIONAL_PILOT, organisation=ars)
    request = SupportRequestFactory(dac=dacs[0])
    episode = CareEpisodeFactory(person=request.person, opened_on=D(2025, 1, 6))
    person = request.person
    urls = [
        reverse("persons:list"),
        reverse("persons:detail", args=[person.pk]),
        reverse("persons:edit", args=[person.pk]),
        reverse("persons:identity", args=[person.pk]),
        reverse("intake:request_detail", args=[request.pk]),
        reverse("care:episode_list"),
        reverse("care:episode_detail", args=[episode.pk]),
        reverse("care:plan_detail", args=[episode.pk]),
        reverse("care:episode_open", args=[person.pk]),
        reverse("circle:circle", args=[person.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_query_count_is_bounded_by_the_catalogue(
    client, login, region, django_assert_max_num_queries
):
    ars, _ = region
    login(Role.REGIONAL_PILOT, organisation=ars)
    # Per indicator: the DACs side by side, then the region pooled — each an aggregate, sometimes
    # a second (a budget, the labels of open keys); and a fixed few for the session and the page.
    with django_assert_max_num_queries(2 * 2 * len(catalogue()) + 12):
        assert client.get(reverse("reporting:regional"), {"annee": 2025}).status_code == 200
