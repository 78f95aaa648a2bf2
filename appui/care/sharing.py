"""What of an episode's content each user may see: the care side of core.sharing.

core.sharing decides the categories of a person's data a user may see (`Access`); this module
says which category each piece of the care record belongs to (docs/permissions.md, "Ce que
contient chaque catégorie") and filters the care content for an Access. Views and services ask
here; templates test `access.medical`, `access.plan`… on the Access given to them.

- assessment domains: health and cognition → medical; autonomy → autonomy; psychological →
  psychological; carers, housing, rights, social life → social;
- grids: AGGIR → autonomy; complexity screening → medical; the multidimensional grid → each
  domain by its own category; a DAC's own grid → the `category` key of its definition (medical
  when absent);
- PPCS: needs by their domain; situation, wishes, preferences, goals, actions, difficulties,
  useful contacts → plan (only the member's own actions when the person limited them so);
- concertations: what was discussed and decided → plan;
- follow-up: contact log and visit reports → social; hospital stays, discharge tasks, adverse
  events → medical. Dates of visits and meetings, the episode itself, consent, alerts →
  administrative.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from appui.core import sharing
from appui.core.enums import SensitivityCategory as C

from .enums import AssessmentDomain as D
from .enums import FormKind

DOMAIN_CATEGORY: dict[str, str] = {
    D.HEALTH: C.MEDICAL,
    D.COGNITION: C.MEDICAL,
    D.AUTONOMY: C.AUTONOMY,
    D.PSYCHOLOGICAL: C.PSYCHOLOGICAL,
    D.CARERS: C.SOCIAL,
    D.HOUSING: C.SOCIAL,
    D.RIGHTS: C.SOCIAL,
    D.SOCIAL_LIFE: C.SOCIAL,
}

#: Categories an assessment may hold (the episode page's block shows when one of them is seen).
ASSESSMENT_CATEGORIES = (C.SOCIAL, C.AUTONOMY, C.MEDICAL, C.PSYCHOLOGICAL, C.PLAN)

#: The category of a DAC's own grid when its definition does not say.
DEFAULT_GRID_CATEGORY = C.MEDICAL

#: Categories a DAC's own grid may declare (`"category": "social"` in its JSON definition).
GRID_CATEGORIES = tuple(c.value for c in C if c != C.ADMINISTRATIVE)


def access_to(request_or_membership, person) -> sharing.Access:
    """The user's Access to a person (cached per request by core.sharing)."""
    membership = getattr(request_or_membership, "membership", request_or_membership)
    return sharing.access(membership, person)


def episode_access(request, episode) -> sharing.Access:
    return access_to(request, episode.person)


def require_category(access: sharing.Access, category: str) -> None:
    """403 for a page (or a form) about data of a category the user may not see."""
    if not access.allows(category):
        raise PermissionDenied


def domain_category(domain: str) -> str:
    return DOMAIN_CATEGORY.get(domain, C.MEDICAL)


# --- Assessments ---------------------------------------------------------------------------------


def grid_category(form) -> str | None:
    """The one category of a grid, or None for the multidimensional grid (by domain)."""
    if form.kind == FormKind.MULTIDIMENSIONAL:
        return None
    if form.kind == FormKind.AGGIR:
        return C.AUTONOMY
    if form.kind == FormKind.SCREENING:
        return C.MEDICAL
    category = (form.definition or {}).get("category") or DEFAULT_GRID_CATEGORY
    return category if category in GRID_CATEGORIES else DEFAULT_GRID_CATEGORY


def grid_categories(form) -> frozenset:
    """Every category an assessment on this grid holds."""
    category = grid_category(form)
    if category is not None:
        return frozenset({category})
    domains = [d.get("code") for d in (form.definition or {}).get("domains", [])]
    return frozenset(domain_category(d) for d in domains) or frozenset({DEFAULT_GRID_CATEGORY})


def sees_assessment(access, form) -> bool:
    """Whether any part of an assessment on this grid shows (the row in lists, the page)."""
    return any(access.allows(c) for c in grid_categories(form))


def sees_whole_assessment(access, form) -> bool:
    """Whether the user sees every category of the grid: then its summary, result and
    participants show too (they may speak of any domain)."""
    return all(access.allows(c) for c in grid_categories(form))


