"""Blocks of the episode page (the "dossier de coordination"), one per part of the follow-up.

Each part (consent, assessments, concertation, PPCS, follow-up, alerts) registers a block from its
module's `register()` (called by `CareConfig.ready()`):

    register_section("plan", 40, "care/plan/_section.html", plan_section, categories=(PLAN,))

`context(request, episode)` returns the template's context, or None to leave the block out. The
page has already checked the right to view the episode. Keep each block within a few queries.

`categories`: the categories of the person's data the block shows (care.sharing); the block is
left out when the reader sees none of them, and its template gets the reader's `access` to hide
the parts of the other categories. Without categories the block is administrative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from appui.core import sharing
from appui.core.enums import SensitivityCategory

SectionContext = Callable[[object, object], dict | None]


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    template_name: str
    context: SectionContext
    categories: tuple = (SensitivityCategory.ADMINISTRATIVE,)


_SECTIONS: dict[str, Section] = {}


def register_section(
    key: str, order: int, template_name: str, context: SectionContext, categories=None
) -> None:
    _SECTIONS[key] = Section(
        key, order, template_name, context, tuple(categories or Section.categories)
    )


def render_sections(request, episode) -> list[dict]:
    rendered = []
    access = sharing.access(request.membership, episode.person)
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        if not any(access.allows(category) for category in section.categories):
            continue
        context = section.context(request, episode)
        if context is None:
            continue
        html = render_to_string(
            section.template_name, {"episode": episode, "access": access, **context}, request
        )
        rendered.append({"key": section.key, "html": SafeString(html)})
    return rendered
