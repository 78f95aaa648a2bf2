"""The dashboard's services: figures and comparison, breakdown rows, exports, drill-down, period.

Expected values are counted by hand from the small dataset below."""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from appui.core.enums import Role
from appui.core.models import Event
from appui.reporting import dashboard
from appui.reporting.forms_dashboard import PeriodForm
from appui.reporting.indicators import Measure, Period, catalogue, get
from appui.reporting.indicators.base import SECTIONS
from tests.factories import (
    CareEpisodeFactory,
    MembershipFactory,
    ObjectionFactory,
    OrganisationFactory,
    PersonFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
D = datetime.date
Y2025 = Period.year(2025)


def at(day: datetime.date, hour=10):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


@pytest.fixture
def dac():
    """2025: 3 persons followed (one across New Year), requests 2 by phone + 1 by email.
    2024: 1 person followed (the one across New Year), requests 1 by phone + 1 by letter."""
    dac = OrganisationFactory(dac=True)
    other = OrganisationFactory(dac=True)
    across = PersonFactory(dac=dac, birth_name="Aubert")
    CareEpisodeFactory(person=across, opened_on=D(2024, 11, 4))
    CareEpisodeFactory(person=PersonFactory(dac=dac, birth_name="Bernard"), opened_on=D(2025, 3, 1))
    CareEpisodeFactory(person=PersonFactory(dac=dac, birth_name="Colin"), opened_on=D(2025, 6, 1))
    CareEpisodeFactory(person=PersonFactory(dac=other), opened_on=D(2025, 6, 1))
    for channel, day in [
        ("phone", D(2025, 1, 6)),
        ("phone", D(2025, 7, 14)),
        ("email", D(2025, 12, 31)),
        ("phone", D(2024, 5, 2)),
        ("letter", D(2024, 9, 9)),
    ]:
        SupportRequestFactory(dac=dac, channel=channel, received_at=at(day))
    SupportRequestFactory(dac=other, channel="visit", received_at=at(D(2025, 2, 2)))
    return dac


def line_of(lines, code):
    return next(line for line in lines if line.indicator.code == code)


# --- comparison -----------------------------------------------------------------------------


def test_compare_says_the_move_in_words_with_the_unit():
    c = dashboard.compare(Measure(12), Measure(9), "personnes")
    assert (c.direction, c.symbol, c.text) == ("up", "↑", "en hausse de 3\u00a0personnes")
    c = dashboard.compare(Measure(8), Measure(9), "personnes")
    assert (c.direction, c.symbol, c.text) == ("down", "↓", "en baisse de 1\u00a0personne")
    c = dashboard.compare(Measure(Decimal("41.5")), Measure(Decimal("45.0")), "%")
    assert c.text == "en baisse de 3,5 points"
    c = dashboard.compare(Measure(Decimal("1.5")), Measure(Decimal("1.0")), "jours ouvrés")
    assert c.text == "en hausse de 0,5\u00a0jour ouvré"
    assert dashboard.compare(Measure(4), Measure(4), "demandes").text == "stable"
    none = dashboard.compare(Measure(None, 0, 0), Measure(Decimal("50.0"), 1, 2), "%")
    assert (none.direction, none.symbol, none.text) == ("none", "", "pas de comparaison possible")
    assert dashboard.compare(Measure(Decimal("10.00")), Measure(0), "€").text == (
        "en hausse de 10,00\u00a0€"
    )


# --- the dashboard --------------------------------------------------------------------------


def test_dashboard_has_every_indicator_by_section_with_the_previous_year(dac):
    sections = dashboard.dashboard(dac.pk, Y2025)
    assert [s.code for s in sections] == [
        code for code in SECTIONS if any(i.section == code for i in catalogue())
    ]
    codes = [line.indicator.code for s in sections for line in s.lines]
    assert codes == [i.code for i in catalogue()]

    file_active = line_of([line for s in sections for line in s.lines], "file_active")
    assert file_active.current == Measure(3)  # Aubert (across New Year), Bernard, Colin
    assert file_active.previous == Measure(1)  # Aubert only
    assert file_active.display == "3\u00a0personnes"
    assert file_active.comparison.text == "en hausse de 2\u00a0personnes"


def test_breakdown_rows_follow_the_display_order_and_count_a_missing_key_as_zero(dac):
    line = line_of(dashboard.lines(dac.pk, Y2025), "requests_by_channel")
    rows = [(r.key, r.label, r.current, r.previous, r.comparison.text) for r in line.rows]
    # Channel order: phone, email, …, letter; the channels with no request in either year: none.
    assert rows == [
        ("phone", "Téléphone", Measure(2), Measure(1), "en hausse de 1\u00a0demande"),
        ("email", "Courriel", Measure(1), Measure(0), "en hausse de 1\u00a0demande"),
        ("letter", "Courrier", Measure(0), Measure(1), "en baisse de 1\u00a0demande"),
    ]
    assert (line.total.current, line.total.previous) == (Measure(3), Measure(2))
    assert line.chart_rows()[0] == (
        "Téléphone",
        2,
        "2\u00a0demandes",
        "1\u00a0demande",
        "↑ en hausse de 1\u00a0demande",
    )


def test_a_breakdown_by_staff_member_has_no_total():
    from dataclasses import replace

    staff = replace(get("requests_by_channel"), personal_keys=True)
    line = dashboard.line_for(staff, {"phone": Measure(2)}, {"phone": Measure(1)})
    assert line.total is None and len(line.rows) == 1


def test_a_period_of_dates_is_compared_with_the_same_number_of_days_before(dac):
    period = Period(D(2025, 1, 1), D(2025, 6, 30))  # 181 days
    line = line_of(dashboard.lines(dac.pk, period), "requests_by_channel")
    assert period.previous() == Period(D(2024, 7, 4), D(2024, 12, 31))
    assert {r.key: (r.current.value, r.previous.value) for r in line.rows} == {
        "phone": (1, 0),
        "letter": (0, 1),
    }


# --- exports --------------------------------------------------------------------------------


def test_csv_export_has_one_line_per_indicator_and_breakdown_key(dac):
    content = dashboard.export_csv(dac.pk, Y2025)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == dashboard.EXPORT_HEADER
    by_code = {}
    for row in rows[1:]:
        by_code.setdefault(row[1], []).append(row)
    assert set(by_code) == {i.code for i in catalogue()}
    assert by_code["file_active"] == [
        ["Activité", "file_active", "File active", "", "", "personnes", "3", "", "", "1"]
    ]
    assert [r[3:] for r in by_code["requests_by_channel"]] == [
        ["phone", "Téléphone", "demandes", "2", "", "", "1"],
        ["email", "Courriel", "demandes", "1", "", "", "0"],
        ["letter", "Courrier", "demandes", "0", "", "", "1"],
        ["total", "Total", "demandes", "3", "", "", "2"],
    ]


def test_csv_writes_decimals_with_a_comma():
    assert dashboard._csv_cell(Decimal("45.2")) == "45,2"
    assert dashboard._csv_cell(None) == ""
    assert dashboard._csv_cell(12) == "12"


def test_xlsx_export_has_the_same_rows_as_numbers(dac):
    workbook = load_workbook(io.BytesIO(dashboard.export_xlsx(dac.pk, Y2025, dac.name)))
    sheet = workbook["Indicateurs"]
    assert dac.name in sheet["A1"].value and "année 2025" in sheet["A1"].value
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert list(rows[0]) == dashboard.EXPORT_HEADER
    file_active = next(r for r in rows if r[1] == "file_active")
    assert file_active[6] == 3 and file_active[9] == 1
    phone = next(r for r in rows if r[1] == "requests_by_channel" and r[3] == "phone")
    assert (phone[6], phone[9]) == (2, 1)
    assert {r[1] for r in rows[1:]} == {i.code for i in catalogue()}


def test_an_export_is_recorded_and_for_the_director_only(dac):
    from django.core.exceptions import PermissionDenied

    director = MembershipFactory(organisation=dac, role=Role.DIRECTOR)
    dashboard.export(director, Y2025, "csv")
    event = Event.objects.get(verb="indicators_exported")
    assert event.subject_id == str(dac.pk) and event.actor_id == director.user_id
    assert event.data == {"format": "csv", "start": "2025-01-01", "end": "2025-12-31"}
    assert event.verb_label == "Export des indicateurs"
    with pytest.raises(PermissionDenied):
        dashboard.export(MembershipFactory(organisation=dac, role=Role.COORDINATOR), Y2025, "csv")


# --- drill-down -----------------------------------------------------------------------------


def test_drilldown_lists_the_persons_the_user_may_see(dac):
    coordinator = MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    colin = PersonFactory._meta.model.objects.get(birth_name="Colin")
    ObjectionFactory(person=colin, user=coordinator.user, scope="exclude")
    rows = dashboard.drilldown_rows(coordinator, get("file_active"), Y2025, None)
    assert [p.birth_name for p in rows] == ["Aubert", "Bernard"]  # Colin objected to this user
    described = dashboard.describe(rows[0])
    assert described.url == f"/personnes/{rows[0].pk}/"


def test_drilldown_narrows_to_a_breakdown_key_and_links_each_request(dac):
    director = MembershipFactory(organisation=dac, role=Role.DIRECTOR)
    rows = list(dashboard.drilldown_rows(director, get("requests_by_channel"), Y2025, "phone"))
    assert [r.received_at.date() for r in rows] == [D(2025, 1, 6), D(2025, 7, 14)]
    view = dashboard.describe(rows[1])
    assert view.url == f"/demandes/{rows[1].pk}/"
    assert view.date == D(2025, 7, 14) and view.detail == "Téléphone"
    assert view.person == rows[1].person.display_name


def test_an_episode_row_links_to_the_episode():
    episode = CareEpisodeFactory(opened_on=D(2025, 2, 3), closed_on=D(2025, 5, 6))
    view = dashboard.describe(episode)
    assert view.url == f"/accompagnements/{episode.pk}/"
    assert view.date == D(2025, 2, 3) and "sortie le 06/05/2025" in view.detail


# --- period picker --------------------------------------------------------------------------


def test_the_default_period_is_the_last_complete_year():
    form = PeriodForm({}, today=D(2026, 1, 15))
    assert form.period() == Period.year(2025)
    assert PeriodForm({"annee": "2023"}, today=D(2026, 1, 15)).period() == Period.year(2023)
    dates = PeriodForm({"annee": "2023", "du": "2025-03-01", "au": "2025-03-31"})
    assert dates.period() == Period(D(2025, 3, 1), D(2025, 3, 31))


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"du": "2025-03-01", "au": "2025-02-01"}, "au", "La fin de la période doit suivre"),
        ({"du": "2019-01-01", "au": "2024-01-01"}, "au", "ne peut pas dépasser 5 ans"),
        ({"du": "2025-03-01"}, "au", "Indiquez les deux dates"),
        ({"au": "2025-03-01"}, "du", "Indiquez les deux dates"),
        ({"du": "pas une date", "au": "2025-03-01"}, "du", "Saisissez une date valide"),
    ],
)
def test_bad_periods_get_a_french_message(data, field, message):
    form = PeriodForm(data, today=D(2026, 1, 15))
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])
    assert form.period() == Period.year(2025)  # the page still shows the default period


def test_five_years_exactly_is_accepted():
    form = PeriodForm({"du": "2020-01-01", "au": "2024-12-31"})
    assert form.is_valid(), form.errors
