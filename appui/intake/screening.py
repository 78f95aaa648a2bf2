"""The complexity screening grid (PRODUCT §5, seed 002 fiche O1, LMSS art. 74) and the intensity
level it suggests. The decision stays human: the suggestion pre-fills the answer, nothing more.

The legal test: the person's health state, handicap or social situation requires **several
categories** of health, social or medico-social professionals. The criteria below are indicative;
they are grouped as medical, psycho-social and context, and some carry a time profile:
*acute* (a short-term factor: a hospital discharge, a sudden break in the situation) or
*lasting* (a situation unstable for months, a pathology intertwined with dependency).

Suggestion rules, applied in this order (the first that matches gives the level):

1. **Urgence** — the request is urgent and the screening shows complexity (the legal test or at
   least one criterion): immediate analysis and answer, reassessment at 24 h and 48 h.
2. **Niveau 0 — veille** — the legal test is not met and no criterion is present.
3. **Niveau 1 — signalement d'un risque** — criteria are present but the legal test is not met:
   a risk to anticipate with the actors and watch with the GP, without complexity.
4. **Niveau 2 — complexe à court terme** — the legal test is met and an acute factor is present
   (e.g. a hospital discharge): the complexity is expected to resolve within weeks.
5. **Niveau 3 — complexe à long terme** — the legal test is met and the situation is lasting:
   a lasting criterion is present, or at least `MANY_CRITERIA` criteria, or criteria in all
   three groups.
6. **Niveau 2 — complexe à court terme** — the legal test is met, otherwise.

The screening is *positive* (situation complexe) when the legal test is met.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from appui.core.models import record_event
from appui.core.permissions import require

from .enums import IntensityLevel, Urgency
from .models import ComplexityScreening, SupportRequest
from .workflow import IN_TRIAGE, lock_request


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    group: str
    acute: bool = False
    lasting: bool = False


GROUPS: dict[str, str] = {
    "medical": "Critères médicaux",
    "psycho_social": "Critères psycho-sociaux",
    "context": "Contexte de vie",
}

CRITERIA: dict[str, Criterion] = {
    c.code: c
    for c in [
        Criterion("several_pathologies", "Plusieurs pathologies et/ou plusieurs ALD", "medical"),
        Criterion("severity", "Gravité de l'état de santé", "medical"),
        Criterion(
            "unstable", "État de santé instable depuis plusieurs mois", "medical", lasting=True
        ),
        Criterion(
            "repeated_hospitalisations",
            "Hospitalisations répétées pour le même problème",
            "medical",
        ),
        Criterion(
            "hospital_discharge",
            "Sortie d'hospitalisation récente ou imminente",
            "medical",
            acute=True,
        ),
        Criterion("low_care_use", "Faible recours aux soins", "psycho_social"),
        Criterion("isolation", "Isolement ou vulnérabilité sociale", "psycho_social"),
        Criterion("unsuitable_practices", "Pratiques de santé inadaptées", "psycho_social"),
        Criterion(
            "intertwined_dependency",
            "Pathologie intriquée à une dépendance nécessitant plusieurs intervenants",
            "psycho_social",
            lasting=True,
        ),
        Criterion("autonomy_loss", "Perte d'autonomie", "context"),
        Criterion("carer_exhausted", "Aidant·e épuisé·e ou absent·e", "context"),
        Criterion(
            "sudden_break",
            "Rupture brutale de l'organisation (aidant·e hospitalisé·e, perte du logement…)",
            "context",
            acute=True,
        ),
        Criterion("housing", "Logement inadapté ou précaire", "context"),
        Criterion("finances", "Difficultés financières", "context"),
        Criterion("rights_not_opened", "Droits non ouverts", "context"),
    ]
}

#: From this number of criteria, a positive screening suggests the long term.
MANY_CRITERIA = 5

LEGAL_TEST_LABEL = (
    "La situation nécessite l'intervention de plusieurs catégories de professionnels "
    "(sanitaires, sociaux ou médico-sociaux)"
)


def group_choices(group: str) -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in CRITERIA.values() if c.group == group]


def criteria_by_group(codes) -> list[tuple[str, list[str]]]:
    """The labels of the criteria present, by group (for display)."""
    result = []
    for group, label in GROUPS.items():
        labels = [CRITERIA[c].label for c in codes if c in CRITERIA and CRITERIA[c].group == group]
        if labels:
            result.append((label, labels))
    return result


@dataclass
class Suggestion:
    level: str
    is_positive: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return IntensityLevel(self.level).label


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def suggest_level(criteria, several_categories: bool, urgent: bool = False) -> Suggestion:
    """The intensity level the grid suggests, with its reasons in French (module docstring)."""
    present = [CRITERIA[c] for c in dict.fromkeys(criteria) if c in CRITERIA]
    count = len(present)
    positive = bool(several_categories)
    reasons = []
    if positive:
        reasons.append(
            "Plusieurs catégories de professionnels sont nécessaires : la situation est complexe "
            "au sens de la loi."
        )
    if urgent and (positive or present):
        reasons.append(
            "Demande urgente avec des éléments de complexité : analyse et réponse immédiates, "
            "réévaluation à 24 h et à 48 h."
        )
        return Suggestion(IntensityLevel.URGENT, positive, reasons)
    if not positive:
        if not present:
            reasons.append("Aucun critère de complexité relevé : veille.")
            return Suggestion(IntensityLevel.WATCH, False, reasons)
        reasons.append(
            f"{_plural(count, 'critère')} présent{'s' if count > 1 else ''} sans besoin de "
            "plusieurs catégories de professionnels : un risque à signaler et à surveiller avec "
            "le médecin traitant."
        )
        return Suggestion(IntensityLevel.RISK, False, reasons)
    acute = [c.label.lower() for c in present if c.acute]
    if acute:
        reasons.append(
            "Facteur aigu ou de court terme (" + ", ".join(acute) + ") : une complexité à "
            "résoudre dans les semaines qui viennent."
        )
        return Suggestion(IntensityLevel.SHORT_TERM, True, reasons)
    lasting = [c.label.lower() for c in present if c.lasting]
    groups = {c.group for c in present}
    if lasting:
        reasons.append("Situation durable (" + ", ".join(lasting) + ").")
    if count >= MANY_CRITERIA:
        reasons.append(f"{_plural(count, 'critère')} présents (seuil : {MANY_CRITERIA}).")
    if len(groups) == len(GROUPS):
        reasons.append("Des critères médicaux, psycho-sociaux et de contexte à la fois.")
    if lasting or count >= MANY_CRITERIA or len(groups) == len(GROUPS):
        return Suggestion(IntensityLevel.LONG_TERM, True, reasons)
    reasons.append(
        f"{_plural(count, 'critère')} sans facteur durable : complexité à court terme."
        if count
        else "Aucun critère indicatif coché : complexité à court terme, à justifier."
    )
    return Suggestion(IntensityLevel.SHORT_TERM, True, reasons)


@transaction.atomic
def record_screening(
    membership, request: SupportRequest, criteria, several_categories: bool, justification: str
) -> ComplexityScreening:
    """Fill the grid for a request's person: store the criteria and the suggested level."""
    require(membership, "support_request", "change", request)
    locked = lock_request(request)
    errors = {}
    unknown = [c for c in criteria if c not in CRITERIA]
    if unknown:
        errors["criteria"] = "Critère inconnu : " + ", ".join(unknown) + "."
    if locked.status not in IN_TRIAGE:
        raise ValidationError(
            f"Une demande « {locked.get_status_display().lower()} » ne se repère plus : "
            "la suite se fait dans l'accompagnement."
        )
    if locked.person_id is None:
        raise ValidationError(
            "Identifiez d'abord la personne concernée : le repérage est rangé dans son dossier."
        )
    justification = (justification or "").strip()
    if several_categories and not justification:
        errors["justification"] = (
            "Justifiez en quelques mots pourquoi plusieurs catégories de professionnels sont "
            "nécessaires."
        )
    if errors:
        raise ValidationError(errors)
    codes = list(dict.fromkeys(criteria))
    suggestion = suggest_level(codes, several_categories, locked.urgency == Urgency.URGENT)
    screening = ComplexityScreening.objects.create(
        request=locked,
        person_id=locked.person_id,
        criteria=codes,
        several_categories=bool(several_categories),
        justification=justification,
        is_positive=suggestion.is_positive,
        suggested_level=suggestion.level,
        suggestion_reasons=suggestion.reasons,
        screened_at=timezone.now(),
        created_by=membership.user,
    )
    record_event(
        locked,
        "screened",
        actor=membership.user,
        screening=screening.pk,
        positive=suggestion.is_positive,
        level=suggestion.level,
    )
    return screening
