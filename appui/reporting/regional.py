"""The regional view for the ARS pilot: every indicator for every DAC of the region, side by side
and pooled, with no personal data and small counts masked (statistical secrecy).

Which DACs make a region (`region_dacs`)
    The pilot's active organisation is the ARS; the ARS's commune gives the region
    (`Commune.region_code`). The region's DACs are the live organisations of kind DAC whose own
    commune is in that region, or whose territory has at least one commune in that region (a DAC
    seated just across a regional border still belongs to the region it covers). A membership of
    any other organisation, or an ARS without a commune, has no region: no DAC.

Masking (`mask`, `mask_table`)
    Primary masking, cell by cell (`mask`), with the threshold `APPUI_SMALL_COUNT_THRESHOLD` (t):
    - COUNT: a value 0 < n < t shows "< t"; zero stays visible (nobody is described).
    - SHARE: masked when the denominator is below t, or when the numerator or its complement
      (denominator − numerator) is 0 < x < t — "2 of 40" and "38 of 40" describe the same 2
      persons.
    - QUANTILE and MEAN: masked when computed over fewer than t values (the measure's
      denominator; a quantile without it is masked, as nothing says how many values it covers).
    - AMOUNT: euros describe the DAC, not persons: never masked.
    Secondary masking (`mask_table`), for COUNT indicators only (the additive ones): a row of DACs
    adds up to the "Région" column, and the lines of a breakdown add up to its total line. In any
    such group whose total is visible, a single masked cell could be recomputed by subtraction:
    the smallest other visible non-zero cell of the group is masked too, and the rule is applied
    again until no group has exactly one masked cell. It may mask a little more than strictly
    needed; it never masks less.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from appui.territory.enums import OrganisationKind
from appui.territory.models import Organisation

from .formatting import display
from .indicators import POOLED, Indicator, Measure, Period, catalogue
from .indicators.base import SECTIONS, Kind

SECRET = "secret statistique"
NO_VALUE = "—"


# --- the region --------------------------------------------------------------------------------


def region_code(organisation: Organisation | None) -> str:
    """The region an organisation belongs to: its commune's region ("" when unknown)."""
    if organisation is None or organisation.commune_id is None:
        return ""
    return organisation.commune.region_code or ""


def dacs_in_region(code: str):
    """Live DACs seated in the region or whose territory reaches into it, by name."""
    if not code:
        return Organisation.objects.none()
    seated = Q(commune__region_code=code)
    covering = Q(territory__communes__region_code=code)
    ids = Organisation.objects.filter(kind=OrganisationKind.DAC).filter(seated | covering)
    return Organisation.objects.filter(pk__in=ids.values("pk")).order_by("name")


def region_dacs(membership):
    """The DACs of the pilot's region (see the module's docstring for the rule)."""
    organisation = getattr(membership, "organisation", None)
    if organisation is None or organisation.kind != OrganisationKind.ARS:
        return Organisation.objects.none()
    return dacs_in_region(region_code(organisation))


# --- masking -----------------------------------------------------------------------------------


def threshold() -> int:
    return int(settings.APPUI_SMALL_COUNT_THRESHOLD)


@dataclass
class Cell:
    """One figure as the regional view shows it: its text, and whether it is masked."""

    text: str
    masked: bool = False
    size: int | None = None  # the count a secondary masking compares (COUNT figures only)

    def hide(self, why: str) -> None:
        self.text, self.masked = why, True


def _small(n, limit: int) -> bool:
    return n is not None and 0 < int(n) < limit


def mask(measure: Measure | None, kind: str, unit: str = "", limit: int | None = None) -> Cell:
    """Primary masking of one figure (rules in the module's docstring)."""
    limit = threshold() if limit is None else limit
    count_like = kind == Kind.COUNT and measure is not None and measure.value is not None
    size = int(measure.value) if count_like else None
    if measure is None:
        return Cell(NO_VALUE)
    if kind == Kind.COUNT:
        if _small(measure.value, limit):
            return Cell(f"< {limit}", masked=True, size=size)
        return Cell(display(measure, unit), size=size)
    if kind == Kind.SHARE:
        denominator = int(measure.denominator or 0)
        numerator = int(measure.numerator or 0)
        if denominator and (
            denominator < limit
            or _small(numerator, limit)
            or _small(denominator - numerator, limit)
        ):
            return Cell(SECRET, masked=True)
        return Cell(display(measure, unit))
    if kind in (Kind.QUANTILE, Kind.MEAN):
        if measure.value is None:
            return Cell(NO_VALUE)
        values = measure.denominator
        if values is None and kind == Kind.QUANTILE:
            values = measure.numerator
        if values is None or int(values) < limit:
            return Cell(SECRET, masked=True)
        return Cell(display(measure, unit))
    return Cell(display(measure, unit))  # AMOUNT (and any kind to come that is not about persons)


