"""Follow-up indicators on small hand-built datasets: the expected values are counted by hand."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from appui.reporting.indicators import POOLED, Measure, Period, get
from tests.factories import (
    CareEpisodeFactory,
    LevelChangeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
Y2025 = Period.year(2025)
D = datetime.date


def at(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def closed(person, opened_on, closed_on, reason="", **kwargs):
    return CareEpisodeFactory(
        person=person,
        opened_on=opened_on,
        closed_on=closed_on,
        status="closed",
        exit_reason=reason,
        **kwargs,
    )


# --- persons_by_level ---------------------------------------------------------------------------


def test_persons_by_level_takes_the_level_at_the_end_of_the_period_or_at_exit():
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)

    # Followed across New Year: risk at inclusion, long term from June, short term from the first
    # minutes of 2026 (after the period) — long term at the end of 2025, risk at the end of 2024.
    across = CareEpisodeFactory(
        person=PersonFactory(dac=dac), opened_on=D(2024, 11, 2), level="short_term"
    )
    LevelChangeFactory(episode=across, level="risk", changed_at=at(2024, 11, 2, 10))
    LevelChangeFactory(
        episode=across, level="long_term", previous_level="risk", changed_at=at(2025, 6, 1, 9)
    )
    LevelChangeFactory(
        episode=across,
        level="short_term",
        previous_level="long_term",
        changed_at=at(2026, 1, 1, 0, 10),
    )

    # Reopened: urgent in the first episode, watch in the second — counted once, at watch.
    reopened = PersonFactory(dac=dac)
    first = closed(reopened, D(2025, 2, 1), D(2025, 4, 30), "stabilised", level="urgent")
    LevelChangeFactory(episode=first, level="urgent", changed_at=at(2025, 2, 1, 11))
    second = CareEpisodeFactory(
        person=reopened, opened_on=D(2025, 9, 1), previous=first, level="watch"
    )
    LevelChangeFactory(episode=second, level="watch", changed_at=at(2025, 9, 1, 11))

    # Closed in March at risk (its level when it left).
    left = closed(PersonFactory(dac=dac), D(2024, 6, 1), D(2025, 3, 15), "relay", level="risk")
    LevelChangeFactory(episode=left, level="short_term", changed_at=at(2024, 6, 1, 9))
    LevelChangeFactory(
        episode=left, level="risk", previous_level="short_term", changed_at=at(2025, 2, 1, 9)
    )

    # No history recorded: its current level.
    no_history = CareEpisodeFactory(
        person=PersonFactory(dac=dac), opened_on=D(2025, 5, 5), level="long_term"
    )

    # History started after the period: the level its first change replaced.
    late = CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2025, 10, 1), level="risk")
    LevelChangeFactory(
        episode=late, level="risk", previous_level="short_term", changed_at=at(2026, 2, 1, 9)
    )

    # Not followed in 2025.
    closed(PersonFactory(dac=dac), D(2024, 1, 1), D(2024, 12, 31), "death", level="watch")
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2026, 1, 1), level="watch")
    # The other DAC.
    CareEpisodeFactory(person=PersonFactory(dac=other), opened_on=D(2025, 1, 1), level="watch")

    indicator = get("persons_by_level")
    figures = indicator.figures([dac.pk, other.pk], Y2025)
    # long term: across New Year + no history; watch: reopened; risk: left; short term: late.
    assert figures[dac.pk] == {
        "long_term": Measure(2),
        "watch": Measure(1),
        "risk": Measure(1),
        "short_term": Measure(1),
    }
    assert figures[other.pk] == {"watch": Measure(1)}
    assert indicator.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == {
        "long_term": Measure(2),
        "watch": Measure(2),
        "risk": Measure(1),
        "short_term": Measure(1),
    }
    # At the end of 2024: across New Year at risk, left at short term, the one closed on 31/12.
    assert indicator.for_dac(dac.pk, Period.year(2024)) == {
        "risk": Measure(1),
        "short_term": Measure(1),
        "watch": Measure(1),
    }
    rows = indicator.drilldown.rows(dac, Y2025, "long_term")
    assert set(rows) == {across.person, no_history.person}
    assert [key for key, _ in indicator.breakdown(["risk"])][:2] == ["watch", "risk"]


# --- caseload_per_staff, caseload_mean ----------------------------------------------------------


@pytest.fixture
def staffed():
    """Three staff members of a DAC and one of another DAC, with the persons they follow."""
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    alice = UserFactory(first_name="Alice", last_name="Martin")
    bruno = UserFactory(first_name="Bruno", last_name="Durand")
    chloe = UserFactory(first_name="Chloé", last_name="Petit")
    dora = UserFactory(first_name="Dora", last_name="Roux")
    p = {name: PersonFactory(dac=dac) for name in ("p1", "p2", "p3", "p4", "p5", "p6", "p7")}

    # p1, across New Year: Alice référente, Bruno case manager.
    CareEpisodeFactory(
        person=p["p1"],
        opened_on=D(2024, 11, 2),
        kind="case_management",
        referent=alice,
        case_manager=bruno,
    )
    # p2, reopened, Alice both times: once for Alice.
    first = closed(p["p2"], D(2025, 2, 1), D(2025, 4, 30), "stabilised", referent=alice)
    CareEpisodeFactory(person=p["p2"], opened_on=D(2025, 9, 1), previous=first, referent=alice)
    # p3: Chloé référente and case manager: once.
    CareEpisodeFactory(
        person=p["p3"],
        opened_on=D(2025, 3, 3),
        kind="case_management",
        referent=chloe,
        case_manager=chloe,
    )
    # p4: closed on 31/12/2024: not in 2025.
    closed(p["p4"], D(2024, 1, 1), D(2024, 12, 31), "death", referent=bruno)
    # p5: Bruno référent, Alice case manager.
    CareEpisodeFactory(
        person=p["p5"],
        opened_on=D(2025, 3, 1),
        kind="case_management",
        referent=bruno,
        case_manager=alice,
    )
    # p6: nobody assigned.
    CareEpisodeFactory(person=p["p6"], opened_on=D(2025, 4, 1))
    # p7, reopened: Bruno référent, then Chloé référente with Bruno case manager: once for Bruno.
    first = closed(p["p7"], D(2025, 1, 5), D(2025, 2, 1), "relay", referent=bruno)
    CareEpisodeFactory(
        person=p["p7"],
        opened_on=D(2025, 5, 1),
        previous=first,
        kind="case_management",
        referent=chloe,
        case_manager=bruno,
    )
    # The other DAC: Dora follows one person.
    CareEpisodeFactory(person=PersonFactory(dac=other), opened_on=D(2025, 6, 1), referent=dora)
    return dac, other, alice, bruno, chloe, dora, p


def test_caseload_per_staff_counts_each_person_once_per_staff_member(staffed):
    dac, other, alice, bruno, chloe, dora, p = staffed
    indicator = get("caseload_per_staff")
    figures = indicator.figures([dac.pk, other.pk], Y2025)
    # Alice: p1, p2, p5; Bruno: p1, p5, p7; Chloé: p3, p7; Dora: one person elsewhere.
    assert figures[dac.pk] == {
        str(alice.pk): Measure(3),
        str(bruno.pk): Measure(3),
        str(chloe.pk): Measure(2),
    }
    assert figures[other.pk] == {str(dora.pk): Measure(1)}
    assert indicator.personal_keys
    assert indicator.breakdown(figures[dac.pk]) == [
        (str(bruno.pk), "Bruno Durand"),
        (str(alice.pk), "Alice Martin"),
        (str(chloe.pk), "Chloé Petit"),
    ]
    assert set(indicator.drilldown.rows(dac, Y2025, str(alice.pk))) == {p["p1"], p["p2"], p["p5"]}
    # In 2024, only p1 (Alice, Bruno) and p4 (Bruno) were followed.
    assert indicator.for_dac(dac.pk, Period.year(2024)) == {
        str(alice.pk): Measure(1),
        str(bruno.pk): Measure(2),
    }


def test_caseload_mean_over_the_staff_following_someone(staffed):
    dac, other, *_ = staffed
    indicator = get("caseload_mean")
    # (3 + 3 + 2) / 3 = 2.666… → 2.7
    assert indicator.for_dac(dac.pk, Y2025) == Measure(Decimal("2.7"), 8, 3)
    # Pooled: (3 + 3 + 2 + 1) / 4 = 2.25 → 2.3 (rounded half up)
    assert indicator.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == Measure(
        Decimal("2.3"), 9, 4
    )
    # Nobody followed in 2023: no value.
    assert indicator.for_dac(dac.pk, Period.year(2023)) == Measure(None)


# --- exits_by_reason, mean_length_days ----------------------------------------------------------


@pytest.fixture
def exits():
    dac = OrganisationFactory(dac=True)
    person = PersonFactory
    closed(person(dac=dac), D(2024, 12, 1), D(2025, 12, 31), "death")  # 395 days
    closed(person(dac=dac), D(2025, 1, 1), D(2025, 1, 1), "relay")  # 0 day
    closed(person(dac=dac), D(2024, 1, 1), D(2024, 12, 31), "death")  # 2024: 365 days
    reopened = person(dac=dac)
    first = closed(reopened, D(2025, 2, 1), D(2025, 4, 30), "stabilised")  # 88 days
    closed(reopened, D(2025, 9, 1), D(2025, 11, 30), "stabilised", previous=first)  # 90 days
    closed(person(dac=dac), D(2025, 5, 1), D(2025, 6, 1))  # no reason recorded, 31 days
    CareEpisodeFactory(person=person(dac=dac), opened_on=D(2025, 1, 1))  # still open
    closed(person(dac=dac), D(2025, 6, 1), D(2026, 1, 1), "goals_met")  # 2026
    return dac


def test_exits_by_reason_counts_episodes_closed_in_the_period(exits):
    indicator = get("exits_by_reason")
    assert indicator.for_dac(exits.pk, Y2025) == {
        "death": Measure(1),
        "relay": Measure(1),
        "stabilised": Measure(2),  # the reopened person left twice
        "not_recorded": Measure(1),
    }
    assert indicator.for_dac(exits.pk, Period(D(2026, 1, 1), D(2026, 1, 31))) == {
        "goals_met": Measure(1)
    }
    labels = dict(indicator.breakdown(["death", "not_recorded"]))
    assert labels["not_recorded"] == "Motif non renseigné"
    assert labels["death"] == "Décès"
    assert indicator.drilldown.rows(exits, Y2025, "not_recorded").get().closed_on == D(2025, 6, 1)
    assert indicator.drilldown.rows(exits, Y2025, "stabilised").count() == 2


def test_mean_length_counts_each_episode_separately(exits):
    indicator = get("mean_length_days")
    # (395 + 0 + 88 + 90 + 31) / 5 = 604 / 5 = 120.8
    assert indicator.for_dac(exits.pk, Y2025) == Measure(Decimal("120.8"), 604, 5)
    assert indicator.for_dac(exits.pk, Period.year(2024)) == Measure(Decimal("365.0"), 365, 1)
    assert indicator.for_dac(exits.pk, Period.year(2023)) == Measure(None)
