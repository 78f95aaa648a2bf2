from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "appui.intake"
    label = "intake"
    verbose_name = "Demandes d'appui"

    def ready(self):
        from django.db.backends.signals import connection_created

        from appui.core.home import register_home_panel
        from appui.core.permissions import register_scope

        from .queue import home_panel
        from .scopes import intake_settings_scope, support_request_scope
        from .search import register_sqlite_fold

        register_scope("support_request", support_request_scope)
        register_scope("intake_settings", intake_settings_scope)
        register_home_panel(10, "intake/_home_panel.html", home_panel)
        connection_created.connect(register_sqlite_fold, dispatch_uid="appui_sqlite_fold")

        from appui.persons.merge import register_person_relation
        from appui.persons.panels import register_panel

        from .models import ComplexityScreening, ContactLog, SupportRequest
        from .services import person_panel

        # A merge of two person records moves their requests, screenings and contacts too.
        register_person_relation(SupportRequest, "person")
        register_person_relation(ComplexityScreening, "person")
        register_person_relation(ContactLog, "person")
        register_panel("requests", 20, "intake/_triage_person_panel.html", person_panel)
