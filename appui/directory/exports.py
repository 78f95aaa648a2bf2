"""Exports of the directory: a CSV for spreadsheets and the data·inclusion JSON for partners.

Both read the queryset in chunks (``iterator(chunk_size=…)``) with the related rows joined, so the
number of queries does not grow with the number of services.

The data·inclusion export speaks the national vocabulary: our own health and autonomy themes are
exported as their nearest data·inclusion theme (``Theme.di_code``), and the codes data·inclusion
does not know (publics such as « aidants », reception « à domicile », secure messaging…) are left
out. Records that came from another source keep its source and identifier; our own records get a
``appui--<instance>-service-<pk>`` identifier, which the data·inclusion importer recognises, so that
re-importing an export never duplicates anything.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import date

from data_inclusion.schema import v1 as di
from django.conf import settings
from django.utils import timezone

from appui.core.identifiers import POSTAL_CODE_RE
from appui.territory.enums import Sector

from .enums import PUBLICS, THEMES

CHUNK_SIZE = 500

#: `source` of the records created in this application, in the data·inclusion export.
OWN_SOURCE = "appui"

DI_PUBLICS = {p.value for p in di.Public}
DI_RECEPTION_MODES = {m.value for m in di.ModeAccueil}
DI_MOBILISATION_MODES = {m.value for m in di.ModeMobilisation}
DI_MOBILISED_BY = {m.value for m in di.PersonneMobilisatrice}
DI_FEES = {f.value for f in di.Frais}
# Codes accepted by `zone_eligibilite`: commune, département, EPCI, country, or "france".
DI_ZONE_RE = re.compile(r"^(\w{5}|\w{2,3}|\d{9}|france)$")
SIRET_RE = re.compile(r"^\d{14}$")

CSV_COLUMNS = [
    "Structure ou professionnel",
    "Service",
    "Secteur",
    "Thématiques",
    "Publics",
    "Zone d'intervention",
    "Adresse",
    "Code postal",
    "Commune",
    "Téléphone",
    "Courriel",
    "Horaires d'accueil",
    "Accepte de nouvelles personnes",
    "Dernière vérification",
    "Source",
    "Identifiant à la source",
]
LIST_SEPARATOR = " | "


# -- identifiers ------------------------------------------------------------------------------


def instance_marker() -> str:
    """A short mark of this installation, so that our identifiers never match another's."""
    explicit = getattr(settings, "APPUI_INSTANCE_ID", "")
    if explicit:
        return str(explicit)
    return hashlib.sha256(f"appui-export:{settings.SECRET_KEY}".encode()).hexdigest()[:8]


def own_id(kind: str, pk: int) -> str:
    return f"{OWN_SOURCE}--{instance_marker()}-{kind}-{pk}"


def parse_own_id(kind: str, value: str) -> int | None:
    """The primary key behind one of our own export identifiers, or None."""
    prefix = f"{OWN_SOURCE}--{instance_marker()}-{kind}-"
    rest = value[len(prefix) :] if value.startswith(prefix) else ""
    return int(rest) if rest.isdigit() else None


def structure_key(organisation) -> tuple[str, str]:
    if organisation.source and organisation.source_id:
        return organisation.source, organisation.source_id
    return OWN_SOURCE, own_id("structure", organisation.pk)


def service_key(service) -> tuple[str, str]:
    if service.source and service.source_id:
        return service.source, service.source_id
    return OWN_SOURCE, own_id("service", service.pk)


# -- data·inclusion ---------------------------------------------------------------------------


def _changed_on(record) -> date:
    # date_maj may not be in the future: the server's day can lag behind the local one.
    return min(timezone.localdate(record.updated_at), date.today())


def _name(value: str, fallback: str) -> str:
    value = (value or "").strip()[:150]
    return value if len(value) >= 3 else f"{fallback} {value}".strip()


def _drop_empty(item: dict) -> dict:
    return {k: v for k, v in item.items() if v not in (None, "", [])}


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def di_themes(codes: Iterable[str]) -> list[str]:
    """Our theme codes as data·inclusion ones (own codes → nearest national theme), no duplicate."""
    return _unique(THEMES[c].di_code for c in codes if c in THEMES)


def di_publics(codes: Iterable[str]) -> list[str]:
    publics = [c for c in _unique(codes) if c in DI_PUBLICS]
    if len(publics) > 1 and "tous-publics" in publics:
        publics.remove("tous-publics")  # the schema forbids it beside other publics
    return publics


