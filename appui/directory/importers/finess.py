"""Import of the national FINESS extraction of establishments (etalab CSV).

The file is `;`-separated, Latin-1 in practice (UTF-8 accepted), normally without quotes (a line
re-saved by a spreadsheet with quoted fields is read too). The first column gives the line type:
``structureet`` lines describe an establishment, ``geolocalisation`` lines give its coordinates
(usually all after the establishments), in Lambert-93 unless the line names another EPSG code. The
real file opens with a ``finess;etalab;…`` line and has no header row, so columns are read in their
documented order; if a header row naming the columns is present (it must contain ``nofinesset``),
columns are read by name instead. ``report.rows`` counts both kinds of data lines.

Each establishment of a known commune becomes an :class:`Organisation` and one :class:`Service`,
both keyed on (source="finess", source_id=FINESS établissement). Establishments of communes that
are not in the commune table are outside the territory: counted as ignored, never rejected.

Counts (created / updated / unchanged) are per establishment, i.e. per service: the organisation
follows its service (a changed organisation makes its establishment "updated"; "unchanged" means
every imported field of both is equal to what is stored). An archived service is left archived and
counted as ignored. ``zone_codes`` is set to the establishment's commune on creation only, so a
zone widened by the DAC survives later imports.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from pyproj import Transformer

from appui.core.identifiers import FINESS_RE
from appui.territory.enums import SECTOR_BY_KIND, OrganisationKind, Sector
from appui.territory.models import Organisation

from ..models import Service
from . import ImportFileError, ImportReport
from ._common import (
    actor_id,
    apply,
    communes_by_insee,
    decode,
    fetch_by,
    gc_paused,
    insert_rows,
    numbered_lines,
    update_rows,
)

SOURCE = "finess"
STRUCTURE = "structureet"
GEOLOCATION = "geolocalisation"

# Documented column order after the line-type column (REFERENCE §5); numuai only in newer files.
STRUCTURE_COLUMNS = [
    "nofinesset",
    "nofinessej",
    "rs",
    "rslongue",
    "complrs",
    "compldistrib",
    "numvoie",
    "typvoie",
    "voie",
    "compvoie",
    "lieuditbp",
    "commune",
    "departement",
    "libdepartement",
    "ligneacheminement",
    "telephone",
    "telecopie",
    "categetab",
    "libcategetab",
    "categagretab",
    "libcategagretab",
    "siret",
    "codeape",
    "codemft",
    "libmft",
    "codesph",
    "libsph",
    "dateouv",
    "dateautor",
    "datemaj",
    "numuai",
]
GEO_COLUMNS = ["nofinesset", "coordxet", "coordyet", "sourcecoordet", "datemaj"]
REQUIRED = {
    STRUCTURE: ("nofinesset", "rs", "commune", "departement", "categetab"),
    GEOLOCATION: ("nofinesset", "coordxet", "coordyet"),
}
DEFAULT_CRS = 2154  # Lambert-93, mainland France; overseas lines name their own EPSG code
EPSG_RE = re.compile(r"EPSG:(\d{4,5})", re.IGNORECASE)
DEPARTMENT_RE = re.compile(r"^(\d{2}|2[AB])$")
OVERSEAS_RE = re.compile(r"^(9[A-Z]|97\d)$")


@dataclass(frozen=True)
class Category:
    kind: str
    service_name: str
    themes: tuple[str, ...] = ()
    #: sector when the organisation kind has none in SECTOR_BY_KIND (kind "other")
    sector: str = Sector.MEDICO_SOCIAL


_HOSPITAL = Category(
    OrganisationKind.HOSPITAL, "Hospitalisation et consultations", ("hospitalisation",)
)
_CLINIC = Category(
    OrganisationKind.CLINIC, "Hospitalisation et consultations", ("hospitalisation",)
)

# FINESS establishment categories (categetab). Code and label checked against published lists:
# 101, 106, 109, 114, 122, 128, 129, 131, 292, 355, 362, 365, 500. Taken as given, not confirmed
# here: 127, 202, 207, 209, 354, 460, 603, 620. Any other category → kind "other", the file's own
# label as the service name, no theme, sector médico-social (a guess: most other categories are
# social and médico-social establishments).
CATEGORIES: dict[str, Category] = {
    "101": _HOSPITAL,  # centre hospitalier régional (CHR, CHU)
    "106": _HOSPITAL,  # centre hospitalier, ex-hôpital local
    "114": _HOSPITAL,  # hôpital des armées
    "355": _HOSPITAL,  # centre hospitalier (CH)
    "292": Category(
        OrganisationKind.HOSPITAL,
        "Psychiatrie — hospitalisation et consultations",
        ("hospitalisation",),
    ),
    "362": Category(OrganisationKind.HOSPITAL, "Soins de longue durée", ("hebergement-permanent",)),
    "122": _CLINIC,  # soins obstétriques et chirurgico-gynécologiques
    "128": _CLINIC,  # soins chirurgicaux
    "129": _CLINIC,  # soins médicaux
    "131": _CLINIC,  # centre de lutte contre le cancer
    "365": _CLINIC,  # soins pluridisciplinaires
    "109": Category(
        OrganisationKind.CLINIC, "Soins médicaux et de réadaptation", ("soins-de-suite",)
    ),
    "127": Category(OrganisationKind.HAD, "Hospitalisation à domicile", ("had",)),
    "354": Category(OrganisationKind.SSIAD, "Service de soins infirmiers à domicile", ("ssiad",)),
    "209": Category(
        OrganisationKind.SSIAD,
        "Service polyvalent d'aide et de soins à domicile",
        ("ssiad", "aide-a-domicile"),
    ),
    "460": Category(
        OrganisationKind.SAAD, "Service d'aide et d'accompagnement à domicile", ("aide-a-domicile",)
    ),
    "500": Category(OrganisationKind.EHPAD, "Hébergement en EHPAD", ("hebergement-permanent",)),
    "202": Category(OrganisationKind.OTHER, "Résidence autonomie", ("hebergement-permanent",)),
    "207": Category(
        OrganisationKind.OTHER, "Accueil de jour pour personnes âgées", ("accueil-de-jour",)
    ),
    "603": Category(
        OrganisationKind.MSP, "Maison de santé pluriprofessionnelle", ("medecine-generale",)
    ),
    "620": Category(OrganisationKind.PHARMACY, "Pharmacie d'officine", ("pharmacie",)),
}

# Street types as abbreviated by FINESS; unknown abbreviations are kept as they are.
STREET_TYPES = {
    "ALL": "allée",
    "AV": "avenue",
    "BD": "boulevard",
    "CHE": "chemin",
    "CRS": "cours",
    "FG": "faubourg",
    "IMP": "impasse",
    "LD": "lieu-dit",
    "PL": "place",
    "QUA": "quai",
    "R": "rue",
    "RES": "résidence",
    "RTE": "route",
    "SQ": "square",
}


class Layout:
    """Where each named column sits in the lines of one type, and how many columns they have."""

    def __init__(self, names: list[str], widths: set[int], from_header: bool = False):
        self.index = {name: i for i, name in enumerate(names) if name}
        self.widths = widths
        self.from_header = from_header

    @classmethod
    def documented(cls, columns: list[str], optional_tail: int = 0) -> Layout:
        names = ["", *columns]
        return cls(names, {len(names) - n for n in range(optional_tail + 1)})

    def fit(self, fields: list[str]) -> list[str] | None:
        """The fields, without the trailing empty one a final `;` leaves, or None (bad width)."""
        if len(fields) in self.widths:
            return fields
        if fields and fields[-1] == "" and len(fields) - 1 in self.widths:
            return fields[:-1]
        return None

    def describe(self) -> str:
        return " ou ".join(str(w) for w in sorted(self.widths))


def _split(line: str) -> list[str]:
    if '"' in line:  # a file re-saved by a spreadsheet: quoted fields may hold a ';'
        return next(csv.reader([line], delimiter=";"))
    return line.split(";")


def _header_layout(fields: list[str], number: int) -> tuple[str, Layout]:
    names = [f.strip().lower() for f in fields]
    if names[0] == "nofinesset":  # no line-type column: rows get one prepended when read
        names = ["", *names]
    line_type = GEOLOCATION if "coordxet" in names else STRUCTURE
    missing = [name for name in REQUIRED[line_type] if name not in names]
    if missing:
        raise ImportFileError(
            f"Ligne d'en-tête {number} du fichier FINESS : colonne(s) manquante(s) : "
            + ", ".join(missing)
            + "."
        )
    width = len(names) - (1 if names[-1] == "" else 0)
    return line_type, Layout(names[:width], {width}, from_header=True)


def insee_code(department: str, commune: str) -> str | None:
    """The Insee code of a FINESS (département, commune) pair, or None if it cannot be one.

    FINESS gives the département and the commune's 3-digit code inside it. Mainland and Corsica
    (2A, 2B): département + commune ("59" + "526" → 59526, "2A" + "004" → 2A004). Overseas,
    FINESS codes the département 9A (Guadeloupe), 9B, 9C, 9D, 9E, 9F… and the commune code already
    carries the département's third digit ("9A" + "101" → 97101, Les Abymes), so the Insee code is
    "97" + commune; a département given as 971…976 is read the same way.
    """
    department, commune = department.strip().upper(), commune.strip()
    if len(commune) != 3 or not commune.isdigit():
        return None
    if DEPARTMENT_RE.match(department):
        return department + commune
    if OVERSEAS_RE.match(department):
        return "97" + commune
    return None


def _date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def _address(get) -> str:
    number = " ".join(p for p in (get("numvoie"), get("compvoie")) if p)
    street_type = get("typvoie")
    street_type = STREET_TYPES.get(street_type.upper(), street_type)
    street = " ".join(p for p in (number, street_type, get("voie")) if p)
    parts = [p for p in (street, get("lieuditbp")) if p]
    return ", ".join(parts)[:255]


def _finess_error(value: str, what: str) -> str | None:
    if not value:
        return f"numéro FINESS {what} manquant"
    if not FINESS_RE.match(value):
        return (
            f"numéro FINESS {what} « {value} » invalide "
            "(9 caractères : chiffres, ou 2A/2B en tête pour la Corse)"
        )
    return None


def _read_lines(text: str, report: ImportReport):
    """Split the file into structure and geolocation lines, each with its layout."""
    layouts = {
        STRUCTURE: Layout.documented(STRUCTURE_COLUMNS, optional_tail=1),
        GEOLOCATION: Layout.documented(GEO_COLUMNS),
    }
    untyped: tuple[str, Layout] | None = None
    structures, geolocations = [], []
    first = True
    for number, line in numbered_lines(text):
        fields = _split(line)
        head = fields[0].strip().lower()
        if "nofinesset" in line.lower() and "nofinesset" in (f.strip().lower() for f in fields):
            line_type, layout = _header_layout(fields, number)
            layouts[line_type] = layout
            if head == "nofinesset":  # header without a line-type column
                untyped = (line_type, layout)
            first = False
            continue
        if first:
            first = False
            if head == "finess":
                continue  # the extraction's own first line (source, date)
            if head not in (STRUCTURE, GEOLOCATION) and untyped is None:
                raise ImportFileError(
                    "Ce fichier n'est pas une extraction FINESS des établissements : les lignes "
                    "doivent commencer par « structureet » ou « geolocalisation », champs séparés "
                    "par des points-virgules."
                )
        report.rows += 1
        if head in (STRUCTURE, GEOLOCATION):
            target = structures if head == STRUCTURE else geolocations
            target.append((number, fields, layouts[head]))
        elif untyped is not None:
            line_type, layout = untyped
            (structures if line_type == STRUCTURE else geolocations).append(
                (number, [line_type, *fields], layout)
            )
        else:
            report.reject(
                number,
                f"type de ligne « {fields[0][:30]} » inconnu (attendu : structureet ou geolocalisation)",
            )
    if not structures:
        raise ImportFileError(
            "Aucune ligne « structureet » : ce fichier n'est pas une extraction FINESS des "
            "établissements."
        )
    if not any(layout.fit(fields) for _, fields, layout in structures):
        layout = structures[0][2]
        raise ImportFileError(
            "Ce fichier n'est pas une extraction FINESS des établissements : les lignes "
            f"« structureet » comptent {len(structures[0][1])} colonnes au lieu de "
            f"{layout.describe()}."
        )
    return structures, geolocations


def _parse_structure(number, fields, layout, report, communes, seen) -> dict | None:
    """One establishment as a dict of values, None when rejected or outside the territory."""
    row = layout.fit(fields)
    if row is None:
        report.reject(
            number,
            f"nombre de colonnes incorrect : {len(fields)} au lieu de {layout.describe()}",
        )
        return None
    index = layout.index

    def get(name: str) -> str:
        i = index.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    finess = get("nofinesset").upper()
    error = _finess_error(finess, "établissement")
    if not error and get("nofinessej"):
        error = _finess_error(get("nofinessej").upper(), "juridique")
    if error:
        report.reject(number, error)
        return None
    if finess in seen:
        report.reject(number, f"établissement {finess} déjà présent ligne {seen[finess]}")
        return None
    seen[finess] = number
    name = get("rslongue") or get("rs")
    if not name:
        report.reject(number, "raison sociale manquante")
        return None
    code = insee_code(get("departement"), get("commune"))
    if code is None:
        report.reject(
            number,
            f"commune « {get('commune')} » / département « {get('departement')} » invalides",
        )
        return None
    try:
        updated_on = _date(get("datemaj"))
    except ValueError:
        report.reject(number, f"date de mise à jour « {get('datemaj')} » illisible")
        return None
    commune = communes.get(code)
    if commune is None:
        report.ignored += 1
        return None
    postal = get("ligneacheminement")[:5]
    siret = get("siret").replace(" ", "")
    return {
        "finess": finess,
        "finess_ej": get("nofinessej").upper(),
        "name": name[:255],
        "category": get("categetab"),
        "category_label": get("libcategetab"),
        "siret": siret if len(siret) == 14 and siret.isdigit() else "",
        "address": _address(get),
        "postal_code": postal if postal.isdigit() and len(postal) == 5 else "",
        "commune": commune,
        "phone": get("telephone")[:30],
        "updated_on": updated_on,
    }


def _parse_geolocations(lines, wanted, report) -> dict[str, tuple[float, float]]:
    """(latitude, longitude) by FINESS number, for the establishments being imported."""
    by_crs: dict[int, list[tuple[str, float, float]]] = {}
    for number, fields, layout in lines:
        row = layout.fit(fields)
        if row is None:
            report.reject(
                number,
                f"nombre de colonnes incorrect : {len(fields)} au lieu de {layout.describe()}",
            )
            continue
        index = layout.index
        finess = row[index["nofinesset"]].strip().upper()
        error = _finess_error(finess, "établissement")
        if error:
            report.reject(number, error)
            continue
        x, y = row[index["coordxet"]].strip(), row[index["coordyet"]].strip()
        if not x and not y:
            continue  # not geolocated yet
        try:
            x, y = float(x.replace(",", ".")), float(y.replace(",", "."))
        except ValueError:
            report.reject(number, f"coordonnées « {x} ; {y} » non numériques")
            continue
        if finess not in wanted:
            continue
        source = row[index["sourcecoordet"]] if "sourcecoordet" in index else ""
        match = EPSG_RE.search(source)
        crs = int(match.group(1)) if match else DEFAULT_CRS
        by_crs.setdefault(crs, []).append((finess, x, y))
    positions = {}
    # One transformer per coordinate system and per import, each applied to all its points at once.
    for crs, points in by_crs.items():
        transformer = Transformer.from_crs(crs, 4326, always_xy=True)
        lons, lats = transformer.transform([p[1] for p in points], [p[2] for p in points])
        for (finess, _, _), lon, lat in zip(points, lons, lats, strict=True):
            if math.isfinite(lat) and math.isfinite(lon):
                positions[finess] = (round(lat, 6), round(lon, 6))
    return positions


@gc_paused()
def import_finess(data: bytes, report: ImportReport) -> None:
    structures, geolocations = _read_lines(decode(data), report)
    communes = communes_by_insee()
    seen: dict[str, int] = {}
    records = []
    for number, fields, layout in structures:
        record = _parse_structure(number, fields, layout, report, communes, seen)
        if record:
            records.append(record)
    positions = _parse_geolocations(geolocations, {r["finess"] for r in records}, report)
    if not records:
        return

    ids = [r["finess"] for r in records]
    services = {
        s.source_id: s
        for s in fetch_by(
            Service.all_objects.filter(source=SOURCE).defer("search_vector"), "source_id", ids
        )
    }
    organisations = {
        o.source_id: o
        for o in fetch_by(Organisation.all_objects.filter(source=SOURCE), "source_id", ids)
    }
    user_id = actor_id()
    new_orgs, changed_orgs, org_fields = [], [], set()
    new_services, changed_services, service_fields = [], [], set()

    for record in records:
        finess = record["finess"]
        service = services.get(finess)
        if service is not None and service.deleted_at is not None:
            report.ignored += 1  # archived by the DAC: not brought back
            continue
        category = CATEGORIES.get(record["category"]) or Category(
            OrganisationKind.OTHER, record["category_label"][:150] or "Établissement"
        )
        commune = record["commune"]
        org_values = {
            "name": record["name"],
            "kind": category.kind,
            "finess_et": finess,
            "finess_ej": record["finess_ej"],
            "siret": record["siret"],
            "address": record["address"],
            "postal_code": record["postal_code"],
            "commune": commune,
            "phone": record["phone"],
        }
        organisation = organisations.get(finess)
        org_changed = False
        if organisation is None:
            organisation = Organisation(
                source=SOURCE, source_id=finess, created_by_id=user_id, updated_by_id=user_id
            )
            apply(organisation, org_values)
            new_orgs.append(organisation)
        else:
            changed = apply(organisation, org_values)
            if changed:
                org_changed = True
                org_fields.update(changed)
                organisation.updated_by_id = user_id
                changed_orgs.append(organisation)

        label = record["category_label"] or category.service_name
        values = {
            "organisation": organisation,
            "name": category.service_name[:150],
            "description": f"Catégorie FINESS : {label} ({record['category'] or '?'}). "
            f"Numéro FINESS : {finess}.",
            "sector": SECTOR_BY_KIND.get(category.kind, category.sector),
            "themes": list(category.themes),
            "address": record["address"],
            "postal_code": record["postal_code"],
            "commune": commune,
            "phone": record["phone"],
            "source_updated_on": record["updated_on"],
            "located_at_address": finess in positions,
        }
        if finess in positions:
            values["latitude"], values["longitude"] = positions[finess]

        if service is None:
            service = Service(
                source=SOURCE,
                source_id=finess,
                zone_codes=[commune.insee_code],
                created_by_id=user_id,
                updated_by_id=user_id,
            )
            apply(service, values)
            service.refresh_derived()
            new_services.append(service)
            report.created += 1
            continue
        derived = ("latitude", "longitude", "search_text")
        before = {name: getattr(service, name) for name in derived}
        changed = apply(service, values)
        service.refresh_derived()
        changed += [n for n in derived if getattr(service, n) != before[n] and n not in changed]
        if not service.zone_codes:
            service.zone_codes = [commune.insee_code]
            changed.append("zone_codes")
        if changed:
            service_fields.update(changed)
            service.updated_by_id = user_id
            changed_services.append(service)
        if changed or org_changed:
            report.updated += 1
        else:
            report.unchanged += 1

    # Organisations first (their ids are drawn by `insert_rows`), then the services pointing to them.
    insert_rows(Organisation, new_orgs)
    update_rows(Organisation, changed_orgs, [*sorted(org_fields), "updated_by"])
    for service in new_services:
        service.organisation_id = service.organisation.pk
    insert_rows(Service, new_services)
    update_rows(Service, changed_services, [*sorted(service_fields), "updated_by"])
