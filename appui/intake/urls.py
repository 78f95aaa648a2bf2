from django.urls import path  # noqa: F401

app_name = "intake"

urlpatterns = [
    # --- Entry: queue, new request, partner's form and "my requests", settings -------------
    # --- Request page: timeline, triage, responses, contacts, GP letter ----------------------
]
