"""Delays: from the request to the first answer, to the first assessment, to the first PPCS.

Each delay belongs to the period in which it ENDS (the first answer given, the first assessment
completed, the PPCS come into force during the period): the figure of a closed period no longer
moves, and a request received in December and answered in January counts in January.

The median and the 90th percentile are nearest-rank percentiles, computed in SQL with window
functions (ROW_NUMBER and COUNT over the DAC's partition): the p-th percentile of n sorted values
is the value of rank ⌈p × n / 100⌉ — for the median of an even number of values, the lower of
the two middle ones. The measure carries the number of values as its denominator.
"""

from dataclasses import dataclass

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


# --- Request → first assessment, first PPCS in force of the episode it opened ------------------


@dataclass(frozen=True)
class Milestone:
    """A step of the episode opened from a request: its rows (up to the end of the period, of
    episodes opened from a request), the path from a row to its episode, and the step's date."""

    model: type
    episode: str
    date: str
    filters: dict

    def rows(self, dac_ids, period: Period):
        return self.model.objects.filter(
            **self.filters,
            **{
                f"{self.date}__isnull": False,
                f"{self.date}__lte": period.end,
                f"{self.episode}__dac_id__in": dac_ids,
                f"{self.episode}__request__isnull": False,
                f"{self.episode}__request__deleted_at__isnull": True,
            },
        )

    def values(self, dac_ids, period, pooled):
        """One row per episode whose first such step falls in the period."""
        received = f"{self.episode}__request__received_at"
        return (
            grouped(
                self.rows(dac_ids, period),
                pooled,
                f"{self.episode}__dac_id",
                episode_key=F(f"{self.episode}_id"),
                received_at=F(received),
            )
            .annotate(first_on=Min(self.date), v=DaysBetween(Min(self.date), TruncDate(received)))
            .filter(first_on__gte=period.start)
        )

    def requests(self, dac, period, key):
        """The requests behind the figure."""
        request = f"{self.episode}__request_id"
        return SupportRequest.objects.filter(
            pk__in=self.rows([dac.pk], period)
            .order_by()
            .values(request)
            .annotate(first_on=Min(self.date))
            .filter(first_on__gte=period.start)
            .values(request)
        ).order_by("received_at", "pk")


#: Request → first completed assessment of the episode it opened.
FIRST_ASSESSMENT = Milestone(
    Assessment, "episode", "assessed_on", {"status": AssessmentStatus.COMPLETED}
)
#: Request → first PPCS version in force for the episode it opened.
FIRST_PLAN = Milestone(CarePlanVersion, "plan__episode", "activated_on", {})


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
        FIRST_ASSESSMENT.values,
        FIRST_ASSESSMENT.requests,
        "Demandes dont l'accompagnement a eu sa première évaluation",
    ),
    (
        "delay_first_ppcs",
        "Délai entre la demande et le premier PPCS en vigueur",
        "jours",
        PLAN,
        FIRST_PLAN.values,
        FIRST_PLAN.requests,
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
