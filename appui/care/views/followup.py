"""Pages of the followup part of the episode."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from .. import services


@login_required
def followup(request, pk):
    # Placeholder until this part's pages are built: the episode's tab exists.
    episode = services.episode_for(request.membership, pk)
    return render(
        request, "care/_tab_placeholder.html", {"episode": episode, "current": "followup"}
    )


urlpatterns = [
    path("accompagnements/<int:pk>/suivi/", followup, name="followup"),
]
