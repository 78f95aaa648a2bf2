"""Who sees which part of a person's data: the one place every page, list, search, PDF and export
asks.

Two questions, two functions:

- `access(membership, person)` → an `Access`: the user's relationship to the person's care circle
  and the categories of the person's data (SensitivityCategory) they may see. Templates test
  `access.medical`, services filter with `access.allows(category)`.
- `circle_persons(membership)` / `excluded_persons(membership)` → subqueries of person ids, used by
  the `cercle` and `org` scopes of core.permissions so lists and search obey the circle and the
  person's objections.

The rules themselves (care circle, objections, emergency access, defaults per profile adjusted by
the DAC) live in the circle app, which sits above the apps that show person data: it registers
its policy here at start-up (`register_policy`). docs/permissions.md states them; the generated
test in tests/circle checks every role × category × action × relationship against that document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from .enums import CircleRelationship, SensitivityCategory

CATEGORIES = tuple(SensitivityCategory)


@dataclass(frozen=True)
class Access:
    person_id: int | None
    relationship: str
    categories: frozenset = field(default_factory=frozenset)
    #: When the person limited this member to the PPCS actions they carry: the professional (or
    #: user) whose actions alone are shown.
    own_actions_professional_id: int | None = None
    own_actions_user_id: int | None = None
    #: Open emergency access (bris de glace) this access relies on, if any.
    emergency_access_id: int | None = None

    def allows(self, category: str) -> bool:
        return category in self.categories

    @property
    def visible(self) -> bool:
        """Whether the person exists at all for this user (their administrative identity)."""
        return SensitivityCategory.ADMINISTRATIVE in self.categories

    @property
    def in_circle(self) -> bool:
        return self.relationship in (
            CircleRelationship.MEMBER,
            CircleRelationship.RESTRICTED,
            CircleRelationship.EMERGENCY,
        )

    @property
    def own_actions_only(self) -> bool:
        return bool(self.own_actions_professional_id or self.own_actions_user_id)

    # Template conveniences: `{% if access.medical %}`.
    administrative = property(lambda self: self.allows(SensitivityCategory.ADMINISTRATIVE))
    social = property(lambda self: self.allows(SensitivityCategory.SOCIAL))
    autonomy = property(lambda self: self.allows(SensitivityCategory.AUTONOMY))
    medical = property(lambda self: self.allows(SensitivityCategory.MEDICAL))
    psychological = property(lambda self: self.allows(SensitivityCategory.PSYCHOLOGICAL))
    plan = property(lambda self: self.allows(SensitivityCategory.PLAN))

    @property
    def all_categories(self) -> bool:
        return set(CATEGORIES) <= self.categories

    @property
    def hidden_categories(self) -> list[str]:
        """French labels of the categories this user may not see (said on restricted pages)."""
        return [c.label for c in CATEGORIES if c not in self.categories]


FULL = frozenset(CATEGORIES)


class _NoCirclePolicy:
    """Before the circle app is loaded (never in the running product): the DAC's staff see
    everything of their DAC's persons, nobody else sees anything."""

    def access(self, membership, person) -> Access:
        from .enums import DAC_STAFF_ROLES

        staff = getattr(membership, "role", None) in DAC_STAFF_ROLES
        same_dac = staff and person.dac_id == membership.organisation_id
        return Access(
            person.pk,
            CircleRelationship.MEMBER if same_dac else CircleRelationship.OUTSIDE,
            FULL if same_dac else frozenset(),
        )

    def circle_persons(self, membership):
        return None

    def excluded_persons(self, membership):
        return None


_policy = _NoCirclePolicy()


def register_policy(policy) -> None:
    global _policy
    _policy = policy


def access(membership, person) -> Access:
    """The user's access to one person, computed once per membership and person (per request)."""
    if membership is None or person is None:
        return Access(getattr(person, "pk", None), CircleRelationship.OUTSIDE)
    cache = membership.__dict__.setdefault("_sharing_access", {})
    if person.pk not in cache:
        cache[person.pk] = _policy.access(membership, person)
    return cache[person.pk]


def forget(membership) -> None:
    """Drop the cached answers (after a change of circle, objection or emergency access)."""
    if membership is not None:
        membership.__dict__.pop("_sharing_access", None)


_emergency_url = None


def register_emergency_url(fn) -> None:
    """The circle app says where a staff member outside the circle opens emergency access."""
    global _emergency_url
    _emergency_url = fn


def emergency_url(person) -> str | None:
    """The page to open emergency access (bris de glace) to this person's record, if any."""
    return _emergency_url(person) if _emergency_url else None


def circle_persons(membership) -> QuerySet | None:
    """Ids of the persons whose circle the user currently belongs to (a subquery), or None."""
    return _policy.circle_persons(membership)


def excluded_persons(membership) -> QuerySet | None:
    """Ids of the persons who excluded this user by an objection (a subquery), or None."""
    return _policy.excluded_persons(membership)
