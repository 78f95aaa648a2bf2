"""Import of the RPPS "PS_LibreAcces" activity extraction: professionals and where they practise.

The file is `|`-separated with a header row and a trailing `|` on every line, UTF-8 (Latin-1
accepted). Its column set changes between releases, so columns are read by header name and the
ones this import needs are checked first.

Each row is one activity of a professional at a site. Rows are grouped by "Identifiant PP": type 8
is the 11-digit RPPS number (the key of :class:`Professional`), type 0 an ADELI number. For each
professional:

- the :class:`Professional` is created or updated (civility, name, profession, savoir-faire,
  the first site's phone and e-mail);
- each site in a known commune becomes a :class:`PracticePlace`: at the :class:`Organisation`
  whose FINESS établissement or SIRET is the site's, if the directory has it, else at the site's
  own address. A place is recognised on re-import by its organisation, else by its address and
  commune, so places are never duplicated;
- for the professions that are resources of the territory (nurses, physiotherapists, GPs…), one
  :class:`Service` per site, source "rpps", source id ``<Identifiant PP>:<site key>``.

The report counts **professionals**: created; updated when the professional, one of their places
or one of their services changed or was added; unchanged when everything imported is equal to what
is stored. Professionals none of whose sites is in a known commune are outside the territory and
counted as ignored, as are archived ones (not brought back). Sites no longer in the file are left
as they are. Every write of a professional or a place is in the access log (bulk, same rows as
``record()``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from appui.core import audit
from appui.core.enums import AccessAction
from appui.core.identifiers import ADELI_RE, INSEE_COMMUNE_RE, RPPS_RE
from appui.territory.enums import Profession, Sector
from appui.territory.models import Organisation, PracticePlace, Professional

from ..enums import THEMES
from ..models import Service
from . import ImportFileError, ImportReport
from ._common import (
    actor_id,
    apply,
    chunks,
    communes_by_insee,
    decode,
    fetch_by,
    gc_paused,
    insert_rows,
    numbered_lines,
    update_rows,
)

SOURCE = "rpps"

ID_TYPE = "Type d'identifiant PP"
ID = "Identifiant PP"
CIVILITY = "Code civilité"
TITLE = "Code civilité d'exercice"
LAST_NAME = "Nom d'exercice"
FIRST_NAME = "Prénom d'exercice"
PROFESSION = "Code profession"
PROFESSION_LABEL = "Libellé profession"
SKILL_CODE = "Code savoir-faire"
SKILL = "Libellé savoir-faire"
MODE = "Libellé mode exercice"
SIRET = "Numéro SIRET site"
FINESS = "Numéro FINESS site"
STRUCTURE_ID = "Identifiant technique de la structure"
SITE_NAME = "Raison sociale site"
SIGN = "Enseigne commerciale site"
PLACE_DETAIL = "Complément point géographique (coord. structure)"
STREET_NUMBER = "Numéro Voie (coord. structure)"
STREET_REPEAT = "Indice répétition voie (coord. structure)"
STREET_TYPE = "Libellé type de voie (coord. structure)"
STREET_TYPE_CODE = "Code type de voie (coord. structure)"
STREET = "Libellé Voie (coord. structure)"
DISTRIBUTION = "Mention distribution (coord. structure)"
POSTAL_CODE = "Code postal (coord. structure)"
COMMUNE = "Code commune (coord. structure)"
PHONE = "Téléphone (coord. structure)"
EMAIL = "Adresse e-mail (coord. structure)"

REQUIRED = (ID_TYPE, ID, LAST_NAME, FIRST_NAME, PROFESSION, COMMUNE)
COLUMNS = (
    *REQUIRED,
    CIVILITY,
    TITLE,
    PROFESSION_LABEL,
    SKILL_CODE,
    SKILL,
    MODE,
    SIRET,
    FINESS,
    STRUCTURE_ID,
    SITE_NAME,
    SIGN,
    PLACE_DETAIL,
    STREET_NUMBER,
    STREET_REPEAT,
    STREET_TYPE,
    STREET_TYPE_CODE,
    STREET,
    DISTRIBUTION,
    POSTAL_CODE,
    PHONE,
    EMAIL,
)

# TRE_G15 profession codes. 10, 21, 40, 50, 60, 69, 70, 91, 94 (ergothérapeute) and 95
# (diététicien) were checked against the published code system; 93 (psychologue) is taken from
# TRE_R95 (titles), which the extraction uses for psychologists.
PROFESSIONS = {
    "10": Profession.PHYSICIAN,
    "21": Profession.PHARMACIST,
    "40": Profession.DENTIST,
    "50": Profession.MIDWIFE,
    "60": Profession.NURSE,
    "69": Profession.NURSE,  # infirmier psychiatrique
    "70": Profession.PHYSIOTHERAPIST,
    "91": Profession.SPEECH_THERAPIST,
    "93": Profession.PSYCHOLOGIST,
    "94": Profession.OCCUPATIONAL_THERAPIST,
    "95": Profession.DIETITIAN,
}
# The professions the directory lists as resources of the territory, with their theme.
THEME_BY_PROFESSION = {
    Profession.NURSE: "soins-infirmiers-domicile",
    Profession.PHYSIOTHERAPIST: "kinesitherapie",
    Profession.PSYCHOLOGIST: "psychologue",
    Profession.DIETITIAN: "dieteticien",
    Profession.OCCUPATIONAL_THERAPIST: "ergotherapeute",
    Profession.SPEECH_THERAPIST: "orthophonie",
    Profession.PHARMACIST: "pharmacie",
}
GENERAL_PRACTICE = "medecine-generale"  # physicians, only with a general-practice savoir-faire
GENERAL_PRACTICE_CODES = {"SM26", "SM53", "SM54"}
CIVILITIES = {"M": "M.", "MME": "Mme", "MLLE": "Mme"}
TITLES = {"DR": "Dr", "PR": "Pr"}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

PROFESSIONAL_FIELDS = (
    "civility",
    "title",
    "first_name",
    "last_name",
    "profession",
    "specialty",
    "phone",
    "email",
)


def _norm(text: str) -> str:
    """Header names compared without case, accents, curly quotes or repeated spaces."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split()).casefold()


