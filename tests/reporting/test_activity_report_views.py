"""The activity report's pages: who may see them, saving, arrêter / rouvrir, downloads, and the
page's bounded number of queries."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from appui.core.enums import Role
from appui.core.models import Event
from appui.reporting.indicators import catalogue
from appui.reporting.models import ActivityReport
from tests.factories import (
    ActivityReportFactory,
    CareEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
URL = reverse("reporting:report")


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True, name="DAC Scarpe-Escaut", finess_et="590000014")


@pytest.fixture
def director(login, dac):
    return login(Role.DIRECTOR, dac)


def test_the_director_sees_the_identity_every_indicator_and_the_commentary_fields(
    client, director, dac
):
    TerritoryFactory(dac=dac, name="Douaisis")
    response = client.get(URL, {"annee": 2025})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rapport d'activité 2025" in html
    assert "DAC Scarpe-Escaut" in html and "590000014" in html and "Douaisis" in html
    for indicator in catalogue():
        assert escape(indicator.label) in html
    assert 'name="introduction"' in html and 'name="perspectives"' in html
    assert 'name="activity"' in html
    assert "Arrêter le rapport" in html
    assert not ActivityReport.objects.exists()  # showing the page writes nothing


def test_the_default_year_is_the_last_complete_one(client, director):
    response = client.get(URL)
    year = datetime.date.today().year - 1
    assert response.context["year"] == year
    assert f"Rapport d'activité {year}" in response.content.decode()


@pytest.mark.parametrize("year", ["abc", "1990"])
def test_an_unknown_year_is_not_found(client, director, year):
    assert client.get(URL, {"annee": year}).status_code == 404


@pytest.mark.parametrize(
    "role",
    [Role.COORDINATOR, Role.CASE_MANAGER, Role.SUPPORT_PHYSICIAN, Role.REGIONAL_PILOT],
)
def test_other_roles_are_refused_every_page(client, login, role):
    login(role)
    for name in ("reporting:report", "reporting:report_pdf", "reporting:report_xlsx"):
        assert client.get(reverse(name), {"annee": 2025}).status_code == 403, name
    for name in ("reporting:report", "reporting:report_finalise", "reporting:report_reopen"):
        assert client.post(reverse(name), {"annee": 2025}).status_code == 403, name
    assert not ActivityReport.objects.exists()


def test_saving_the_commentary(client, director, dac):
    response = client.post(
        URL, {"annee": 2025, "introduction": "Une belle année.", "quality": "Deux événements."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?annee=2025"
    report = ActivityReport.objects.get(dac=dac, year=2025)
    assert report.commentary == {"introduction": "Une belle année.", "quality": "Deux événements."}
    assert Event.objects.filter(verb="report_commentary_saved", subject_id=str(report.pk)).exists()
    page = client.get(URL, {"annee": 2025}).content.decode()
    assert "Commentaires enregistrés." in page
    assert "Une belle année." in page


def test_too_long_a_commentary_is_shown_next_to_its_field(client, director):
    response = client.post(URL, {"annee": 2025, "introduction": "ok", "delays": "x" * 4001})
    assert response.status_code == 200
    assert "Pas plus de 4000 caractères (actuellement 4001)." in response.content.decode()
    assert not ActivityReport.objects.exists()


def test_finalise_then_reopen(client, director, dac):
    client.post(URL, {"annee": 2025, "introduction": "Texte arrêté."})
    response = client.post(reverse("reporting:report_finalise"), {"annee": 2025})
    assert response.status_code == 302
    report = ActivityReport.objects.get(dac=dac, year=2025)
    assert report.status == "final"

    page = client.get(URL, {"annee": 2025}).content.decode()
    assert "Rouvrir le rapport" in page
    assert "Enregistrer les commentaires" not in page
    assert "disabled" in page
    client.post(URL, {"annee": 2025, "introduction": "Changé."})
    report.refresh_from_db()
    assert report.commentary == {"introduction": "Texte arrêté."}

    client.post(reverse("reporting:report_reopen"), {"annee": 2025})
    report.refresh_from_db()
    assert report.status == "draft"
    assert "Enregistrer les commentaires" in client.get(URL, {"annee": 2025}).content.decode()


def test_another_dac_s_report_is_not_shown(client, director):
    ActivityReportFactory(year=2025, commentary={"introduction": "Celui d'un autre DAC."})
    assert "Celui d'un autre DAC." not in client.get(URL, {"annee": 2025}).content.decode()


def test_downloads(client, director, dac):
    pdf = client.get(reverse("reporting:report_pdf"), {"annee": 2025})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "rapport-activite-2025-dac-scarpe-escaut.pdf" in pdf["Content-Disposition"]
    assert pdf.content.startswith(b"%PDF")

    xlsx = client.get(reverse("reporting:report_xlsx"), {"annee": 2025})
    assert xlsx.status_code == 200
    assert "rapport-activite-2025-dac-scarpe-escaut.xlsx" in xlsx["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == [
        "Indicateurs",
        "Commentaires",
        "Identité",
    ]
    report = ActivityReport.objects.get(dac=dac, year=2025)
    formats = Event.objects.filter(verb="report_generated", subject_id=str(report.pk))
    assert sorted(e.data["format"] for e in formats) == ["pdf", "xlsx"]
    assert {e.actor_id for e in formats} == {director.user_id}


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"annee": 2025}).status_code == 200
    return len(queries)


def test_the_page_s_queries_are_bounded_whatever_the_data(
    client, director, dac, django_assert_max_num_queries
):
    ActivityReportFactory(dac=dac, year=2025, commentary={"introduction": "x"})
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2025, 1, 5))
    few = _page_queries(client)
    for day in range(1, 20):
        CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2025, 2, day))
    assert _page_queries(client) == few
    # Session, user, memberships, the report and its rights, the identity (territory, directors,
    # commune), the header; then for each indicator and year (this one, the previous one) its
    # aggregate, sometimes a second (a budget, the labels of open keys).
    with django_assert_max_num_queries(15 + 2 * 2 * len(catalogue())):
        client.get(URL, {"annee": 2025})
