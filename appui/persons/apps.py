from django.apps import AppConfig


class PersonsConfig(AppConfig):
    name = "appui.persons"
    label = "persons"
    verbose_name = "Personnes"

    def ready(self):
        from appui.core.permissions import register_scope

        from .merge import register_person_relation
        from .models import Carer
        from .scopes import person_scope

        register_scope("person", person_scope)
        # A carer recorded on the duplicate follows the person; so does the link "also followed".
        register_person_relation(Carer, "person")
        register_person_relation(Carer, "linked_person")
