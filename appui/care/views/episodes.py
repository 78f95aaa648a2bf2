"""The episode page (dossier de coordination) and the episode's own actions."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from appui.core.models import Event
from appui.core.permissions import can

from .. import services
from ..sections import render_sections


@login_required
def episode_detail(request, pk):
    episode = services.episode_for(
        request.membership,
        pk,
        queryset=services.CareEpisode.objects.select_related(
            "person", "request", "referent", "case_manager", "previous"
        ),
    )
    history = Event.objects.filter(subject_type="care.careepisode", subject_id=str(pk))[:20]
    return render(
        request,
        "care/episode_detail.html",
        {
            "episode": episode,
            "history": history,
            "sections": render_sections(request, episode),
            "can_change": can(request.membership, "care", "change", episode),
            "can_view_request": bool(episode.request_id)
            and can(request.membership, "support_request", "view", episode.request),
            "referent_caseload": services.caseloads(episode.referent)["referent"]
            # A case manager who is also the référente is counted once, against her own target.
            if episode.referent_id and episode.referent_id != episode.case_manager_id
            else None,
            "case_manager_caseload": services.caseloads(episode.case_manager)["case_manager"]
            if episode.case_manager_id
            else None,
        },
    )


urlpatterns = []
