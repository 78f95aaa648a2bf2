"""Costs and prestations: derogatory services paid, the cost per person followed, and the
prestations by complexity level (IGAS: a payment per case according to its complexity)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, FloatField, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf

from appui.intake.enums import IntensityLevel
from appui.intake.models import SupportRequest

from ..enums import DerogatoryKind
from ..models import DacBudget, DerogatoryService
from .activity import episodes_followed, file_active_rows
from .base import (
    POOLED,
    Definition,
    Drilldown,
    Indicator,
    Kind,
    Measure,
    Period,
    by_group,
    by_group_and_key,
    grouped,
    register,
)

CENT = Decimal("0.01")


def _euros(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT, ROUND_HALF_UP)


# --- Derogatory services ------------------------------------------------------------------------


def derogatory_services(dac_ids, period: Period):
    """Services paid by the DACs, provided in the period, not cancelled."""
    return DerogatoryService.objects.filter(
        dac_id__in=dac_ids,
        cancelled_at__isnull=True,
        provided_on__gte=period.start,
        provided_on__lte=period.end,
    )


def _services_rows(dac, period, key):
    services = derogatory_services([dac.pk], period)
    if key:
        services = services.filter(kind=key)
    return services.select_related("person").order_by("provided_on", "pk")


SERVICES_PERIOD = "Date à laquelle la prestation a été réalisée."
SERVICES_INCLUSION = (
    "Prestations payées par le DAC hors nomenclature de l'Assurance maladie (psychologue, "
    "diététicien·ne, ergothérapeute…) ; une prestation annulée n'est pas comptée. Une prestation "
    "de plusieurs séances compte pour une."
)


def _services_count(dac_ids, period, pooled):
    rows = grouped(derogatory_services(dac_ids, period), pooled).annotate(n=Count("pk"))
    return by_group(rows, lambda r: Measure.count(r["n"]))


register(
    Indicator(
        code="derogatory_services_count",
        label="Prestations dérogatoires payées",
        section="costs",
        unit="prestations",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Prestations dérogatoires réalisées pendant la période.",
            period=SERVICES_PERIOD,
            inclusion=SERVICES_INCLUSION,
        ),
        compute=_services_count,
        drilldown=Drilldown("derogatory_service", _services_rows, "Prestations dérogatoires"),
    )
)


def _services_amount(dac_ids, period, pooled):
    rows = grouped(derogatory_services(dac_ids, period), pooled).annotate(total=Sum("amount"))
    return by_group(rows, lambda r: Measure(_euros(r["total"])))


register(
    Indicator(
        code="derogatory_services_amount",
        label="Montant des prestations dérogatoires",
        section="costs",
        unit="€",
        kind=Kind.AMOUNT,
        definition=Definition(
            numerator="Somme des montants payés pour les prestations dérogatoires réalisées "
            "pendant la période, en euros.",
            period=SERVICES_PERIOD,
            inclusion=SERVICES_INCLUSION,
        ),
        compute=_services_amount,
        drilldown=Drilldown("derogatory_service", _services_rows, "Prestations dérogatoires"),
    )
)


def _amount_by_kind(dac_ids, period, pooled):
    rows = grouped(derogatory_services(dac_ids, period), pooled, key=F("kind")).annotate(
        total=Sum("amount"), n=Count("pk")
    )
    return by_group_and_key(rows, lambda r: Measure(_euros(r["total"]), r["n"]))


register(
    Indicator(
        code="derogatory_services_by_kind",
        label="Montant des prestations dérogatoires par type",
        section="costs",
        unit="€",
        kind=Kind.AMOUNT,
        definition=Definition(
            numerator="Somme des montants payés pour les prestations dérogatoires réalisées "
            "pendant la période, en euros, selon le type de prestation (le nombre de prestations "
            "accompagne chaque montant).",
            period=SERVICES_PERIOD,
            inclusion=SERVICES_INCLUSION,
        ),
        compute=_amount_by_kind,
        breakdown=lambda keys: list(DerogatoryKind.choices),
        drilldown=Drilldown("derogatory_service", _services_rows, "Prestations dérogatoires"),
    )
)


# --- Cost per person followed -------------------------------------------------------------------


def _year_shares(period: Period) -> list[tuple[int, int, int]]:
    """(year, days of the period in that year, days of that year) for each year the period
    touches."""
    shares = []
    for year in range(period.start.year, period.end.year + 1):
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        overlap = (min(last, period.end) - max(first, period.start)).days + 1
        shares.append((year, overlap, (last - first).days + 1))
    return shares


def prorated_budgets(dac_ids, period: Period, pooled: bool) -> dict:
    """{group: (budget prorated to the period, number of yearly budgets found)}: each year's
    operating budget weighted by the share of that year's days inside the period — in SQL."""
    shares = _year_shares(period)
    # In floating point on both databases (SQLite would divide integers); rounded to the cent.
    weighted = Case(
        *[
            When(
                year=year,
                then=Cast("amount", FloatField()) * Value(float(days)) / Value(float(total)),
            )
            for year, days, total in shares
        ],
        default=Value(0.0),
        output_field=FloatField(),
    )
    budgets = DacBudget.objects.filter(dac_id__in=dac_ids, year__in=[s[0] for s in shares])
    rows = grouped(budgets, pooled).annotate(total=Sum(weighted), n=Count("pk"))
    return {r["group"]: (_euros(r["total"]), r["n"]) for r in rows}


