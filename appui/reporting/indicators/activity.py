"""Activity: file active, inclusions, requests received and the responses given."""

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Concat

from appui.care.models import CareEpisode
from appui.intake.enums import Channel, RequesterKind, ResponseType
from appui.intake.models import RequestResponse, SupportRequest
from appui.persons.models import Person
from appui.territory.enums import OrganisationKind, Profession

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


def file_active_rows(dac, period, key):
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
        drilldown=Drilldown("person", file_active_rows, "Personnes de la file active"),
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


# --- New inclusions -----------------------------------------------------------------------------


def first_inclusions(dac_ids, period: Period):
    """Episodes opened during the period that are not the reopening of a closed one."""
    return CareEpisode.objects.filter(
        dac_id__in=dac_ids,
        opened_on__gte=period.start,
        opened_on__lte=period.end,
        previous__isnull=True,
    )


def _new_inclusions(dac_ids, period, pooled):
    rows = grouped(first_inclusions(dac_ids, period), pooled).annotate(
        n=Count("person_id", distinct=True)
    )
    return by_group(rows, lambda r: Measure.count(r["n"]))


def _new_inclusions_rows(dac, period, key):
    return Person.objects.filter(
        pk__in=first_inclusions([dac.pk], period).values("person_id")
    ).order_by("birth_name", "first_name")


register(
    Indicator(
        code="new_inclusions",
        label="Nouvelles inclusions",
        section="activity",
        unit="personnes",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Personnes distinctes dont un accompagnement (coordination renforcée ou "
            "gestion de cas) a été ouvert pendant la période et qui n'est pas la réouverture "
            "d'un accompagnement clos.",
            period="Date d'inclusion (ouverture de l'accompagnement) comprise dans la période.",
            inclusion="Une réouverture (accompagnement rouvert à la suite d'un accompagnement "
            "clos de la même personne) n'est pas une nouvelle inclusion : la personne compte "
            "dans la file active, pas ici. Une personne incluse deux fois sans lien entre les "
            "deux accompagnements compte une fois.",
        ),
        compute=_new_inclusions,
        drilldown=Drilldown("person", _new_inclusions_rows, "Personnes nouvellement incluses"),
    )
)


# --- Requests by origin -------------------------------------------------------------------------

#: The requester's origin as one key: the profession of the professional who asked, the kind of
#: the structure that asked, or the requester kind (person, carer, other; a professional or a
#: structure not identified in the directory keeps the bare requester kind).
ORIGIN_KEY = Case(
    When(
        requester_kind=RequesterKind.PROFESSIONAL,
        requester_professional__isnull=False,
        then=Concat(Value("profession:"), F("requester_professional__profession")),
    ),
    When(
        requester_kind=RequesterKind.ORGANISATION,
        requester_organisation__isnull=False,
        then=Concat(Value("structure:"), F("requester_organisation__kind")),
    ),
    default=F("requester_kind"),
    output_field=CharField(),
)


def requests_received(dac_ids, period: Period):
    return SupportRequest.objects.filter(
        dac_id__in=dac_ids,
        received_at__gte=period.start_datetime(),
        received_at__lt=period.end_datetime(),
    )


def _requests_by_origin(dac_ids, period, pooled):
    rows = grouped(requests_received(dac_ids, period), pooled, key=ORIGIN_KEY).annotate(
        n=Count("pk")
    )
    return by_group_and_key(rows, lambda r: Measure.count(r["n"]))


def origin_filter(key: str) -> Q:
    """The requests of one origin key (the SQL `ORIGIN_KEY` read backwards)."""
    if key.startswith("profession:"):
        return Q(
            requester_kind=RequesterKind.PROFESSIONAL,
            requester_professional__profession=key.removeprefix("profession:"),
        )
    if key.startswith("structure:"):
        return Q(
            requester_kind=RequesterKind.ORGANISATION,
            requester_organisation__kind=key.removeprefix("structure:"),
        )
    q = Q(requester_kind=key)
    if key == RequesterKind.PROFESSIONAL:
        q &= Q(requester_professional__isnull=True)
    elif key == RequesterKind.ORGANISATION:
        q &= Q(requester_organisation__isnull=True)
    return q


