from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "appui.reporting"
    label = "reporting"
    verbose_name = "Pilotage"

    def ready(self):
        from . import indicators  # noqa: F401  (fills the catalogue)
        from .activity_report import register as register_report
        from .contracts import register as register_contracts

        register_contracts()  # scope of contracts, event verbs
        register_report()  # scope of activity reports, event verbs