class _Row:
    """One activity line, read by header name."""

    __slots__ = ("fields", "index", "number")

    def __init__(self, number: int, fields: list[str], index: dict[str, int]):
        self.number, self.fields, self.index = number, fields, index

    def __getitem__(self, header: str) -> str:
        i = self.index.get(header)
        return self.fields[i].strip() if i is not None else ""


def _read(text: str, report: ImportReport) -> dict[tuple[str, str], list[_Row]]:
    lines = numbered_lines(text)
    first = next(lines, None)
    if first is None or "|" not in first[1]:
        raise ImportFileError(
            "Ce fichier n'est pas une extraction RPPS « PS_LibreAcces » : une ligne d'en-tête et "
            "des colonnes séparées par « | » sont attendues."
        )
    headers = first[1].split("|")
    positions = {_norm(h): i for i, h in enumerate(headers) if h.strip()}
    missing = [h for h in REQUIRED if _norm(h) not in positions]
    if missing:
        raise ImportFileError(
            "Ce fichier n'est pas une extraction RPPS « PS_LibreAcces » complète : colonne(s) "
            "manquante(s) : " + ", ".join(f"« {h} »" for h in missing) + "."
        )
    # Column positions by our (exact) header names; absent optional columns read as empty.
    index = {name: positions[_norm(name)] for name in COLUMNS if _norm(name) in positions}
    width = len(headers)
    trailing = headers[-1].strip() == ""
    groups: dict[tuple[str, str], list[_Row]] = {}
    for number, line in lines:
        report.rows += 1
        fields = line.split("|")
        if trailing and len(fields) == width - 1:
            fields.append("")  # a line without its final "|"
        if len(fields) != width:
            report.reject(
                number, f"nombre de colonnes incorrect : {len(fields)} au lieu de {width}"
            )
            continue
        row = _Row(number, fields, index)
        error = _row_error(row)
        if error:
            report.reject(number, error)
            continue
        groups.setdefault((row[ID_TYPE], row[ID]), []).append(row)
    return groups


