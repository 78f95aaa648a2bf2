from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "appui.care"
    label = "care"
    verbose_name = "Accompagnements"

    def ready(self):
        from appui.core.permissions import register_scope
        from appui.persons.merge import register_person_relation
        from appui.persons.panels import register_panel

        from . import (
            alerts,
            assessments,
            caseload,
            followup,
            meetings,
            plans,
            services,
            signals,  # noqa: F401  (opens an episode when a request becomes one)
        )
        from .models import CareEpisode
        from .scopes import episode_scope

        register_scope("care", episode_scope)
        register_person_relation(CareEpisode, "person")
        register_panel("care", 30, "care/_person_panel.html", services.person_panel)
        # Each part of the follow-up adds its blocks of the episode page, home panels, verbs.
        for part in (services, assessments, meetings, plans, followup, alerts, caseload):
            part.register()
