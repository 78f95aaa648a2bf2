"""Working days: the first-answer deadline and delay of a request (French public holidays).

A delay counts the working days after the day the request was received, up to the day of the
answer: answered the same day → 0, received Friday and answered Monday → 1. A request received on
a weekend or a holiday starts on the next working day (answered then → 0).
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone


@lru_cache(maxsize=64)
def _holidays(year: int, subdivision: str | None) -> frozenset[date]:
    return frozenset(holidays.France(years=year, subdiv=subdivision).keys())


def is_working_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    return day not in _holidays(day.year, settings.APPUI_HOLIDAYS_SUBDIVISION)


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    day = next_working_day(day)
    for _ in range(count):
        day = next_working_day(day + timedelta(days=1))
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start`'s first working day, up to `end` (0 if the same day or before)."""
    start = next_working_day(start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def answer_due_at(received_at: datetime, days: int) -> datetime:
    """The end of the working day by which the first answer is due."""
    local = timezone.localtime(received_at).date()
    due = add_working_days(local, days)
    return timezone.make_aware(datetime.combine(due, time(23, 59, 59)))


def answer_delay(received_at: datetime, answered_at: datetime) -> int:
    return working_days_between(
        timezone.localtime(received_at).date(), timezone.localtime(answered_at).date()
    )
