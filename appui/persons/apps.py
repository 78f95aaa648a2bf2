from django.apps import AppConfig


class PersonsConfig(AppConfig):
    name = "appui.persons"
    label = "persons"
    verbose_name = "Personnes"

    def ready(self):
        from appui.core.permissions import register_scope

        from .scopes import person_scope

        register_scope("person", person_scope)
