from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "appui.intake"
    label = "intake"
    verbose_name = "Demandes d'appui"

    def ready(self):
        from appui.core.permissions import register_scope

        from .scopes import support_request_scope

        register_scope("support_request", support_request_scope)
