"""Unmet needs of the territory (besoins non couverts), by theme and by commune."""

from django.db.models import CharField, Count, F, Value
from django.db.models.functions import Cast, Coalesce

from appui.directory.enums import theme_label
from appui.directory.models import UnmetNeed
from appui.territory.models import Commune

from .base import (
    Definition,
    Drilldown,
    Indicator,
    Kind,
    Measure,
    Period,
    by_group_and_key,
    grouped,
    register,
)

NO_COMMUNE = "none"

PERIOD = "Date à laquelle le besoin a été constaté."
INCLUSION = (
    "Besoins enregistrés par le DAC (depuis une recherche dans le répertoire ou une réponse à une "
    "demande) ; un besoin archivé (saisi par erreur) n'est pas compté. Chaque constat compte, "
    "même répété pour la même thématique et la même commune."
)


def unmet_needs(dac_ids, period: Period):
    """The DACs' unmet needs noted in the period (archived ones are left out by the manager)."""
    return UnmetNeed.objects.filter(
        dac_id__in=dac_ids, noted_on__gte=period.start, noted_on__lte=period.end
    )


def _by_theme(dac_ids, period, pooled):
    rows = grouped(unmet_needs(dac_ids, period), pooled, key=F("theme")).annotate(n=Count("pk"))
    return by_group_and_key(rows, lambda r: Measure.count(r["n"]))


def _theme_labels(keys):
    return sorted(((k, theme_label(k)) for k in set(keys)), key=lambda kl: kl[1].lower())


def _by_theme_rows(dac, period, key):
    needs = unmet_needs([dac.pk], period)
    return (needs.filter(theme=key) if key else needs).select_related("commune")


register(
    Indicator(
        code="unmet_needs_by_theme",
        label="Besoins non couverts par thématique",
        section="territory",
        unit="besoins",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Besoins non couverts constatés pendant la période (aucune ressource du "
            "territoire ne convenait), selon leur thématique.",
            period=PERIOD,
            inclusion=INCLUSION,
        ),
        compute=_by_theme,
        breakdown=_theme_labels,
        drilldown=Drilldown("unmet_need", _by_theme_rows, "Besoins non couverts"),
    )
)


def _by_commune(dac_ids, period, pooled):
    commune = Coalesce(Cast("commune_id", CharField()), Value(NO_COMMUNE))
    rows = grouped(unmet_needs(dac_ids, period), pooled, key=commune).annotate(n=Count("pk"))
    return by_group_and_key(rows, lambda r: Measure.count(r["n"]))


def _commune_labels(keys):
    keys = set(keys)
    ids = [int(k) for k in keys if str(k).isdigit()]
    labels = [(str(c.pk), f"{c.name} ({c.insee_code})") for c in Commune.objects.filter(pk__in=ids)]
    labels.sort(key=lambda kl: kl[1].lower())
    if NO_COMMUNE in keys:
        labels.append((NO_COMMUNE, "Commune non précisée"))
    return labels


def _by_commune_rows(dac, period, key):
    needs = unmet_needs([dac.pk], period)
    if key == NO_COMMUNE:
        needs = needs.filter(commune__isnull=True)
    elif key and str(key).isdigit():
        needs = needs.filter(commune_id=int(key))
    return needs.select_related("commune")


register(
    Indicator(
        code="unmet_needs_by_commune",
        label="Besoins non couverts par commune",
        section="territory",
        unit="besoins",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Besoins non couverts constatés pendant la période, selon la commune où "
            "le besoin se présente.",
            period=PERIOD,
            inclusion=INCLUSION + " Un besoin sans commune est compté à part.",
        ),
        compute=_by_commune,
        breakdown=_commune_labels,
        drilldown=Drilldown("unmet_need", _by_commune_rows, "Besoins non couverts"),
    )
)