def _row_error(row: _Row) -> str | None:
    id_type, ident = row[ID_TYPE], row[ID]
    if not ident:
        return "identifiant PP manquant"
    if id_type == "8":
        if not RPPS_RE.match(ident):
            return f"numéro RPPS « {ident} » invalide (11 chiffres attendus)"
    elif id_type == "0":
        if not ADELI_RE.match(ident):
            return f"numéro ADELI « {ident} » invalide (9 caractères attendus)"
    else:
        return f"type d'identifiant PP « {id_type} » non pris en charge (8 = RPPS, 0 = ADELI)"
    if not row[LAST_NAME]:
        return "nom d'exercice manquant"
    if not row[PROFESSION]:
        return "code profession manquant"
    commune = row[COMMUNE]
    if commune and not INSEE_COMMUNE_RE.match(commune):
        return f"code commune « {commune} » invalide"
    return None


def _address(row: _Row) -> str:
    street_type = row[STREET_TYPE] or row[STREET_TYPE_CODE]
    street = " ".join(
        p for p in (row[STREET_NUMBER], row[STREET_REPEAT], street_type, row[STREET]) if p
    )
    return ", ".join(p for p in (row[PLACE_DETAIL], street, row[DISTRIBUTION]) if p)[:255]


def _site_key(row: _Row, address: str) -> str:
    """A stable key of the site within the professional's activities."""
    if row[FINESS]:
        return f"finess-{row[FINESS]}"
    if row[SIRET]:
        return f"siret-{row[SIRET]}"
    if row[STRUCTURE_ID]:
        return f"structure-{row[STRUCTURE_ID]}"
    digest = hashlib.sha1(f"{_norm(address)}|{row[COMMUNE]}".encode()).hexdigest()[:12]
    return f"adresse-{digest}"


def _place_key(organisation_id, address: str, commune_id) -> tuple:
    if organisation_id:
        return ("organisation", organisation_id)
    return ("adresse", _norm(address), commune_id)


def _theme(profession: str, rows: list[_Row]) -> str | None:
    if profession == Profession.PHYSICIAN:
        for row in rows:
            if row[SKILL_CODE].upper() in GENERAL_PRACTICE_CODES or "medecine generale" in _norm(
                row[SKILL]
            ):
                return GENERAL_PRACTICE
        return None
    return THEME_BY_PROFESSION.get(profession)


def _email(value: str) -> str:
    return value if len(value) <= 254 and EMAIL_RE.match(value) else ""


