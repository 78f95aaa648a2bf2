"""Import of a data·inclusion file (JSON): structures → organisations, services → services.

Accepted shapes: ``{"structures": [...], "services": [...]}`` (either list may be missing), a page
of the data·inclusion API (``{"items": [...]}``), or a plain list of structures or of services (a
list whose items carry ``structure_id`` is a list of services).

Each item is validated with the data·inclusion pydantic models; a rejected item is reported with
its position in its list. Organisations and services are upserted on (source, id). Only services
are counted in the report (structures are counted when the file holds no service).

Updating an existing record follows one rule: a field is rewritten only when the file says
something else than what our own data·inclusion export of that record would say. So our finer
codes (our health themes, exported as their nearest data·inclusion theme; publics such as
« aidants », which data·inclusion does not know) survive a round trip, and re-importing an export
changes nothing. The organisation type and the service sector are guesses made at creation; later
imports leave a local correction alone.

The helpers at the top (JSON reading, French validation messages, bulk upsert) are shared with the
FHIR importer.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from data_inclusion.schema.v1 import Service as DIService
from data_inclusion.schema.v1 import Structure as DIStructure
from pydantic import ValidationError
from stdnum.fr import siret as stdnum_siret

from appui.territory.enums import SECTOR_BY_KIND, OrganisationKind, Sector
from appui.territory.models import Commune, Organisation

from .. import exports
from ..models import Service
from . import ImportFileError, ImportReport
from ._common import actor_id, apply, chunks, fetch_by, insert_rows, update_rows

# -- shared helpers -----------------------------------------------------------------------------


def read_json(data: bytes):
    if isinstance(data, str):
        text = data
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                "Fichier illisible : encodage non reconnu (UTF-8 attendu)."
            ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"Fichier illisible : ce n'est pas du JSON valide (ligne {exc.lineno}, "
            f"colonne {exc.colno})."
        ) from exc


_ERROR_MESSAGES = {
    "missing": "obligatoire",
    "string_too_short": "trop court ({min_length} caractère(s) au minimum)",
    "string_too_long": "trop long ({max_length} caractères au maximum)",
    "too_short": "au moins {min_length} valeur(s) attendue(s)",
    "too_long": "trop de valeurs",
    "string_pattern_mismatch": "format invalide",
    "string_type": "texte attendu",
    "bool_type": "vrai ou faux attendu",
    "bool_parsing": "vrai ou faux attendu",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_type": "nombre attendu",
    "float_parsing": "nombre attendu",
    "decimal_parsing": "nombre attendu",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "list_type": "liste attendue",
    "set_type": "liste attendue",
    "tuple_type": "liste attendue",
    "dict_type": "objet attendu",
    "model_type": "objet attendu",
    "model_attributes_type": "objet attendu",
    "json_invalid": "objet attendu",
    "enum": "valeur inconnue du référentiel",
    "literal_error": "valeur non autorisée",
    "date_parsing": "date invalide (AAAA-MM-JJ attendu)",
    "date_from_datetime_parsing": "date invalide (AAAA-MM-JJ attendu)",
    "date_from_datetime_inexact": "date invalide (AAAA-MM-JJ attendu)",
    "date_type": "date invalide (AAAA-MM-JJ attendu)",
    "datetime_parsing": "date et heure invalides",
    "datetime_type": "date et heure invalides",
    "time_parsing": "heure invalide (HH:MM:SS attendu)",
    "url_parsing": "adresse web invalide",
    "url_scheme": "adresse web invalide (http ou https attendu)",
    "url_type": "adresse web invalide",
    "url_syntax_violation": "adresse web invalide",
    "url_too_long": "adresse web trop longue",
    "extra_forbidden": "champ inconnu",
    "fhir-validation-wrong-resource-type": "type de ressource inattendu",
}
# fhir.resources explains its primitive types in English.
_FHIR_VALUE_ERRORS = [
    ("Time value", "heure invalide (HH:MM:SS attendu)"),
    ("Instant value", "date et heure invalides"),
    ("DateTime value", "date invalide"),
    ("Date value", "date invalide (AAAA-MM-JJ attendu)"),
    ("Decimal value", "nombre attendu"),
    ("Integer value", "nombre entier attendu"),
]
_FIELD_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _show(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


def _error_message(error: dict, *, french_value_errors: bool) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind.endswith("missing"):
        return "obligatoire"
    if kind == "value_error":
        text = str(ctx.get("error", error.get("msg", "")))
        if "email" in text.lower():
            return "adresse électronique invalide"
        for english, french in _FHIR_VALUE_ERRORS:
            if english in text:
                return french
        if french_value_errors:  # the data·inclusion schema's own rules speak French
            return text.removeprefix("Value error, ").replace("`", "").rstrip(".")
        return f"valeur « {_show(error.get('input'))} » invalide"
    template = _ERROR_MESSAGES.get(kind)
    if template is None:
        return f"valeur « {_show(error.get('input'))} » invalide"
    try:
        message = template.format(**ctx)
    except (KeyError, IndexError):
        message = template
    if kind in ("enum", "literal_error", "string_pattern_mismatch"):
        message += f" (« {_show(error.get('input'))} »)"
    return message


def validation_reason(exc: ValidationError, *, french_value_errors: bool = True) -> str:
    """A pydantic validation error as one French sentence, field by field."""
    grouped: dict[str, list[dict]] = {}
    for error in exc.errors():
        path = ""
        for part in error["loc"]:
            if isinstance(part, int):
                path += f"[{part + 1}]"
            elif _FIELD_NAME_RE.match(str(part)):
                path += ("." if path else "") + str(part)
            # other parts name the members of a union: they mean nothing to a reader
        grouped.setdefault(path, []).append(error)
    parts = []
    for path, errors in grouped.items():
        if len({e["type"] for e in errors}) > 1:  # no member of a union accepted the value
            message = f"valeur « {_show(errors[0].get('input'))} » non reconnue"
        else:
            message = _error_message(errors[0], french_value_errors=french_value_errors)
        parts.append(f"champ « {path} » : {message}" if path else message)
    return " ; ".join(parts)


def communes_by_code(codes: Iterable[str]) -> dict[str, Commune]:
    found = fetch_by(Commune.objects.all(), "insee_code", (c for c in codes if c))
    return {commune.insee_code: commune for commune in found}


def existing_by_key(model, keys: Iterable[tuple[str, str]], *related: str) -> dict:
    """Records (archived ones included) by (source, source id)."""
    by_source = defaultdict(list)
    for source, source_id in set(keys):
        by_source[source].append(source_id)
    found = {}
    for source, ids in by_source.items():
        for chunk in chunks(sorted(ids)):
            rows = model.all_objects.filter(source=source, source_id__in=chunk)
            found.update(((o.source, o.source_id), o) for o in rows.select_related(*related))
    return found


def fit(value, max_length: int) -> str:
    return " ".join(str(value or "").split())[:max_length]


def valid_siret(value) -> str:
    value = re.sub(r"\s", "", str(value or ""))
    return value if value and stdnum_siret.is_valid(value) else ""


def position(latitude, longitude) -> dict:
    """Values for a service's own position; without one, `refresh_derived()` places it."""
    if latitude is None or longitude is None:
        return {"located_at_address": False}
    return {"located_at_address": True, "latitude": float(latitude), "longitude": float(longitude)}


