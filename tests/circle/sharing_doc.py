"""docs/permissions.md's sharing rules, read from the document itself: the tests compare what the
product does with what this says, so a change in one without the other fails."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from appui.core.permissions import cell

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
CATEGORIES = ("administrative", "social", "autonomy", "medical", "psychological", "plan")
ACTIONS = ("view", "list", "search", "pdf", "export")
RELATIONSHIPS = ("member", "restricted", "emergency", "left", "outside", "excluded")
STAFF_PROFILES = ("assistant", "coordinator", "case_manager", "support_physician", "director")


def _table_after(heading: str) -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(heading)
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("#"):
            break
        if line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            rows.append([c.strip().strip("`") for c in line.strip("|").split("|")])
    return rows


@functools.cache
def defaults() -> dict[str, frozenset]:
    """Profile → categories allowed by default ("Droits par défaut de chaque profil")."""
    header, *rows = _table_after("### Droits par défaut de chaque profil")
    assert tuple(header[1:]) == CATEGORIES, header
    return {
        row[0]: frozenset(c for c, v in zip(CATEGORIES, row[1:], strict=True) if v == "oui")
        for row in rows
    }


def categories(profile: str, relationship: str, restriction=("plan",)) -> frozenset:
    """The categories the document grants a profile in a relationship ("Relation à la
    personne"); `restriction` is what the person's objection leaves in the restricted case."""
    staff = profile in STAFF_PROFILES
    granted = defaults()[profile]
    if relationship == "member":
        return granted
    if relationship == "restricted":
        return granted & (frozenset(restriction) | {"administrative"})
    if relationship == "emergency":
        return granted if staff else frozenset()
    if relationship in ("left", "outside"):
        return frozenset({"administrative"}) if staff else frozenset()
    if relationship == "excluded":
        return frozenset()
    raise ValueError(relationship)


def role_of(profile: str) -> str:
    return profile if profile in STAFF_PROFILES else "partner"


def expected(profile: str, category: str, action: str, relationship: str) -> bool:
    """The document's answer for one combination ("Actions")."""
    allowed = category in categories(profile, relationship)
    role = role_of(profile)
    if action in ("list", "search"):
        return category == "administrative" and allowed and cell(role, "person", "list") != "non"
    if action == "view":
        return allowed
    if action == "pdf":
        return allowed and cell(role, "care", "view") != "non"
    if action == "export":
        return allowed and cell(role, "person", "export") != "non"
    raise ValueError(action)
