"""The CPOM (contrat pluriannuel d'objectifs et de moyens) between the DAC and its ARS.

A contract holds strategic objectives (OS1, OS2…), operational objectives under them (OO1.1,
OO1.2…), and under each operational objective the indicators followed: a catalogue indicator
(its value is computed from the recorded facts for the DAC and the calendar year) or one the
contract defines itself (its value is entered at the review). Each indicator has a target for
every year of the contract and a direction (the actual must be at least, or at most, the target).

The annual review compares, for one year, the target and the actual of every indicator, with a
comment per line and the DAC's analysis. Until it is sent, the actual values are computed live;
"transmettre à l'ARS" freezes them in `AnnualReviewLine.actual`; the ARS's observations letter
then closes the review. Codes are numbered from the positions (OS1, OO1.2) and follow a reorder.

Rights: `contract` view/change (the director, on the contracts of their DAC). Every change is an
event, in the same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Max, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from appui.core.models import record_event
from appui.core.permissions import require, scope
from appui.territory.enums import OrganisationKind
from appui.territory.models import Organisation

from .enums import ObjectiveKind, ReviewStatus, TargetDirection
from .indicators import Period, catalogue, get
from .models import (
    AnnualReview,
    AnnualReviewLine,
    Contract,
    ContractIndicator,
    ContractObjective,
    ContractTarget,
)

#: A CPOM lasts from one to seven years.
MIN_YEARS, MAX_YEARS = 1, 7
TWO_PLACES = Decimal("0.01")


# --- Rights -------------------------------------------------------------------------------------


def contracts_in_reach(membership, action: str = "view") -> QuerySet:
    """The DAC's contracts, current first then the most recent (403 without the right)."""
    require(membership, "contract", action)
    today = timezone.localdate()
    current = Case(
        When(Q(starts_on__lte=today, ends_on__gte=today), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        scope(membership, "contract", action, Contract.objects.all())
        .select_related("ars")
        .annotate(is_not_current=current)
        .order_by("is_not_current", "-starts_on", "-pk")
    )


def contract_for(membership, pk, action: str = "view") -> Contract:
    """The contract `pk` of the membership's DAC (403 without the right, 404 another DAC's)."""
    return get_object_or_404(contracts_in_reach(membership, action), pk=pk)


def _locked(membership, contract: Contract) -> Contract:
    """The contract locked for a change, if the membership may change it."""
    require(membership, "contract", "change", contract)
    return Contract.objects.select_for_update().get(pk=contract.pk)


# --- The contract -------------------------------------------------------------------------------


def ars_choices() -> QuerySet:
    return Organisation.objects.filter(kind=OrganisationKind.ARS).order_by("name")


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_dates(starts_on, ends_on, signed_on=None) -> dict:
    """French messages for the contract's dates (field → message)."""
    errors = {}
    if starts_on is None:
        errors["starts_on"] = "Indiquez la date de début du contrat."
    if ends_on is None:
        errors["ends_on"] = "Indiquez la date de fin du contrat."
    if errors:
        return errors
    if ends_on <= starts_on:
        errors["ends_on"] = "La fin du contrat doit être postérieure à son début."
    elif ends_on < _add_years(starts_on, MIN_YEARS) - datetime.timedelta(days=1):
        errors["ends_on"] = "Un CPOM dure au moins un an."
    elif ends_on > _add_years(starts_on, MAX_YEARS) - datetime.timedelta(days=1):
        errors["ends_on"] = "Un CPOM dure au plus sept ans."
    if signed_on is not None and signed_on > ends_on:
        errors["signed_on"] = "La signature ne peut pas être postérieure à la fin du contrat."
    return errors


def _contract_values(title, reference, ars, starts_on, ends_on, signed_on) -> dict:
    errors = check_dates(starts_on, ends_on, signed_on)
    if not (title or "").strip():
        errors["title"] = "Indiquez l'intitulé du contrat."
    if ars is None:
        errors["ars"] = "Choisissez l'ARS signataire."
    elif ars.kind != OrganisationKind.ARS:
        errors["ars"] = "La structure choisie n'est pas une ARS."
    if errors:
        raise ValidationError(errors)
    return {
        "title": title.strip(),
        "reference": (reference or "").strip(),
        "ars": ars,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "signed_on": signed_on,
    }


@transaction.atomic
def create_contract(
    membership, *, title, ars, starts_on, ends_on, reference="", signed_on=None
) -> Contract:
    """A new CPOM for the membership's DAC."""
    require(membership, "contract", "change")
    values = _contract_values(title, reference, ars, starts_on, ends_on, signed_on)
    contract = Contract.objects.create(dac_id=membership.organisation_id, **values)
    record_event(
        contract,
        "contract_created",
        title=contract.title,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
    )
    return contract


@transaction.atomic
def update_contract(
    membership, contract, *, title, ars, starts_on, ends_on, reference="", signed_on=None
) -> Contract:
    """Change the contract's identity or dates; a target outside the new years is refused."""
    locked = _locked(membership, contract)
    values = _contract_values(title, reference, ars, starts_on, ends_on, signed_on)
    years = range(starts_on.year, ends_on.year + 1)
    outside = ContractTarget.objects.filter(indicator__objective__contract=locked).exclude(
        year__in=years
    )
    if outside.exists():
        raise ValidationError(
            {
                "ends_on": "Des cibles sont fixées pour des années hors de ces dates : "
                "retirez-les d'abord."
            }
        )
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if changed:
        for name in changed:
            setattr(locked, name, values[name])
        locked.save(update_fields=[*changed, "updated_at", "updated_by"])
        record_event(locked, "contract_updated", fields=changed)
    return locked


# --- Objectives ---------------------------------------------------------------------------------


def _renumber(contract: Contract) -> None:
    """Codes follow the positions: OS1, OS2… and OO1.1, OO1.2… under OS1."""
    objectives = list(contract.objectives.order_by("position", "pk"))
    strategic = [o for o in objectives if o.kind == ObjectiveKind.STRATEGIC]
    changed = []
    for i, parent in enumerate(strategic, start=1):
        codes = [(parent, f"OS{i}")]
        children = [o for o in objectives if o.parent_id == parent.pk]
        codes += [(child, f"OO{i}.{j}") for j, child in enumerate(children, start=1)]
        for objective, code in codes:
            if objective.code != code:
                objective.code = code
                changed.append(objective)
    ContractObjective.objects.bulk_update(changed, ["code"])


def _next_position(queryset) -> int:
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1


def _check_objective(contract, kind, title, parent) -> dict:
    errors = {}
    if not (title or "").strip():
        errors["title"] = "Indiquez l'intitulé de l'objectif."
    if kind == ObjectiveKind.OPERATIONAL:
        if parent is None:
            errors["parent"] = "Un objectif opérationnel se rattache à un objectif stratégique."
        elif parent.contract_id != contract.pk or parent.kind != ObjectiveKind.STRATEGIC:
            errors["parent"] = "Choisissez un objectif stratégique de ce contrat."
    elif kind != ObjectiveKind.STRATEGIC:
        errors["kind"] = "Niveau d'objectif inconnu."
    return errors


@transaction.atomic
def add_objective(membership, contract, *, kind, title, parent=None) -> ContractObjective:
    """A strategic objective, or an operational one under a strategic objective (at the end)."""
    locked = _locked(membership, contract)
    errors = _check_objective(locked, kind, title, parent)
    if errors:
        raise ValidationError(errors)
    if kind == ObjectiveKind.STRATEGIC:
        parent = None
    siblings = locked.objectives.filter(kind=kind, parent=parent)
    objective = ContractObjective.objects.create(
        contract=locked,
        kind=kind,
        parent=parent,
        title=title.strip(),
        position=_next_position(siblings),
    )
    _renumber(locked)
    objective.refresh_from_db(fields=["code"])
    record_event(
        locked,
        "objective_added",
        objective=objective.pk,
        code=objective.code,
        title=objective.title,
    )
    return objective


@transaction.atomic
def update_objective(membership, objective, *, title, parent=None) -> ContractObjective:
    """Change an objective's title (and, for an operational one, its strategic objective)."""
    locked = _locked(membership, objective.contract)
    objective = ContractObjective.objects.get(pk=objective.pk, contract=locked)
    if objective.kind == ObjectiveKind.STRATEGIC:
        parent = None
    errors = _check_objective(locked, objective.kind, title, parent)
    if errors:
        raise ValidationError(errors)
    changed = []
    if objective.title != title.strip():
        objective.title = title.strip()
        changed.append("title")
    if objective.parent_id != (parent.pk if parent else None):
        objective.parent = parent
        siblings = locked.objectives.filter(kind=objective.kind, parent=parent)
        objective.position = _next_position(siblings)
        changed += ["parent", "position"]
    if changed:
        objective.save(update_fields=[*changed, "updated_at", "updated_by"])
        _renumber(locked)
        objective.refresh_from_db(fields=["code"])
        record_event(
            locked, "objective_updated", objective=objective.pk, code=objective.code, fields=changed
        )
    return objective


def _swap(items: list, item, offset: int) -> list:
    """The list with `item` moved by `offset` (-1 up, +1 down), kept inside the bounds."""
    index = items.index(item)
    target = min(max(index + offset, 0), len(items) - 1)
    items.insert(target, items.pop(index))
    return items


@transaction.atomic
def move_objective(membership, objective, offset: int) -> ContractObjective:
    """Move an objective up (-1) or down (+1) among its siblings; codes are renumbered."""
    locked = _locked(membership, objective.contract)
    siblings = list(
        locked.objectives.filter(kind=objective.kind, parent_id=objective.parent_id).order_by(
            "position", "pk"
        )
    )
    current = next(o for o in siblings if o.pk == objective.pk)
    before = current.code
    ordered = _swap(siblings, current, offset)
    for position, item in enumerate(ordered, start=1):
        item.position = position
    ContractObjective.objects.bulk_update(ordered, ["position"])
    _renumber(locked)
    current.refresh_from_db(fields=["code"])
    if current.code != before:
        record_event(
            locked, "objective_moved", objective=current.pk, code_before=before, code=current.code
        )
    return current


# --- Indicators and targets ---------------------------------------------------------------------


def scalar_catalogue() -> list:
    """The catalogue indicators a CPOM can follow: one value per DAC and year (no breakdown)."""
    return [indicator for indicator in catalogue() if indicator.breakdown is None]


def catalogue_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The scalar catalogue indicators grouped by section, for a select."""
    from .indicators.base import SECTIONS

    groups: dict[str, list] = {}
    for indicator in scalar_catalogue():
        groups.setdefault(SECTIONS[indicator.section], []).append(
            (indicator.code, f"{indicator.label} ({indicator.unit})")
        )
    return list(groups.items())


def catalogue_indicator(code: str):
    """The catalogue's indicator for a code, or None (a manual indicator, or an unknown code)."""
    if not code:
        return None
    try:
        return get(code)
    except KeyError:
        return None


def indicator_label(indicator: ContractIndicator) -> str:
    found = catalogue_indicator(indicator.indicator_code)
    return indicator.label or (found.label if found else indicator.indicator_code)


def indicator_unit(indicator: ContractIndicator) -> str:
    found = catalogue_indicator(indicator.indicator_code)
    return indicator.unit or (found.unit if found else "")


def _check_target(value, unit: str, year: int) -> str | None:
    if value is None:
        return None
    if value < 0:
        return f"La cible {year} ne peut pas être négative."
    if unit == "%" and value > 100:
        return f"La cible {year} est un pourcentage : 100 au plus."
    return None


def _check_indicator(objective, indicator_code, label, unit, direction, targets) -> dict:
    errors = {}
    if objective.kind != ObjectiveKind.OPERATIONAL:
        errors["__all__"] = "Un indicateur se rattache à un objectif opérationnel."
    if indicator_code:
        found = catalogue_indicator(indicator_code)
        if found is None or found.breakdown is not None:
            errors["indicator_code"] = "Choisissez un indicateur du catalogue (une seule valeur)."
        else:
            unit = found.unit
    else:
        if not (label or "").strip():
            errors["label"] = "Indiquez l'intitulé de l'indicateur propre au contrat."
        if not (unit or "").strip():
            errors["unit"] = "Indiquez l'unité de l'indicateur (%, personnes, jours…)."
    if direction not in TargetDirection.values:
        errors["direction"] = "Indiquez si la cible est un minimum ou un maximum."
    years = set(objective.contract.years)
    for year, value in (targets or {}).items():
        if year not in years:
            errors[f"target_{year}"] = f"{year} n'est pas une année du contrat."
        elif message := _check_target(value, unit, year):
            errors[f"target_{year}"] = message
    return errors


def _write_targets(indicator: ContractIndicator, targets: dict) -> dict:
    """Set the targets given (None removes one); the changes as {year: [before, after]}."""
    existing = {t.year: t for t in indicator.targets.all()}
    changes = {}
    for year, value in targets.items():
        value = None if value is None else Decimal(value).quantize(TWO_PLACES)
        current = existing.get(year)
        before = current.target if current else None
        if before == value:
            continue
        if value is None:
            current.delete()
        elif current is None:
            ContractTarget.objects.create(indicator=indicator, year=year, target=value)
        else:
            current.target = value
            current.save(update_fields=["target"])
        changes[str(year)] = [
            None if before is None else str(before),
            None if value is None else str(value),
        ]
    return changes


@transaction.atomic
def add_indicator(
    membership,
    objective,
    *,
    indicator_code="",
    label="",
    unit="",
    direction=TargetDirection.AT_LEAST,
    targets=None,
) -> ContractIndicator:
    """An indicator under an operational objective (at the end), with its yearly targets."""
    locked = _locked(membership, objective.contract)
    objective = ContractObjective.objects.select_related("contract").get(
        pk=objective.pk, contract=locked
    )
    errors = _check_indicator(objective, indicator_code, label, unit, direction, targets)
    if errors:
        raise ValidationError(errors)
    indicator = ContractIndicator.objects.create(
        objective=objective,
        indicator_code=indicator_code or "",
        label="" if indicator_code else label.strip(),
        unit="" if indicator_code else unit.strip(),
        direction=direction,
        position=_next_position(objective.indicators.all()),
    )
    changes = _write_targets(indicator, targets or {})
    record_event(
        locked,
        "indicator_added",
        indicator=indicator.pk,
        objective=objective.code,
        label=indicator_label(indicator),
        targets=changes,
    )
    return indicator


@transaction.atomic
def update_indicator(
    membership,
    indicator,
    *,
    indicator_code="",
    label="",
    unit="",
    direction=TargetDirection.AT_LEAST,
    targets=None,
) -> ContractIndicator:
    """Change what an indicator measures, its direction or its targets."""
    locked = _locked(membership, indicator.objective.contract)
    indicator = ContractIndicator.objects.select_related("objective__contract").get(
        pk=indicator.pk, objective__contract=locked
    )
    errors = _check_indicator(indicator.objective, indicator_code, label, unit, direction, targets)
    if errors:
        raise ValidationError(errors)
    values = {
        "indicator_code": indicator_code or "",
        "label": "" if indicator_code else label.strip(),
        "unit": "" if indicator_code else unit.strip(),
        "direction": direction,
    }
    changed = [name for name, value in values.items() if getattr(indicator, name) != value]
    for name in changed:
        setattr(indicator, name, values[name])
    if changed:
        indicator.save(update_fields=[*changed, "updated_at", "updated_by"])
    changes = _write_targets(indicator, targets or {})
    if changed or changes:
        record_event(
            locked,
            "indicator_updated",
            indicator=indicator.pk,
            label=indicator_label(indicator),
            fields=changed,
            targets=changes,
        )
    return indicator


@transaction.atomic
def move_indicator(membership, indicator, offset: int) -> ContractIndicator:
    """Move an indicator up (-1) or down (+1) under its objective."""
    locked = _locked(membership, indicator.objective.contract)
    siblings = list(
        ContractIndicator.objects.filter(objective_id=indicator.objective_id).order_by(
            "position", "pk"
        )
    )
    current = next(i for i in siblings if i.pk == indicator.pk)
    before = siblings.index(current)
    ordered = _swap(siblings, current, offset)
    for position, item in enumerate(ordered, start=1):
        item.position = position
    ContractIndicator.objects.bulk_update(ordered, ["position"])
    if ordered.index(current) != before:
        record_event(
            locked,
            "indicator_moved",
            indicator=current.pk,
            label=indicator_label(current),
            position=ordered.index(current) + 1,
        )
    return current


@transaction.atomic
def set_targets(membership, contract, grid: dict[tuple[int, int], Decimal | None]) -> int:
    """The targets grid (indicator id, year) → value (None clears it); how many changed."""
    locked = _locked(membership, contract)
    indicators = {
        i.pk: i
        for i in ContractIndicator.objects.filter(objective__contract=locked).prefetch_related(
            "targets"
        )
    }
    years = set(locked.years)
    errors = {}
    per_indicator: dict[int, dict] = {}
    for (indicator_id, year), value in grid.items():
        indicator = indicators.get(indicator_id)
        if indicator is None or year not in years:
            raise PermissionDenied
        if message := _check_target(value, indicator_unit(indicator), year):
            errors[f"t_{indicator_id}_{year}"] = f"{indicator_label(indicator)} : {message}"
        per_indicator.setdefault(indicator_id, {})[year] = value
    if errors:
        raise ValidationError(errors)
    changes = {}
    for indicator_id, targets in per_indicator.items():
        if changed := _write_targets(indicators[indicator_id], targets):
            changes[str(indicator_id)] = changed
    if changes:
        record_event(locked, "targets_changed", targets=changes)
    return sum(len(c) for c in changes.values())


# --- The contract's structure, for the pages and the exports ------------------------------------


@dataclass
class IndicatorRow:
    indicator: ContractIndicator
    label: str
    unit: str
    manual: bool
    targets: dict[int, Decimal]
    by_year: list[Decimal | None]  # the targets in the order of the contract's years


@dataclass
class OperationalRow:
    objective: ContractObjective
    indicators: list[IndicatorRow]


@dataclass
class StrategicRow:
    objective: ContractObjective
    operational: list[OperationalRow]


def structure(contract: Contract) -> list[StrategicRow]:
    """The objectives tree with the indicators and their targets (three queries)."""
    objectives = list(contract.objectives.order_by("position", "pk"))
    indicators = list(
        ContractIndicator.objects.filter(objective__contract=contract)
        .order_by("position", "pk")
        .prefetch_related("targets")
    )
    rows_by_objective: dict[int, list[IndicatorRow]] = {}
    for indicator in indicators:
        targets = {t.year: t.target for t in indicator.targets.all()}
        rows_by_objective.setdefault(indicator.objective_id, []).append(
            IndicatorRow(
                indicator=indicator,
                label=indicator_label(indicator),
                unit=indicator_unit(indicator),
                manual=not indicator.indicator_code,
                targets=targets,
                by_year=[targets.get(year) for year in contract.years],
            )
        )
    tree = []
    for parent in objectives:
        if parent.kind != ObjectiveKind.STRATEGIC:
            continue
        children = [o for o in objectives if o.parent_id == parent.pk]
        tree.append(
            StrategicRow(
                parent,
                [OperationalRow(child, rows_by_objective.get(child.pk, [])) for child in children],
            )
        )
    return tree


# --- The annual review --------------------------------------------------------------------------


@dataclass
class ReviewLine:
    strategic: ContractObjective
    operational: ContractObjective
    row: IndicatorRow
    target: Decimal | None
    actual: Decimal | None
    comment: str

    @property
    def indicator(self) -> ContractIndicator:
        return self.row.indicator

    @property
    def gap(self) -> Decimal | None:
        if self.target is None or self.actual is None:
            return None
        return self.actual - self.target

    @property
    def met(self) -> bool | None:
        return is_met(self.indicator.direction, self.target, self.actual)


def is_met(direction: str, target, actual) -> bool | None:
    """Whether the actual reaches the target in its direction; None when one is missing."""
    if target is None or actual is None:
        return None
    if direction == TargetDirection.AT_MOST:
        return actual <= target
    return actual >= target


def check_year(contract: Contract, year: int) -> None:
    if year not in contract.years:
        from django.http import Http404

        raise Http404("Année hors du contrat.")


def review_of(contract: Contract, year: int) -> AnnualReview:
    """The review of that year, or a new unsaved one (nothing is written on reading)."""
    check_year(contract, year)
    review = AnnualReview.objects.filter(contract=contract, year=year).first()
    return review or AnnualReview(contract=contract, year=year)


def computed_actuals(dac_id: int, year: int, codes) -> dict[str, Decimal | None]:
    """The catalogue's value of each code for the DAC and the calendar year (one computation
    per distinct code)."""
    period = Period.year(year)
    values = {}
    for code in set(codes):
        found = catalogue_indicator(code)
        figure = found.for_dac(dac_id, period) if found is not None else None
        value = getattr(figure, "value", None)  # a breakdown has no single value
        values[code] = None if value is None else Decimal(value).quantize(TWO_PLACES)
    return values


def review_lines(review: AnnualReview) -> list[ReviewLine]:
    """Every indicator of the contract with its target for the year and its actual: computed
    live while the review is prepared, the frozen value once it is sent."""
    contract = review.contract
    tree = structure(contract)
    saved = {line.indicator_id: line for line in review.lines.all()} if review.pk else {}
    live = review.status == ReviewStatus.DRAFT
    codes = [
        row.indicator.indicator_code
        for s in tree
        for o in s.operational
        for row in o.indicators
        if not row.manual
    ]
    actuals = computed_actuals(contract.dac_id, review.year, codes) if live else {}
    lines = []
    for strategic in tree:
        for operational in strategic.operational:
            for row in operational.indicators:
                line = saved.get(row.indicator.pk)
                if live and not row.manual:
                    actual = actuals.get(row.indicator.indicator_code)
                else:
                    actual = line.actual if line else None
                lines.append(
                    ReviewLine(
                        strategic=strategic.objective,
                        operational=operational.objective,
                        row=row,
                        target=row.targets.get(review.year),
                        actual=actual,
                        comment=line.comment if line else "",
                    )
                )
    return lines


def _review_locked(membership, contract, year) -> AnnualReview:
    """The review of that year, created if needed, locked for a change."""
    locked = _locked(membership, contract)
    check_year(locked, year)
    review, _ = AnnualReview.objects.get_or_create(contract=locked, year=year)
    return AnnualReview.objects.select_for_update().select_related("contract").get(pk=review.pk)


def _check_manual(indicators: dict, actuals: dict) -> dict:
    errors = {}
    for indicator_id, value in actuals.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            raise PermissionDenied
        if indicator.indicator_code and value is not None:
            errors[f"actual_{indicator_id}"] = (
                f"{indicator_label(indicator)} : le réalisé est calculé à partir des données."
            )
        elif value is not None and value < 0:
            errors[f"actual_{indicator_id}"] = (
                f"{indicator_label(indicator)} : le réalisé ne peut pas être négatif."
            )
    return errors


@transaction.atomic
def save_review(
    membership, contract, year: int, *, dac_comment="", comments=None, actuals=None
) -> AnnualReview:
    """Save the DAC's analysis, the comment of each line and the actual of the manual
    indicators, while the review is in preparation."""
    review = _review_locked(membership, contract, year)
    if review.status != ReviewStatus.DRAFT:
        raise ValidationError("La revue a été transmise à l'ARS : elle ne se modifie plus.")
    indicators = {
        i.pk: i for i in ContractIndicator.objects.filter(objective__contract=review.contract)
    }
    comments, actuals = comments or {}, actuals or {}
    if unknown := (set(comments) - set(indicators)):
        raise PermissionDenied(f"indicateurs inconnus : {sorted(unknown)}")
    if errors := _check_manual(indicators, actuals):
        raise ValidationError(errors)
    lines = {line.indicator_id: line for line in review.lines.all()}
    changed_lines = []
    for indicator_id in set(comments) | set(actuals):
        line = lines.get(indicator_id) or AnnualReviewLine(review=review, indicator_id=indicator_id)
        before = (line.comment, line.actual)
        if indicator_id in comments:
            line.comment = (comments[indicator_id] or "").strip()
        if indicator_id in actuals:
            value = actuals[indicator_id]
            line.actual = None if value is None else Decimal(value).quantize(TWO_PLACES)
        if line.pk is None or (line.comment, line.actual) != before:
            line.save()
            changed_lines.append(indicator_id)
    fields = []
    if review.dac_comment != (dac_comment or "").strip():
        review.dac_comment = (dac_comment or "").strip()
        review.save(update_fields=["dac_comment", "updated_at", "updated_by"])
        fields.append("dac_comment")
    if fields or changed_lines:
        record_event(review, "review_saved", year=year, fields=fields, lines=sorted(changed_lines))
    return review


@transaction.atomic
def send_review(membership, contract, year: int) -> AnnualReview:
    """Transmit the review to the ARS: every actual value is frozen as it is now."""
    review = _review_locked(membership, contract, year)
    if review.status != ReviewStatus.DRAFT:
        raise ValidationError("La revue a déjà été transmise à l'ARS.")
    lines = review_lines(review)
    if not lines:
        raise ValidationError("Le contrat n'a aucun indicateur : rien à transmettre.")
    missing = [line.row.label for line in lines if line.row.manual and line.actual is None]
    if missing:
        raise ValidationError(
            "Renseignez le réalisé de : " + " ; ".join(missing) + " avant de transmettre."
        )
    saved = {line.indicator_id: line for line in review.lines.all()}
    frozen = {}
    for line in lines:
        record = saved.get(line.indicator.pk) or AnnualReviewLine(
            review=review, indicator=line.indicator
        )
        record.actual = line.actual
        record.save()
        frozen[str(line.indicator.pk)] = None if line.actual is None else str(line.actual)
    review.status = ReviewStatus.SENT
    review.sent_at = timezone.now()
    review.sent_by = membership.user
    review.save(update_fields=["status", "sent_at", "sent_by", "updated_at", "updated_by"])
    record_event(review, "review_sent", year=year, actuals=frozen)
    return review


@transaction.atomic
def record_ars_letter(membership, contract, year: int, *, letter_on, observations) -> AnnualReview:
    """The ARS's observations letter on a sent review: the review is closed."""
    review = _review_locked(membership, contract, year)
    errors = {}
    if review.status == ReviewStatus.DRAFT:
        raise ValidationError("Transmettez d'abord la revue à l'ARS.")
    if review.status == ReviewStatus.CLOSED:
        raise ValidationError("Les observations de l'ARS sont déjà enregistrées.")
    if letter_on is None:
        errors["ars_letter_on"] = "Indiquez la date du courrier de l'ARS."
    elif letter_on < timezone.localtime(review.sent_at).date():
        errors["ars_letter_on"] = "Le courrier de l'ARS ne peut pas précéder la transmission."
    elif letter_on > timezone.localdate():
        errors["ars_letter_on"] = "La date du courrier ne peut pas être dans le futur."
    if not (observations or "").strip():
        errors["ars_observations"] = "Indiquez les observations de l'ARS."
    if errors:
        raise ValidationError(errors)
    review.ars_letter_on = letter_on
    review.ars_observations = observations.strip()
    review.status = ReviewStatus.CLOSED
    review.save(
        update_fields=["ars_letter_on", "ars_observations", "status", "updated_at", "updated_by"]
    )
    record_event(review, "ars_letter_recorded", year=year, letter_on=letter_on.isoformat())
    return review


VERBS = {
    "contract_created": "CPOM créé",
    "contract_updated": "CPOM modifié",
    "objective_added": "Objectif ajouté",
    "objective_updated": "Objectif modifié",
    "objective_moved": "Objectif déplacé",
    "indicator_added": "Indicateur ajouté",
    "indicator_updated": "Indicateur modifié",
    "indicator_moved": "Indicateur déplacé",
    "targets_changed": "Cibles modifiées",
    "review_saved": "Revue annuelle enregistrée",
    "review_sent": "Revue annuelle transmise à l'ARS",
    "ars_letter_recorded": "Observations de l'ARS enregistrées",
}


def register() -> None:
    """Called once from ReportingConfig.ready(): the scope of `contract`, the events' wording."""
    from appui.core.models import VERB_LABELS

    VERB_LABELS.update(VERBS)