@gc_paused()
def import_rpps(data: bytes, report: ImportReport) -> None:
    groups = _read(decode(data), report)
    communes = communes_by_insee()

    # Sites of the territory, per professional (file order, one per site key).
    people = []
    for (id_type, ident), rows in groups.items():
        sites: dict[str, dict] = {}
        for row in rows:
            commune = communes.get(row[COMMUNE])
            if commune is None:
                continue
            address = _address(row)
            key = _site_key(row, address)
            if key not in sites:
                postal = row[POSTAL_CODE]
                sites[key] = {
                    "key": key,
                    "row": row,
                    "commune": commune,
                    "address": address,
                    "postal_code": postal if len(postal) == 5 and postal.isdigit() else "",
                    "phone": row[PHONE][:30],
                    "email": _email(row[EMAIL]),
                    "role_label": row[MODE][:150],
                }
        if not sites:
            report.ignored += 1  # no activity in a known commune
            continue
        people.append((id_type, ident, rows, list(sites.values())))
    if not people:
        return

    rpps_ids = [ident for id_type, ident, _, _ in people if id_type == "8"]
    adeli_ids = [ident for id_type, ident, _, _ in people if id_type == "0"]
    existing: dict[tuple[str, str], Professional] = {}
    for id_type, field, ids in (("8", "rpps", rpps_ids), ("0", "adeli", adeli_ids)):
        for professional in fetch_by(Professional.all_objects, field, ids):
            key = (id_type, getattr(professional, field))
            # An archived record must not hide an active one with the same number.
            if key not in existing or existing[key].deleted_at is not None:
                existing[key] = professional
    organisations = _organisations(people)
    places_by_professional: dict[int, dict[tuple, PracticePlace]] = {}
    known_ids = [p.pk for p in existing.values()]
    for place in fetch_by(PracticePlace.objects.all(), "professional_id", known_ids):
        key = _place_key(place.organisation_id, place.address, place.commune_id)
        places_by_professional.setdefault(place.professional_id, {}).setdefault(key, place)
    source_ids = [f"{ident}:{site['key']}" for _, ident, _, sites in people for site in sites]
    services = {
        s.source_id: s
        for s in fetch_by(
            Service.all_objects.filter(source=SOURCE).defer("search_vector"),
            "source_id",
            source_ids,
        )
    }

    user_id = actor_id()
    new_people, changed_people, people_fields, people_changes = [], [], set(), {}
    new_places, changed_places, place_fields, place_changes = [], [], set(), {}
    new_services, changed_services, service_fields = [], [], set()

    for id_type, ident, rows, sites in people:
        first = rows[0]
        profession = PROFESSIONS.get(first[PROFESSION], Profession.OTHER)
        values = {
            "civility": CIVILITIES.get(first[CIVILITY].upper(), ""),
            "title": TITLES.get(first[TITLE].upper(), ""),
            "first_name": first[FIRST_NAME][:150],
            "last_name": first[LAST_NAME][:150],
            "profession": profession,
            "specialty": next((r[SKILL] for r in rows if r[SKILL]), "")[:150],
            "phone": next((s["phone"] for s in sites if s["phone"]), ""),
            "email": next((s["email"] for s in sites if s["email"]), ""),
        }
        professional = existing.get((id_type, ident))
        if professional is not None and professional.deleted_at is not None:
            report.ignored += 1  # archived by the DAC: not brought back
            continue
        created = professional is None
        changed_anything = False
        if created:
            professional = Professional(created_by_id=user_id, updated_by_id=user_id)
            if id_type == "8":
                professional.rpps = ident
            else:
                professional.adeli = ident
            apply(professional, values)
            new_people.append(professional)
        else:
            changed = apply(professional, values)
            if changed:
                changed_anything = True
                professional.updated_by_id = user_id
                people_fields.update(changed)
                people_changes[professional.pk] = changed
                changed_people.append(professional)

        known_places = {} if created else places_by_professional.get(professional.pk, {})
        primary_taken = bool(known_places)
        theme = _theme(profession, rows)
        for site in sites:
            row = site["row"]
            organisation = organisations.get(("finess", row[FINESS])) or organisations.get(
                ("siret", row[SIRET])
            )
            place_values = {
                "organisation": organisation,
                "role_label": site["role_label"],
                "address": "" if organisation else site["address"],
                "commune": site["commune"],
                "phone": site["phone"],
            }
            key = _place_key(
                organisation.pk if organisation else None, site["address"], site["commune"].pk
            )
            place = known_places.get(key)
            if place is None:
                place = PracticePlace(
                    professional=professional,
                    is_primary=not primary_taken,
                    created_by_id=user_id,
                    updated_by_id=user_id,
                )
                primary_taken = True
                apply(place, place_values)
                place.key = key
                known_places[key] = place  # two sites may be one place (same structure)
                new_places.append(place)
                changed_anything = True
            elif place.pk is not None:
                place.professional = professional
                changed = apply(place, place_values)
                if changed:
                    changed_anything = True
                    place.updated_by_id = user_id
                    place_fields.update(changed)
                    place_changes[place.pk] = changed
                    changed_places.append(place)

            if theme is None:
                continue
            source_id = f"{ident}:{site['key']}"[:200]
            service = services.get(source_id)
            if service is not None and service.deleted_at is not None:
                continue  # archived by the DAC
            description = ", ".join(
                p for p in (row[PROFESSION_LABEL], site["role_label"].lower()) if p
            )
            site_name = row[SITE_NAME] or row[SIGN]
            if site_name:
                description += f". Lieu d'exercice : {site_name}"
            service_values = {
                "professional": professional,
                # The provider is shown beside the name (and read through the access log):
                # a practitioner's name is not copied into the service.
                "name": THEMES[theme].label,
                "description": description,
                "sector": Sector.HEALTH,
                "themes": [theme],
                "address": site["address"],
                "postal_code": site["postal_code"],
                "commune": site["commune"],
                "phone": site["phone"],
                "email": site["email"],
            }
            if service is None:
                service = Service(
                    source=SOURCE,
                    source_id=source_id,
                    zone_codes=[site["commune"].insee_code],
                    created_by_id=user_id,
                    updated_by_id=user_id,
                )
                apply(service, service_values)
                service.refresh_derived()
                new_services.append(service)
                changed_anything = True
                continue
            before = (service.latitude, service.longitude, service.search_text)
            changed = apply(service, service_values)
            service.refresh_derived()
            after = (service.latitude, service.longitude, service.search_text)
            changed += [
                name
                for name, old, new in zip(
                    ("latitude", "longitude", "search_text"), before, after, strict=True
                )
                if old != new and name not in changed
            ]
            if not service.zone_codes:
                service.zone_codes = [site["commune"].insee_code]
                changed.append("zone_codes")
            if changed:
                changed_anything = True
                service.updated_by_id = user_id
                service_fields.update(changed)
                changed_services.append(service)

        if created:
            report.created += 1
        elif changed_anything:
            report.updated += 1
        else:
            report.unchanged += 1

    _write_professionals(new_people, changed_people, people_fields, people_changes)
    _write_places(new_places, changed_places, place_fields, place_changes)
    for service in new_services:
        service.professional_id = service.professional.pk
    insert_rows(Service, new_services)
    update_rows(Service, changed_services, [*sorted(service_fields), "updated_by"])


