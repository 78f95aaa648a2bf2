"""Cost and prestation indicators on small hand-built datasets: the expected values are counted by
hand."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from appui.reporting.indicators import POOLED, Measure, Period, get
from appui.reporting.models import DacBudget, DerogatoryService
from tests.factories import (
    CareEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    RequestResponseFactory,
    SupportRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
Y2025 = Period.year(2025)
D = datetime.date


def at(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def service(dac, kind, provided_on, amount, cancelled=False, sessions=1):
    user = UserFactory()
    return DerogatoryService.objects.create(
        dac=dac,
        person=PersonFactory(dac=dac),
        kind=kind,
        provider_label="Cabinet libéral",
        provided_on=provided_on,
        sessions=sessions,
        amount=Decimal(amount),
        budget_line="Prestations dérogatoires",
        recorded_by=user,
        cancelled_at=timezone.now() if cancelled else None,
        cancelled_by=user if cancelled else None,
        cancel_reason="Saisie en double" if cancelled else "",
    )


# --- derogatory services ------------------------------------------------------------------------


@pytest.fixture
def services():
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    service(dac, "psychologist", D(2025, 1, 1), "60.00")
    service(dac, "psychologist", D(2025, 12, 31), "180.00", sessions=3)
    service(dac, "dietitian", D(2025, 6, 1), "45.50")
    service(dac, "psychologist", D(2025, 6, 2), "60.00", cancelled=True)
    service(dac, "occupational_therapist", D(2024, 12, 31), "200.00")
    service(dac, "dietitian", D(2026, 1, 1), "45.50")
    service(other, "psychologist", D(2025, 3, 3), "70.00")
    return dac, other


def test_derogatory_services_count_and_amount_leave_cancelled_ones_out(services):
    dac, other = services
    count, amount = get("derogatory_services_count"), get("derogatory_services_amount")
    # 2025: 1 January, 31 December (3 sessions = one service), 1 June; not the cancelled one.
    assert count.for_dac(dac.pk, Y2025) == Measure(3)
    assert amount.for_dac(dac.pk, Y2025) == Measure(Decimal("285.50"))  # 60 + 180 + 45.50
    assert count.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == Measure(4)
    assert amount.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == Measure(
        Decimal("355.50")
    )
    assert amount.for_dac(dac.pk, Period.year(2024)) == Measure(Decimal("200.00"))
    assert amount.for_dac(dac.pk, Period.year(2023)) == Measure(0)
    assert count.drilldown.rows(dac, Y2025, None).count() == 3


def test_derogatory_amount_by_kind_carries_the_number_of_services(services):
    dac, other = services
    indicator = get("derogatory_services_by_kind")
    assert indicator.for_dac(dac.pk, Y2025) == {
        "psychologist": Measure(Decimal("240.00"), 2),
        "dietitian": Measure(Decimal("45.50"), 1),
    }
    assert indicator.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == {
        "psychologist": Measure(Decimal("310.00"), 3),
        "dietitian": Measure(Decimal("45.50"), 1),
    }
    assert indicator.drilldown.rows(dac, Y2025, "psychologist").count() == 2
    assert dict(indicator.breakdown(["dietitian"]))["dietitian"] == "Diététicien·ne"


# --- cost per person ----------------------------------------------------------------------------


@pytest.fixture
def budgets():
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    DacBudget.objects.create(dac=dac, year=2024, amount=Decimal("100000"))
    DacBudget.objects.create(dac=dac, year=2025, amount=Decimal("120000"), derogatory_amount=5000)
    DacBudget.objects.create(dac=other, year=2025, amount=Decimal("60000"))
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2024, 11, 2))  # across New Year
    reopened = PersonFactory(dac=dac)
    first = CareEpisodeFactory(
        person=reopened, opened_on=D(2025, 2, 1), closed_on=D(2025, 4, 30), status="closed"
    )
    CareEpisodeFactory(person=reopened, opened_on=D(2025, 9, 1), previous=first)
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2025, 10, 1))
    CareEpisodeFactory(
        person=PersonFactory(dac=dac),
        opened_on=D(2024, 3, 1),
        closed_on=D(2024, 9, 30),
        status="closed",
    )
    CareEpisodeFactory(person=PersonFactory(dac=other), opened_on=D(2025, 1, 1))
    return dac, other


def test_cost_per_person_is_the_budget_over_the_file_active(budgets):
    dac, other = budgets
    indicator = get("cost_per_person")
    # 2025: 120 000 € for 3 persons (across New Year, reopened once, October) = 40 000 €.
    assert indicator.for_dac(dac.pk, Y2025) == Measure(Decimal("40000.00"), Decimal("120000.00"), 3)
    assert indicator.for_dac(other.pk, Y2025) == Measure(
        Decimal("60000.00"), Decimal("60000.00"), 1
    )
    # Both DACs: 180 000 € for 4 persons.
    assert indicator.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == Measure(
        Decimal("45000.00"), Decimal("180000.00"), 4
    )
    # 2024: 100 000 € for 2 persons (across New Year, closed in September).
    assert indicator.for_dac(dac.pk, Period.year(2024)).value == Decimal("50000.00")


def test_cost_per_person_prorates_the_budgets_of_a_period_across_two_years(budgets):
    dac, other = budgets
    period = Period(D(2024, 7, 1), D(2025, 6, 30))
    # 100 000 × 184/366 (1 July – 31 December of a leap year) = 50 273.22…
    # + 120 000 × 181/365 (1 January – 30 June 2025) = 59 506.85… → 109 780.07 €;
    # persons: across New Year, closed on 30/09/2024, reopened (first episode) = 3.
    # 109 780.07 / 3 = 36 593.356… → 36 593.36 €.
    assert get("cost_per_person").for_dac(dac.pk, period) == Measure(
        Decimal("36593.36"), Decimal("109780.07"), 3
    )


def test_cost_per_person_needs_every_budget_of_the_period(budgets):
    dac, other = budgets
    indicator = get("cost_per_person")
    assert indicator.for_dac(other.pk, Period.year(2024)).value is None  # no 2024 budget
    assert indicator.for_dac(other.pk, Period(D(2024, 7, 1), D(2025, 6, 30))).value is None
    pooled = indicator.figures([dac.pk, other.pk], Period.year(2024), pooled=True)[POOLED]
    assert pooled.value is None
    assert indicator.for_dac(dac.pk, Period.year(2023)).value is None


# --- prestations by level -----------------------------------------------------------------------


def test_prestations_by_level_counts_requests_by_their_first_answer():
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)

    def answered(level, received, first_answer, dac=dac):
        return SupportRequestFactory(
            dac=dac, level=level, received_at=received, first_answered_at=first_answer
        )

    # Answered on 14 July, a public holiday: counts in 2025 like any other day.
    answered("urgent", at(2025, 7, 13, 18), at(2025, 7, 14, 10))
    # Received on 31 December 2024, answered 30 minutes after New Year (Paris time): 2025.
    answered("risk", at(2024, 12, 31, 22), at(2025, 1, 1, 0, 30))
    # Answered at 23:30 on 31 December 2024 (Paris): 2024.
    answered("risk", at(2024, 12, 31, 9), at(2024, 12, 31, 23, 30))
    not_graded = answered("", at(2025, 3, 1, 9), at(2025, 3, 3, 9))
    # Answered on Christmas with two responses: one prestation.
    christmas = answered("watch", at(2025, 12, 24, 9), at(2025, 12, 25, 9))
    RequestResponseFactory(request=christmas, given_at=at(2025, 12, 25, 9))
    RequestResponseFactory(
        request=christmas, response_type="orientation", given_at=at(2025, 12, 26, 9)
    )
    answered("long_term", at(2025, 11, 1, 9), None)  # not answered yet
    answered("short_term", at(2025, 5, 1, 9), at(2025, 5, 5, 9)).delete()  # a duplicate, archived
    answered("risk", at(2025, 2, 1, 9), at(2025, 2, 2, 9), dac=other)

    indicator = get("prestations_by_level")
    assert indicator.for_dac(dac.pk, Y2025) == {
        "urgent": Measure(1),
        "risk": Measure(1),
        "not_graded": Measure(1),
        "watch": Measure(1),
    }
    assert indicator.for_dac(dac.pk, Period.year(2024)) == {"risk": Measure(1)}
    assert indicator.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == {
        "urgent": Measure(1),
        "risk": Measure(2),
        "not_graded": Measure(1),
        "watch": Measure(1),
    }
    labels = indicator.breakdown(["risk", "not_graded"])
    assert labels[0] == ("watch", "Niveau 0 — veille")
    assert labels[-1] == ("not_graded", "Non gradué")
    assert "not_graded" not in dict(indicator.breakdown(["risk"]))
    assert list(indicator.drilldown.rows(dac, Y2025, "not_graded")) == [not_graded]
