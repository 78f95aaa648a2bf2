"""The file active list (Accompagnements) and the team's caseloads (direction)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from appui.core.mixins import paginate
from appui.core.permissions import can, require

from .. import caseload
from ..forms.caseload import EpisodeFilterForm


@login_required
def episode_list(request):
    require(request.membership, "care", "list")
    form = EpisodeFilterForm(request.GET or None)
    episodes = caseload.episode_list(request.membership, **form.filters())
    return render(
        request,
        "care/caseload/episode_list.html",
        {
            **paginate(request, episodes),
            "form": form,
            "far_future": caseload.FAR_FUTURE,
            # Alerts and concertations are the DAC team's own tools (a partner lists episodes).
            "is_dac_team": request.membership.is_dac_staff,
            "can_view_team": can(request.membership, "caseload", "view"),
            "can_change_settings": can(request.membership, "care_settings", "change"),
        },
    )


@login_required
def team_caseloads(request):
    require(request.membership, "caseload", "view")
    return render(request, "care/caseload/team.html", caseload.team_caseloads(request.membership))


urlpatterns = [
    path("accompagnements/", episode_list, name="episode_list"),
    path("accompagnements/equipe/", team_caseloads, name="team_caseloads"),
]
