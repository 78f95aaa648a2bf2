"""The yearly quality self-assessment: the ISQ's ten yes/no items (seed 002, fiche L1).

The ISQ (indice synthétique de qualité) was built for the health networks the DACs took over; its
ten items fall in four groups — objectives set by the funding agreement (2), care of the persons
(6), participation of the actors (1), organisation (1). Each "yes" scores 1, a "no" or no answer
0: the score is between 0 and 10. The items are worded here for a DAC today (the CPOM replaces the
funding agreement, the PPCS the PPS, the dossier de coordination the network's patient record).

Four items can be answered from the recorded facts; their `prefill` function returns what the data
says (`DataCheck`: a French note, and a suggested "yes" only when the item's documented threshold
is met). Each is one aggregate query — no loop over rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from appui.care.enums import AssessmentStatus
from appui.care.models import Assessment, CareEpisode, CarePlanVersion
from appui.core.models import record_event
from appui.core.permissions import require, scope

from .indicators.activity import episodes_followed
from .indicators.base import Period
from .indicators.quality import adverse_events
from .models import QualityAnswer, QualityAssessment


@dataclass(frozen=True)
class DataCheck:
    """What the data says about an item: the note shown (and kept with the answer), and the
    suggested answer (True when the threshold is met, None to let the director decide)."""

    note: str
    suggested: bool | None
    numerator: int = 0
    denominator: int = 0


@dataclass(frozen=True)
class Item:
    code: str
    group: str
    label: str
    hint: str = ""
    prefill: Callable[[int, int], DataCheck] | None = None
    threshold: str = ""  # how the suggestion is decided, in French (shown under the item)


GROUPS = [
    ("agreement", "Objectifs fixés par le CPOM"),
    ("care", "Accompagnement des personnes"),
    ("actors", "Participation et intégration des acteurs"),
    ("organisation", "Organisation et fonctionnement du DAC"),
]


def _pct(numerator: int, denominator: int) -> str:
    value = (Decimal(100) * numerator / denominator).quantize(Decimal("1"), ROUND_HALF_UP)
    return f"{value}\u00a0%"


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def ppcs_share(dac_id: int, year: int) -> DataCheck:
    """Persons of the year's file active with a PPCS validated by the GP (then in force) on an
    accompaniment followed that year, by 31 December. Threshold: 100 % (the ISQ's wording)."""
    _, end = _year_bounds(year)
    validated = CarePlanVersion.objects.filter(
        plan__episode=OuterRef("pk"), gp_validated_on__lte=end
    )
    row = (
        episodes_followed([dac_id], Period.year(year))
        .annotate(has_ppcs=Exists(validated))
        .aggregate(
            persons=Count("person_id", distinct=True),
            with_ppcs=Count("person_id", distinct=True, filter=Q(has_ppcs=True)),
        )
    )
    persons, with_ppcs = row["persons"] or 0, row["with_ppcs"] or 0
    if not persons:
        return DataCheck(f"Aucune personne dans la file active {year}.", None)
    note = (
        f"{_pct(with_ppcs, persons)} des personnes de la file active {year} ont un PPCS validé "
        f"ou en vigueur ({with_ppcs}/{persons})."
    )
    return DataCheck(note, True if with_ppcs == persons else None, with_ppcs, persons)


def reassessment_share(dac_id: int, year: int) -> DataCheck:
    """Persons accompanied for 12 months or more on 31 December (accompaniment opened on or
    before 31 December of the previous year and still open) who had a completed assessment in
    the last 12 months (during the year). A reopened accompaniment counts from its reopening.
    Threshold: 100 %."""
    start, end = _year_bounds(year)
    long_followed = CareEpisode.objects.filter(
        dac_id=dac_id, opened_on__lte=end.replace(year=year - 1)
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
    reassessed = Assessment.objects.filter(
        episode=OuterRef("pk"),
        status=AssessmentStatus.COMPLETED,
        assessed_on__gte=start,
        assessed_on__lte=end,
    )
    row = long_followed.annotate(reassessed=Exists(reassessed)).aggregate(
        persons=Count("person_id", distinct=True),
        done=Count("person_id", distinct=True, filter=Q(reassessed=True)),
    )
    persons, done = row["persons"] or 0, row["done"] or 0
    if not persons:
        return DataCheck(f"Aucune personne accompagnée depuis plus de 12 mois fin {year}.", None)
    note = (
        f"{_pct(done, persons)} des personnes accompagnées depuis plus de 12 mois fin {year} ont "
        f"été réévaluées dans l'année ({done}/{persons})."
    )
    return DataCheck(note, True if done == persons else None, done, persons)


def gp_validation_share(dac_id: int, year: int) -> DataCheck:
    """PPCS versions submitted to the médecin traitant during the year, and how many of them he
    or she validated (participation or validation, the ISQ's wording). Threshold: 100 %."""
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    row = CarePlanVersion.objects.filter(
        plan__episode__dac_id=dac_id, submitted_at__gte=start, submitted_at__lt=end
    ).aggregate(
        submitted=Count("pk"), validated=Count("pk", filter=Q(gp_validated_on__isnull=False))
    )
    submitted, validated = row["submitted"] or 0, row["validated"] or 0
    if not submitted:
        return DataCheck(f"Aucun PPCS soumis au médecin traitant en {year}.", None)
    note = (
        f"{_pct(validated, submitted)} des PPCS soumis au médecin traitant en {year} ont été "
        f"validés par lui ({validated}/{submitted})."
    )
    return DataCheck(note, True if validated == submitted else None, validated, submitted)


def adverse_events_followed(dac_id: int, year: int) -> DataCheck:
    """Adverse events recorded during the year, and how many have a corrective action (decided,
    and done). Suggests yes when events are recorded and every one has a corrective action."""
    with_action = ~Q(corrective_action="")
    row = adverse_events([dac_id], Period.year(year)).aggregate(
        events=Count("pk"),
        with_action=Count("pk", filter=with_action),
        done=Count("pk", filter=with_action & Q(corrective_action_done_on__isnull=False)),
    )
    events, acted, done = row["events"] or 0, row["with_action"] or 0, row["done"] or 0
    if not events:
        return DataCheck(
            f"Aucun événement indésirable recensé en {year} : le recensement est-il en place ?",
            None,
        )
    note = (
        f"{events} événement{'s' if events > 1 else ''} indésirable{'s' if events > 1 else ''} "
        f"recensé{'s' if events > 1 else ''} en {year}, {acted} avec une action corrective "
        f"({_pct(acted, events)}), dont {done} réalisée{'s' if done > 1 else ''}."
    )
    return DataCheck(note, True if acted == events else None, acted, events)


ITEMS: list[Item] = [
    Item(
        "information_system",
        "agreement",
        "Le système d'information du DAC respecte les exigences fixées par le CPOM "
        "(hébergement de données de santé, sécurité, interopérabilité avec les outils régionaux).",
    ),
    Item(
        "pooling",
        "agreement",
        "Les actions de mutualisation prévues au CPOM avec d'autres structures (établissements "
        "de santé, CPTS, CLIC, services sociaux…) sont mises en œuvre.",
    ),
    Item(
        "protocols",
        "care",
        "Des protocoles et référentiels d'accompagnement sont rédigés et tenus à jour, en "
        "cohérence avec ceux qui existent (HAS, INCa, sociétés savantes…).",
    ),
    Item(
        "protocol_checks",
        "care",
        "Des procédures vérifient l'application de ces protocoles.",
    ),
    Item(
        "phone_line",
        "care",
        "Une permanence téléphonique est assurée pour les professionnels, les personnes et "
        "leurs proches.",
    ),
    Item(
        "ppcs_for_all",
        "care",
        "Chaque personne accompagnée a un dossier de coordination et un PPCS (100 % de la file "
        "active).",
        prefill=ppcs_share,
        threshold="Oui proposé quand 100 % de la file active de l'année a un PPCS validé par le "
        "médecin traitant ou en vigueur au 31 décembre.",
    ),
    Item(
        "record_use_checks",
        "care",
        "Une procédure vérifie l'utilisation du dossier de coordination et du PPCS par les "
        "professionnels.",
    ),
    Item(
        "annual_reassessment",
        "care",
        "La situation de chaque personne est réévaluée au moins une fois par an.",
        prefill=reassessment_share,
        threshold="Oui proposé quand toutes les personnes accompagnées depuis plus de 12 mois au "
        "31 décembre ont une évaluation terminée datée de l'année.",
    ),
    Item(
        "gp_integration",
        "actors",
        "Le médecin traitant est intégré au PPCS pour 100 % des personnes (participation à son "
        "élaboration ou validation).",
        prefill=gp_validation_share,
        threshold="Oui proposé quand tous les PPCS soumis au médecin traitant dans l'année ont "
        "été validés par lui.",
    ),
    Item(
        "adverse_events",
        "organisation",
        "Les événements indésirables (hospitalisations non programmées, ruptures de prise en "
        "charge, sorties volontaires…) sont recensés, analysés et suivis, et les actions "
        "correctrices évaluées.",
        prefill=adverse_events_followed,
        threshold="Oui proposé quand des événements sont recensés dans l'année et que chacun a "
        "une action corrective.",
    ),
]
ITEMS_BY_CODE = {item.code: item for item in ITEMS}
MAX_SCORE = len(ITEMS)


def data_checks(dac_id: int, year: int) -> dict[str, DataCheck]:
    """What the data says for each item it can answer (one query per such item)."""
    return {item.code: item.prefill(dac_id, year) for item in ITEMS if item.prefill}


# --- Reading ----------------------------------------------------------------------------------


def history(membership) -> list[dict]:
    """One row per year assessed (newest first): score, answered items, completed or not (one
    query); the current year comes first even before it is started."""
    assessments = (
        scope(membership, "quality_assessment", "view", QualityAssessment.objects.all())
        .annotate(
            score=Count("answers", filter=Q(answers__answer=True)),
            answered=Count("answers", filter=Q(answers__answer__isnull=False)),
        )
        .select_related("completed_by")
        .order_by("-year")
    )
    rows = [{"year": a.year, "assessment": a, "score": a.score} for a in assessments]
    current = timezone.localdate().year
    if not any(row["year"] == current for row in rows):
        rows.insert(0, {"year": current, "assessment": None, "score": None})
    return rows


@dataclass
class ItemState:
    item: Item
    answer: bool | None
    evidence: str
    check: DataCheck | None


def assessment_for(membership, year: int) -> QualityAssessment | None:
    return (
        scope(membership, "quality_assessment", "view", QualityAssessment.objects.all())
        .filter(year=year)
        .select_related("completed_by")
        .first()
    )


def item_states(assessment: QualityAssessment | None, dac_id: int, year: int) -> list[ItemState]:
    """Each item with its saved answer, or — before the first save — the data's suggestion.
    A completed assessment shows the data notes as they were when saved."""
    saved = {a.item: a for a in assessment.answers.all()} if assessment else {}
    completed = assessment is not None and assessment.completed_at is not None
    checks = {} if completed else data_checks(dac_id, year)
    states = []
    for item in ITEMS:
        answer = saved.get(item.code)
        check = checks.get(item.code)
        if completed and answer and answer.data_note:
            check = DataCheck(answer.data_note, None)
        if answer is not None:
            states.append(ItemState(item, answer.answer, answer.evidence, check))
        else:
            states.append(ItemState(item, check.suggested if check else None, "", check))
    return states


def score(assessment: QualityAssessment) -> int:
    """The number of items answered yes (a no or no answer scores 0)."""
    return assessment.answers.filter(answer=True).count()


# --- Writing ----------------------------------------------------------------------------------


class AlreadyCompleted(Exception):
    pass


@transaction.atomic
def save_answers(
    membership, year: int, answers: dict[str, tuple[bool | None, str]], complete=False
):
    """Save the year's answers ({item code: (answer, evidence)}), with what the data says for
    the items it can answer; `complete` closes the assessment (then it is read-only)."""
    require(membership, "quality_assessment", "change")
    assessment, created = QualityAssessment.objects.select_for_update().get_or_create(
        dac_id=membership.organisation_id, year=year
    )
    if assessment.completed_at is not None:
        raise AlreadyCompleted
    checks = data_checks(membership.organisation_id, year)
    existing = {a.item: a for a in assessment.answers.all()}
    for item in ITEMS:
        answer, evidence = answers.get(item.code, (None, ""))
        note = checks[item.code].note if item.code in checks else ""
        row = existing.get(item.code)
        if row is None:
            QualityAnswer.objects.create(
                assessment=assessment,
                item=item.code,
                answer=answer,
                evidence=evidence,
                data_note=note[:300],
            )
        elif (row.answer, row.evidence, row.data_note) != (answer, evidence, note[:300]):
            row.answer, row.evidence, row.data_note = answer, evidence, note[:300]
            row.save(update_fields=["answer", "evidence", "data_note", "updated_at", "updated_by"])
    total = sum(1 for answer, _ in answers.values() if answer is True)
    record_event(assessment, "created" if created else "updated", year=year, score=total)
    if complete:
        assessment.completed_at = timezone.now()
        assessment.completed_by = membership.user
        assessment.save(update_fields=["completed_at", "completed_by", "updated_at", "updated_by"])
        record_event(assessment, "quality_assessment_completed", year=year, score=total)
    return assessment
