from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "appui.directory"
    label = "directory"
    verbose_name = "Répertoire des ressources"

    def ready(self):
        from appui.core.permissions import register_scope

        from .scopes import directory_scope, unmet_need_scope

        register_scope("directory", directory_scope)
        register_scope("unmet_need", unmet_need_scope)
