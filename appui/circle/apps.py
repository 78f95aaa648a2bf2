from django.apps import AppConfig


class CircleConfig(AppConfig):
    name = "appui.circle"
    label = "circle"
    verbose_name = "Cercle de soins et partage"

    def ready(self):
        from appui.core.permissions import register_scope
        from appui.core.sharing import register_policy

        from . import policy, services, signals  # noqa: F401  (signals: the circle follows care)
        from .scopes import person_rights_scope, sharing_settings_scope

        register_policy(policy.CirclePolicy())
        for obj in ("care_circle", "liaison_note", "emergency_access"):
            register_scope(obj, person_rights_scope)
        register_scope("sharing_settings", sharing_settings_scope)
        from . import emergency, notebook

        services.register()  # verbs' labels, the circle block of the episode page
        emergency.register()  # the emergency-access link for care pages, the verbs' labels
        notebook.register()  # verbs' labels
