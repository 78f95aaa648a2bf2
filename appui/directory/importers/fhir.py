"""Import of a FHIR R4 Bundle as published by a regional ROR (Organization, HealthcareService,
Location), validated resource by resource with the R4B models of ``fhir.resources``.

- Organization → organisation (source « ror », identified by its FINESS number, else its id);
- HealthcareService → service (identified by the resource id), attached to its `providedBy`;
- Location is read through the services (where the offer takes place, `coverageArea`) and, for an
  organisation without an address, through `managingOrganization`.

Other resource types are left aside. A rejected entry is reported with its position in the Bundle.
Only services are counted in the report (organisations when the Bundle holds no service).

Themes come from the codings through ``CODING_THEMES`` (ROR nomenclatures; unknown codes are
ignored), and, when a service has none, from the FINESS category of its organisation
(``CATEGORY_THEMES``). Both tables are deliberately short: they hold the codes we have checked.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.organization import Organization
from pydantic import ValidationError

from appui.core.identifiers import DEPARTMENT_RE, FINESS_RE, INSEE_COMMUNE_RE
from appui.territory.enums import SECTOR_BY_KIND, OrganisationKind, Sector
from appui.territory.models import Commune, Organisation

from ..enums import AccessCondition
from ..models import Service
from . import ImportFileError, ImportReport
from ._common import apply, chunks
from .datainclusion import (
    bulk_save,
    count,
    derived_state,
    existing_by_key,
    fit,
    position,
    read_json,
    sort_service,
    valid_siret,
    validation_reason,
)

SOURCE = "ror"
RESOURCES = {
    "Organization": Organization,
    "HealthcareService": HealthcareService,
    "Location": Location,
}

FINESS_SYSTEMS = {"https://finess.esante.gouv.fr", "http://finess.sante.gouv.fr"}
SIRENE_SYSTEMS = {"https://sirene.fr", "http://sirene.fr"}
#: idNat_Struct: "1" + FINESS, "2" + SIREN, "3" + SIRET
ID_NAT_STRUCT = "1.2.250.1.71.4.2.2"

# Nomenclature → key, recognised in the coding's system (NOS URLs or OIDs vary between servers).
NOMENCLATURES = {
    "R211": "activite",  # TRE_R211-ActiviteOperationnelle (HealthcareService.specialty)
    "R213": "prise-en-charge",  # TRE_R213-ModePriseEnCharge (characteristic)
    "R227": "champ",  # TRE_R227-ChampActivite (HealthcareService.type)
    "R66": "categorie",  # TRE_R66-CategorieEtablissement (Organization.type)
}

#: (nomenclature, code) → our theme codes, for HealthcareService type/category/specialty/
#: characteristic codings.
CODING_THEMES = {
    ("activite", "437"): ["medecine-generale"],  # Médecine générale
    ("activite", "157"): ["hospitalisation"],  # Urgences polyvalentes hospitalières
    ("activite", "249"): ["hospitalisation"],  # Urgences pédiatriques hospitalières
    ("activite", "298"): [
        "logement-hebergement--se-maintenir-dans-le-logement"
    ],  # Vivre dans un logement
    ("prise-en-charge", "28"): ["hospitalisation"],  # Hospitalisation complète
    ("prise-en-charge", "33"): ["hospitalisation"],  # Accueil des urgences
}

#: FINESS category of the organisation (TRE_R66) → (organisation kind, themes of its services).
CATEGORY = {
    "101": (OrganisationKind.HOSPITAL, ["hospitalisation"]),  # Centre hospitalier régional
    "106": (OrganisationKind.HOSPITAL, ["hospitalisation"]),  # Centre hospitalier, ex-hôpital local
    "355": (OrganisationKind.HOSPITAL, ["hospitalisation"]),  # Centre hospitalier
    "127": (OrganisationKind.HAD, ["had"]),  # Hospitalisation à domicile
    "354": (OrganisationKind.SSIAD, ["ssiad"]),  # SSIAD
    "209": (OrganisationKind.SSIAD, ["ssiad", "aide-a-domicile"]),  # SPASAD
    "460": (OrganisationKind.SAAD, ["aide-a-domicile"]),  # SAAD
    "500": (OrganisationKind.EHPAD, ["hebergement-permanent"]),  # EHPAD
    "603": (OrganisationKind.MSP, ["medecine-generale"]),  # Maison de santé
    "620": (OrganisationKind.PHARMACY, ["pharmacie"]),  # Pharmacie d'officine
}

#: champ d'activité (TRE_R227) → sector
FIELD_SECTORS = {"01": Sector.HEALTH, "04": Sector.MEDICO_SOCIAL, "05": Sector.HEALTH}

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_LABELS = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]


# -- reading the resources --------------------------------------------------------------------


def _nomenclature(system: str | None) -> str:
    system = (system or "").upper()
    for key, name in NOMENCLATURES.items():
        if re.search(rf"(TRE[_-]{key}\b|TRE[_-]{key}[_-])", system):
            return name
    return ""


def _codings(concepts) -> list[tuple[str, str]]:
    """(nomenclature, code) of every coding of some CodeableConcepts."""
    found = []
    for concept in concepts or []:
        for coding in concept.coding or []:
            if coding.code:
                found.append((_nomenclature(coding.system), coding.code))
    return found


def _text(concept) -> str:
    if concept is None:
        return ""
    if concept.text:
        return concept.text
    return next((c.display for c in concept.coding or [] if c.display), "")


def _ref_key(reference: str | None) -> str:
    """`Type/id` from a relative or absolute reference (a `urn:uuid:` is kept whole)."""
    reference = (reference or "").strip()
    if reference.startswith("urn:"):
        return reference
    parts = reference.split("/_history/")[0].rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else reference


def _extension_codes(extensions, pattern: str) -> list[str]:
    """Codes carried by the extensions whose URL matches `pattern` (INSEE code of a commune)."""
    codes = []
    for extension in extensions or []:
        if not re.search(pattern, extension.url or "", re.IGNORECASE):
            continue
        if extension.valueCodeableConcept:
            codes += [c.code for c in extension.valueCodeableConcept.coding or [] if c.code]
        if extension.valueCoding and extension.valueCoding.code:
            codes.append(extension.valueCoding.code)
        for value in (extension.valueCode, extension.valueString):
            if value:
                codes.append(value)
    return codes


INSEE_EXTENSION = r"commune-cog|insee"


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, date) else None


def _valid_email(value: str) -> str:
    try:
        validate_email(value)
    except DjangoValidationError:
        return ""
    return value[:254]


def _valid_url(value: str) -> str:
    try:
        URLValidator()(value)
    except DjangoValidationError:
        return ""
    return value if len(value) <= 200 else ""


def _telecom(points) -> dict:
    phones, emails, urls = [], [], []
    for point in points or []:
        value = (point.value or "").strip()
        if not value:
            continue
        if point.system in ("phone", "sms"):
            phones.append(fit(value, 30))
        elif point.system == "email":
            emails.append(_valid_email(value.removeprefix("mailto:")))
        elif point.system == "url":
            urls.append(_valid_url(value))
    emails, urls = [e for e in emails if e], [u for u in urls if u]
    return {"phones": phones, "emails": emails, "url": urls[0] if urls else ""}


# -- opening hours ------------------------------------------------------------------------------


def _days_label(days: list[int]) -> str:
    days = sorted(set(days))
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_LABELS[run[0]]}–{DAY_LABELS[run[-1]]}")
        else:
            parts += [DAY_LABELS[d] for d in run]
    return ", ".join(parts)


def _hhmm(value) -> str:
    return value.strftime("%H:%M") if hasattr(value, "strftime") else str(value)[:5]


def _available_days(slot) -> list[int]:
    days = [DAYS.index(d) for d in slot.daysOfWeek or [] if d in DAYS]
    if not days:  # ROR: day numbers in an extension (1 = Monday)
        for extension in slot.extension or []:
            number = extension.valueInteger
            if "days-of-week" in (extension.url or "") and number and 1 <= number <= 7:
                days.append(number - 1)
    return days


def _hours(slot) -> str:
    if slot.allDay:
        return "24 h/24"
    if slot.availableStartTime and slot.availableEndTime:
        return f"{_hhmm(slot.availableStartTime)}–{_hhmm(slot.availableEndTime)}"
    if slot.availableStartTime:
        return f"à partir de {_hhmm(slot.availableStartTime)}"
    return ""


def opening_hours(slots) -> str:
    """`availableTime` in French: « lun.–ven. 09:00–12:00, 14:00–17:00 ; sam. 09:00–12:00 ».

    The ROR gives one slot per day and time range: the ranges of a same day are put together,
    then the days that share the same ranges.
    """
    by_day: dict[tuple[int, ...], list[str]] = {}
    for slot in slots or []:
        days = tuple(sorted(set(_available_days(slot))))
        times = by_day.setdefault(days, [])
        hours = _hours(slot)
        if hours and hours not in times:
            times.append(hours)
    by_times: dict[tuple[str, ...], set[int]] = {}
    for days, times in by_day.items():
        by_times.setdefault(tuple(times), set()).update(days)
    parts = [
        " ".join(p for p in (_days_label(list(days)), ", ".join(times)) if p)
        for times, days in sorted(by_times.items(), key=lambda item: min(item[1], default=7))
    ]
    return fit(" ; ".join(p for p in parts if p), 500)


def availability_note(service: HealthcareService) -> str:
    """Closures still to come (`notAvailable`) and `availabilityExceptions`, in French."""
    today = timezone.localdate()
    notes = []
    for closure in service.notAvailable or []:
        during = closure.during
        start = _as_date(during.start) if during else None
        end = _as_date(during.end) if during else None
        if end and end < today:
            continue  # a closure that is over says nothing any more
        text = (closure.description or "").strip()
        if start and end:
            text += f" (du {start:%d/%m/%Y} au {end:%d/%m/%Y})"
        elif start:
            text += f" (à partir du {start:%d/%m/%Y})"
        elif end:
            text += f" (jusqu'au {end:%d/%m/%Y})"
        notes.append(text.strip())
    if service.availabilityExceptions:
        notes.append(service.availabilityExceptions.strip())
    return fit(" ; ".join(n for n in notes if n), 500)


def access_details(service: HealthcareService) -> str:
    lines = []
    for eligibility in service.eligibility or []:
        text = " — ".join(t for t in (_text(eligibility.code), eligibility.comment or "") if t)
        if text:
            lines.append(f"Conditions : {text}")
    programs = [_text(p) for p in service.program or []]
    if any(programs):
        lines.append("Programme : " + ", ".join(p for p in programs if p))
    return "\n".join(lines)


# -- communes -----------------------------------------------------------------------------------


class _Places:
    """Communes named by INSEE code, or found by postal code (and city name) in our table."""

    def __init__(self):
        self.by_code: dict[str, Commune] = {}
        self.by_postal: dict[str, list[Commune]] = {}

    def load(self, codes: set[str], postal_codes: set[str]) -> None:
        for chunk in chunks(sorted(codes)):
            self.by_code.update(
                (c.insee_code, c) for c in Commune.objects.filter(insee_code__in=chunk)
            )
        for postal in sorted(postal_codes):  # one query per distinct postal code of the Bundle
            self.by_postal[postal] = [
                c
                for c in Commune.objects.filter(postal_codes__contains=postal)
                if postal in c.postal_code_list
            ]

    @staticmethod
    def codes(address, extensions=None) -> list[str]:
        """INSEE codes given by the extensions, or by `district`/`city` holding a code."""
        found = _extension_codes(extensions, INSEE_EXTENSION)
        if address is not None:
            found += _extension_codes(address.extension, INSEE_EXTENSION)
            found += [v for v in (address.district, address.city) if v]
        return [c for c in found if INSEE_COMMUNE_RE.match(c)]

    def commune(self, address, extensions=None) -> Commune | None:
        for code in self.codes(address, extensions):
            if code in self.by_code:
                return self.by_code[code]
        if address is None or not address.postalCode:
            return None
        candidates = self.by_postal.get(address.postalCode, [])
        named = [c for c in candidates if _plain(c.name) == _plain(address.city or "")]
        if len(named) == 1:
            return named[0]
        return candidates[0] if len(candidates) == 1 else None

    def zone(self, location: Location) -> list[str]:
        """Zone codes (communes, départements) that a coverage Location stands for."""
        address = location.address
        codes = self.codes(address, location.extension)
        if codes:
            return codes
        if address is None:
            return []
        departments = [v for v in (address.district, address.state) if v and DEPARTMENT_RE.match(v)]
        if departments:
            return departments
        commune = self.commune(address)
        if commune is not None:
            return [commune.insee_code]
        return [c.insee_code for c in self.by_postal.get(address.postalCode or "", [])]


def _address_line(address) -> str:
    if address is None:
        return ""
    return fit(", ".join(line.strip() for line in address.line or [] if line.strip()), 255)


def _postal_code(address) -> str:
    value = (address.postalCode or "").strip() if address is not None else ""
    return value if re.fullmatch(r"\d{5}", value) else ""


# -- organisations ------------------------------------------------------------------------------


def _identifiers(resource: Organization) -> dict:
    found = {"finess_et": "", "finess_ej": "", "siret": ""}
    for identifier in resource.identifier or []:
        system = (identifier.system or "").rstrip("/")
        value = re.sub(r"\s", "", identifier.value or "")
        types = {c.code for c in (identifier.type.coding if identifier.type else None) or []}
        finess = ""
        if system in FINESS_SYSTEMS:
            finess = value
        elif system.endswith(ID_NAT_STRUCT):
            if value[:1] == "1":
                finess = value[1:]
            elif value[:1] == "3":
                found["siret"] = found["siret"] or valid_siret(value[1:])
        elif system in SIRENE_SYSTEMS and len(value) == 14:
            found["siret"] = found["siret"] or valid_siret(value)
        if finess and FINESS_RE.match(finess):
            slot = "finess_ej" if "FINEJ" in types else "finess_et"
            found[slot] = found[slot] or finess
    return found


def _category(resource: Organization) -> str:
    for nomenclature, code in _codings(resource.type):
        if nomenclature == "categorie" and code in CATEGORY:
            return code
    return ""


def _organisation_values(resource: Organization, address, extensions, places: _Places) -> dict:
    ids = _identifiers(resource)
    telecom = _telecom(resource.telecom)
    emails = telecom["emails"]
    secure = [e for e in emails if e.lower().endswith("mssante.fr")]
    plain = [e for e in emails if e not in secure]
    return {
        "name": fit(resource.name or (resource.alias or [""])[0], 255),
        **ids,
        "address": _address_line(address),
        "postal_code": _postal_code(address),
        "commune": places.commune(address, extensions),
        "phone": telecom["phones"][0] if telecom["phones"] else "",
        "email": plain[0] if plain else "",
        "mssante_address": secure[0] if secure else "",
        "website": telecom["url"],
    }


ORGANISATION_FIELDS = [
    "name",
    "kind",
    "finess_et",
    "finess_ej",
    "siret",
    "address",
    "postal_code",
    "commune",
    "phone",
    "email",
    "mssante_address",
    "website",
]
SERVICE_FIELDS = [
    "organisation",
    "name",
    "description",
    "sector",
    "themes",
    "access_conditions",
    "access_details",
    "zone_codes",
    "address",
    "postal_code",
    "commune",
    "located_at_address",
    "latitude",
    "longitude",
    "phone",
    "phone_2",
    "email",
    "website",
    "opening_hours",
    "availability_note",
    "source_updated_on",
    "search_text",
]


# -- the Bundle -------------------------------------------------------------------------------


class _Bundle:
    """The valid resources of a Bundle, by reference, with their entry number."""

    def __init__(self, payload: dict, report: ImportReport):
        self.report = report
        self.resources: dict[str, list] = defaultdict(list)  # type → [(number, resource)]
        self.by_ref: dict[str, object] = {}
        self.rejected_refs: set[str] = set()
        entries = payload.get("entry") or []
        if not isinstance(entries, list):
            raise ImportFileError("Bundle FHIR illisible : « entry » doit être une liste.")
        if not entries:
            raise ImportFileError("Le Bundle FHIR ne contient aucune entrée.")
        for number, entry in enumerate(entries, start=1):
            self._read(number, entry)

    def _read(self, number: int, entry) -> None:
        raw = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(raw, dict):
            self.report.reject(number, f"entrée n°{number} : ressource absente ou illisible.")
            return
        kind = raw.get("resourceType")
        model = RESOURCES.get(kind)
        if model is None:
            return  # other resources (PractitionerRole…) are not the directory's business
        resource_id = raw.get("id")
        refs = {f"{kind}/{resource_id}"} if isinstance(resource_id, str) and resource_id else set()
        if isinstance(entry.get("fullUrl"), str):
            refs.add(_ref_key(entry["fullUrl"]))
        label = f"entrée n°{number} ({kind} « {resource_id or 'sans identifiant'} »)"
        try:
            resource = model.model_validate(raw)
        except ValidationError as exc:
            reason = validation_reason(exc, french_value_errors=False)
            self.report.reject(number, f"{label} : {reason}.")
            self.rejected_refs |= refs
            return
        if not resource.id:
            self.report.reject(number, f"{label} : identifiant (« id ») absent.")
            return
        if any(ref in self.by_ref for ref in refs):
            self.report.reject(
                number, f"{label} : ressource déjà présente plus haut dans le Bundle."
            )
            return
        self.resources[kind].append((number, resource))
        for ref in refs:
            self.by_ref[ref] = resource

    def get(self, reference, kind: str):
        if reference is None:
            return None
        resource = self.by_ref.get(_ref_key(reference.reference))
        return resource if resource is not None and resource.get_resource_type() == kind else None

    def is_rejected(self, reference) -> bool:
        return reference is not None and _ref_key(reference.reference) in self.rejected_refs


def _managed_locations(bundle: _Bundle) -> dict[str, Location]:
    """The first addressed Location of each Organization (`managingOrganization`), by its id."""
    locations = {}
    for _number, location in bundle.resources["Location"]:
        organisation = bundle.get(location.managingOrganization, "Organization")
        if organisation is not None and location.address is not None:
            locations.setdefault(organisation.id, location)
    return locations


def _load_places(bundle: _Bundle) -> _Places:
    codes, postal_codes = set(), set()
    addressed = [
        (o.address[0] if o.address else None, None) for _n, o in bundle.resources["Organization"]
    ]
    addressed += [(loc.address, loc.extension) for _n, loc in bundle.resources["Location"]]
    for address, extensions in addressed:
        codes.update(_Places.codes(address, extensions))
        if address is not None and address.postalCode:
            postal_codes.add(address.postalCode)
    places = _Places()
    places.load(codes, postal_codes)
    return places


def _upsert_organisations(bundle: _Bundle, places: _Places, report: ImportReport) -> dict:
    managed = _managed_locations(bundle)
    rows = []
    for number, resource in bundle.resources["Organization"]:
        address, extensions = (resource.address[0] if resource.address else None), None
        if address is None and resource.id in managed:
            address, extensions = managed[resource.id].address, managed[resource.id].extension
        values = _organisation_values(resource, address, extensions, places)
        if not values["name"]:
            report.reject(
                number, f"entrée n°{number} (Organization « {resource.id} ») : nom absent."
            )
            continue
        source_id = values["finess_et"] or values["finess_ej"] or resource.id
        rows.append((resource, source_id, values))
    existing = existing_by_key(Organisation, [(SOURCE, s) for _r, s, _v in rows], "commune")
    created, updated, unchanged, by_resource = [], [], 0, {}
    for resource, source_id, values in rows:
        organisation = existing.get((SOURCE, source_id))
        category = _category(resource)
        kind = CATEGORY[category][0] if category else OrganisationKind.OTHER
        if organisation is None:
            organisation = Organisation(source=SOURCE, source_id=source_id, kind=kind)
            existing[(SOURCE, source_id)] = organisation
        changed = bool(apply(organisation, values))
        # The type is a guess at creation: a later import only refines an unknown one.
        if organisation.kind == OrganisationKind.OTHER and kind != OrganisationKind.OTHER:
            organisation.kind, changed = kind, True
        if organisation.pk is None:
            if organisation not in created:
                created.append(organisation)
        elif changed and organisation not in updated:
            updated.append(organisation)
        elif not changed:
            unchanged += 1
        by_resource[resource.id] = (organisation, category)
    bulk_save(Organisation, created, updated, ORGANISATION_FIELDS)
    if not bundle.resources["HealthcareService"]:
        count(report, created, updated, unchanged)
    return by_resource


def _provider(bundle: _Bundle, resource: HealthcareService, organisations: dict):
    """(organisation, FINESS category) of `providedBy`: from the Bundle, else the directory."""
    organization = bundle.get(resource.providedBy, "Organization")
    if organization is not None:
        return organisations.get(organization.id, (None, ""))
    if resource.providedBy is None or not resource.providedBy.reference:
        return None, ""
    if bundle.is_rejected(resource.providedBy):
        return None, ""
    source_id = _ref_key(resource.providedBy.reference).split("/")[-1]
    if source_id not in organisations:  # cached, found or not: one query per organisation
        found = Organisation.all_objects.filter(source=SOURCE, source_id=source_id).first()
        organisations[source_id] = (found, "")
    return organisations[source_id]


def _themes(resource: HealthcareService, category: str) -> list[str]:
    themes = []
    concepts = [
        *(resource.type or []),
        *(resource.category or []),
        *(resource.specialty or []),
        *(resource.characteristic or []),
    ]
    for key in _codings(concepts):
        themes += CODING_THEMES.get(key, [])
    if not themes and category:
        themes = list(CATEGORY[category][1])
    return list(dict.fromkeys(themes))


def _sector(resource: HealthcareService, organisation: Organisation) -> str:
    for nomenclature, code in _codings(resource.type):
        if nomenclature == "champ" and code in FIELD_SECTORS:
            return FIELD_SECTORS[code]
    return SECTOR_BY_KIND.get(organisation.kind) or Sector.HEALTH


def _service_values(
    bundle: _Bundle, resource: HealthcareService, organisation, category, places, current
) -> dict:
    location = next(
        (
            loc
            for ref in resource.location or []
            if (loc := bundle.get(ref, "Location")) is not None
        ),
        None,
    )
    address = location.address if location is not None else None
    point = location.position if location is not None else None
    zone = []
    for ref in resource.coverageArea or []:
        area = bundle.get(ref, "Location")
        if area is not None:
            zone += places.zone(area)
    telecom = _telecom(resource.telecom)
    conditions = [c for c in current.access_conditions if c != AccessCondition.APPOINTMENT]
    if resource.appointmentRequired:
        conditions.append(AccessCondition.APPOINTMENT.value)
    description = "\n\n".join(t.strip() for t in (resource.comment, resource.extraDetails) if t)
    last_updated = resource.meta.lastUpdated if resource.meta else None
    return {
        "organisation": organisation,
        "name": fit(resource.name, 150),
        "description": description,
        "sector": _sector(resource, organisation),
        "themes": _themes(resource, category),
        "access_conditions": conditions,
        "access_details": access_details(resource),
        "zone_codes": list(dict.fromkeys(zone)),
        "address": _address_line(address),
        "postal_code": _postal_code(address),
        "commune": places.commune(address, location.extension) if location is not None else None,
        **position(
            point.latitude if point is not None else None,
            point.longitude if point is not None else None,
        ),
        "phone": telecom["phones"][0] if telecom["phones"] else "",
        "phone_2": telecom["phones"][1] if len(telecom["phones"]) > 1 else "",
        "email": telecom["emails"][0] if telecom["emails"] else "",
        "website": telecom["url"],
        "opening_hours": opening_hours(resource.availableTime),
        "availability_note": availability_note(resource),
        "source_updated_on": _as_date(last_updated),
    }


def _upsert_services(bundle: _Bundle, organisations: dict, places: _Places, report) -> None:
    entries = bundle.resources["HealthcareService"]
    existing = existing_by_key(
        Service, [(SOURCE, r.id) for _n, r in entries], "commune", "organisation"
    )
    created, updated, unchanged = [], [], 0
    for number, resource in entries:
        label = f"entrée n°{number} (HealthcareService « {resource.id} »)"
        if not resource.name:
            report.reject(number, f"{label} : nom du service (« name ») absent.")
            continue
        organisation, category = _provider(bundle, resource, organisations)
        if organisation is None:
            reference = resource.providedBy.reference if resource.providedBy else None
            if reference is None:
                why = "organisation (« providedBy ») non indiquée"
            elif bundle.is_rejected(resource.providedBy):
                why = f"l'organisation « {reference} » a été rejetée"
            else:
                why = f"organisation « {reference} » introuvable dans le Bundle et dans l'annuaire"
            report.reject(number, f"{label} : {why}.")
            continue
        service = existing.get((SOURCE, resource.id))
        if service is None:
            service = Service(source=SOURCE, source_id=resource.id)
        values = _service_values(bundle, resource, organisation, category, places, service)
        before = derived_state(service)
        changed = bool(apply(service, values))
        unchanged += sort_service(service, before, changed, report, created, updated)
    bulk_save(Service, created, updated, SERVICE_FIELDS)
    count(report, created, updated, unchanged)


def import_fhir_bundle(data: bytes, report: ImportReport) -> None:
    payload = read_json(data)
    kind = payload.get("resourceType") if isinstance(payload, dict) else None
    if kind != "Bundle":
        found = f"« {kind} »" if isinstance(kind, str) else "aucun type de ressource"
        raise ImportFileError(
            f"Ce fichier n'est pas un Bundle FHIR ({found}) : exportez un Bundle "
            "(Organization, HealthcareService, Location) depuis le ROR."
        )
    bundle = _Bundle(payload, report)
    report.rows = len(bundle.resources["HealthcareService"]) or len(
        bundle.resources["Organization"]
    )
    places = _load_places(bundle)
    organisations = _upsert_organisations(bundle, places, report)
    _upsert_services(bundle, organisations, places, report)
