"""Blocks of the episode page (the "dossier de coordination"), one per part of the follow-up.

Each part (consent, assessments, concertation, PPCS, follow-up, alerts) registers a block from its
module's `register()` (called by `CareConfig.ready()`):

    register_section("plan", 40, "care/plan/_section.html", plan_section)

`context(request, episode)` returns the template's context, or None to leave the block out. The
page has already checked the right to view the episode. Keep each block within a few queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

SectionContext = Callable[[object, object], dict | None]


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    template_name: str
    context: SectionContext


_SECTIONS: dict[str, Section] = {}


def register_section(key: str, order: int, template_name: str, context: SectionContext) -> None:
    _SECTIONS[key] = Section(key, order, template_name, context)


def render_sections(request, episode) -> list[dict]:
    rendered = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.context(request, episode)
        if context is None:
            continue
        html = render_to_string(section.template_name, {"episode": episode, **context}, request)
        rendered.append({"key": section.key, "html": SafeString(html)})
    return rendered
