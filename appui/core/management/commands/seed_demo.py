"""Load the demo territory: every app may contribute a `demo` module with `seed(stdout)`.

Apps are visited in INSTALLED_APPS order, which follows the dependency order of the layers, so a
higher app's demo can rely on what lower apps created. Idempotent and deterministic.
"""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from appui.core.audit import audit_context


class Command(BaseCommand):
    help = "Crée ou met à jour les données de démonstration (idempotent)."

    def handle(self, **options):
        accounts = []
        # Seeding replays months of work: the notifications it raises stay in the app, no e-mail
        # leaves (they would all arrive at once, and about fictitious persons).
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            audit_context(user_label="seed_demo", view_name="seed_demo"),
            transaction.atomic(),
        ):
            for config in apps.get_app_configs():
                if not config.name.startswith("appui."):
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                result = module.seed(self.stdout)
                accounts.extend(result or [])
            importlib.import_module("appui.reporting.demo_activity").seed(self.stdout)  # pilotage
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        if accounts:
            self.stdout.write("\nComptes de démonstration :")
            width = max(len(a["email"]) for a in accounts)
            for account in accounts:
                self.stdout.write(
                    f"  {account['email'].ljust(width)}  {account['password']}  {account['label']}"
                )
