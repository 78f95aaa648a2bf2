from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "appui.care"
    label = "care"
    verbose_name = "Accompagnements"

    def ready(self):
        from . import signals  # noqa: F401  (opens an episode when a request becomes one)