def derived_state(service: Service) -> tuple:
    return service.latitude, service.longitude, service.search_text


def refresh_derived(service: Service) -> None:
    if not service.located_at_address and not service.commune_id:
        service.latitude = service.longitude = None  # nothing left to place it on a map
    service.refresh_derived()


def bulk_save(model, created: list, updated: list, fields: Iterable[str]) -> None:
    """Insert and update in bulk; bulk writes skip save(), so stamp who here (when: auto_now)."""
    user_id = actor_id()
    for record in created:
        record.created_by_id = record.updated_by_id = user_id
    insert_rows(model, created)
    for record in updated:
        record.updated_by_id = user_id or record.updated_by_id
    update_rows(model, updated, sorted({*fields, "updated_by"}))


def sort_service(
    service, before: tuple, changed: bool, report, created: list, updated: list
) -> int:
    """File a service read from an import: ignored when nothing places it (no known commune, no
    zone), else created or updated; returns 1 when it is unchanged, for the caller's count."""
    if not service.commune_id and not service.zone_codes and service.radius_km is None:
        report.ignored += 1
        return 0
    refresh_derived(service)
    changed |= derived_state(service) != before
    if service.pk is None:
        created.append(service)
    elif changed:
        updated.append(service)
    else:
        return 1
    return 0


