from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "appui.reporting"
    label = "reporting"
    verbose_name = "Pilotage"

    def ready(self):
        from . import indicators  # noqa: F401  (fills the catalogue)

        # --- cpom ---
        from .contracts import register as register_contracts

        register_contracts()
        # --- end cpom ---
