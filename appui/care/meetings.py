"""Meetings of the accompaniment (services: one function per state change)."""

# French labels of this part's event verbs (added to the shared table at start-up).
VERBS: dict[str, str] = {}


def register() -> None:
    """Called once from CareConfig.ready(): add this part's episode-page block, verb labels…"""
    from appui.core.models import VERB_LABELS

    VERB_LABELS.update(VERBS)
