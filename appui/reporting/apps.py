from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "appui.reporting"
    label = "reporting"
    verbose_name = "Pilotage"

    def ready(self):
        from . import indicators  # noqa: F401  (fills the catalogue)

        # --- report: the activity report's scope and event verbs ---
        from .activity_report import register as register_report

        register_report()
        # --- end report ---