def _organisations(people) -> dict[tuple[str, str], Organisation]:
    """Organisations of the directory matching the sites' FINESS or SIRET (first created wins)."""
    finess, sirets = set(), set()
    for _, _, _, sites in people:
        for site in sites:
            row = site["row"]
            if row[FINESS]:
                finess.add(row[FINESS])
            if row[SIRET]:
                sirets.add(row[SIRET])
    found: dict[tuple[str, str], Organisation] = {}
    alive = Organisation.objects.order_by("pk")
    for organisation in fetch_by(alive, "finess_et", finess):
        found.setdefault(("finess", organisation.finess_et), organisation)
    for organisation in fetch_by(alive, "siret", sirets):
        found.setdefault(("siret", organisation.siret), organisation)
    return found


def _write_professionals(new, changed, fields, changes) -> None:
    insert_rows(Professional, new)
    # Ids read back by number (values_list: no personal data is loaded).
    by_number = {}
    for batch in chunks([p.rpps for p in new if p.rpps]):
        by_number.update(
            (("8", n), pk)
            for n, pk in Professional.objects.filter(rpps__in=batch).values_list("rpps", "pk")
        )
    for batch in chunks([p.adeli for p in new if not p.rpps]):
        by_number.update(
            (("0", n), pk)
            for n, pk in Professional.objects.filter(adeli__in=batch, rpps="").values_list(
                "adeli", "pk"
            )
        )
    for professional in new:
        number = ("8", professional.rpps) if professional.rpps else ("0", professional.adeli)
        professional.pk = by_number[number]
        professional._state.adding = False
    update_rows(Professional, changed, [*sorted(fields), "updated_by"])
    all_fields = [f.attname for f in Professional._meta.concrete_fields]
    audit.record_many(new, AccessAction.CREATE, all_fields)
    audit.record_many(changed, AccessAction.UPDATE, lambda p: changes[p.pk])


def _write_places(new, changed, fields, changes) -> None:
    for place in new:
        place.professional_id = place.professional.pk
    insert_rows(PracticePlace, new)
    # Ids read back by (professional, place key), which is unique among a professional's places.
    waiting = {(p.professional_id, p.key): p for p in new}
    rows = []
    for batch in chunks({p.professional_id for p in new}):
        rows += PracticePlace.objects.filter(professional_id__in=batch).values_list(
            "pk", "professional_id", "organisation_id", "address", "commune_id"
        )
    for pk, professional_id, organisation_id, address, commune_id in rows:
        place = waiting.get((professional_id, _place_key(organisation_id, address, commune_id)))
        if place is not None and place.pk is None:
            place.pk = pk
            place._state.adding = False
    update_rows(PracticePlace, changed, [*sorted(fields), "updated_by"])
    all_fields = [f.attname for f in PracticePlace._meta.concrete_fields]
    audit.record_many(new, AccessAction.CREATE, all_fields)
    audit.record_many(changed, AccessAction.UPDATE, lambda p: changes[p.pk])