def count(report: ImportReport, created: list, updated: list, unchanged: int) -> None:
    report.created += len(created)
    report.updated += len(updated)
    report.unchanged += unchanged


# -- data·inclusion -------------------------------------------------------------------------------

SERVICE_KEYS = ("structure_id", "thematiques", "modes_accueil", "zone_eligibilite", "frais")

_KIND_BY_NETWORK = {
    "ccas-cias": OrganisationKind.CCAS,
    "mdph": OrganisationKind.MDPH,
    "maison-departementale-de-lautonomie": OrganisationKind.MDPH,
    "departements": OrganisationKind.DEPARTMENT_COUNCIL,
    "maisons-des-solidarites": OrganisationKind.DEPARTMENT_COUNCIL,
    "delegataire-conseil-departemental": OrganisationKind.DEPARTMENT_COUNCIL,
    "chu": OrganisationKind.HOSPITAL,
    **dict.fromkeys(
        (
            "banques-alimentaires",
            "cidff",
            "croix-rouge",
            "emmaus",
            "fcsf",
            "mjc",
            "restos-du-coeur",
            "secours-populaire",
            "unaf",
        ),
        OrganisationKind.ASSOCIATION,
    ),
}
_KIND_BY_NAME = [
    (r"\bC[CI]AS\b|centre (communal|intercommunal) d.action sociale", OrganisationKind.CCAS),
    (r"\bCLIC\b", OrganisationKind.CLIC),
    (r"\bMDPH\b|maison départementale des personnes handicapées", OrganisationKind.MDPH),
    (r"\bEHPAD\b", OrganisationKind.EHPAD),
    (r"\bSSIAD\b", OrganisationKind.SSIAD),
    (r"\bSAAD\b|aide à domicile", OrganisationKind.SAAD),
    (r"conseil départemental|département du", OrganisationKind.DEPARTMENT_COUNCIL),
    (r"\bpharmacie\b", OrganisationKind.PHARMACY),
    (r"maison de santé", OrganisationKind.MSP),
    (r"communauté 360", OrganisationKind.COMMUNITY_360),
    (r"\bassociation\b", OrganisationKind.ASSOCIATION),
]


def infer_kind(item: dict) -> str:
    for network in item.get("reseaux_porteurs") or []:
        if network in _KIND_BY_NETWORK:
            return _KIND_BY_NETWORK[network]
    name = item.get("nom") or ""
    for pattern, kind in _KIND_BY_NAME:
        if re.search(pattern, name, re.IGNORECASE):
            return kind
    return OrganisationKind.OTHER


def _split(payload) -> tuple[list, list]:
    """(structures, services) from one of the accepted shapes."""
    if isinstance(payload, dict) and isinstance(payload.get("items"), list):
        payload = payload["items"]  # a page of the data·inclusion API
    if isinstance(payload, dict) and ("structures" in payload or "services" in payload):
        structures = payload.get("structures") or []
        services = payload.get("services") or []
        if not isinstance(structures, list) or not isinstance(services, list):
            raise ImportFileError(
                "Format non reconnu : « structures » et « services » doivent être des listes."
            )
    elif isinstance(payload, list):
        dicts = [i for i in payload if isinstance(i, dict)]
        with_service_keys = sum(1 for i in dicts if any(k in i for k in SERVICE_KEYS))
        if dicts and with_service_keys * 2 > len(dicts):
            structures, services = [], payload
        else:
            structures, services = payload, []
    else:
        raise ImportFileError(
            "Format non reconnu : le fichier doit contenir un objet "
            '{"structures": […], "services": […]} ou une liste de structures ou de services '
            "data·inclusion."
        )
    if not structures and not services:
        raise ImportFileError("Le fichier ne contient aucune structure ni aucun service.")
    return structures, services


