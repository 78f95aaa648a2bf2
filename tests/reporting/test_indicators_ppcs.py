"""PPCS indicators on small hand-built datasets: numerators and denominators counted by hand."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from appui.reporting.indicators import POOLED, Measure, Period, get
from appui.reporting.indicators.ppcs import one_year_before
from tests.factories import (
    AssessmentFactory,
    CareEpisodeFactory,
    CarePlanFactory,
    CarePlanVersionFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
Y2025 = Period.year(2025)
D = datetime.date


def followed(dac, opened_on, closed_on=None, **kwargs):
    status = "closed" if closed_on else "open"
    return CareEpisodeFactory(
        person=kwargs.pop("person", None) or PersonFactory(dac=dac),
        opened_on=opened_on,
        closed_on=closed_on,
        status=status,
        **kwargs,
    )


def version(episode, **kwargs):
    plan = CarePlanFactory(episode=episode) if not hasattr(episode, "care_plan") else None
    plan = plan or episode.care_plan
    return CarePlanVersionFactory(plan=plan, **kwargs)


def test_share_of_accompanied_persons_with_a_ppcs_in_force(django_assert_num_queries):
    dac = OrganisationFactory(dac=True)
    across_new_year = followed(dac, D(2024, 10, 1))
    version(across_new_year, status="active", activated_on=D(2024, 11, 1))
    only_submitted = followed(dac, D(2025, 2, 1))
    version(only_submitted, status="submitted")
    exited = followed(dac, D(2025, 1, 5), D(2025, 6, 30))
    version(exited, status="active", activated_on=D(2025, 3, 1))
    # Superseded the day before the year, the next version comes into force in 2026: none.
    gap = followed(dac, D(2023, 1, 1))
    version(gap, status="superseded", activated_on=D(2023, 2, 1), superseded_on=D(2024, 12, 31))
    gap.refresh_from_db()
    version(gap, status="active", activated_on=D(2026, 1, 10))
    reopened = PersonFactory(dac=dac)
    first = followed(dac, D(2025, 1, 1), D(2025, 3, 1), person=reopened)
    second = followed(dac, D(2025, 5, 1), person=reopened, previous=first)
    version(second, status="active", activated_on=D(2025, 6, 1))
    just_included = followed(dac, D(2025, 12, 20))
    one_day = followed(dac, D(2023, 5, 1))  # in force on 01/01/2025 only
    version(one_day, status="superseded", activated_on=D(2023, 6, 1), superseded_on=D(2025, 1, 1))
    followed(dac, D(2026, 1, 5))  # not in the 2025 file active

    indicator = get("share_active_ppcs")
    with django_assert_num_queries(1):
        figure = indicator.for_dac(dac.pk, Y2025)
    # File active: 7 persons (the reopened one once); with a PPCS in force: across New Year,
    # exited, reopened, one day = 4 → 4 / 7 = 57.14… → 57.1 %.
    assert figure == Measure.share(4, 7)
    assert figure.value == Decimal("57.1")
    persons = {e.person for e in (across_new_year, exited, second, one_day)}
    assert set(indicator.drilldown.rows(dac, Y2025, "numerator")) == persons
    assert set(indicator.drilldown.rows(dac, Y2025, "missing")) == {
        only_submitted.person,
        gap.person,
        just_included.person,
    }
    assert indicator.drilldown.rows(dac, Y2025, None).count() == 7


def test_share_of_ppcs_validated_by_the_gp(django_assert_num_queries):
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)

    def sent(dac, submitted, validated=None, **kwargs):
        return version(
            followed(dac, D(2024, 6, 1)),
            submitted_at=submitted and datetime.datetime(*submitted, tzinfo=PARIS),
            gp_validated_on=validated,
            **kwargs,
        )

    sent(dac, (2025, 3, 1, 10), D(2025, 3, 10), status="active", activated_on=D(2025, 3, 12))
    waiting = sent(dac, (2025, 5, 1, 10), status="submitted")
    late = sent(dac, (2025, 12, 20, 10), D(2026, 1, 5), status="validated")
    sent(dac, (2024, 12, 15, 10), D(2025, 1, 5), status="active", activated_on=D(2025, 1, 6))
    sent(dac, None, status="draft")
    imported = sent(dac, None, status="active", activated_on=D(2025, 4, 1))
    sent(dac, (2025, 12, 31, 23, 30), D(2025, 12, 31), status="validated")
    sent(other, (2025, 6, 1, 10), D(2025, 6, 3), status="validated")

    indicator = get("share_ppcs_gp_validated")
    with django_assert_num_queries(1):
        figures = indicator.figures([dac.pk, other.pk], Y2025)
    # Sent in 2025: 01/03, 01/05, 20/12, the imported one (in force 01/04), 31/12 at 23:30 = 5;
    # validated by 31/12/2025: 01/03 and 31/12 = 2 → 40 %. The one sent in 2024 is 2024's.
    assert figures == {dac.pk: Measure.share(2, 5), other.pk: Measure.share(1, 1)}
    assert figures[dac.pk].value == 40
    assert indicator.figures([dac.pk, other.pk], Y2025, pooled=True) == {
        POOLED: Measure.share(3, 6)
    }
    missing = indicator.drilldown.rows(dac, Y2025, "missing")
    assert set(missing) == {v.plan.episode for v in (waiting, late, imported)}


def completed(episode, on):
    return AssessmentFactory(episode=episode, assessed_on=on, status="completed")


def test_share_of_persons_reassessed_within_twelve_months(django_assert_num_queries):
    dac = OrganisationFactory(dac=True)
    r1 = followed(dac, D(2024, 6, 1))
    completed(r1, D(2025, 5, 1))
    exactly_a_year = followed(dac, D(2024, 12, 31))
    completed(exactly_a_year, D(2024, 12, 31))  # the initial assessment only
    completed(followed(dac, D(2025, 1, 1)), D(2025, 1, 2))  # followed less than a year
    completed(followed(dac, D(2023, 1, 1), D(2025, 10, 1)), D(2025, 3, 1))  # exited
    first_day = followed(dac, D(2022, 5, 1))
    completed(first_day, D(2025, 1, 1))  # the window's first day
    stale = followed(dac, D(2022, 5, 1))
    completed(stale, D(2024, 12, 31))  # one day too old
    AssessmentFactory(episode=stale, assessed_on=D(2025, 6, 1))  # still a draft
    person = PersonFactory(dac=dac)
    old = followed(dac, D(2023, 1, 1), D(2024, 3, 1), person=person)
    reopened = followed(dac, D(2024, 3, 15), person=person, previous=old)
    completed(reopened, D(2025, 11, 30))

    indicator = get("share_reassessed_12_months")
    with django_assert_num_queries(1):
        figure = indicator.for_dac(dac.pk, Y2025)
    # Followed a year or more on 31/12/2025: r1, exactly a year, first day, stale, reopened = 5;
    # reassessed from 01/01/2025: r1, first day, reopened = 3 → 60 %.
    assert figure == Measure.share(3, 5)
    assert figure.value == 60
    assert set(indicator.drilldown.rows(dac, Y2025, "missing")) == {
        exactly_a_year.person,
        stale.person,
    }
    assert indicator.figures([dac.pk], Y2025, pooled=True) == {POOLED: Measure.share(3, 5)}


def test_one_year_before_a_leap_day():
    assert one_year_before(D(2024, 2, 29)) == D(2023, 2, 28)
    assert one_year_before(D(2025, 12, 31)) == D(2024, 12, 31)