def _cost_per_person(dac_ids, period, pooled):
    years = len(_year_shares(period))
    expected = years * (len(set(dac_ids)) if pooled else 1)
    budgets = prorated_budgets(dac_ids, period, pooled)
    persons = dict(
        grouped(episodes_followed(dac_ids, period), pooled)
        .annotate(n=Count("person_id", distinct=True))
        .values_list("group", "n")
    )
    figures = {}
    for group in [POOLED] if pooled else dac_ids:  # one figure per DAC, not per row
        budget, found = budgets.get(group, (None, 0))
        n = persons.get(group, 0)
        if found < expected:
            figures[group] = Measure(None, None, n)
        else:
            figures[group] = Measure.ratio(budget, n, "0.01")
    return figures


register(
    Indicator(
        code="cost_per_person",
        label="Coût par personne suivie",
        section="costs",
        unit="€",
        kind=Kind.MEAN,
        definition=Definition(
            numerator="Budget de fonctionnement du DAC pour la période, en euros (hors "
            "enveloppe des prestations dérogatoires). Pour une période qui n'est pas une année "
            "civile, le budget de chaque année est compté au prorata des jours de la période "
            "dans cette année (ex. : du 1er juillet au 31 décembre d'une année de 365 jours = "
            "184/365 du budget annuel).",
            denominator="File active de la période : personnes distinctes accompagnées au moins "
            "un jour.",
            period="Année ou période choisie.",
            inclusion="Pas de valeur si le budget d'une des années couvertes n'est pas saisi ; "
            "pour plusieurs DAC ensemble : somme des budgets rapportée à la somme des personnes "
            "distinctes.",
        ),
        compute=_cost_per_person,
        drilldown=Drilldown("person", file_active_rows, "Personnes de la file active"),
    )
)


# --- Prestations by complexity level ------------------------------------------------------------

NOT_GRADED = "not_graded"


def answered_requests(dac_ids, period: Period):
    """Requests whose first answer was given in the period."""
    return SupportRequest.objects.filter(
        dac_id__in=dac_ids,
        first_answered_at__gte=period.start_datetime(),
        first_answered_at__lt=period.end_datetime(),
    )


def _prestations_by_level(dac_ids, period, pooled):
    level = Coalesce(NullIf(F("level"), Value("")), Value(NOT_GRADED))
    rows = grouped(answered_requests(dac_ids, period), pooled, key=level).annotate(n=Count("pk"))
    return by_group_and_key(rows, lambda r: Measure.count(r["n"]))


def _prestations_rows(dac, period, key):
    requests = answered_requests([dac.pk], period)
    if key == NOT_GRADED:
        requests = requests.filter(Q(level="") | Q(level__isnull=True))
    elif key:
        requests = requests.filter(level=key)
    return requests.order_by("first_answered_at", "pk")


register(
    Indicator(
        code="prestations_by_level",
        label="Prestations par niveau de complexité",
        section="costs",
        unit="prestations",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Demandes d'appui ayant reçu leur première réponse pendant la période, "
            "selon le niveau d'intensité retenu à l'analyse de la demande (veille, risque, "
            "complexe à court terme, complexe à long terme, urgence ; « non gradué » si aucun "
            "niveau n'a été retenu). Une demande traitée = une prestation, quel que soit le "
            "nombre de réponses apportées (base d'un paiement au cas selon la complexité).",
            period="Date de la première réponse (heure de Paris).",
            inclusion="Toutes les réponses (information, orientation, appui ponctuel, "
            "accompagnement, gestion de cas…) ; une demande supprimée comme doublon n'est pas "
            "comptée. Le suivi des personnes accompagnées se lit dans « Personnes de la file "
            "active par niveau d'intensité ».",
        ),
        compute=_prestations_by_level,
        breakdown=lambda keys: [
            *IntensityLevel.choices,
            *([(NOT_GRADED, "Non gradué")] if NOT_GRADED in set(keys) else []),
        ],
        drilldown=Drilldown("support_request", _prestations_rows, "Demandes traitées"),
    )
)
