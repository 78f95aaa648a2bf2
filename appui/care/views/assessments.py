"""Pages of the assessments part of the episode."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from .. import services


@login_required
def assessment_list(request, pk):
    # Placeholder until this part's pages are built: the episode's tab exists.
    episode = services.episode_for(request.membership, pk)
    return render(
        request, "care/_tab_placeholder.html", {"episode": episode, "current": "assessments"}
    )


urlpatterns = [
    path("accompagnements/<int:pk>/evaluations/", assessment_list, name="assessment_list"),
]