def structure_to_di(organisation) -> dict:
    """One organisation as a data·inclusion `Structure` (a JSON-ready dict)."""
    source, identifier = structure_key(organisation)
    commune = organisation.commune
    siret = organisation.siret.replace(" ", "")
    return _drop_empty(
        {
            "source": source,
            "id": identifier,
            "nom": _name(organisation.name, "Structure"),
            "date_maj": _changed_on(organisation).isoformat(),
            "siret": siret if SIRET_RE.match(siret) else None,
            "adresse": organisation.address,
            "code_postal": organisation.postal_code
            if POSTAL_CODE_RE.match(organisation.postal_code)
            else None,
            "code_insee": commune.insee_code if commune else None,
            "commune": commune.name if commune else None,
            "telephone": organisation.phone,
            "courriel": organisation.email,
            "site_web": organisation.website,
        }
    )


def service_to_di(service) -> dict:
    """One service as a data·inclusion `Service` (a JSON-ready dict); needs its organisation."""
    source, identifier = service_key(service)
    description = (service.description or "").strip() or service.name
    if len(description) < 5:  # the schema wants at least 5 characters
        description = f"Service : {description}"
    commune = service.commune
    located = service.located_at_address and service.latitude is not None
    return _drop_empty(
        {
            "source": source,
            "structure_id": structure_key(service.organisation)[1],
            "id": identifier,
            "nom": _name(service.name, "Service"),
            "description": description[:10000],
            "date_maj": (service.source_updated_on or _changed_on(service)).isoformat(),
            "thematiques": di_themes(service.themes),
            "publics": di_publics(service.publics),
            "publics_precisions": service.publics_details,
            "conditions_acces": service.access_details,
            "frais": service.fees if service.fees in DI_FEES else None,
            "frais_precisions": service.fees_details,
            "zone_eligibilite": [c for c in _unique(service.zone_codes) if DI_ZONE_RE.match(c)],
            "modes_accueil": [
                m for m in _unique(service.reception_modes) if m in DI_RECEPTION_MODES
            ],
            "mobilisable_par": [m for m in _unique(service.mobilised_by) if m in DI_MOBILISED_BY],
            "modes_mobilisation": [
                m for m in _unique(service.mobilisation_modes) if m in DI_MOBILISATION_MODES
            ],
            "mobilisation_precisions": service.mobilisation_details,
            "lien_mobilisation": service.mobilisation_link,
            "adresse": service.address,
            "code_postal": service.postal_code
            if POSTAL_CODE_RE.match(service.postal_code)
            else None,
            "code_insee": commune.insee_code if commune else None,
            "commune": commune.name if commune else None,
            "latitude": service.latitude if located else None,
            "longitude": service.longitude if located else None,
            "telephone": service.phone,
            "courriel": service.email,
            "horaires_accueil": service.opening_hours,
        }
    )


def export_data_inclusion(queryset) -> dict:
    """`{"structures": […], "services": […]}` in the data·inclusion schema.

    Services offered by a professional rather than a structure are left out: data·inclusion only
    knows structures, and a practitioner's details are personal data.
    """
    services, structures = [], {}
    rows = (
        queryset.filter(organisation__isnull=False)
        .prefetch_related(None)
        .select_related("organisation__commune", "commune")
        .order_by("pk")
    )
    for service in rows.iterator(chunk_size=CHUNK_SIZE):
        organisation = service.organisation
        if organisation.pk not in structures:
            structures[organisation.pk] = structure_to_di(organisation)
        services.append(service_to_di(service))
    return {"structures": list(structures.values()), "services": services}


# -- CSV --------------------------------------------------------------------------------------


class _Line:
    """A file-like object whose `write` returns the line, for a streamed csv.writer."""

    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell starting with = + - @ as a formula: neutralise it, phone
    # numbers (+33 …) excepted.
    if text[:1] in ("=", "@", "\t", "\r") or (
        text[:1] in ("+", "-") and not re.fullmatch(r"[+\-\d\s().]+", text)
    ):
        return "'" + text
    return text


def export_csv(queryset) -> Iterator[str]:
    """The services as a `;`-separated UTF-8 CSV, one line at a time (for a streamed response).

    The first line starts with a byte order mark, which spreadsheet software needs to read the
    accents right.
    """
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    sectors = dict(Sector.choices)
    rows = (
        queryset.prefetch_related(None)
        .select_related("organisation", "professional", "commune")
        .order_by("name", "pk")
    )
    for service in rows.iterator(chunk_size=CHUNK_SIZE):
        commune = service.commune
        verified = timezone.localtime(service.verified_at) if service.verified_at else None
        yield writer.writerow(
            _cell(v)
            for v in (
                service.provider_name,
                service.name,
                sectors.get(service.sector, service.sector),
                LIST_SEPARATOR.join(service.theme_labels),
                LIST_SEPARATOR.join(PUBLICS.get(c, c) for c in service.publics),
                LIST_SEPARATOR.join(service.zone_codes),
                service.address,
                service.postal_code,
                commune.name if commune else "",
                service.phone,
                service.email,
                service.opening_hours,
                "oui" if service.accepting else "non",
                verified.strftime("%d/%m/%Y") if verified else "",
                service.source,
                service.source_id,
            )
        )
