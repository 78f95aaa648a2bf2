"""Import of the Insee commune list (Code officiel géographique, CSV).

Columns are read by header name. The COG file gives codes, names, département and région; an
optional second file (e.g. the open-data "communes de France" table) adds postal codes, centroid and
EPCI. The import is all-or-nothing: one invalid line rejects the file, with the line numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from appui.core.identifiers import validate_insee_commune

from .models import Commune

COG_REQUIRED = {"TYPECOM", "COM", "DEP", "LIBELLE"}
GEO_ALIASES = {
    "code": ("code_insee", "code_commune_insee", "insee_code", "com"),
    "postal": ("codes_postaux", "code_postal", "postal_codes"),
    "lat": ("latitude_centre", "latitude", "lat"),
    "lon": ("longitude_centre", "longitude", "lon"),
    "epci": ("epci_code", "code_epci", "siren_epci"),
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        return (
            f"{self.created} créée(s), {self.updated} mise(s) à jour, {self.unchanged} inchangée(s), "
            f"{len(self.rejected)} ligne(s) rejetée(s)"
        )


def _reader(text: str) -> csv.DictReader:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.DictReader(io.StringIO(text), dialect=dialect)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("Fichier illisible : encodage non reconnu (UTF-8 attendu).")


def _pick(row: dict, names: tuple[str, ...]) -> str:
    lowered = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
    for name in names:
        if lowered.get(name):
            return lowered[name]
    return ""


def read_geo(data: bytes | str, report: ImportReport) -> dict[str, dict]:
    reader = _reader(_decode(data))
    headers = {(h or "").strip().lower() for h in reader.fieldnames or []}
    if not headers & set(GEO_ALIASES["code"]):
        raise ValidationError("Fichier complémentaire : colonne du code Insee introuvable.")
    geo: dict[str, dict] = {}
    for line, row in enumerate(reader, start=2):
        code = _pick(row, GEO_ALIASES["code"]).zfill(5)
        entry = geo.setdefault(code, {"postal": set(), "lat": None, "lon": None, "epci": ""})
        postal = _pick(row, GEO_ALIASES["postal"])
        entry["postal"].update(
            p.strip().zfill(5) for p in postal.replace(";", ",").split(",") if p.strip()
        )
        try:
            lat, lon = _pick(row, GEO_ALIASES["lat"]), _pick(row, GEO_ALIASES["lon"])
            if lat and lon:
                entry["lat"], entry["lon"] = (
                    float(lat.replace(",", ".")),
                    float(lon.replace(",", ".")),
                )
        except ValueError:
            report.rejected.append((line, "coordonnées non numériques"))
        entry["epci"] = _pick(row, GEO_ALIASES["epci"]) or entry["epci"]
    return geo


def import_communes(cog: bytes | str, geo: bytes | str | None = None) -> ImportReport:
    report = ImportReport()
    reader = _reader(_decode(cog))
    missing = COG_REQUIRED - {(h or "").strip().upper() for h in reader.fieldnames or []}
    if missing:
        raise ValidationError(
            "En-têtes manquants dans le fichier COG : " + ", ".join(sorted(missing)) + "."
        )
    extra = read_geo(geo, report) if geo else {}
    rows: dict[str, dict] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().upper(): (v or "").strip() for k, v in raw.items()}
        if row["TYPECOM"] != "COM":
            continue  # communes associées, déléguées, arrondissements: not territory units
        code = row["COM"]
        try:
            validate_insee_commune(code)
        except ValidationError:
            report.rejected.append((line, f"code commune « {code} » invalide"))
            continue
        if not row["LIBELLE"]:
            report.rejected.append((line, "nom de commune vide"))
            continue
        if not row["DEP"]:
            report.rejected.append((line, "département vide"))
            continue
        values = {
            "name": row["LIBELLE"],
            "department_code": row["DEP"],
            "region_code": row.get("REG", ""),
        }
        geo_row = extra.get(code)
        if geo_row:
            values["postal_codes"] = ",".join(sorted(geo_row["postal"]))
            values["latitude"], values["longitude"] = geo_row["lat"], geo_row["lon"]
            values["epci_code"] = geo_row["epci"]
        rows[code] = values
    if report.rejected:
        return report  # all-or-nothing: nothing is written
    with transaction.atomic():
        existing = {c.insee_code: c for c in Commune.objects.filter(insee_code__in=rows)}
        to_create, to_update, fields = [], [], set()
        for code, values in rows.items():
            commune = existing.get(code)
            if commune is None:
                to_create.append(Commune(insee_code=code, **values))
                continue
            changed = {k for k, v in values.items() if getattr(commune, k) != v}
            if changed:
                for key in changed:
                    setattr(commune, key, values[key])
                fields |= changed
                to_update.append(commune)
            else:
                report.unchanged += 1
        Commune.objects.bulk_create(to_create, batch_size=2000)
        if to_update:
            Commune.objects.bulk_update(to_update, sorted(fields), batch_size=2000)
        report.created, report.updated = len(to_create), len(to_update)
    return report
