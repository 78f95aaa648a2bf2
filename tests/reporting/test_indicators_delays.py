"""Delay indicators on small hand-built datasets: every delay is counted by hand on a calendar."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from appui.intake.workflow import give_response
from appui.reporting.indicators import POOLED, Measure, Period, get
from tests.factories import (
    AssessmentFactory,
    CareEpisodeFactory,
    CarePlanFactory,
    CarePlanVersionFactory,
    MembershipFactory,
    OrganisationFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
Y2025 = Period.year(2025)
D = datetime.date


def at(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def answered(membership, received_at, given_at):
    request = SupportRequestFactory(dac=membership.organisation, received_at=received_at)
    give_response(
        membership,
        request,
        response_type="information",
        summary="Informations sur les aides à domicile.",
        given_at=given_at,
    )
    request.refresh_from_db()
    return request


def test_first_answer_delay_in_working_days_around_public_holidays(django_assert_num_queries):
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    membership = MembershipFactory(organisation=dac)
    requests = [
        # Friday 11/07 → Monday 14/07 (Bastille Day): Saturday, Sunday, holiday → 0.
        answered(membership, at(2025, 7, 11, 10), at(2025, 7, 14, 11)),
        # Wednesday 24/12 → Friday 26/12: the 25th is Christmas → 1 (the 26th).
        answered(membership, at(2025, 12, 24, 9), at(2025, 12, 26, 9)),
        # Received on Christmas: starts on Friday 26/12 → Monday 29/12 → 1.
        answered(membership, at(2025, 12, 25, 9), at(2025, 12, 29, 9)),
        # Monday 30/12/2024 → Friday 03/01/2025: 31/12, (01/01 holiday), 02/01, 03/01 → 3;
        # answered in 2025, so it counts in 2025.
        answered(membership, at(2024, 12, 30, 9), at(2025, 1, 3, 9)),
        # Monday 03/03 → Thursday 13/03: 4, 5, 6, 7, 10, 11, 12, 13 March → 8.
        answered(membership, at(2025, 3, 3, 9), at(2025, 3, 13, 9)),
        # Answered in 2026: next year's delay.
        answered(membership, at(2025, 12, 30, 9), at(2026, 1, 2, 9)),
    ]
    assert [r.first_answer_delay_days for r in requests] == [0, 1, 1, 3, 8, 2]
    SupportRequestFactory(dac=dac, received_at=at(2025, 6, 1, 9))  # not answered yet
    for days in (5, 2, 9, 4):
        SupportRequestFactory(
            dac=other,
            received_at=at(2025, 2, 3, 9),
            first_answered_at=at(2025, 2, 20, 9),
            first_answer_delay_days=days,
        )

    median, p90 = get("delay_first_answer_median"), get("delay_first_answer_p90")
    with django_assert_num_queries(1):
        figures = median.figures([dac.pk, other.pk], Y2025)
    # DAC: 0 1 1 3 8 (n = 5): median = rank ⌈2.5⌉ = 3rd = 1; p90 = rank ⌈4.5⌉ = 5th = 8.
    # Other: 2 4 5 9 (n = 4): median = rank 2 = 4 (the lower middle); p90 = rank ⌈3.6⌉ = 9.
    assert figures == {dac.pk: Measure(1, None, 5), other.pk: Measure(4, None, 4)}
    assert p90.figures([dac.pk, other.pk], Y2025) == {
        dac.pk: Measure(8, None, 5),
        other.pk: Measure(9, None, 4),
    }
    # Pooled: 0 1 1 2 3 4 5 8 9 (n = 9): median = rank ⌈4.5⌉ = 5th = 3; p90 = rank ⌈8.1⌉ = 9.
    assert median.figures([dac.pk, other.pk], Y2025, pooled=True) == {POOLED: Measure(3, None, 9)}
    assert p90.figures([dac.pk, other.pk], Y2025, pooled=True) == {POOLED: Measure(9, None, 9)}
    # 2026 so far: one value, 2 — median and p90 are that value.
    assert median.for_dac(dac.pk, Period.year(2026)) == Measure(2, None, 1)
    assert p90.for_dac(dac.pk, Period.year(2026)) == Measure(2, None, 1)
    # Nothing answered: no value.
    assert median.for_dac(dac.pk, Period.year(2023)) == Measure(None)
    assert list(median.drilldown.rows(dac, Y2025, None)) == [
        requests[3],
        requests[4],
        requests[0],
        requests[1],
        requests[2],
    ]


def episode_from(dac, received_at, opened_on, **kwargs):
    request = SupportRequestFactory(dac=dac, received_at=received_at)
    episode = CareEpisodeFactory(
        person=request.person, request=request, opened_on=opened_on, **kwargs
    )
    return request, episode


def completed(episode, on):
    return AssessmentFactory(episode=episode, assessed_on=on, status="completed")


def test_first_assessment_delay_in_calendar_days(django_assert_num_queries):
    dac = OrganisationFactory(dac=True)
    january, e1 = episode_from(dac, at(2025, 1, 10, 14), D(2025, 1, 15))
    AssessmentFactory(episode=e1, assessed_on=D(2025, 1, 20))  # draft: not an assessment yet
    completed(e1, D(2025, 2, 1))  # 10/01 → 01/02 = 22 days
    completed(e1, D(2025, 6, 1))  # a reassessment, not the first
    december, e2 = episode_from(dac, at(2024, 12, 20, 9), D(2024, 12, 22))
    completed(e2, D(2025, 1, 3))  # 20/12 → 03/01 = 11 + 3 = 14 days, across New Year
    _, e3 = episode_from(dac, at(2024, 11, 1, 9), D(2024, 11, 2))
    completed(e3, D(2024, 12, 1))  # the first one is in 2024
    completed(e3, D(2025, 3, 1))
    # A reopening without a new request has no delay.
    reopened = CareEpisodeFactory(
        person=e3.person, opened_on=D(2025, 4, 1), previous=e3, request=None
    )
    completed(reopened, D(2025, 4, 10))
    # 01/09 at 00:30 in Paris is 31/08 in UTC: the local day counts, 01/09 → 11/09 = 10 days.
    september, e4 = episode_from(dac, at(2025, 9, 1, 0, 30), D(2025, 9, 2))
    completed(e4, D(2025, 9, 11))

    median, p90 = get("delay_first_assessment_median"), get("delay_first_assessment_p90")
    with django_assert_num_queries(1):
        figure = median.for_dac(dac.pk, Y2025)
    # 10 14 22 (n = 3): median = rank ⌈1.5⌉ = 14; p90 = rank ⌈2.7⌉ = 22.
    assert figure == Measure(14, None, 3)
    assert p90.for_dac(dac.pk, Y2025) == Measure(22, None, 3)
    assert median.for_dac(dac.pk, Period.year(2024)) == Measure(30, None, 1)  # 01/11 → 01/12
    assert list(median.drilldown.rows(dac, Y2025, None)) == [december, january, september]


def version(episode, activated_on=None, superseded_on=None, status="active"):
    plan = getattr(episode, "care_plan", None) or CarePlanFactory(episode=episode)
    return CarePlanVersionFactory(
        plan=plan, status=status, activated_on=activated_on, superseded_on=superseded_on
    )


def test_first_ppcs_delay_runs_to_the_first_version_in_force(django_assert_num_queries):
    dac = OrganisationFactory(dac=True)
    january, e1 = episode_from(dac, at(2025, 1, 10, 14), D(2025, 1, 15))
    version(e1, D(2025, 3, 1), D(2025, 9, 1), status="superseded")  # 10/01 → 01/03 = 21 + 28 + 1
    e1.refresh_from_db()
    version(e1, D(2025, 9, 1))
    december, e2 = episode_from(dac, at(2024, 12, 20, 9), D(2024, 12, 22))
    version(e2, D(2025, 2, 15))  # 20/12 → 15/02 = 11 + 31 + 15 = 57 days
    _, e3 = episode_from(dac, at(2024, 11, 1, 9), D(2024, 11, 2))
    version(e3, D(2024, 12, 15))  # in force in 2024
    _, e4 = episode_from(dac, at(2025, 5, 1, 9), D(2025, 5, 2))
    version(e4, status="submitted")  # not in force

    median, p90 = get("delay_first_ppcs_median"), get("delay_first_ppcs_p90")
    with django_assert_num_queries(1):
        figure = median.for_dac(dac.pk, Y2025)
    # 50 57 (n = 2): median = rank 1 = 50; p90 = rank ⌈1.8⌉ = 57.
    assert figure == Measure(50, None, 2)
    assert p90.for_dac(dac.pk, Y2025) == Measure(57, None, 2)
    assert list(p90.drilldown.rows(dac, Y2025, None)) == [december, january]
