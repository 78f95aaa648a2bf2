"""Imports into the directory: one module per format, one entry point, one report.

Every importer is a function ``importer(data: bytes, report: ImportReport) -> None`` that parses the
file, calls ``report.reject(line, reason)`` for each row it cannot take and upserts the others on
(source, source id), counting ``report.created / updated / unchanged``. It runs inside the
transaction opened by :func:`run_import`, which makes the file all-or-nothing:

- strict (default): one rejected row and nothing is saved; the report says which rows and why;
- ``skip_invalid``: the valid rows are saved together, the rejected ones are listed.

Each run is kept as an :class:`ImportRun` and recorded as an event (who, when, counts).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from appui.core.models import record_event

from ..enums import ImportFormat
from ..models import ImportRun


class RollBack(Exception):
    """Raised inside the transaction to undo a strict import that rejected rows."""


@dataclass
class ImportReport:
    format: str
    filename: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: valid rows deliberately left aside (e.g. a commune outside the known territory)
    ignored: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    applied: bool = False
    duration_ms: int = 0
    #: rows read (data rows, header excluded), for rates
    rows: int = 0

    def reject(self, line: int, reason: str) -> None:
        self.rejected.append((line, reason))

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        text = (
            f"{self.created} créé(s), {self.updated} mis à jour, {self.unchanged} inchangé(s), "
            f"{self.ignored} ignoré(s) hors territoire connu, {len(self.rejected)} ligne(s) rejetée(s)"
        )
        return text if self.applied else text + " — rien n'a été enregistré"


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, missing columns): a French message."""


Importer = Callable[[bytes, ImportReport], None]


def importers() -> dict[str, Importer]:
    from .datainclusion import import_data_inclusion
    from .fhir import import_fhir_bundle
    from .finess import import_finess
    from .rpps import import_rpps

    return {
        ImportFormat.FINESS: import_finess,
        ImportFormat.RPPS: import_rpps,
        ImportFormat.DATA_INCLUSION: import_data_inclusion,
        ImportFormat.FHIR: import_fhir_bundle,
    }


def run_import(
    fmt: str, data: bytes, *, filename: str = "", skip_invalid: bool = False, user=None
) -> ImportReport:
    """Import one file, all-or-nothing; returns the report (also kept as an ImportRun)."""
    importer = importers()[fmt]
    report = ImportReport(format=fmt, filename=filename)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            importer(data, report)
            if report.rejected and not skip_invalid:
                raise RollBack
            report.applied = True
    except RollBack:
        report.applied = False
    except ImportFileError as exc:
        report.applied = False
        report.rejected.insert(0, (0, str(exc)))
    report.duration_ms = int((time.perf_counter() - started) * 1000)
    run = ImportRun.objects.create(
        format=fmt,
        filename=filename[:255],
        by=user,
        applied=report.applied,
        created=report.created if report.applied else 0,
        updated=report.updated if report.applied else 0,
        unchanged=report.unchanged if report.applied else 0,
        rejected=[list(r) for r in report.rejected[:1000]],
        duration_ms=report.duration_ms,
    )
    record_event(
        run,
        "imported" if report.applied else "import_refused",
        actor=user,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=len(report.rejected),
    )
    return report
