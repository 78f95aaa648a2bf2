from django.urls import path

from .views import alerts, assessments, caseload, episodes, followup, meetings, plans

app_name = "care"

# Each part of the follow-up keeps its routes next to its views.
urlpatterns = [
    path("accompagnements/<int:pk>/", episodes.episode_detail, name="episode_detail"),
    *episodes.urlpatterns,
    *assessments.urlpatterns,
    *meetings.urlpatterns,
    *plans.urlpatterns,
    *followup.urlpatterns,
    *alerts.urlpatterns,
    *caseload.urlpatterns,
]
