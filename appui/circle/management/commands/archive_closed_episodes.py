"""Archive the closed episodes past the retention period (daily, from cron or a systemd timer).

Archived episodes become read-only and leave the lists; they stay in the person's data export and
in the history counts. Nothing is deleted (docs/decisions/0011-conservation-et-archivage.md)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from appui.circle.rights import archive_closed_episodes, retention_limit
from appui.core.audit import audit_context

LABEL = "Archivage automatique (durée de conservation)"


class Command(BaseCommand):
    help = (
        "Archive les accompagnements clôturés depuis plus que la durée de conservation "
        "(APPUI_RETENTION_YEARS) : lecture seule, hors des listes, toujours dans l'export de la "
        "personne. Aucune suppression."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche ce qui serait archivé, sans rien changer.",
        )
        parser.add_argument(
            "--date", help="Date de référence AAAA-MM-JJ (par défaut : aujourd'hui)."
        )

    def handle(self, **options):
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("La date doit être au format AAAA-MM-JJ.") from error
        limit = retention_limit(today)
        with audit_context(user_label=LABEL, view_name="archive_closed_episodes"):
            episodes = archive_closed_episodes(today, dry_run=options["dry_run"])
        years = settings.APPUI_RETENTION_YEARS
        verb = "seraient archivés" if options["dry_run"] else "archivés"
        self.stdout.write(
            f"Durée de conservation : {years} ans après la sortie — accompagnements clôturés "
            f"avant le {limit:%d/%m/%Y}."
        )
        for episode in episodes:
            self.stdout.write(
                f"  - accompagnement n° {episode.pk} (dossier n° {episode.person_id}), "
                f"sorti le {episode.closed_on:%d/%m/%Y}"
            )
        if not episodes:
            self.stdout.write("Aucun accompagnement à archiver.")
            return
        plural = "s" if len(episodes) > 1 else ""
        self.stdout.write(f"{len(episodes)} accompagnement{plural} {verb}.")
