"""Compute the alerts of the follow-up (hourly, from cron or a systemd timer)."""

from django.core.management.base import BaseCommand, CommandError

from appui.care.alerts import ENGINE_LABEL, compute_alerts
from appui.core.audit import audit_context
from appui.territory.models import Organisation


class Command(BaseCommand):
    help = (
        "Calcule les alertes du suivi des accompagnements : déclenche celles dont la cause est "
        "apparue, lève celles dont la cause a disparu (idempotent, à lancer toutes les heures)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dac", type=int, help="Identifiant du DAC (par défaut : tous les DAC)."
        )

    def handle(self, **options):
        dac = None
        if options.get("dac") is not None:
            dac = Organisation.objects.filter(pk=options["dac"]).first()
            if dac is None:
                raise CommandError(f"Aucune organisation d'identifiant {options['dac']}.")
        with audit_context(user_label=ENGINE_LABEL, view_name="compute_alerts"):
            summary = compute_alerts(dac=dac)
        self.stdout.write(str(summary))
