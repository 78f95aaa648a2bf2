"""The cartography of coordination structures in a region (seed 004): which DAC and which other
structures (CLIC, CPTS, Communauté 360, MAIA-like teams…) cover which communes and populations,
and where each stands between the health and the social field (x) and between standard and
complex situations (y).

A DAC's communes are those of its territory; its population and axes come from its coverage row
when it has one, otherwise from `DAC_DEFAULT_AXES`. Another structure appears once a coverage row
describes it.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Prefetch, Q

from appui.core.models import record_event
from appui.territory.enums import OrganisationKind
from appui.territory.models import Commune, Organisation

from .enums import ComplexityAxis, HealthSocialAxis
from .models import CoordinationCoverage
from .regional import dacs_in_region, region_code

#: Where a DAC stands when its coverage row does not say: both fields, every situation, with its
#: mission centred on complex ones.
DAC_DEFAULT_AXES = (HealthSocialAxis.BOTH, ComplexityAxis.COMPLEX)
DAC_DEFAULT_POPULATION = "Toute personne en situation complexe, sans critère d'âge ni de pathologie"

#: The kinds of structure whose coverage the cartography describes.
COORDINATION_KINDS = [
    OrganisationKind.DAC,
    OrganisationKind.CLIC,
    OrganisationKind.CPTS,
    OrganisationKind.COMMUNITY_360,
    OrganisationKind.MOBILE_TEAM,
    OrganisationKind.MDPH,
    OrganisationKind.CCAS,
    OrganisationKind.DEPARTMENT_COUNCIL,
    OrganisationKind.OTHER,
]


def membership_region(membership) -> str:
    """The region a user looks at: the one of their organisation (the ARS for a pilot, the DAC
    for its staff)."""
    organisation = getattr(membership, "organisation", None)
    if organisation is None:
        return ""
    code = region_code(organisation)
    if not code and organisation.kind == OrganisationKind.DAC:
        commune = (
            Commune.objects.filter(territories__dac=organisation)
            .exclude(region_code="")
            .order_by("insee_code")
            .first()
        )
        code = commune.region_code if commune else ""
    return code


@dataclass
class Structure:
    organisation: Organisation
    communes: list[Commune]
    population: str
    health_social: int
    complexity: int
    note: str = ""
    described: bool = True  # False: a DAC placed by default, without a coverage row
    x: float = 0
    y: float = 0
    lines: list[str] = field(default_factory=list)  # the name, wrapped for the cartography

    @property
    def is_dac(self) -> bool:
        return self.organisation.kind == OrganisationKind.DAC

    @property
    def health_social_label(self) -> str:
        return HealthSocialAxis(self.health_social).label

    @property
    def complexity_label(self) -> str:
        return ComplexityAxis(self.complexity).label


def region_structures(code: str) -> list[Structure]:
    """The region's DACs then the other described structures, by name (four queries)."""
    if not code:
        return []
    in_region = Commune.objects.filter(region_code=code).order_by("name")
    dacs = (
        dacs_in_region(code)
        .select_related("territory", "coverage")
        .prefetch_related(Prefetch("territory__communes", queryset=in_region))
    )
    structures = []
    for dac in dacs:
        coverage = getattr(dac, "coverage", None)
        territory = getattr(dac, "territory", None)
        axes = (coverage.health_social, coverage.complexity) if coverage else DAC_DEFAULT_AXES
        structures.append(
            Structure(
                dac,
                list(territory.communes.all()) if territory else [],
                coverage.population if coverage else DAC_DEFAULT_POPULATION,
                int(axes[0]),
                int(axes[1]),
                coverage.note if coverage else "",
                described=coverage is not None,
            )
        )
    others = (
        CoordinationCoverage.objects.filter(
            Q(organisation__commune__region_code=code) | Q(communes__region_code=code)
        )
        .exclude(organisation__kind=OrganisationKind.DAC)
        .values("pk")
    )
    rows = (
        CoordinationCoverage.objects.filter(pk__in=others, organisation__deleted_at__isnull=True)
        .select_related("organisation")
        .prefetch_related(Prefetch("communes", queryset=in_region))
        .order_by("organisation__name")
    )
    for row in rows:
        structures.append(
            Structure(
                row.organisation,
                list(row.communes.all()),
                row.population,
                row.health_social,
                row.complexity,
                row.note,
            )
        )
    place(structures)
    return structures


# The cartography's drawing area (SVG user units).
WIDTH, HEIGHT = 960, 540
LABEL_CHARS, LINE_HEIGHT = 20, 13
LEFT, RIGHT, TOP, BOTTOM = 160, 20, 20, 60


