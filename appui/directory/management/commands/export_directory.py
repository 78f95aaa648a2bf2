"""Export the directory (every active service) as CSV or data·inclusion JSON."""

import json
import sys

from django.core.management.base import BaseCommand

from appui.core.audit import audit_context

from ...exports import export_csv, export_data_inclusion
from ...models import Service


class Command(BaseCommand):
    help = "Exporte le répertoire en CSV ou en JSON data·inclusion sur la sortie standard."

    def add_arguments(self, parser):
        parser.add_argument("format", choices=["csv", "json"])

    def handle(self, format, **options):
        out = self.stdout if self.stdout else sys.stdout
        with audit_context(user_label="export_directory", view_name="export_directory"):
            queryset = Service.objects.order_by("name", "pk")
            if format == "csv":
                for chunk in export_csv(queryset):
                    out.write(chunk, ending="")
            else:
                out.write(json.dumps(export_data_inclusion(queryset), ensure_ascii=False, indent=2))
