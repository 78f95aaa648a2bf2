"""Pilotage hub, dashboard, indicator page and exports: permissions, contents, query bounds."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from appui.core.enums import Role
from appui.core.models import AccessLog, Event
from appui.reporting import hub
from appui.reporting.indicators import Period, catalogue
from tests.factories import (
    CareEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
D = datetime.date


@pytest.fixture
def dac():
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")
    for name in ("Aubert", "Bernard"):
        CareEpisodeFactory(person=PersonFactory(dac=dac, birth_name=name), opened_on=D(2025, 3, 1))
    CareEpisodeFactory(person=PersonFactory(dac=dac, birth_name="Ancien"), opened_on=D(2024, 3, 1))
    for channel in ("phone", "phone", "email"):
        SupportRequestFactory(
            dac=dac, channel=channel, received_at=datetime.datetime(2025, 4, 2, 9, tzinfo=PARIS)
        )
    return dac


def url(name, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse(name) + (f"?{query}" if query else "")


# --- hub ------------------------------------------------------------------------------------


def test_hub_shows_the_cards_the_role_may_use(client, login, dac):
    login(Role.DIRECTOR, dac)
    page = client.get(reverse("reporting:home")).content.decode()
    assert "Tableau de bord" in page and reverse("reporting:dashboard") in page
    assert "Vue régionale" not in page


def test_hub_for_the_pilot_has_no_dac_dashboard(client, login):
    login(Role.REGIONAL_PILOT, OrganisationFactory(kind="ars"))
    response = client.get(reverse("reporting:home"))
    assert response.status_code == 200
    assert reverse("reporting:dashboard") not in response.content.decode()


def test_hub_is_refused_to_whoever_has_no_steering_tool(client, login):
    login(Role.ASSISTANT)
    assert client.get(reverse("reporting:home")).status_code == 403


def test_a_card_whose_page_is_not_installed_is_skipped(monkeypatch, login):
    membership = login(Role.DIRECTOR)
    cards = (
        hub.Card("reporting:dashboard", "Tableau de bord", "…", ("indicator", "view")),
        hub.Card("reporting:not_yet_there", "À venir", "…", ("indicator", "view")),
        hub.Card("reporting:dashboard", "Régional", "…", ("regional_indicator", "view")),
    )
    monkeypatch.setattr(hub, "CARDS", cards)
    assert [c["title"] for c in hub.cards_for(membership)] == ["Tableau de bord"]


def test_the_main_navigation_leads_to_the_hub(client, login, dac):
    login(Role.COORDINATOR, dac)
    page = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("reporting:home")}"' in page


# --- dashboard ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        (Role.ASSISTANT, 403),
        (Role.PARTNER, 403),
        (Role.REGIONAL_PILOT, 403),
        (Role.ADMIN, 403),
        (Role.COORDINATOR, 200),
        (Role.CASE_MANAGER, 200),
        (Role.SUPPORT_PHYSICIAN, 200),
        (Role.DIRECTOR, 200),
    ],
)
def test_dashboard_permissions(client, login, role, status):
    login(role)
    assert client.get(reverse("reporting:dashboard")).status_code == status


def test_dashboard_shows_each_indicator_and_the_comparison(client, login, dac):
    login(Role.COORDINATOR, dac)
    page = client.get(url("reporting:dashboard", annee=2025)).content.decode()
    assert "Tableau de bord — année 2025" in page
    for indicator in catalogue():
        assert indicator.label.replace("'", "&#x27;") in page
        assert reverse("reporting:indicator", args=[indicator.code]) + "?annee=2025" in page
    # file active: Aubert, Bernard, Ancien in 2025; Ancien alone in 2024.
    assert "3\u00a0personnes" in page and "année 2024 : 1\u00a0personne" in page
    assert "En hausse de 2\u00a0personnes" in page
    # the breakdown's chart has its text alternative and its data table
    assert 'role="img" aria-label="Demandes reçues par canal — Téléphone : 2\u00a0demandes' in page
    assert "Demandes reçues par canal (données du graphique)" in page
    # no export button for a coordinator
    assert reverse("reporting:dashboard_csv") not in page


def test_dashboard_with_dates_and_errors(client, login, dac):
    login(Role.DIRECTOR, dac)
    page = client.get(url("reporting:dashboard", du="2025-04-01", au="2025-04-30")).content
    page = page.decode()
    assert "du 01/04/2025 au 30/04/2025" in page and "du 02/03/2025 au 31/03/2025" in page
    assert f"{reverse('reporting:dashboard_csv')}?du=2025-04-01&amp;au=2025-04-30" in page
    page = client.get(url("reporting:dashboard", du="2025-04-01", au="2025-01-30")).content
    assert "La fin de la période doit suivre son début." in page.decode()


def test_dashboard_has_one_query_per_indicator_and_period(client, login, dac):
    login(Role.DIRECTOR, dac)
    client.get(reverse("reporting:dashboard"))  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        client.get(url("reporting:dashboard", annee=2025))
    # session, user, membership, header (notifications)… then each indicator for both periods:
    # one aggregate, sometimes a second (a budget, the labels of open keys) — never per row.
    assert len(queries) <= 8 + 2 * 2 * len(catalogue()), "\n".join(q["sql"][:300] for q in queries)


# --- indicator page -------------------------------------------------------------------------


def test_indicator_page_has_the_definition_and_the_list_behind_the_figure(client, login, dac):
    membership = login(Role.CASE_MANAGER, dac)
    response = client.get(reverse("reporting:indicator", args=["file_active"]) + "?annee=2025")
    page = response.content.decode()
    assert "Personnes distinctes accompagnées" in page  # the written definition
    assert "3 éléments" in page
    for person in PersonFactory._meta.model.objects.filter(dac=dac, care_episodes__isnull=False):
        assert f'href="{reverse("persons:detail", args=[person.pk])}"' in page
    # the persons listed are read: the access log has them under this user
    logged = AccessLog.objects.filter(user_id=membership.user_id, object_type="persons.person")
    assert logged.count() == 3


def test_indicator_page_narrows_to_a_key(client, login, dac):
    login(Role.DIRECTOR, dac)
    base = reverse("reporting:indicator", args=["requests_by_channel"])
    page = client.get(base + "?annee=2025&cle=email").content.decode()
    assert "Demandes reçues — Courriel" in page and "1 élément" in page
    assert client.get(base + "?annee=2025&cle=inconnu").status_code == 404
    assert client.get(reverse("reporting:indicator", args=["inconnu"])).status_code == 404


def test_indicator_page_is_refused_to_the_pilot_and_bounded(
    client, login, dac, django_assert_max_num_queries
):
    login(Role.REGIONAL_PILOT)
    assert client.get(reverse("reporting:indicator", args=["file_active"])).status_code == 403
    login(Role.DIRECTOR, dac)
    for _ in range(30):  # more than one page of requests
        SupportRequestFactory(
            dac=dac, channel="visit", received_at=datetime.datetime(2025, 5, 1, 9, tzinfo=PARIS)
        )
    with django_assert_max_num_queries(20):
        response = client.get(
            reverse("reporting:indicator", args=["requests_by_channel"]) + "?annee=2025"
        )
    assert "Suivante" in response.content.decode()


# --- exports --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reporting:dashboard_csv", "reporting:dashboard_xlsx"])
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SUPPORT_PHYSICIAN, Role.REGIONAL_PILOT])
def test_exports_are_for_the_director(client, login, name, role):
    login(role)
    assert client.get(reverse(name)).status_code == 403


def test_csv_export(client, login, dac):
    membership = login(Role.DIRECTOR, dac)
    response = client.get(url("reporting:dashboard_csv", annee=2025))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="indicateurs-2025.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    file_active = next(r for r in rows if r[1] == "file_active")
    assert file_active[6] == "3" and file_active[9] == "1"
    phone = next(r for r in rows if r[1] == "requests_by_channel" and r[3] == "phone")
    assert phone[6] == "2"
    event = Event.objects.get(verb="indicators_exported")
    assert event.actor_id == membership.user_id and event.data["format"] == "csv"


def test_xlsx_export(client, login, dac):
    login(Role.DIRECTOR, dac)
    response = client.get(url("reporting:dashboard_xlsx", du="2025-01-01", au="2025-06-30"))
    assert 'filename="indicateurs-20250101-20250630.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Indicateurs"]
    assert "du 01/01/2025 au 30/06/2025" in sheet["A1"].value
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert next(r for r in rows if r[1] == "file_active")[6] == 3
    assert Period(D(2025, 1, 1), D(2025, 6, 30)).previous().label in sheet["A2"].value


def test_export_of_an_invalid_period_is_refused(client, login, dac):
    login(Role.DIRECTOR, dac)
    response = client.get(url("reporting:dashboard_csv", du="2025-06-01", au="2025-01-01"))
    assert response.status_code == 404
    assert not Event.objects.filter(verb="indicators_exported").exists()
