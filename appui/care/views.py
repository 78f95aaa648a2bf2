from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from appui.core.models import Event
from appui.core.permissions import can, require

from . import services


@login_required
def episode_detail(request, pk):
    require(request.membership, "person", "view")
    episode = get_object_or_404(
        services.episodes_in_reach(request.membership).select_related(
            "person", "request", "referent", "case_manager"
        ),
        pk=pk,
    )
    history = Event.objects.filter(subject_type="care.careepisode", subject_id=str(pk))[:20]
    return render(
        request,
        "care/episode_detail.html",
        {
            "episode": episode,
            "history": history,
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