def visible_domains(access, form, domains: list[dict]) -> list[dict]:
    """The domains of `grids.readable()` this user may read (answers and needs)."""
    single = grid_category(form)
    if single is not None:
        return domains if access.allows(single) else []
    return [d for d in domains if access.allows(domain_category(d["code"]))]


def visible_needs(access, needs):
    """Needs (found by assessments or in a PPCS) of the domains the user may see."""
    return [n for n in needs if access.allows(domain_category(n.domain))]


def needs_q(access) -> Q:
    """The needs (a filter on Need) of the domains `access` may see: filtered in the database so
    that what is not shown is not read either (the person's access log stays true)."""
    return Q(domain__in=[d for d in D if access.allows(domain_category(d))])


def actions_q(access) -> Q:
    """The PPCS actions `access` may see (a filter on Action)."""
    if not access.plan:
        return Q(pk__in=[])
    if not access.own_actions_only:
        return Q()
    own = Q(pk__in=[])
    if access.own_actions_professional_id:
        own |= Q(responsible_professional_id=access.own_actions_professional_id)
    if access.own_actions_user_id:
        own |= Q(responsible_user_id=access.own_actions_user_id)
    return own


def visible_assessments(access, assessments):
    return [a for a in assessments if sees_assessment(access, a.form)]


# --- PPCS ----------------------------------------------------------------------------------------


def own_action(access, action) -> bool:
    return bool(
        (
            access.own_actions_professional_id
            and action.responsible_professional_id == access.own_actions_professional_id
        )
        or (access.own_actions_user_id and action.responsible_user_id == access.own_actions_user_id)
    )


def plan_view(view, access):
    """A PPCS read (plans.PlanView) cut to what `access` may see: the needs of its domains; the
    goals and actions with the plan category (only the member's own actions, and the goals
    holding them, when the person limited them so). The texts of the version are shown by the
    templates when `view.access.plan`."""
    needs = visible_needs(access, view.needs)
    if not access.plan:
        goals, loose = [], []
    else:
        own = access.own_actions_only
        goals = [
            dataclasses.replace(
                block,
                actions=[a for a in block.actions if not own or own_action(access, a)],
                needs=visible_needs(access, block.needs),
            )
            for block in view.goals
        ]
        if own:
            goals = [block for block in goals if block.actions]
        loose = [a for a in view.loose_actions if not own or own_action(access, a)]
    return dataclasses.replace(view, needs=needs, goals=goals, loose_actions=loose, access=access)


def visible_plan_items(access, items):
    """Goals or actions of a comparison (matched pairs or rows) with the plan category."""
    return list(items) if access.plan else []


# --- Concertations -------------------------------------------------------------------------------


def sees_concertation_content(access) -> bool:
    """What was decided about a person in a concertation (the PPCS category)."""
    return access.plan


def sees_concertation_discussion(access) -> bool:
    """What was discussed (the situation, often its health): the plan and medical categories."""
    return access.plan and access.medical


# --- Follow-up -----------------------------------------------------------------------------------


def sees_contacts(access) -> bool:
    return access.social


def sees_hospital(access) -> bool:
    return access.medical


def assessments_q(access) -> Q:
    """The assessments (a filter on Assessment) showing at least one category to `access`:
    decided on the grid, so lists keep their pagination and their query count."""
    allowed = [c for c in GRID_CATEGORIES if access.allows(c)]
    multidimensional = {DOMAIN_CATEGORY[d] for d in D}
    where = Q(form__kind=FormKind.AGGIR) if access.autonomy else Q(pk__in=[])
    if access.medical:
        where |= Q(form__kind=FormKind.SCREENING)
    if multidimensional & set(allowed):
        where |= Q(form__kind=FormKind.MULTIDIMENSIONAL)
    own_grids = Q(form__kind=FormKind.OTHER) & Q(form__definition__category__in=allowed)
    if DEFAULT_GRID_CATEGORY in allowed:
        own_grids |= Q(form__kind=FormKind.OTHER) & ~Q(form__definition__has_key="category")
    return where | own_grids
