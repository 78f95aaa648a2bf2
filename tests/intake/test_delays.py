"""First-answer delays in working days: weekends and French public holidays do not count."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from appui.intake import delays


def paris(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.mark.parametrize(
    ("received", "answered", "expected"),
    [
        # the same day → 0
        (paris(2026, 3, 10, 9, 0), paris(2026, 3, 10, 17, 30), 0),
        # Friday → Monday → 1
        (paris(2026, 1, 9, 17, 10), paris(2026, 1, 12, 9, 0), 1),
        # Friday → Tuesday → 2
        (paris(2026, 1, 9, 17, 10), paris(2026, 1, 13, 9, 0), 2),
        # Thursday 30 April → Monday 4 May: 1 May (Friday) is a holiday
        (paris(2026, 4, 30, 11, 0), paris(2026, 5, 4, 10, 0), 1),
        # Monday 13 July → Wednesday 15 July: 14 July (Tuesday) is a holiday
        (paris(2026, 7, 13, 11, 0), paris(2026, 7, 15, 10, 0), 1),
        # Friday before Easter → Tuesday after: Easter Monday (6 April 2026) is a holiday
        (paris(2026, 4, 3, 11, 0), paris(2026, 4, 7, 10, 0), 1),
        # Wednesday 13 May → Friday 15 May: Ascension (Thursday 14 May 2026) is a holiday
        (paris(2026, 5, 13, 11, 0), paris(2026, 5, 15, 10, 0), 1),
        # received on a Saturday: counted from Monday
        (paris(2026, 1, 10, 10, 0), paris(2026, 1, 12, 16, 0), 0),
        (paris(2026, 1, 10, 10, 0), paris(2026, 1, 13, 16, 0), 1),
        # received on a holiday (14 July): counted from the next working day
        (paris(2026, 7, 14, 10, 0), paris(2026, 7, 15, 16, 0), 0),
    ],
)
def test_answer_delay_in_working_days(received, answered, expected):
    assert delays.answer_delay(received, answered) == expected


def test_the_local_day_counts_not_the_utc_day():
    # 23:30 in Paris on Friday 9 January is still Friday there (22:30 UTC).
    received = paris(2026, 1, 9, 23, 30)
    assert delays.answer_delay(received, paris(2026, 1, 12, 8, 0)) == 1
    assert timezone.localtime(delays.answer_due_at(received, 0)).date() == date(2026, 1, 9)


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # urgent (0): the same day, before midnight
        (paris(2026, 1, 9, 17, 10), 0, date(2026, 1, 9)),
        # urgent received on a Saturday: Monday
        (paris(2026, 1, 10, 10, 0), 0, date(2026, 1, 12)),
        # urgent received on Easter Monday: Tuesday
        (paris(2026, 4, 6, 10, 0), 0, date(2026, 4, 7)),
        # normal (2) received on a Tuesday: Thursday
        (paris(2026, 3, 10, 9, 0), 2, date(2026, 3, 12)),
        # normal received on a Friday: Tuesday
        (paris(2026, 1, 9, 17, 10), 2, date(2026, 1, 13)),
        # normal across 1 May: Thursday 30 April → Tuesday 5 May
        (paris(2026, 4, 30, 11, 0), 2, date(2026, 5, 5)),
        # normal across Ascension: Wednesday 13 May → Monday 18 May
        (paris(2026, 5, 13, 11, 0), 2, date(2026, 5, 18)),
        # normal across 14 July: Monday 13 July → Thursday 16 July
        (paris(2026, 7, 13, 11, 0), 2, date(2026, 7, 16)),
        # normal across Easter Monday: Friday 3 April → Wednesday 8 April
        (paris(2026, 4, 3, 11, 0), 2, date(2026, 4, 8)),
    ],
)
def test_due_date(received, days, due):
    deadline = timezone.localtime(delays.answer_due_at(received, days))
    assert deadline.date() == due
    assert (deadline.hour, deadline.minute) == (23, 59)


def test_holidays_of_france():
    for day in [date(2026, 1, 1), date(2026, 5, 1), date(2026, 5, 8), date(2026, 7, 14)]:
        assert not delays.is_working_day(day)
    assert not delays.is_working_day(date(2026, 4, 6))  # Easter Monday
    assert not delays.is_working_day(date(2026, 5, 14))  # Ascension
    assert not delays.is_working_day(date(2026, 12, 25))
    assert delays.is_working_day(date(2026, 12, 24))
    assert not delays.is_working_day(date(2026, 12, 26))  # a Saturday
    assert delays.is_working_day(date(2027, 12, 27))
