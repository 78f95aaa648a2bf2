"""The indicator catalogue: what each indicator means and how it is computed.

Every indicator is one SQL aggregation over the recorded facts (requests, responses, episodes,
assessments, PPCS versions, adverse events, derogatory services…), grouped by DAC — never a Python
loop over rows. The same computation serves one DAC (the dashboard, the activity report, the CPOM
review) and a region (several DACs side by side, and pooled).

`compute(dac_ids, period, pooled)` returns a `Figures` mapping: the DAC id → its figure, or, when
`pooled` is true, the single key `POOLED` → the figure over all the given DACs together (a median
of the region is the median of all its requests, not the median of the DACs' medians).

A figure is a `Measure` for a scalar indicator, or a dict key → `Measure` for an indicator broken
down by origin, channel, type… `breakdown(keys)` gives, for the keys found, every (key, label) in
display order: the fixed choices of an enum, or labels looked up for open keys (communes, staff).
`personal_keys` marks a breakdown whose keys name people (staff): the regional view shows only
its total.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet

POOLED = "all"


@dataclass(frozen=True)
class Period:
    """A closed range of days, both included (a calendar year by default)."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before (the previous year for a calendar year)."""
        if self.is_calendar_year:
            return Period.year(self.start.year - 1)
        end = self.start - datetime.timedelta(days=1)
        return Period(end - datetime.timedelta(days=self.days - 1), end)

    @property
    def is_calendar_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (
            1,
            1,
            12,
            31,
        ) and self.start.year == self.end.year

    @property
    def label(self) -> str:
        if self.is_calendar_year:
            return f"année {self.start.year}"
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"

    def start_datetime(self) -> datetime.datetime:
        """The first instant of the period, in the project's time zone (for datetime columns)."""
        from django.utils import timezone

        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    def end_datetime(self) -> datetime.datetime:
        """The first instant after the period (exclusive bound for datetime columns)."""
        from django.utils import timezone

        next_day = self.end + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time.min))


@dataclass(frozen=True)
class Measure:
    """One figure. `value` is what is shown; a share or a mean also carries its numerator and
    denominator (the report prints them, the regional view masks on them)."""

    value: Decimal | int | None
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None

    @classmethod
    def count(cls, n) -> Measure:
        return cls(int(n or 0))

    @classmethod
    def share(cls, numerator, denominator) -> Measure:
        """A percentage with one decimal; no value when nothing is in the denominator."""
        numerator, denominator = int(numerator or 0), int(denominator or 0)
        if not denominator:
            return cls(None, numerator, denominator)
        value = (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return cls(value, numerator, denominator)

    @classmethod
    def ratio(cls, numerator, denominator, places: str = "0.1") -> Measure:
        """A mean or a ratio (cost per person, mean length…); no value on an empty denominator."""
        if not denominator:
            return cls(None, numerator, denominator)
        value = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), ROUND_HALF_UP)
        return cls(value, numerator, denominator)


Figure = Measure | dict[str, Measure]
Figures = dict[Any, Figure]


class Kind:
    """How a figure aggregates and how the regional view protects it."""

    COUNT = "count"  # a number of persons, requests, events: masked when small
    SHARE = "share"  # a percentage: masked when its numerator or denominator is small
    QUANTILE = "quantile"  # a median or a 90th percentile of delays: masked on few values
    MEAN = "mean"  # a mean or a ratio: masked when its denominator is small
    AMOUNT = "amount"  # euros: not about persons, never masked


@dataclass(frozen=True)
class Definition:
    """The written definition, shown next to the figure and in the activity report."""

    numerator: str
    denominator: str = ""
    period: str = ""
    inclusion: str = ""


@dataclass(frozen=True)
class Drilldown:
    """The list behind a figure, for DAC staff: `rows(dac, period, key)` gives a queryset of the
    rows counted (persons, requests, episodes…), `obj` the permissions object the list obeys
    (`scope(membership, obj, "list", rows)`), `columns` what the list shows."""

    obj: str
    rows: Callable[[Any, Period, str | None], QuerySet]
    title: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    section: str
    unit: str
    kind: str
    definition: Definition
    compute: Callable[[Sequence[int], Period, bool], Figures]
    breakdown: Callable[[Iterable[str]], list[tuple[str, str]]] | None = None
    drilldown: Drilldown | None = None
    personal_keys: bool = False

    def figures(self, dac_ids: Iterable[int], period: Period, pooled: bool = False) -> Figures:
        """Every DAC asked for (or POOLED) has a figure, even with nothing recorded."""
        dac_ids = list(dac_ids)
        figures = self.compute(dac_ids, period, pooled)
        for group in [POOLED] if pooled else dac_ids:
            figures.setdefault(group, self.empty())
        return figures

    def empty(self) -> Figure:
        if self.breakdown is not None:
            return {}
        return Measure(0) if self.kind in (Kind.COUNT, Kind.AMOUNT) else Measure(None)

    def for_dac(self, dac_id: int, period: Period) -> Figure | None:
        return self.figures([dac_id], period).get(dac_id)


SECTIONS: dict[str, str] = {
    "activity": "Activité",
    "delays": "Délais",
    "ppcs": "Plans personnalisés (PPCS)",
    "follow_up": "Suivi et sorties",
    "quality": "Événements indésirables",
    "territory": "Besoins non couverts",
    "costs": "Coûts et prestations",
}

_CATALOGUE: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.code in _CATALOGUE:
        raise ValueError(f"indicateur déjà défini : {indicator.code}")
    if indicator.section not in SECTIONS:
        raise ValueError(f"rubrique inconnue : {indicator.section}")
    _CATALOGUE[indicator.code] = indicator
    return indicator


def catalogue() -> list[Indicator]:
    """Every indicator, by section then in the order they were defined."""
    order = list(SECTIONS)
    return sorted(_CATALOGUE.values(), key=lambda i: order.index(i.section))


def get(code: str) -> Indicator:
    return _CATALOGUE[code]


def grouped(queryset: QuerySet, pooled: bool, dac_field: str = "dac_id", **keys) -> QuerySet:
    """`queryset.values(group=…, **keys)` ready for `.annotate(<aggregate>)`: the group is the DAC
    column, or one constant for a pooled figure (a constant adds nothing to the SQL GROUP BY).
    The model's default ordering is dropped: it would otherwise join the GROUP BY."""
    from django.db.models import F, Value

    group = Value(POOLED) if pooled else F(dac_field)
    return queryset.order_by().values(group=group, **keys)


def by_group(rows: Iterable[dict], make: Callable[[dict], Measure]) -> Figures:
    """Scalar figures from rows carrying a `group` key (one row per DAC, or one pooled row)."""
    return {row["group"]: make(row) for row in rows}


def by_group_and_key(rows: Iterable[dict], make: Callable[[dict], Measure]) -> Figures:
    """Breakdown figures from rows carrying `group` and `key`."""
    figures: Figures = {}
    for row in rows:
        figures.setdefault(row["group"], {})[row["key"]] = make(row)
    return figures
