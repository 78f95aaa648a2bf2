"""Adverse-event indicators on small hand-built datasets: the expected values are counted by hand."""

import datetime
from decimal import Decimal

import pytest

from appui.reporting.indicators import POOLED, Measure, Period, get
from tests.factories import (
    AdverseEventFactory,
    CareEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
Y2025 = Period.year(2025)
D = datetime.date
ACTION = "Réunion avec l'équipe hospitalière, fiche de liaison mise en place."


@pytest.fixture
def events():
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    across = CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2024, 11, 2))
    # 2024: a care rupture, action done.
    AdverseEventFactory(
        episode=across,
        kind="care_rupture",
        occurred_on=D(2024, 12, 20),
        corrective_action=ACTION,
        corrective_action_done_on=D(2025, 1, 3),
    )
    # 2025, across New Year: a hospitalisation on 2 January (action done), one on 31 December
    # (action decided, not done yet).
    AdverseEventFactory(
        episode=across,
        kind="unplanned_hospitalisation",
        occurred_on=D(2025, 1, 2),
        corrective_action=ACTION,
        corrective_action_done_on=D(2025, 1, 20),
    )
    AdverseEventFactory(
        episode=across,
        kind="unplanned_hospitalisation",
        occurred_on=D(2025, 12, 31),
        corrective_action=ACTION,
    )
    # A reopened person: a voluntary exit in the first episode (no action), another event in the
    # second, whose action was done after the period (in January 2026).
    reopened = PersonFactory(dac=dac)
    first = CareEpisodeFactory(
        person=reopened, opened_on=D(2025, 2, 1), closed_on=D(2025, 4, 30), status="closed"
    )
    AdverseEventFactory(episode=first, kind="voluntary_exit", occurred_on=D(2025, 3, 1))
    second = CareEpisodeFactory(person=reopened, opened_on=D(2025, 9, 1), previous=first)
    AdverseEventFactory(
        episode=second,
        kind="other",
        occurred_on=D(2025, 10, 10),
        corrective_action=ACTION,
        corrective_action_done_on=D(2026, 1, 15),
    )
    # 2026: not in 2025.
    AdverseEventFactory(episode=second, kind="other", occurred_on=D(2026, 1, 1))
    # The other DAC.
    AdverseEventFactory(
        episode=CareEpisodeFactory(person=PersonFactory(dac=other), opened_on=D(2025, 1, 1)),
        kind="care_rupture",
        occurred_on=D(2025, 5, 5),
        corrective_action=ACTION,
        corrective_action_done_on=D(2025, 5, 20),
    )
    return dac, other, across, first, second


def test_adverse_events_by_type_uses_the_day_it_occurred(events):
    dac, other, across, first, second = events
    indicator = get("adverse_events_by_type")
    figures = indicator.figures([dac.pk, other.pk], Y2025)
    assert figures[dac.pk] == {
        "unplanned_hospitalisation": Measure(2),
        "voluntary_exit": Measure(1),
        "other": Measure(1),
    }
    assert figures[other.pk] == {"care_rupture": Measure(1)}
    assert indicator.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == {
        "unplanned_hospitalisation": Measure(2),
        "voluntary_exit": Measure(1),
        "other": Measure(1),
        "care_rupture": Measure(1),
    }
    assert indicator.for_dac(dac.pk, Period.year(2024)) == {"care_rupture": Measure(1)}
    # The list behind the figure: the episodes concerned (two hospitalisations, one episode).
    assert list(indicator.drilldown.rows(dac, Y2025, "unplanned_hospitalisation")) == [across]
    assert set(indicator.drilldown.rows(dac, Y2025, None)) == {across, first, second}


def test_share_of_adverse_events_with_a_corrective_action(events):
    dac, other, across, first, second = events
    recorded = get("adverse_events_with_corrective_action")
    # 2025: 4 events, 3 with an action (not the voluntary exit) → 75 %.
    assert recorded.for_dac(dac.pk, Y2025) == Measure(Decimal("75.0"), 3, 4)
    # With the other DAC: 4 of 5 → 80 %.
    assert recorded.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == Measure(
        Decimal("80.0"), 4, 5
    )
    assert set(recorded.drilldown.rows(dac, Y2025, None)) == {across, second}

    done = get("adverse_events_corrective_action_done")
    # Done: 2 January's (done 20/01/2025) and October's (done in 2026) → 2 of 4 = 50 %.
    assert done.for_dac(dac.pk, Y2025) == Measure(Decimal("50.0"), 2, 4)
    assert done.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == Measure(
        Decimal("60.0"), 3, 5
    )
    assert done.for_dac(dac.pk, Period.year(2024)) == Measure(Decimal("100.0"), 1, 1)
    # No event at all: no value, not 0 %.
    assert done.for_dac(dac.pk, Period.year(2023)) == Measure(None)
