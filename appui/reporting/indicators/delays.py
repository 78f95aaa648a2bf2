"""Delays: from the request to the first answer, to the first assessment, to the first PPCS.

Each delay belongs to the period in which it ENDS (the first answer given, the first assessment
completed, the PPCS come into force during the period): the figure of a closed period no longer
moves, and a request received in December and answered in January counts in January.

The median and the 90th percentile are nearest-rank percentiles, computed in SQL with window
functions (ROW_NUMBER and COUNT over the DAC's partition): the p-th percentile of n sorted values
is the value of rank ⌈p × n / 100⌉ — for the median of an even number of values, the lower of
the two middle ones. The measure carries the number of values as its denominator.
"""

from django.db import connection
from django.db.models import F, Func, IntegerField, Min
from django.db.models.functions import TruncDate

from appui.care.enums import AssessmentStatus
from appui.care.models import Assessment, CarePlanVersion
from appui.intake.models import SupportRequest

from .base import (
    Definition,
    Drilldown,
    Figures,
    Indicator,
    Kind,
    Measure,
    Period,
    grouped,
    register,
)


class DaysBetween(Func):
    """Calendar days from `start` to `end` (two dates), as an integer on every database."""

    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def nearest_rank(values, percent: int) -> Figures:
    """The `percent`-th nearest-rank percentile of each group of `values` (a values() queryset
    with a `group` and an integer `v` column), and the number of values in the group."""
    inner, params = values.order_by().query.sql_with_params()
    group, value = connection.ops.quote_name("group"), connection.ops.quote_name("v")
    sql = (
        "SELECT grp, v, n FROM ("
        f" SELECT t.{group} AS grp, t.{value} AS v,"
        f" ROW_NUMBER() OVER (PARTITION BY t.{group} ORDER BY t.{value}) AS rn,"
        f" COUNT(*) OVER (PARTITION BY t.{group}) AS n"
        f" FROM ({inner}) t"
        f") ranked WHERE rn = ({int(percent)} * n + 99) / 100"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {grp: Measure(int(v), None, int(n)) for grp, v, n in rows}


# --- Request → first answer (working days, stored on the request) -------------------------------


def first_answers(dac_ids, period: Period):
    """Requests whose first answer was given during the period (with its working-day delay)."""
    return SupportRequest.objects.filter(
        dac_id__in=dac_ids,
        first_answered_at__gte=period.start_datetime(),
        first_answered_at__lt=period.end_datetime(),
        first_answer_delay_days__isnull=False,
    )


def _first_answer_values(dac_ids, period, pooled):
    return grouped(first_answers(dac_ids, period), pooled, v=F("first_answer_delay_days"))


def _first_answer_rows(dac, period, key):
    return first_answers([dac.pk], period).order_by("received_at", "pk")


# --- Request → first completed assessment of the episode it opened ------------------------------


def _completed_assessments(dac_ids, period: Period):
    """Completed assessments up to the end of the period, of episodes opened from a request (the
    first one of an episode falls in the period when the earliest of them does)."""
    return Assessment.objects.filter(
        status=AssessmentStatus.COMPLETED,
        assessed_on__lte=period.end,
        episode__dac_id__in=dac_ids,
        episode__request__isnull=False,
        episode__request__deleted_at__isnull=True,
    )


def _first_assessment_values(dac_ids, period, pooled):
    """One row per episode whose first completed assessment falls in the period."""
    return (
        grouped(
            _completed_assessments(dac_ids, period),
            pooled,
            "episode__dac_id",
            episode_key=F("episode_id"),
            received_at=F("episode__request__received_at"),
        )
        .annotate(
            first_on=Min("assessed_on"),
            v=DaysBetween(Min("assessed_on"), TruncDate("episode__request__received_at")),
        )
        .filter(first_on__gte=period.start)
    )


def _first_assessment_rows(dac, period, key):
    return SupportRequest.objects.filter(
        pk__in=_completed_assessments([dac.pk], period)
        .order_by()
        .values("episode__request_id")
        .annotate(first_on=Min("assessed_on"))
        .filter(first_on__gte=period.start)
        .values("episode__request_id")
    ).order_by("received_at", "pk")


# --- Request → first PPCS version in force for the episode it opened ----------------------------


def _versions_in_force(dac_ids, period: Period):
    """PPCS versions come into force up to the end of the period, of episodes opened from a
    request."""
    return CarePlanVersion.objects.filter(
        activated_on__isnull=False,
        activated_on__lte=period.end,
        plan__episode__dac_id__in=dac_ids,
        plan__episode__request__isnull=False,
        plan__episode__request__deleted_at__isnull=True,
    )


def _first_plan_values(dac_ids, period, pooled):
    """One row per episode whose first PPCS version came into force in the period."""
    return (
        grouped(
            _versions_in_force(dac_ids, period),
            pooled,
            "plan__episode__dac_id",
            episode_key=F("plan__episode_id"),
            received_at=F("plan__episode__request__received_at"),
        )
        .annotate(
            first_on=Min("activated_on"),
            v=DaysBetween(Min("activated_on"), TruncDate("plan__episode__request__received_at")),
        )
        .filter(first_on__gte=period.start)
    )


def _first_plan_rows(dac, period, key):
    return SupportRequest.objects.filter(
        pk__in=_versions_in_force([dac.pk], period)
        .order_by()
        .values("plan__episode__request_id")
        .annotate(first_on=Min("activated_on"))
        .filter(first_on__gte=period.start)
        .values("plan__episode__request_id")
    ).order_by("received_at", "pk")


# --- The catalogue entries ----------------------------------------------------------------------

ANSWER = Definition(
    numerator="Délai, en jours ouvrés, entre la réception d'une demande d'appui et la première "
    "réponse apportée au demandeur : ni les samedis, ni les dimanches, ni les jours fériés "
    "nationaux ne comptent (une demande reçue et répondue le même jour : 0 jour).",
    denominator="Les demandes dont la première réponse a été apportée pendant la période "
    "(leur nombre accompagne le chiffre).",
    period="Date de la première réponse : une demande reçue en décembre et répondue en janvier "
    "compte en janvier.",
    inclusion="Percentile au rang le plus proche : les délais sont triés et le p-ième percentile "
    "est celui de rang ⌈p × n / 100⌉ (la médiane d'un nombre pair de délais est le plus petit "
    "des deux délais du milieu). Les demandes supprimées comme doublons ne comptent pas.",
)

ASSESSMENT = Definition(
    numerator="Délai, en jours calendaires, entre la réception d'une demande d'appui et la "
    "première évaluation terminée de l'accompagnement ouvert à partir de cette demande (date "
    "de l'évaluation moins date de réception).",
    denominator="Les accompagnements ouverts à partir d'une demande dont la première "
    "évaluation terminée a eu lieu pendant la période (leur nombre accompagne le chiffre).",
    period="Date de la première évaluation terminée.",
    inclusion="Percentile au rang le plus proche (rang ⌈p × n / 100⌉ des délais triés). Les "
    "évaluations en cours de saisie ne comptent pas ; un accompagnement ouvert sans demande "
    "(ou rouvert sans nouvelle demande) n'a pas de délai et n'est pas compté.",
)

PLAN = Definition(
    numerator="Délai, en jours calendaires, entre la réception d'une demande d'appui et l'entrée "
    "en vigueur de la première version du PPCS de l'accompagnement ouvert à partir de cette "
    "demande. Un PPCS entre en vigueur quand il est validé par le médecin traitant et que la "
    "personne a donné son accord.",
    denominator="Les accompagnements ouverts à partir d'une demande dont le premier PPCS est "
    "entré en vigueur pendant la période (leur nombre accompagne le chiffre).",
    period="Date d'entrée en vigueur du premier PPCS.",
    inclusion="Percentile au rang le plus proche (rang ⌈p × n / 100⌉ des délais triés). Les "
    "PPCS en brouillon, soumis ou validés sans l'accord de la personne ne comptent pas.",
)


def _quantile(values, percent):
    return lambda dac_ids, period, pooled: nearest_rank(values(dac_ids, period, pooled), percent)


for code, label, unit, definition, values, rows, title in (
    (
        "delay_first_answer",
        "Délai entre la demande et la première réponse",
        "jours ouvrés",
        ANSWER,
        _first_answer_values,
        _first_answer_rows,
        "Demandes ayant reçu leur première réponse",
    ),
    (
        "delay_first_assessment",
        "Délai entre la demande et la première évaluation",
        "jours",
        ASSESSMENT,
        _first_assessment_values,
        _first_assessment_rows,
        "Demandes dont l'accompagnement a eu sa première évaluation",
    ),
    (
        "delay_first_ppcs",
        "Délai entre la demande et le premier PPCS en vigueur",
        "jours",
        PLAN,
        _first_plan_values,
        _first_plan_rows,
        "Demandes dont l'accompagnement a eu son premier PPCS",
    ),
):
    for suffix, prefix, percent in (("median", "Médiane", 50), ("p90", "90e percentile", 90)):
        register(
            Indicator(
                code=f"{code}_{suffix}",
                label=f"{label} ({prefix.lower() if suffix == 'median' else prefix})",
                section="delays",
                unit=unit,
                kind=Kind.QUANTILE,
                definition=definition,
                compute=_quantile(values, percent),
                drilldown=Drilldown("support_request", rows, title),
            )
        )
