"""Care services. The episode is opened from a request (see `signals.py`); the care-plan work
adds consent, assessments, the PPCS, follow-up and exit here."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from appui.core.permissions import require, scope

from .enums import EpisodeStatus
from .models import CareEpisode


def episodes_in_reach(membership, action="view"):
    """The episodes the membership may reach for `action` (the `care` row of the matrix)."""
    return scope(membership, "care", action, CareEpisode.objects.all())


def episode_for(membership, pk, action="view", queryset=None) -> CareEpisode:
    """The episode `pk` if the membership may do `action` on it: 403 when the role may never,
    404 when this episode is out of reach. Every page of an episode starts here."""
    require(membership, "care", action)
    queryset = CareEpisode.objects.all() if queryset is None else queryset
    return get_object_or_404(scope(membership, "care", action, queryset), pk=pk)


@dataclass(frozen=True)
class Caseload:
    active: int
    target: int

    @property
    def ratio(self) -> int:
        return round(100 * self.active / self.target) if self.target else 0

    @property
    def over_target(self) -> bool:
        return self.active > self.target


def caseloads(user) -> dict[str, Caseload]:
    """Open episodes the user follows as référent·e and as case manager, against the targets."""
    counts = CareEpisode.objects.filter(status=EpisodeStatus.OPEN).aggregate(
        referent=Count("pk", filter=Q(referent=user)),
        case_manager=Count("pk", filter=Q(case_manager=user)),
    )
    return {
        "referent": Caseload(counts["referent"], settings.APPUI_CASELOAD_TARGET_COORDINATOR),
        "case_manager": Caseload(
            counts["case_manager"], settings.APPUI_CASELOAD_TARGET_CASE_MANAGER
        ),
    }


def person_panel(request, person) -> dict:
    """The person page's "Accompagnements" section (the page already checked the person's right)."""
    episodes = CareEpisode.objects.filter(person=person).select_related("referent", "case_manager")
    return {"episodes": list(episodes)}


# French labels of the episode's event verbs (added to the shared table at start-up).
VERBS: dict[str, str] = {}


def register() -> None:
    """Called once from CareConfig.ready(): add the episode's blocks and verb labels."""
    from appui.core.models import VERB_LABELS

    VERB_LABELS.update(VERBS)
