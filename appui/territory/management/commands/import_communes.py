from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from appui.territory.importers import import_communes


class Command(BaseCommand):
    help = (
        "Importe la liste des communes de l'Insee (COG, CSV) ; fichier complémentaire facultatif."
    )

    def add_arguments(self, parser):
        parser.add_argument("cog", type=Path, help="Fichier COG des communes (CSV)")
        parser.add_argument(
            "--geo", type=Path, help="Codes postaux, centres et EPCI par code Insee (CSV)"
        )

    def handle(self, cog, geo=None, **options):
        try:
            report = import_communes(cog.read_bytes(), geo.read_bytes() if geo else None)
        except (OSError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        for line, reason in report.rejected:
            self.stderr.write(f"ligne {line} : {reason}")
        if not report.ok:
            raise CommandError("Import refusé, aucune commune enregistrée : " + report.summary())
        self.stdout.write(self.style.SUCCESS("Communes : " + report.summary()))
