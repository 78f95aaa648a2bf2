"""Pages of the followup part of the episode."""

urlpatterns = []
