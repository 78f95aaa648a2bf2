from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "appui.reporting"
    label = "reporting"
    verbose_name = "Pilotage"

    def ready(self):
        from . import indicators, scopes  # noqa: F401  (indicators: fills the catalogue)
        from .activity_report import register as register_report
        from .contracts import register as register_contracts

        scopes.register()
        register_contracts()  # event verbs
        register_report()  # event verbs
