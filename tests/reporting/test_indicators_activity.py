"""Activity indicators on small hand-built datasets: the expected values are counted by hand."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from appui.reporting.indicators import POOLED, Measure, Period, get
from tests.factories import (
    CareEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
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
