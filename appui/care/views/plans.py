"""Pages of the plans part of the episode."""

urlpatterns = []
