"""Pages of the caseload part."""

urlpatterns = []
