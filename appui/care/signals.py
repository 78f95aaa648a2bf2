"""Care listens to the intake: a request answered by an accompaniment opens a care episode, in the
same transaction as the answer (the intake app cannot import care: it sends a signal)."""

from django.dispatch import receiver
from django.utils import timezone

from appui.core.models import record_event
from appui.intake.enums import EPISODE_RESPONSES, ResponseType
from appui.intake.signals import response_given

from .enums import EpisodeKind
from .models import CareEpisode, LevelChange


@receiver(response_given)
def open_episode(sender, response, membership, level="", case_manager=None, **kwargs):
    if response.response_type not in EPISODE_RESPONSES:
        return
    request = response.request
    kind = (
        EpisodeKind.CASE_MANAGEMENT
        if response.response_type == ResponseType.CASE_MANAGEMENT
        else EpisodeKind.COORDINATION
    )
    episode = CareEpisode.objects.create(
        dac_id=request.dac_id,
        person_id=request.person_id,
        request=request,
        kind=kind,
        level=level or request.level,
        referent=request.assigned_to or membership.user,
        case_manager=case_manager,
        opened_on=timezone.localdate(response.given_at),
        level_since=response.given_at,
    )
    LevelChange.objects.create(
        episode=episode,
        level=episode.level,
        changed_at=response.given_at,
        changed_by=membership.user,
    )
    record_event(episode, "opened", request=request.pk, kind=kind, level=episode.level)