def _validate(items: list, schema, label: str, report: ImportReport) -> list[tuple[int, dict]]:
    valid, seen = [], {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            report.reject(number, f"{label} n°{number} : un objet JSON est attendu.")
            continue
        try:
            schema.model_validate(item)
        except ValidationError as exc:
            report.reject(number, f"{label} n°{number} : {validation_reason(exc)}.")
            continue
        key = (item["source"], item["id"])
        if key in seen:
            report.reject(
                number,
                f"{label} n°{number} : identifiant « {item['id']} » déjà présent au n°{seen[key]}.",
            )
            continue
        seen[key] = number
        valid.append((number, item))
    return valid


def _listed(item: dict, key: str) -> list[str]:
    return list(dict.fromkeys(item.get(key) or []))


def _address(item: dict) -> str:
    parts = [item.get("adresse"), item.get("complement_adresse")]
    return fit(", ".join(p.strip() for p in parts if p and p.strip()), 255)


def _keep_local(item: dict, projection: dict | None, keys: tuple[str, ...]) -> bool:
    """Whether the file says the same as our export of the record (nothing new to take)."""
    if projection is None:
        return False
    return all(_same(item.get(k), projection.get(k)) for k in keys)


def _same(a, b) -> bool:
    def norm(value):
        if value in (None, "", [], ()):
            return None
        if isinstance(value, list | tuple | set):
            return tuple(sorted({str(v) for v in value}))
        if isinstance(value, float | int) and not isinstance(value, bool):
            return round(float(value), 6)
        return " ".join(str(value).split())

    return norm(a) == norm(b)


def _structure_groups(item: dict, communes: dict) -> list[tuple[tuple[str, ...], dict]]:
    """(data·inclusion keys, model values taken from them) for an organisation."""
    return [
        (("nom",), {"name": fit(item["nom"], 255)}),
        (("siret",), {"siret": valid_siret(item.get("siret"))}),
        (("adresse", "complement_adresse"), {"address": _address(item)}),
        (("code_postal",), {"postal_code": item.get("code_postal") or ""}),
        (("code_insee",), {"commune": communes.get(item.get("code_insee"))}),
        (("telephone",), {"phone": fit(item.get("telephone"), 30)}),
        (("courriel",), {"email": item.get("courriel") or ""}),
        (("site_web",), {"website": _url(item.get("site_web"))}),
    ]


def _url(value) -> str:
    value = str(value or "").strip()
    return value if len(value) <= 200 else ""  # a cut address would lead nowhere


def _service_groups(item: dict, organisation, communes: dict) -> list[tuple[tuple[str, ...], dict]]:
    latitude, longitude = item.get("latitude"), item.get("longitude")
    return [
        (("structure_id",), {"organisation": organisation}),
        (("nom",), {"name": fit(item["nom"], 150)}),
        (("description",), {"description": item["description"].strip()}),
        (("thematiques",), {"themes": _listed(item, "thematiques")}),
        (("publics",), {"publics": _listed(item, "publics")}),
        (("publics_precisions",), {"publics_details": fit(item.get("publics_precisions"), 500)}),
        (("conditions_acces",), {"access_details": (item.get("conditions_acces") or "").strip()}),
        (("frais",), {"fees": item.get("frais") or ""}),
        (("frais_precisions",), {"fees_details": fit(item.get("frais_precisions"), 500)}),
        (("zone_eligibilite",), {"zone_codes": _listed(item, "zone_eligibilite")}),
        (("modes_accueil",), {"reception_modes": _listed(item, "modes_accueil")}),
        (("mobilisable_par",), {"mobilised_by": _listed(item, "mobilisable_par")}),
        (("modes_mobilisation",), {"mobilisation_modes": _listed(item, "modes_mobilisation")}),
        (
            ("mobilisation_precisions",),
            {"mobilisation_details": (item.get("mobilisation_precisions") or "").strip()},
        ),
        (("lien_mobilisation",), {"mobilisation_link": _url(item.get("lien_mobilisation"))}),
        (("adresse", "complement_adresse"), {"address": _address(item)}),
        (("code_postal",), {"postal_code": item.get("code_postal") or ""}),
        (("code_insee",), {"commune": communes.get(item.get("code_insee"))}),
        (("latitude", "longitude"), position(latitude, longitude)),
        (("telephone",), {"phone": fit(item.get("telephone"), 30)}),
        (("courriel",), {"email": item.get("courriel") or ""}),
        (("horaires_accueil",), {"opening_hours": fit(item.get("horaires_accueil"), 500)}),
        (("date_maj",), {"source_updated_on": _date(item["date_maj"])}),
    ]


def _date(value) -> date:
    return date.fromisoformat(str(value)[:10])


SERVICE_FIELDS = [
    "organisation",
    "name",
    "description",
    "themes",
    "publics",
    "publics_details",
    "access_details",
    "fees",
    "fees_details",
    "zone_codes",
    "reception_modes",
    "mobilised_by",
    "mobilisation_modes",
    "mobilisation_details",
    "mobilisation_link",
    "address",
    "postal_code",
    "commune",
    "located_at_address",
    "latitude",
    "longitude",
    "phone",
    "email",
    "opening_hours",
    "source_updated_on",
    "search_text",
]
STRUCTURE_FIELDS = [
    "name",
    "kind",
    "siret",
    "address",
    "postal_code",
    "commune",
    "phone",
    "email",
    "website",
]


class _Lookup:
    """Organisations reachable from a service's `structure_id`: the file's, then the database's."""

    def __init__(self, organisations: dict[tuple[str, str], Organisation], rejected: set[str]):
        self.by_key = dict(organisations)
        self.by_id = defaultdict(list)
        for (_source, identifier), organisation in organisations.items():
            self.by_id[identifier].append(organisation)
        self.rejected = rejected

    def load(self, items: list[tuple[int, dict]]) -> None:
        missing = {
            (item["source"], item["structure_id"])
            for _n, item in items
            if (item["source"], item["structure_id"]) not in self.by_key
            and len(self.by_id.get(item["structure_id"], [])) != 1
        }
        ids = sorted({identifier for _source, identifier in missing})
        for chunk in chunks(ids):
            rows = Organisation.all_objects.filter(source_id__in=chunk).exclude(source="")
            for organisation in rows:
                self.by_key.setdefault((organisation.source, organisation.source_id), organisation)
                self.by_id[organisation.source_id].append(organisation)
        own = {
            pk: identifier
            for identifier in ids
            if (pk := exports.parse_own_id("structure", identifier)) is not None
        }
        for organisation in Organisation.all_objects.filter(pk__in=list(own), source=""):
            self.by_id[own[organisation.pk]].append(organisation)

    def get(self, source: str, identifier: str) -> Organisation | None:
        if (source, identifier) in self.by_key:
            return self.by_key[(source, identifier)]
        candidates = {o.pk: o for o in self.by_id.get(identifier, [])}
        return next(iter(candidates.values())) if len(candidates) == 1 else None


def _own_records(model, kind: str, items: list[tuple[int, dict]], found: dict, *related) -> dict:
    """Our own records named by an export of ours (`appui--…-service-12`), by (source, id)."""
    wanted = {}
    for _n, item in items:
        key = (item["source"], item["id"])
        if key not in found and item["source"] == exports.OWN_SOURCE:
            pk = exports.parse_own_id(kind, item["id"])
            if pk is not None:
                wanted[pk] = key
    rows = model.all_objects.filter(pk__in=list(wanted), source="").select_related(*related)
    return {wanted[record.pk]: record for record in rows}


def _upsert_structures(
    items: list[tuple[int, dict]], report: ImportReport, counted: bool
) -> dict[tuple[str, str], Organisation]:
    keys = [(item["source"], item["id"]) for _n, item in items]
    existing = existing_by_key(Organisation, keys, "commune")
    existing.update(_own_records(Organisation, "structure", items, existing, "commune"))
    communes = communes_by_code(item.get("code_insee") for _n, item in items)
    created, updated, unchanged, result = [], [], 0, {}
    for _number, item in items:
        key = (item["source"], item["id"])
        organisation = existing.get(key)
        projection = exports.structure_to_di(organisation) if organisation else None
        kind = infer_kind(item)
        if organisation is None:
            organisation = Organisation(source=key[0], source_id=key[1], kind=kind)
        changed = False
        for di_keys, values in _structure_groups(item, communes):
            if not _keep_local(item, projection, di_keys):
                changed |= bool(apply(organisation, values))
        # The type is a guess at creation; a later import only refines an unknown one (and never
        # one of our own records, which a file of ours merely names).
        refine = organisation.source and organisation.kind == OrganisationKind.OTHER
        if refine and kind != OrganisationKind.OTHER:
            organisation.kind, changed = kind, True
        if organisation.pk is None:
            created.append(organisation)
        elif changed:
            updated.append(organisation)
        else:
            unchanged += 1
        result[key] = organisation
    bulk_save(Organisation, created, updated, STRUCTURE_FIELDS)
    if counted:
        count(report, created, updated, unchanged)
    return result


def _upsert_services(items: list[tuple[int, dict]], lookup: _Lookup, report: ImportReport) -> None:
    lookup.load(items)
    keys = [(item["source"], item["id"]) for _n, item in items]
    existing = existing_by_key(Service, keys, "commune", "organisation")
    existing.update(_own_records(Service, "service", items, existing, "commune", "organisation"))
    communes = communes_by_code(item.get("code_insee") for _n, item in items)
    created, updated, unchanged = [], [], 0
    for number, item in items:
        key = (item["source"], item["id"])
        organisation = lookup.get(item["source"], item["structure_id"])
        if organisation is None:
            why = (
                "a été rejetée"
                if item["structure_id"] in lookup.rejected
                else "est inconnue (absente du fichier et de l'annuaire)"
            )
            report.reject(
                number, f"service n°{number} : la structure « {item['structure_id']} » {why}."
            )
            continue
        service = existing.get(key)
        projection = exports.service_to_di(service) if service and service.organisation else None
        if service is None:
            service = Service(
                source=key[0],
                source_id=key[1],
                sector=SECTOR_BY_KIND.get(organisation.kind, Sector.SOCIAL),
            )
        before = derived_state(service)
        changed = False
        for di_keys, values in _service_groups(item, organisation, communes):
            if not _keep_local(item, projection, di_keys):
                changed |= bool(apply(service, values))
        unchanged += sort_service(service, before, changed, report, created, updated)
    bulk_save(Service, created, updated, SERVICE_FIELDS)
    count(report, created, updated, unchanged)


def import_data_inclusion(data: bytes, report: ImportReport) -> None:
    structures, services = _split(read_json(data))
    report.rows = len(services) or len(structures)
    valid_structures = _validate(structures, DIStructure, "structure", report)
    valid_services = _validate(services, DIService, "service", report)
    valid_ids = {item["id"] for _n, item in valid_structures}
    rejected_ids = {
        item.get("id")
        for item in structures
        if isinstance(item, dict) and item.get("id") not in valid_ids
    }
    organisations = _upsert_structures(valid_structures, report, counted=not services)
    _upsert_services(valid_services, _Lookup(organisations, rejected_ids), report)