def _mask_group(cells: list[Cell], total: Cell) -> bool:
    """Secondary masking of one additive group; True when a cell was masked."""
    if total.masked or sum(1 for c in cells if c.masked) != 1:
        return False
    candidates = [c for c in cells if not c.masked and c.size]
    if not candidates:
        return False
    min(candidates, key=lambda c: c.size).hide(SECRET)
    return True


def mask_table(lines: list[TableLine], kind: str) -> None:
    """Secondary masking over the lines of one indicator (rules in the module's docstring).
    `lines[0]` is the indicator's own line (its total for a breakdown), then its detail lines."""
    if kind != Kind.COUNT:
        return
    changed = True
    while changed:
        changed = False
        for line in lines:  # DACs → Région
            changed |= _mask_group(line.cells, line.region)
        if len(lines) > 1:  # detail lines → total line, in each column
            head, details = lines[0], lines[1:]
            for column in range(len(head.cells)):
                changed |= _mask_group([d.cells[column] for d in details], head.cells[column])
            changed |= _mask_group([d.region for d in details], head.region)


# --- the table ---------------------------------------------------------------------------------


@dataclass
class TableLine:
    label: str
    cells: list[Cell]
    region: Cell
    detail: bool = False


@dataclass
class TableIndicator:
    indicator: Indicator
    lines: list[TableLine] = field(default_factory=list)
    note: str = ""


@dataclass
class TableSection:
    code: str
    label: str
    indicators: list[TableIndicator] = field(default_factory=list)


def _total(figure, kind: str) -> Measure | None:
    """The total line of a breakdown: the sum of its lines for counts and amounts (other kinds do
    not add up)."""
    if not isinstance(figure, dict):
        return figure
    if kind not in (Kind.COUNT, Kind.AMOUNT):
        return None
    return Measure(sum((m.value or 0) for m in figure.values()))


def indicator_lines(indicator: Indicator, dac_ids: list[int], period: Period) -> TableIndicator:
    """One indicator's lines: DAC columns and the pooled "Région" column, masked."""
    by_dac = indicator.figures(dac_ids, period)
    pooled = indicator.figures(dac_ids, period, pooled=True)[POOLED]
    kind, unit = indicator.kind, indicator.unit
    figures = [by_dac[d] for d in dac_ids]
    result = TableIndicator(indicator)
    summable = kind in (Kind.COUNT, Kind.AMOUNT)

    def line(label, measures, region, detail=False):
        return TableLine(
            label, [mask(m, kind, unit) for m in measures], mask(region, kind, unit), detail
        )

    if indicator.breakdown is None:
        result.lines.append(line(indicator.label, figures, pooled))
    else:
        head = line(
            f"{indicator.label} — total" if summable else indicator.label,
            [_total(f, kind) for f in figures],
            _total(pooled, kind),
        )
        if not summable:
            head.cells = [Cell("") for _ in figures]
            head.region = Cell("")
        result.lines.append(head)
        if indicator.personal_keys:
            result.note = "Détail par professionnel·le non diffusé au niveau régional."
        else:
            keys = set(pooled)
            for figure in figures:
                keys.update(figure)
            for key, label in indicator.breakdown(sorted(keys, key=str)):
                result.lines.append(
                    line(
                        label,
                        [f.get(key, _empty(kind)) for f in figures],
                        pooled.get(key, _empty(kind)),
                        detail=True,
                    )
                )
    mask_table(result.lines, kind)
    return result


def _empty(kind: str) -> Measure:
    return Measure(0) if kind in (Kind.COUNT, Kind.AMOUNT) else Measure(None)


def regional_table(dacs: list[Organisation], period: Period) -> list[TableSection]:
    """Every indicator of the catalogue, by section, for the given DACs (two queries each)."""
    dac_ids = [d.pk for d in dacs]
    sections: dict[str, TableSection] = {}
    for indicator in catalogue():
        section = sections.setdefault(
            indicator.section, TableSection(indicator.section, SECTIONS[indicator.section])
        )
        section.indicators.append(indicator_lines(indicator, dac_ids, period))
    return list(sections.values())


def year_choices(today: datetime.date | None = None) -> list[int]:
    """The years the picker offers: the current year and the five before, latest first."""
    today = today or datetime.date.today()
    return list(range(today.year, today.year - 6, -1))


def default_year(today: datetime.date | None = None) -> int:
    """The last complete year (the one an annual review is about)."""
    return (today or datetime.date.today()).year - 1


def csv_rows(dacs: list[Organisation], sections: list[TableSection]):
    """The table as CSV rows (masked cells keep their masked text)."""
    yield ["Rubrique", "Indicateur", "Ligne", "Unité", *[d.name for d in dacs], "Région"]
    for section in sections:
        for item in section.indicators:
            for line in item.lines:
                yield [
                    section.label,
                    item.indicator.label,
                    line.label if line.detail else "",
                    item.indicator.unit,
                    *[c.text for c in line.cells],
                    line.region.text,
                ]
