from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "appui.reporting"
    label = "reporting"
    verbose_name = "Pilotage"

    def ready(self):
        # --- ledger: derogatory services, budget, quality self-assessment ---
        from appui.core.permissions import register_scope

        from . import indicators  # noqa: F401  (fills the catalogue)
        from .ledger import dac_scope

        register_scope("derogatory_service", dac_scope)
        register_scope("quality_assessment", dac_scope)
        # --- end ledger ---
