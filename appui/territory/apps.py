from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "appui.territory"
    label = "territory"
    verbose_name = "Territoire"

    def ready(self):
        from appui.core.permissions import register_scope

        from .scopes import directory_scope, professional_scope

        register_scope("professional", professional_scope)
        register_scope("directory", directory_scope)
