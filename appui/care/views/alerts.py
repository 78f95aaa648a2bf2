"""Pages of the alerts part of the episode."""

urlpatterns = []