def origin_breakdown(keys) -> list[tuple[str, str]]:
    """The origins found, professions first, then structures, then the other requesters — each
    group in the order of its enum."""
    keys = set(keys)
    ordered = [
        (f"profession:{value}", f"Professionnel·le : {label}")
        for value, label in Profession.choices
    ]
    ordered.append((RequesterKind.PROFESSIONAL.value, "Professionnel·le (profession non précisée)"))
    ordered += [
        (f"structure:{value}", f"Structure : {label}") for value, label in OrganisationKind.choices
    ]
    ordered.append((RequesterKind.ORGANISATION.value, "Structure (non précisée)"))
    ordered += [
        (value, label)
        for value, label in RequesterKind.choices
        if value not in (RequesterKind.PROFESSIONAL, RequesterKind.ORGANISATION)
    ]
    known = {key for key, _ in ordered}
    return [(key, label) for key, label in ordered if key in keys] + [
        (key, key) for key in sorted(keys - known)
    ]


def _requests_by_origin_rows(dac, period, key):
    rows = requests_received([dac.pk], period)
    return (rows.filter(origin_filter(key)) if key else rows).order_by("received_at", "pk")


register(
    Indicator(
        code="requests_by_origin",
        label="Demandes reçues par origine",
        section="activity",
        unit="demandes",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Demandes d'appui reçues pendant la période, selon le demandeur : la "
            "profession du ou de la professionnel·le qui a fait la demande, le type de la "
            "structure qui l'a faite, la personne elle-même, un·e aidant·e ou un proche, autre.",
            period="Date de réception de la demande.",
            inclusion="Toutes les demandes enregistrées, quelle que soit la suite donnée ; une "
            "demande supprimée comme doublon n'est pas comptée. Un demandeur professionnel ou "
            "une structure absents de l'annuaire sont comptés à part (« non précisé·e »).",
        ),
        compute=_requests_by_origin,
        breakdown=origin_breakdown,
        drilldown=Drilldown("support_request", _requests_by_origin_rows, "Demandes reçues"),
    )
)


# --- Responses by type --------------------------------------------------------------------------


def responses_given(dac_ids, period: Period):
    """Responses given during the period to the (not deleted) requests of the DACs."""
    return RequestResponse.objects.filter(
        request__dac_id__in=dac_ids,
        request__deleted_at__isnull=True,
        given_at__gte=period.start_datetime(),
        given_at__lt=period.end_datetime(),
    )


def _responses_by_type(dac_ids, period, pooled):
    rows = grouped(
        responses_given(dac_ids, period), pooled, "request__dac_id", key=F("response_type")
    ).annotate(n=Count("pk"))
    return by_group_and_key(rows, lambda r: Measure.count(r["n"]))


def _responses_by_type_rows(dac, period, key):
    responses = responses_given([dac.pk], period)
    if key:
        responses = responses.filter(response_type=key)
    return SupportRequest.objects.filter(pk__in=responses.order_by().values("request_id")).order_by(
        "received_at", "pk"
    )


register(
    Indicator(
        code="responses_by_type",
        label="Réponses apportées par type",
        section="activity",
        unit="réponses",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Réponses apportées aux demandes d'appui pendant la période, selon leur "
            "type (information, orientation, appui ponctuel, accompagnement, gestion de cas, "
            "réorientation, refus, pas de suite).",
            period="Date à laquelle la réponse a été apportée (une demande reçue en décembre et "
            "répondue en janvier compte en janvier).",
            inclusion="Une demande peut recevoir plusieurs réponses (une information puis une "
            "orientation) : chacune compte. Les réponses aux demandes supprimées comme doublons "
            "ne sont pas comptées.",
        ),
        compute=_responses_by_type,
        breakdown=lambda keys: list(ResponseType.choices),
        drilldown=Drilldown(
            "support_request", _responses_by_type_rows, "Demandes ayant reçu ces réponses"
        ),
    )
)