def place(structures: list[Structure]) -> None:
    """Each structure's point: near the left of its axes' cell, the structures sharing a cell one
    under the other, each name wrapped to the cell's width."""
    cells: dict[tuple[int, int], list[Structure]] = defaultdict(list)
    for s in structures:
        cells[(s.health_social, s.complexity)].append(s)
    column = (WIDTH - LEFT - RIGHT) / len(HealthSocialAxis)
    row = (HEIGHT - TOP - BOTTOM) / len(ComplexityAxis)
    for (x_value, y_value), group in cells.items():
        top = TOP + row * (len(ComplexityAxis) - y_value) + 14
        for s in group:
            s.lines = textwrap.wrap(s.organisation.name, LABEL_CHARS) or [""]
            s.x = LEFT + column * (x_value - 1) + 10
            s.y = top
            top += LINE_HEIGHT * len(s.lines) + 6


def axis_ticks() -> dict:
    """The SVG's grid: column and row labels with their positions."""
    column = (WIDTH - LEFT - RIGHT) / len(HealthSocialAxis)
    row = (HEIGHT - TOP - BOTTOM) / len(ComplexityAxis)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "columns": [
            {"x": LEFT + column * (i - 1), "centre": LEFT + column * (i - 0.5), "label": label}
            for i, label in HealthSocialAxis.choices
        ],
        "rows": [
            {
                "y": TOP + row * (len(ComplexityAxis) - i),
                "centre": TOP + row * (len(ComplexityAxis) - i + 0.5),
                "label": label,
            }
            for i, label in ComplexityAxis.choices
        ],
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "column_width": column,
        "plot_width": WIDTH - LEFT - RIGHT,
        "middle": LEFT + (WIDTH - LEFT - RIGHT) / 2,
        "row_height": row,
    }


@dataclass
class CommuneCoverage:
    commune: Commune
    dacs: list[Organisation] = field(default_factory=list)
    others: list[Organisation] = field(default_factory=list)

    @property
    def without_dac(self) -> bool:
        return not self.dacs

    @property
    def several_dacs(self) -> bool:
        return len(self.dacs) > 1


COMMUNE_FILTERS = {
    "": "Toutes les communes",
    "sans-dac": "Communes couvertes par aucun DAC",
    "plusieurs-dac": "Communes couvertes par plusieurs DAC",
}


def region_communes(code: str, which: str = ""):
    """The region's communes, filtered on their DAC coverage (for the paginated table)."""
    communes = Commune.objects.filter(region_code=code).order_by("name", "insee_code")
    if which == "sans-dac":
        communes = communes.filter(territories__isnull=True)
    elif which == "plusieurs-dac":
        communes = communes.annotate(n_dacs=Count("territories")).filter(n_dacs__gte=2)
    return communes


def communes_coverage(communes, structures: list[Structure]) -> list[CommuneCoverage]:
    """Who covers each commune of a page, from the structures already loaded (no query)."""
    by_commune: dict[int, CommuneCoverage] = {c.pk: CommuneCoverage(c) for c in communes}
    for s in structures:
        for commune in s.communes:
            line = by_commune.get(commune.pk)
            if line is not None:
                (line.dacs if s.is_dac else line.others).append(s.organisation)
    return list(by_commune.values())


def editable_organisations(code: str):
    """The structures whose coverage a pilot may describe: coordination structures seated in the
    region, or already described with communes in it."""
    if not code:
        return Organisation.objects.none()
    described = CoordinationCoverage.objects.filter(communes__region_code=code).values(
        "organisation_id"
    )
    return (
        Organisation.objects.filter(kind__in=COORDINATION_KINDS)
        .filter(Q(commune__region_code=code) | Q(pk__in=described))
        .order_by("name")
    )


@transaction.atomic
def save_coverage(
    organisation: Organisation,
    *,
    communes: list[Commune] | None,
    population: str,
    health_social: int,
    complexity: int,
    note: str = "",
) -> CoordinationCoverage:
    """Create or update a structure's coverage, with its event. `communes` is None for a DAC
    (its communes are its territory's)."""
    coverage = CoordinationCoverage.objects.filter(organisation=organisation).first()
    created = coverage is None
    if created:
        coverage = CoordinationCoverage(organisation=organisation)
    before = (
        {}
        if created
        else {
            "population": coverage.population,
            "health_social": coverage.health_social,
            "complexity": coverage.complexity,
            "note": coverage.note,
            "communes": sorted(coverage.communes.values_list("insee_code", flat=True)),
        }
    )
    coverage.population = population
    coverage.health_social = health_social
    coverage.complexity = complexity
    coverage.note = note
    coverage.full_clean(exclude=["organisation"])
    coverage.save()
    if communes is not None:
        coverage.communes.set(communes)
    after = {
        "population": population,
        "health_social": int(health_social),
        "complexity": int(complexity),
        "note": note,
        "communes": sorted(coverage.communes.values_list("insee_code", flat=True)),
    }
    changed = sorted(k for k in after if before.get(k) != after[k])
    record_event(coverage, "created" if created else "updated", changed=changed, **after)
    return coverage
