"""Import a file into the directory: FINESS, RPPS, data·inclusion or a ROR FHIR bundle."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from appui.core.audit import audit_context

from ...enums import ImportFormat
from ...importers import run_import


class Command(BaseCommand):
    help = "Importe un fichier dans le répertoire (idempotent, tout ou rien par fichier)."

    def add_arguments(self, parser):
        parser.add_argument("format", choices=[f.value for f in ImportFormat])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Enregistrer les lignes valides même si d'autres sont rejetées.",
        )

    def handle(self, format, file, skip_invalid, **options):
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        with audit_context(user_label="import_directory", view_name="import_directory"):
            report = run_import(
                format, file.read_bytes(), filename=file.name, skip_invalid=skip_invalid
            )
        for line, reason in report.rejected[:200]:
            self.stderr.write(f"ligne {line} : {reason}" if line else reason)
        message = f"{report.summary()} ({report.duration_ms} ms)."
        if not report.applied:
            raise CommandError("Import refusé : " + message)
        self.stdout.write(self.style.SUCCESS("Import terminé : " + message))
