"""Care listens to the intake: a request answered by an accompaniment opens a care episode, in the
same transaction as the answer (the intake app cannot import care: it sends a signal).

Care sends `episode_closed` (`episode`, `membership`) inside the transaction that closes an
episode, for the parts of the follow-up that end with it (alerts, planned visits…)."""

from django.core.exceptions import ValidationError
from django.dispatch import Signal, receiver
from django.utils import timezone

from appui.accounts.models import User
from appui.core.models import record_event
from appui.intake.enums import EPISODE_RESPONSES, ResponseType
from appui.intake.signals import response_given

from .enums import EpisodeKind

#: Sent inside the transaction that closes an episode (`episode`, `membership`).
episode_closed = Signal()


@receiver(response_given)
def open_episode(sender, response, membership, level="", case_manager=None, **kwargs):
    from . import services  # services sends `episode_closed`: imported here, not at the top

    if response.response_type not in EPISODE_RESPONSES:
        return
    request = response.request
    existing = services.open_episode_for(request.person_id)
    if existing is not None:
        # The answer is refused with the rest of its transaction, next to the answer's type.
        raise ValidationError({"response_type": services.open_message(existing)})
    kind = (
        EpisodeKind.CASE_MANAGEMENT
        if response.response_type == ResponseType.CASE_MANAGEMENT
        else EpisodeKind.COORDINATION
    )
    # The référent·e: whoever handled the request, if their role may follow a person (an
    # assistant may not); otherwise whoever answered; otherwise to be designated.
    eligible = set(
        services.referents(request.dac_id)
        .filter(pk__in=[request.assigned_to_id, membership.user.pk])
        .values_list("pk", flat=True)
    )
    referent_id = next(
        (pk for pk in (request.assigned_to_id, membership.user.pk) if pk in eligible), None
    )
    episode = services.start_episode(
        dac_id=request.dac_id,
        person_id=request.person_id,
        request=request,
        kind=kind,
        level=level or request.level,
        referent=User.objects.filter(pk=referent_id).first() if referent_id else None,
        case_manager=case_manager,
        opened_on=timezone.localdate(response.given_at),
        level_since=response.given_at,
        changed_by=membership.user,
    )
    record_event(episode, "opened", request=request.pk, kind=kind, level=episode.level)
