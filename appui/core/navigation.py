"""Main navigation, derived from the permissions matrix: a section shows if its object is listable."""

from dataclasses import dataclass

from django.urls import reverse

from .permissions import can


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    grants: tuple[tuple[str, str], ...]  # (object, action): any one opens the section


SECTIONS = (
    Section("Demandes", "intake:queue", (("support_request", "list"),)),
    Section("Personnes", "persons:list", (("person", "list"),)),
    Section("Accompagnements", "care:episode_list", (("care", "list"),)),
    Section("Répertoire", "directory:search", (("directory", "list"),)),
    Section(
        "Pilotage",
        "reporting:home",
        (("indicator", "view"), ("regional_indicator", "view"), ("coverage", "view")),
    ),
    Section("Administration", "core:administration", (("access_log", "list"), ("account", "list"))),
)


def sections_for(membership) -> list[Section]:
    return [s for s in SECTIONS if any(can(membership, o, a) for o, a in s.grants)]


def navigation_for(request) -> list[dict]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    path = request.path
    items = []
    for section in sections_for(membership):
        url = reverse(section.url_name)
        items.append({"label": section.label, "url": url, "current": path.startswith(url)})
    return items
