from django.urls import path

from .views import entry, request  # noqa: F401

app_name = "intake"

urlpatterns = [
    # --- Entry: queue, new request, partner's form and "my requests", settings -------------
    # --- Request page: timeline, triage, responses, contacts, GP letter ----------------------
    path("demandes/<int:pk>/", request.request_detail, name="request_detail"),
]
