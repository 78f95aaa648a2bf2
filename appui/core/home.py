"""Panels of the home page, contributed by the apps above core (which core cannot import).

An app registers a panel from its `AppConfig.ready()`: a template and a function that gives the
template's context for a request — or `None` when the panel has nothing for this user.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class HomePanel:
    order: int
    template: str
    context: Callable[[HttpRequest], dict | None]


_PANELS: dict[str, HomePanel] = {}


def register_home_panel(
    order: int, template: str, context: Callable[[HttpRequest], dict | None]
) -> None:
    """Add a panel (registering the same template again replaces it)."""
    _PANELS[template] = HomePanel(order, template, context)


def panels_for(request: HttpRequest) -> list[dict]:
    """The panels to show, in order: `{"template": …, "context": …}`."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.template)):
        context = panel.context(request)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown
