"""Sections other apps add to the person page, without the persons app knowing them.

An app above persons (requests, care…) registers a panel from its `AppConfig.ready()`:

    register_panel("requests", 20, "intake/_person_panel.html", requests_panel_context)

`context(request, person)` returns the template's context, or None to leave the panel out (no
right, nothing to show). Panels are rendered in `order`, under the person's own blocks; each one
should stay within a few queries (the person page's test allows four per panel).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

PanelContext = Callable[[object, object], dict | None]


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    template_name: str
    context: PanelContext


_PANELS: dict[str, Panel] = {}


def register_panel(key: str, order: int, template_name: str, context: PanelContext) -> None:
    _PANELS[key] = Panel(key, order, template_name, context)


def unregister_panel(key: str) -> None:
    _PANELS.pop(key, None)


def registered_panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.key))


def render_panels(request, person) -> list[dict]:
    """The panels' HTML, in order: `[{"key": …, "html": …}]`."""
    rendered = []
    for panel in registered_panels():
        context = panel.context(request, person)
        if context is None:
            continue
        html = render_to_string(panel.template_name, {"person": person, **context}, request)
        rendered.append({"key": panel.key, "html": SafeString(html)})
    return rendered
