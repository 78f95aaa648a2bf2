"""Pages of the meetings part of the episode."""

urlpatterns = []
