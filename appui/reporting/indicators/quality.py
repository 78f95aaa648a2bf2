"""Adverse events in the pathways and the corrective actions decided."""

from django.db.models import Count, F, Q

from appui.care.enums import AdverseEventKind
from appui.care.models import AdverseEvent, CareEpisode

from .base import (
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

DAC_FIELD = "episode__dac_id"
WITH_ACTION = ~Q(corrective_action="")
ACTION_DONE = WITH_ACTION & Q(corrective_action_done_on__isnull=False)


def adverse_events(dac_ids, period: Period):
    """Adverse events of the DACs' episodes that occurred in the period."""
    return AdverseEvent.objects.filter(
        episode__dac_id__in=dac_ids, occurred_on__gte=period.start, occurred_on__lte=period.end
    )


def _episodes_with(events):
    """The drill-down lists the episodes concerned (the event shows on the episode's page)."""
    return (
        CareEpisode.objects.filter(pk__in=events.values("episode_id"))
        .select_related("person")
        .order_by("-opened_on", "pk")
    )


def _by_type(dac_ids, period, pooled):
    rows = grouped(adverse_events(dac_ids, period), pooled, DAC_FIELD, key=F("kind")).annotate(
        n=Count("pk")
    )
    return by_group_and_key(rows, lambda r: Measure.count(r["n"]))


def _by_type_rows(dac, period, key):
    events = adverse_events([dac.pk], period)
    return _episodes_with(events.filter(kind=key) if key else events)


register(
    Indicator(
        code="adverse_events_by_type",
        label="Événements indésirables par type",
        section="quality",
        unit="événements",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Événements indésirables survenus pendant la période dans le parcours des "
            "personnes accompagnées (hospitalisation non programmée, rupture de prise en charge, "
            "sortie volontaire du dispositif, autre), selon leur type.",
            period="Date de survenue de l'événement (et non date de sa saisie).",
            inclusion="Chaque événement compte, même plusieurs pour une même personne ; "
            "l'accompagnement auquel il est rattaché désigne le DAC.",
        ),
        compute=_by_type,
        breakdown=lambda keys: list(AdverseEventKind.choices),
        drilldown=Drilldown("care", _by_type_rows, "Accompagnements concernés"),
    )
)


def _share(numerator_filter):
    def compute(dac_ids, period, pooled):
        rows = grouped(adverse_events(dac_ids, period), pooled, DAC_FIELD).annotate(
            n=Count("pk"), with_action=Count("pk", filter=numerator_filter)
        )
        return by_group(rows, lambda r: Measure.share(r["with_action"], r["n"]))

    return compute


def _rows(numerator_filter):
    def rows(dac, period, key):
        return _episodes_with(adverse_events([dac.pk], period).filter(numerator_filter))

    return rows


register(
    Indicator(
        code="adverse_events_with_corrective_action",
        label="Événements indésirables avec une action corrective",
        section="quality",
        unit="%",
        kind=Kind.SHARE,
        definition=Definition(
            numerator="Événements indésirables survenus pendant la période pour lesquels une "
            "action corrective est enregistrée.",
            denominator="Événements indésirables survenus pendant la période.",
            period="Date de survenue de l'événement ; l'action corrective est prise en compte "
            "telle qu'enregistrée au moment du calcul.",
            inclusion="Tous les types d'événements.",
        ),
        compute=_share(WITH_ACTION),
        drilldown=Drilldown(
            "care", _rows(WITH_ACTION), "Accompagnements dont l'événement a une action corrective"
        ),
    )
)

register(
    Indicator(
        code="adverse_events_corrective_action_done",
        label="Événements indésirables dont l'action corrective est réalisée",
        section="quality",
        unit="%",
        kind=Kind.SHARE,
        definition=Definition(
            numerator="Événements indésirables survenus pendant la période dont l'action "
            "corrective est enregistrée et marquée comme faite (date de réalisation saisie).",
            denominator="Événements indésirables survenus pendant la période.",
            period="Date de survenue de l'événement ; une action faite après la fin de la période "
            "compte (le chiffre peut donc progresser après la période).",
            inclusion="Tous les types d'événements.",
        ),
        compute=_share(ACTION_DONE),
        drilldown=Drilldown(
            "care", _rows(ACTION_DONE), "Accompagnements dont l'action corrective est réalisée"
        ),
    )
)
