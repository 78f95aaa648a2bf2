"""Activity: file active, inclusions, requests received and the responses given."""

from django.db.models import Count, F, Q

from appui.care.models import CareEpisode
from appui.intake.enums import Channel
from appui.intake.models import SupportRequest
from appui.persons.models import Person

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


def episodes_followed(dac_ids, period: Period):
    """Episodes open at least one day of the period (the file active's rows)."""
    return CareEpisode.objects.filter(dac_id__in=dac_ids, opened_on__lte=period.end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=period.start)
    )


def _file_active(dac_ids, period, pooled):
    rows = grouped(episodes_followed(dac_ids, period), pooled).annotate(
        n=Count("person_id", distinct=True)
    )
    return by_group(rows, lambda r: Measure.count(r["n"]))


def _file_active_rows(dac, period, key):
    return Person.objects.filter(
        pk__in=episodes_followed([dac.pk], period).values("person_id")
    ).order_by("birth_name", "first_name")


register(
    Indicator(
        code="file_active",
        label="File active",
        section="activity",
        unit="personnes",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Personnes distinctes accompagnées au moins un jour pendant la période "
            "(accompagnement ou gestion de cas).",
            period="Un accompagnement ouvert avant la période et clos pendant, ou ouvert pendant "
            "et toujours en cours, compte ; une personne accompagnée deux fois compte une fois.",
            inclusion="Toutes les sorties comptent, y compris le décès.",
        ),
        compute=_file_active,
        drilldown=Drilldown("person", _file_active_rows, "Personnes de la file active"),
    )
)


def _requests_by_channel(dac_ids, period, pooled):
    requests = SupportRequest.objects.filter(
        dac_id__in=dac_ids,
        received_at__gte=period.start_datetime(),
        received_at__lt=period.end_datetime(),
    )
    rows = grouped(requests, pooled, key=F("channel")).annotate(n=Count("pk"))
    return by_group_and_key(rows, lambda r: Measure.count(r["n"]))


def _requests_by_channel_rows(dac, period, key):
    rows = SupportRequest.objects.filter(
        dac=dac, received_at__gte=period.start_datetime(), received_at__lt=period.end_datetime()
    )
    return (rows.filter(channel=key) if key else rows).order_by("received_at")


register(
    Indicator(
        code="requests_by_channel",
        label="Demandes reçues par canal",
        section="activity",
        unit="demandes",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Demandes d'appui reçues pendant la période, selon le canal par lequel "
            "elles sont arrivées.",
            period="Date de réception de la demande.",
            inclusion="Toutes les demandes enregistrées, quelle que soit la suite donnée ; une "
            "demande supprimée comme doublon n'est pas comptée.",
        ),
        compute=_requests_by_channel,
        breakdown=lambda keys: list(Channel.choices),
        drilldown=Drilldown("support_request", _requests_by_channel_rows, "Demandes reçues"),
    )
)
