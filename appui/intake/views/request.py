"""The request page: timeline, triage, responses, contacts, GP letter."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from appui.core.permissions import require, scope

from ..models import SupportRequest


@login_required
def request_detail(request, pk):
    require(request.membership, "support_request", "view")
    support_request = get_object_or_404(
        scope(request.membership, "support_request", "view", SupportRequest.objects.all()), pk=pk
    )
    return render(request, "intake/request_detail.html", {"support_request": support_request})
