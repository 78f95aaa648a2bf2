"""PPCS: persons with a plan in force, plans validated by the médecin traitant, reassessments.

A share's drill-down takes the key "numerator" for the rows counted above the line, "missing"
for the rows of the denominator not in the numerator, and no key for the whole denominator.
"""

import datetime

from django.db.models import Count, Q

from appui.care.enums import AssessmentStatus
from appui.care.models import CareEpisode, CarePlanVersion
from appui.persons.models import Person

from .activity import episodes_followed
from .base import (
    Definition,
    Drilldown,
    Indicator,
    Kind,
    Measure,
    Period,
    by_group,
    grouped,
    register,
)

NUMERATOR, MISSING = "numerator", "missing"


def one_year_before(day: datetime.date) -> datetime.date:
    """The same day a year earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _share_rows(denominator, numerator, key):
    """Drill-down of a share over persons: the denominator, its numerator, or the rest."""
    if key == NUMERATOR:
        return denominator.filter(pk__in=numerator)
    if key == MISSING:
        return denominator.exclude(pk__in=numerator)
    return denominator


def _persons(episodes):
    return Person.objects.filter(pk__in=episodes.values("person_id")).order_by(
        "birth_name", "first_name", "pk"
    )


# --- Accompanied persons with a PPCS in force ---------------------------------------------------


def plan_in_force(period: Period, prefix: str = "care_plan__versions__") -> Q:
    """A PPCS version in force at least one day of the period (as a lookup from an episode)."""
    return Q(**{f"{prefix}activated_on__lte": period.end}) & (
        Q(**{f"{prefix}superseded_on__isnull": True})
        | Q(**{f"{prefix}superseded_on__gte": period.start})
    )


def _share_active_ppcs(dac_ids, period, pooled):
    rows = grouped(episodes_followed(dac_ids, period), pooled).annotate(
        den=Count("person_id", distinct=True),
        num=Count("person_id", distinct=True, filter=plan_in_force(period)),
    )
    return by_group(rows, lambda r: Measure.share(r["num"], r["den"]))


def _share_active_ppcs_rows(dac, period, key):
    followed = episodes_followed([dac.pk], period)
    with_plan = followed.filter(plan_in_force(period)).values("person_id")
    return _share_rows(_persons(followed), with_plan, key)


register(
    Indicator(
        code="share_active_ppcs",
        label="Part des personnes accompagnées ayant un PPCS en vigueur",
        section="ppcs",
        unit="%",
        kind=Kind.SHARE,
        definition=Definition(
            numerator="Personnes de la file active dont un accompagnement suivi pendant la "
            "période a eu un PPCS en vigueur au moins un jour de la période (une version entrée "
            "en vigueur au plus tard le dernier jour de la période et pas remplacée avant son "
            "premier jour).",
            denominator="File active : personnes distinctes accompagnées au moins un jour "
            "pendant la période.",
            period="Accompagnement et PPCS en vigueur au moins un jour de la période.",
            inclusion="Un PPCS entre en vigueur quand il est validé par le médecin traitant et "
            "que la personne a donné son accord ; un brouillon ou un PPCS soumis ne compte pas. "
            "Les personnes incluses peu avant la fin de la période, qui n'ont pas encore de "
            "PPCS, sont au dénominateur.",
        ),
        compute=_share_active_ppcs,
        drilldown=Drilldown("person", _share_active_ppcs_rows, "Personnes de la file active"),
    )
)


# --- PPCS validated by the médecin traitant -----------------------------------------------------


def versions_sent_to_gp(dac_ids, period: Period):
    """PPCS versions submitted to the médecin traitant during the period; a version recorded
    without a submission date counts on the day it came into force."""
    return CarePlanVersion.objects.filter(plan__episode__dac_id__in=dac_ids).filter(
        Q(submitted_at__gte=period.start_datetime(), submitted_at__lt=period.end_datetime())
        | Q(
            submitted_at__isnull=True,
            activated_on__gte=period.start,
            activated_on__lte=period.end,
        )
    )


def gp_validated(period: Period) -> Q:
    return Q(gp_validated_on__isnull=False, gp_validated_on__lte=period.end)


def _share_ppcs_gp_validated(dac_ids, period, pooled):
    rows = grouped(versions_sent_to_gp(dac_ids, period), pooled, "plan__episode__dac_id").annotate(
        den=Count("pk"), num=Count("pk", filter=gp_validated(period))
    )
    return by_group(rows, lambda r: Measure.share(r["num"], r["den"]))


def _share_ppcs_gp_validated_rows(dac, period, key):
    versions = versions_sent_to_gp([dac.pk], period)
    if key == NUMERATOR:
        versions = versions.filter(gp_validated(period))
    elif key == MISSING:
        versions = versions.exclude(gp_validated(period))
    return CareEpisode.objects.filter(
        pk__in=versions.order_by().values("plan__episode_id")
    ).order_by("opened_on", "pk")


register(
    Indicator(
        code="share_ppcs_gp_validated",
        label="Part des PPCS validés par le médecin traitant",
        section="ppcs",
        unit="%",
        kind=Kind.SHARE,
        definition=Definition(
            numerator="Versions de PPCS de l'un ou l'autre dénominateur validées par le médecin "
            "traitant au plus tard le dernier jour de la période.",
            denominator="Versions de PPCS soumises au médecin traitant pendant la période (une "
            "première version comme une révision) ; une version enregistrée sans date de "
            "soumission compte à la date de son entrée en vigueur.",
            period="Date de soumission au médecin traitant.",
            inclusion="Une version reprise en brouillon avant validation ne compte qu'à sa "
            "nouvelle soumission. Une version soumise en fin de période et validée après "
            "compte comme non validée pour cette période. Dans Appui un PPCS n'entre en vigueur "
            "qu'après la validation du médecin traitant : c'est pourquoi le dénominateur compte "
            "les versions soumises, pas seulement celles en vigueur.",
        ),
        compute=_share_ppcs_gp_validated,
        drilldown=Drilldown(
            "care", _share_ppcs_gp_validated_rows, "Accompagnements aux PPCS soumis"
        ),
    )
)


# --- Persons reassessed within 12 months --------------------------------------------------------


def followed_a_year(dac_ids, period: Period):
    """Episodes still open after the period (not closed by its last day), opened at least a
    year before its last day."""
    return CareEpisode.objects.filter(
        dac_id__in=dac_ids, opened_on__lte=one_year_before(period.end)
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))


def reassessed(period: Period, prefix: str = "assessments__") -> Q:
    """A completed assessment in the twelve months ending on the last day of the period."""
    return Q(
        **{
            f"{prefix}status": AssessmentStatus.COMPLETED,
            f"{prefix}assessed_on__gt": one_year_before(period.end),
            f"{prefix}assessed_on__lte": period.end,
        }
    )


def _share_reassessed(dac_ids, period, pooled):
    rows = grouped(followed_a_year(dac_ids, period), pooled).annotate(
        den=Count("person_id", distinct=True),
        num=Count("person_id", distinct=True, filter=reassessed(period)),
    )
    return by_group(rows, lambda r: Measure.share(r["num"], r["den"]))


def _share_reassessed_rows(dac, period, key):
    followed = followed_a_year([dac.pk], period)
    done = followed.filter(reassessed(period)).values("person_id")
    return _share_rows(_persons(followed), done, key)


register(
    Indicator(
        code="share_reassessed_12_months",
        label="Part des personnes réévaluées dans les 12 mois",
        section="ppcs",
        unit="%",
        kind=Kind.SHARE,
        definition=Definition(
            numerator="Personnes du dénominateur dont l'accompagnement a au moins une "
            "évaluation terminée datée des douze mois qui finissent le dernier jour de la "
            "période (pour l'année 2025 : du 01/01/2025 au 31/12/2025).",
            denominator="Personnes accompagnées depuis au moins un an à la fin de la période : "
            "accompagnement toujours en cours (pas clos au plus tard le dernier jour de la "
            "période) et ouvert au plus tard le même jour un an plus tôt (pour l'année 2025 : "
            "ouvert au plus tard le 31/12/2024, pas clos au 31/12/2025).",
            period="Situation au dernier jour de la période.",
            inclusion="Les personnes sorties pendant la période ne comptent pas. Un "
            "accompagnement rouvert compte depuis sa réouverture, avec ses propres évaluations. "
            "Les évaluations en cours de saisie ne comptent pas.",
        ),
        compute=_share_reassessed,
        drilldown=Drilldown(
            "person", _share_reassessed_rows, "Personnes accompagnées depuis plus d'un an"
        ),
    )
)
