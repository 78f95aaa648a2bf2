from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "appui.core"
    label = "core"
    verbose_name = "Noyau"
