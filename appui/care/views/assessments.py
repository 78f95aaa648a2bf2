"""Pages of the assessments part of the episode."""

urlpatterns = []
