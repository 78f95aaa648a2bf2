"""Activity indicators on small hand-built datasets: the expected values are counted by hand."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from appui.reporting.indicators import POOLED, Measure, Period, get
from appui.reporting.indicators.activity import origin_breakdown
from tests.factories import (
    CareEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    RequestResponseFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
Y2025 = Period.year(2025)
D = datetime.date


def test_file_active_counts_distinct_persons_followed_one_day_of_the_year():
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    across_new_year = PersonFactory(dac=dac)
    CareEpisodeFactory(person=across_new_year, opened_on=D(2024, 11, 2))  # still open
    reopened = PersonFactory(dac=dac)
    first = CareEpisodeFactory(
        person=reopened, opened_on=D(2025, 2, 1), closed_on=D(2025, 4, 30), status="closed"
    )
    CareEpisodeFactory(person=reopened, opened_on=D(2025, 9, 1), previous=first)
    ended_last_day_of_2024 = PersonFactory(dac=dac)
    CareEpisodeFactory(
        person=ended_last_day_of_2024,
        opened_on=D(2024, 3, 1),
        closed_on=D(2024, 12, 31),
        status="closed",
    )
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2026, 1, 1))  # after
    CareEpisodeFactory(person=PersonFactory(dac=other), opened_on=D(2025, 5, 5))

    figures = get("file_active").figures([dac.pk, other.pk], Y2025)
    # across New Year + reopened (once) = 2; the one closed on 31/12/2024 and the 2026 one: no.
    assert figures[dac.pk] == Measure(2)
    assert figures[other.pk] == Measure(1)
    assert get("file_active").figures([dac.pk, other.pk], Y2025, pooled=True) == {
        POOLED: Measure(3)
    }
    assert get("file_active").figures([dac.pk], Period.year(2024))[dac.pk] == Measure(2)


def test_requests_by_channel_uses_the_local_reception_day():
    dac = OrganisationFactory(dac=True)
    # 31/12/2024 at 23:30 in Paris is 22:30 UTC: still 2024.
    SupportRequestFactory(
        dac=dac, channel="phone", received_at=datetime.datetime(2024, 12, 31, 23, 30, tzinfo=PARIS)
    )
    SupportRequestFactory(
        dac=dac, channel="phone", received_at=datetime.datetime(2025, 1, 1, 0, 10, tzinfo=PARIS)
    )
    SupportRequestFactory(
        dac=dac, channel="email", received_at=datetime.datetime(2025, 12, 31, 23, 59, tzinfo=PARIS)
    )
    SupportRequestFactory(
        dac=dac, channel="email", received_at=datetime.datetime(2025, 6, 1, 12, tzinfo=PARIS)
    )
    archived = SupportRequestFactory(
        dac=dac, channel="letter", received_at=datetime.datetime(2025, 6, 1, 12, tzinfo=PARIS)
    )
    archived.delete()

    figure = get("requests_by_channel").for_dac(dac.pk, Y2025)
    assert figure == {"phone": Measure(1), "email": Measure(2)}


# --- New inclusions, requests by origin, responses by type ------------------------------------


def at(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def test_new_inclusions_count_first_inclusions_not_reopenings(django_assert_num_queries):
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    included_in_march = PersonFactory(dac=dac)
    CareEpisodeFactory(person=included_in_march, opened_on=D(2025, 3, 1))
    across_new_year = PersonFactory(dac=dac)  # included in 2024, still followed in 2025
    CareEpisodeFactory(person=across_new_year, opened_on=D(2024, 12, 15))
    included_then_reopened = PersonFactory(dac=dac)
    first = CareEpisodeFactory(
        person=included_then_reopened,
        opened_on=D(2025, 1, 10),
        closed_on=D(2025, 2, 28),
        status="closed",
    )
    CareEpisodeFactory(person=included_then_reopened, opened_on=D(2025, 6, 1), previous=first)
    reopened_only = PersonFactory(dac=dac)  # included in 2024, reopened in 2025
    old = CareEpisodeFactory(
        person=reopened_only, opened_on=D(2024, 5, 1), closed_on=D(2024, 10, 1), status="closed"
    )
    CareEpisodeFactory(person=reopened_only, opened_on=D(2025, 2, 1), previous=old)
    last_day = PersonFactory(dac=dac)
    CareEpisodeFactory(person=last_day, opened_on=D(2025, 12, 31))
    CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2026, 1, 1))
    twice_unlinked = PersonFactory(dac=dac)
    CareEpisodeFactory(
        person=twice_unlinked, opened_on=D(2025, 1, 2), closed_on=D(2025, 1, 20), status="closed"
    )
    CareEpisodeFactory(person=twice_unlinked, opened_on=D(2025, 11, 2))
    CareEpisodeFactory(person=PersonFactory(dac=other), opened_on=D(2025, 7, 7))

    indicator = get("new_inclusions")
    with django_assert_num_queries(1):
        figures = indicator.figures([dac.pk, other.pk], Y2025)
    # March, included-then-reopened (once), 31 December, twice without link (once) = 4.
    assert figures == {dac.pk: Measure(4), other.pk: Measure(1)}
    assert indicator.figures([dac.pk, other.pk], Y2025, pooled=True) == {POOLED: Measure(5)}
    # 2024: across New Year + the one reopened in 2025 = 2.
    assert indicator.for_dac(dac.pk, Period.year(2024)) == Measure(2)
    rows = indicator.drilldown.rows(dac, Y2025, None)
    assert set(rows) == {included_in_march, included_then_reopened, last_day, twice_unlinked}


def test_requests_by_origin_by_profession_structure_and_requester(django_assert_num_queries):
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    in_2025 = at(2025, 4, 1, 10)
    nurse = ProfessionalFactory(nurse=True)
    nurses = [
        SupportRequestFactory(dac=dac, requester_professional=nurse, received_at=in_2025)
        for _ in range(2)
    ]
    SupportRequestFactory(
        dac=dac, requester_professional=ProfessionalFactory(), received_at=in_2025
    )
    unknown_professional = SupportRequestFactory(
        dac=dac, requester_professional=None, requester_name="Dr X", received_at=in_2025
    )
    SupportRequestFactory(
        dac=dac,
        requester_kind="organisation",
        requester_professional=None,
        requester_organisation=OrganisationFactory(kind="hospital"),
        received_at=in_2025,
    )
    SupportRequestFactory(
        dac=dac, requester_kind="person", requester_professional=None, received_at=in_2025
    )
    for _ in range(2):
        SupportRequestFactory(
            dac=dac, requester_kind="carer", requester_professional=None, received_at=in_2025
        )
    SupportRequestFactory(dac=dac, requester_professional=nurse, received_at=at(2024, 12, 31, 23))
    SupportRequestFactory(dac=dac, requester_professional=nurse, received_at=in_2025).delete()
    SupportRequestFactory(dac=other, requester_professional=nurse, received_at=in_2025)

    indicator = get("requests_by_origin")
    with django_assert_num_queries(1):
        figures = indicator.figures([dac.pk, other.pk], Y2025)
    assert figures[dac.pk] == {
        "profession:nurse": Measure(2),
        "profession:physician": Measure(1),
        "professional": Measure(1),
        "structure:hospital": Measure(1),
        "person": Measure(1),
        "carer": Measure(2),
    }
    assert figures[other.pk] == {"profession:nurse": Measure(1)}
    pooled = indicator.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED]
    assert pooled["profession:nurse"] == Measure(3)
    assert indicator.breakdown(figures[dac.pk]) == [
        ("profession:physician", "Professionnel·le : Médecin"),
        ("profession:nurse", "Professionnel·le : Infirmier·ère"),
        ("professional", "Professionnel·le (profession non précisée)"),
        ("structure:hospital", "Structure : Centre hospitalier"),
        ("person", "La personne elle-même"),
        ("carer", "Un·e aidant·e, un proche"),
    ]
    assert list(indicator.drilldown.rows(dac, Y2025, "profession:nurse")) == nurses
    assert list(indicator.drilldown.rows(dac, Y2025, "professional")) == [unknown_professional]
    assert indicator.drilldown.rows(dac, Y2025, None).count() == 8


def test_origin_breakdown_keeps_unknown_keys_last():
    assert origin_breakdown(["other", "structure:clic", "mystery"]) == [
        ("structure:clic", "Structure : Centre local d'information et de coordination (CLIC)"),
        ("other", "Autre"),
        ("mystery", "mystery"),
    ]


def test_responses_by_type_count_each_response_on_the_day_it_was_given(
    django_assert_num_queries,
):
    dac, other = OrganisationFactory(dac=True), OrganisationFactory(dac=True)
    december = SupportRequestFactory(dac=dac, received_at=at(2024, 12, 30, 9))
    RequestResponseFactory(
        request=december, response_type="information", given_at=at(2024, 12, 31, 9)
    )
    RequestResponseFactory(
        request=december, response_type="orientation", given_at=at(2025, 1, 2, 9)
    )
    both = SupportRequestFactory(dac=dac, received_at=at(2025, 5, 1, 9))
    RequestResponseFactory(request=both, response_type="information", given_at=at(2025, 5, 1, 10))
    RequestResponseFactory(request=both, response_type="orientation", given_at=at(2025, 5, 2, 10))
    late = SupportRequestFactory(dac=dac, received_at=at(2025, 12, 31, 9))
    RequestResponseFactory(
        request=late, response_type="information", given_at=at(2025, 12, 31, 23, 30)
    )
    RequestResponseFactory(
        request=late, response_type="one_off_support", given_at=at(2026, 1, 1, 0, 15)
    )
    duplicate = SupportRequestFactory(dac=dac, received_at=at(2025, 6, 1, 9))
    RequestResponseFactory(
        request=duplicate, response_type="information", given_at=at(2025, 6, 1, 10)
    )
    duplicate.delete()
    elsewhere = SupportRequestFactory(dac=other, received_at=at(2025, 6, 1, 9))
    RequestResponseFactory(request=elsewhere, referral=True, given_at=at(2025, 6, 2, 9))

    indicator = get("responses_by_type")
    with django_assert_num_queries(1):
        figures = indicator.figures([dac.pk, other.pk], Y2025)
    # information: 01/05 and 31/12 23:30 (the 31/12/2024 one and the duplicate's do not count);
    # orientation: 02/01 and 02/05; the appui ponctuel of 01/01/2026 is next year's.
    assert figures[dac.pk] == {"information": Measure(2), "orientation": Measure(2)}
    assert figures[other.pk] == {"referral_out": Measure(1)}
    assert indicator.figures([dac.pk, other.pk], Y2025, pooled=True)[POOLED] == {
        "information": Measure(2),
        "orientation": Measure(2),
        "referral_out": Measure(1),
    }
    assert [key for key, _ in indicator.breakdown([])][:3] == [
        "information",
        "orientation",
        "one_off_support",
    ]
    assert list(indicator.drilldown.rows(dac, Y2025, "orientation")) == [december, both]
    assert list(indicator.drilldown.rows(dac, Y2025, None)) == [december, both, late]
