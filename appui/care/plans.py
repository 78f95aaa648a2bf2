"""The PPCS (plan personnalisé de coordination en santé): its versions, their content, the
validation by the médecin traitant, the person's agreement, and the follow-up of the actions.

    brouillon ──► soumis ──► validé par le médecin traitant ─┐
        ▲           │        (l'accord de la personne         ├──► en vigueur ──► remplacé
        └─ reprise ─┘         avant ou après la validation)  ─┘

A version is a self-contained copy: its synthesis, needs, goals and actions are its own rows, so a
superseded version stays as it was validated and printed. The next version copies the version in
force (`carried_from` links each item to its previous copy, for the comparison page). Only one
version is in preparation at a time. A version becomes **in force** when it is both validated by
the médecin traitant and agreed by the person, whichever comes second; the version it replaces is
then superseded.

The whole draft is one document under optimistic locking: every edit (synthesis, needs, goals,
actions) names the `lock_version` the editor's form was built from, and is refused with a French
message when someone else saved in between (`appui.core.locking`).

Every state change below is one function: it checks the right (`require`), writes in one
transaction, and records an event on the version (who, when, what).
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from appui.accounts.models import User
from appui.core import audit
from appui.core.enums import AccessAction, Role
from appui.core.locking import StaleEdit, save_locked
from appui.core.models import Event, record_event
from appui.core.permissions import require
from appui.core.sharing import FULL, Access
from appui.directory.models import Service
from appui.intake.workflow import assignable_users
from appui.persons.models import Carer
from appui.territory.models import Professional

from . import sharing
from .enums import (
    ActionKind,
    ActionStatus,
    AssessmentDomain,
    AssessmentStatus,
    GoalStatus,
    InformationChannel,
    PlanStatus,
)
from .models import (
    Action,
    CareEpisode,
    CarePlan,
    CarePlanVersion,
    CareSettings,
    Goal,
    MeetingSituation,
    Need,
)
from .sections import register_section

S = PlanStatus

#: A version still being prepared (only one at a time).
IN_PREPARATION = (S.DRAFT, S.SUBMITTED, S.VALIDATED)
#: The synthesis fields a draft's editor saves together.
SYNTHESIS_FIELDS = ("situation", "wishes", "preferences", "difficulties", "useful_contacts")
EDITABLE_FIELDS = (*SYNTHESIS_FIELDS, "review_on")
#: Texts of the synthesis that describe the person's health (medical category).
CLINICAL_TEXT_FIELDS = ("situation", "difficulties")
#: Actions still expected (an overdue action is one of these past its due date).
OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
#: Action statuses as counted words (singular, plural).
STATUS_WORDS = {
    ActionStatus.PLANNED: ("prévue", "prévues"),
    ActionStatus.IN_PROGRESS: ("en cours", "en cours"),
    ActionStatus.DONE: ("réalisée", "réalisées"),
    ActionStatus.NOT_DONE: ("non réalisée", "non réalisées"),
}
#: How a validation or an agreement reaches the DAC when staff record it.
RECORDED_CHANNELS = [c for c in InformationChannel if c != InformationChannel.IN_APP]

CLOSED_EPISODE = "L'accompagnement est clôturé : son PPCS ne peut plus être modifié."
NOT_A_DRAFT = (
    "Cette version du PPCS n'est plus un brouillon ({status}) : elle ne se modifie plus. "
    "Commencez une nouvelle version pour la faire évoluer."
)


# --- Reading -------------------------------------------------------------------------------------


def plan_of(episode) -> CarePlan | None:
    return CarePlan.objects.filter(episode=episode).first()


def visible_versions(membership, episode):
    """The versions the membership may read: partners (the médecin traitant) never see drafts,
    which are the DAC's work in progress."""
    queryset = CarePlanVersion.objects.filter(plan__episode=episode).order_by("-number")
    if not getattr(membership, "is_dac_staff", False):
        queryset = queryset.exclude(status=S.DRAFT)
    return queryset


def is_persons_gp(membership, episode) -> bool:
    """Whether the membership is the médecin traitant's own partner account."""
    gp_user_id = episode.person.gp.user_id if episode.person.gp_id else None
    return (
        membership.role == Role.PARTNER
        and gp_user_id is not None
        and gp_user_id == membership.user_id
    )


def meeting_decisions(episode, limit: int = 5) -> list[MeetingSituation]:
    """The latest decisions of concertation meetings about this person (shown to the editor)."""
    return list(
        MeetingSituation.objects.filter(episode=episode)
        .exclude(decisions="")
        .select_related("meeting")
        .order_by("-meeting__held_at", "-id")[:limit]
    )


def assessment_needs(episode, plan=None):
    """Needs found by the episode's completed assessments and not yet carried into the PPCS."""
    queryset = Need.objects.filter(
        episode=episode,
        assessment__isnull=False,
        assessment__status=AssessmentStatus.COMPLETED,
        plan_version__isnull=True,
    )
    if plan is not None:
        carried = Need.objects.filter(plan_version__plan=plan, carried_from__isnull=False)
        queryset = queryset.exclude(pk__in=carried.values("carried_from"))
    return queryset.select_related("assessment__form").order_by("domain", "position", "id")


@dataclass
class Responsible:
    """Who carries out an action, as the plan and the PDF show it."""

    kind: str  # service, professional, carer, user, label
    key: str
    name: str
    detail: str = ""
    phone: str = ""


def responsible_of(action: Action) -> Responsible | None:
    if action.responsible_service_id:
        service = action.responsible_service
        provider = service.provider_name
        phone = service.phone or (service.organisation.phone if service.organisation_id else "")
        return Responsible("service", f"service:{service.pk}", service.name, provider, phone)
    if action.responsible_professional_id:
        pro = action.responsible_professional
        detail = pro.get_profession_display()
        if pro.specialty and pro.specialty.lower() != detail.lower():
            detail = f"{detail}, {pro.specialty.lower()}"
        return Responsible(
            "professional", f"professional:{pro.pk}", pro.display_name, detail, pro.phone
        )
    if action.responsible_carer_id:
        carer = action.responsible_carer
        detail = carer.get_relationship_display()
        if carer.roles_label:
            detail = f"{detail}, {carer.roles_label}"
        return Responsible("carer", f"carer:{carer.pk}", str(carer), detail, carer.phone)
    if action.responsible_user_id:
        user = action.responsible_user
        return Responsible(
            "user",
            f"user:{user.pk}",
            user.get_full_name() or user.email,
            "équipe du DAC",
            user.phone,
        )
    if action.responsible_label:
        return Responsible("label", f"label:{action.responsible_label}", action.responsible_label)
    return None


@dataclass
class GoalBlock:
    goal: Goal
    actions: list[Action]
    #: The needs the goal answers (those the reader may see, once cut by care.sharing).
    needs: list[Need] = field(default_factory=list)


@dataclass
class PlanView:
    """Everything a PPCS page or its PDF shows, read in a fixed number of queries."""

    version: CarePlanVersion
    episode: CareEpisode
    needs: list[Need]
    goals: list[GoalBlock]
    loose_actions: list[Action]
    carers: list[Carer]
    gp_phone: str
    today: datetime.date = field(default_factory=timezone.localdate)
    #: Who reads: the categories shown (care.sharing.plan_view cuts the rest). Everything when
    #: read for the person themself or a service.
    access: Access = field(default_factory=lambda: Access(None, "member", FULL))

    @property
    def person(self):
        return self.episode.person

    @property
    def shows_texts(self) -> bool:
        """The version's texts (situation, wishes, difficulties…) are the plan's category; a
        member limited to the actions they carry sees those actions only."""
        return self.access.plan and not self.access.own_actions_only

    @property
    def shows_clinical_texts(self) -> bool:
        """The situation summary, the difficulties and the GP's comment describe the person's
        health: they need the medical category as well (docs/permissions.md)."""
        return self.shows_texts and self.access.medical

    @property
    def gp(self):
        return self.version.gp if self.version.gp_id else self.episode.person.gp

    @property
    def actions(self) -> list[Action]:
        return [a for block in self.goals for a in block.actions] + self.loose_actions

    @property
    def needs_by_domain(self) -> list[tuple[str, list[Need]]]:
        grouped: dict[str, list[Need]] = {}
        for need in self.needs:
            grouped.setdefault(need.domain, []).append(need)
        return [
            (domain.label, grouped[domain.value])
            for domain in AssessmentDomain
            if domain.value in grouped
        ]

    @property
    def intervenants(self) -> list[dict]:
        """The care circle named by the plan: the médecin traitant, then each responsible."""
        found: dict[str, dict] = {}
        gp = self.gp
        if gp is not None:
            who = Responsible(
                "professional",
                f"professional:{gp.pk}",
                gp.display_name,
                "Médecin traitant",
                self.gp_phone,
            )
            found[who.key] = {"who": who, "kinds": ["Suivi médical"]}
        for action in self.actions:
            who = action.who
            if who is None:
                continue
            entry = found.setdefault(who.key, {"who": who, "kinds": []})
            label = action.get_kind_display()
            if label not in entry["kinds"]:
                entry["kinds"].append(label)
        return list(found.values())

    @property
    def gp_channel(self) -> str:
        return _phrase(self.version.get_gp_validation_channel_display())

    @property
    def agreement_how(self) -> str:
        return _phrase(self.version.get_person_agreement_how_display())

    @property
    def legal_representatives(self) -> list[Carer]:
        return [c for c in self.carers if c.is_legal_representative]

    @property
    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ActionStatus.values, 0)
        for action in self.actions:
            counts[action.status] += 1
        return counts

    @property
    def status_summary(self) -> list[str]:
        """ "3 prévues", "1 réalisée"… (statuses with no action left out)."""
        counts = self.status_counts
        return [
            f"{counts[value]} {STATUS_WORDS[value][counts[value] > 1]}"
            for value in ActionStatus.values
            if counts[value]
        ]

    @property
    def overdue_count(self) -> int:
        return sum(1 for a in self.actions if a.is_overdue)


def _phrase(label: str) -> str:
    """A choice label inside a sentence: "Par téléphone" → "par téléphone" (acronyms kept)."""
    return label[:1].lower() + label[1:] if label else ""


def _annotate_action(action: Action, today) -> Action:
    action.who = responsible_of(action)
    action.is_overdue = bool(
        action.due_on and action.due_on < today and action.status in OPEN_ACTION_STATUSES
    )
    return action


def load_version(version_pk: int, access: Access | None = None) -> PlanView:
    """The version and its content (about eight queries whatever the number of rows), cut to
    what `access` may see when given (care.sharing)."""
    version = CarePlanVersion.objects.select_related(
        "plan__episode__person__gp",
        "plan__episode__person__commune",
        "plan__episode__referent",
        "plan__episode__case_manager",
        "plan__episode__dac",
        "gp",
        "gp_validation_recorded_by",
    ).get(pk=version_pk)
    episode = version.plan.episode
    today = timezone.localdate()
    # What the reader may not see is not even read (care.sharing; the access log stays true).
    needs_qs, goals_qs, actions_qs = version.needs.all(), version.goals.all(), version.actions.all()
    if access is not None:
        from . import sharing as care_sharing

        needs_qs = needs_qs.filter(care_sharing.needs_q(access))
        actions_qs = actions_qs.filter(care_sharing.actions_q(access))
        if not access.plan:
            goals_qs = goals_qs.none()
    goal_needs = Need.objects.all()
    if access is not None:
        goal_needs = goal_needs.filter(care_sharing.needs_q(access))
    needs = list(needs_qs)
    goals = list(goals_qs.prefetch_related(Prefetch("needs", queryset=goal_needs)))
    actions = [
        _annotate_action(action, today)
        for action in actions_qs.select_related(
            "responsible_service__organisation",
            "responsible_service__professional",
            "responsible_professional",
            "responsible_carer",
            "responsible_user",
            "status_changed_by",
        )
    ]
    goals_by_pk = {goal.pk: goal for goal in goals}
    by_goal: dict[int, list[Action]] = {}
    loose = []
    for action in actions:
        if action.goal_id in goals_by_pk:
            action.goal = goals_by_pk[action.goal_id]  # no query per action for its goal
            by_goal.setdefault(action.goal_id, []).append(action)
        else:
            loose.append(action)
    carers = list(Carer.objects.filter(person_id=episode.person_id))
    gp = version.gp if version.gp_id else episode.person.gp
    gp_phone = ""
    if gp is not None:
        gp_phone = gp.phone or next(
            (p.phone for p in gp.practice_places.order_by("-is_primary", "id") if p.phone), ""
        )
    view = PlanView(
        version=version,
        episode=episode,
        needs=needs,
        goals=[GoalBlock(goal, by_goal.get(goal.pk, []), list(goal.needs.all())) for goal in goals],
        loose_actions=loose,
        carers=carers,
        gp_phone=gp_phone,
        today=today,
    )
    return view if access is None else sharing.plan_view(view, access)


def version_history(version) -> list[Event]:
    return list(
        Event.objects.filter(subject_type="care.careplanversion", subject_id=str(version.pk))[:50]
    )


# --- Starting a version --------------------------------------------------------------------------


def _bulk_create(model, rows: list, user_id) -> list:
    """Insert copies in one statement each, with their authorship and their access-log rows."""
    if not rows:
        return []
    for row in rows:
        row.created_by_id = row.updated_by_id = user_id
    created = model.objects.bulk_create(rows)
    audit.record_many(created, AccessAction.CREATE)
    return created


def _copy_needs(source_needs, version, user_id) -> dict[int, int]:
    source_needs = list(source_needs)
    copies = _bulk_create(
        Need,
        [
            Need(
                episode_id=need.episode_id,
                plan_version=version,
                domain=need.domain,
                description=need.description,
                position=need.position,
                carried_from_id=need.pk,
            )
            for need in source_needs
        ],
        user_id,
    )
    return {old.pk: new.pk for old, new in zip(source_needs, copies, strict=True)}


def _copy_content(source: CarePlanVersion, version: CarePlanVersion, user_id) -> dict:
    """Copy the synthesis, needs, goals (with their needs) and actions of `source`."""
    for name in SYNTHESIS_FIELDS:
        setattr(version, name, getattr(source, name))
    need_map = _copy_needs(source.needs.all(), version, user_id)
    goals = list(source.goals.all())
    goal_copies = _bulk_create(
        Goal,
        [
            Goal(
                plan_version=version,
                position=goal.position,
                title=goal.title,
                status=goal.status,
                carried_from_id=goal.pk,
            )
            for goal in goals
        ],
        user_id,
    )
    goal_map = {old.pk: new.pk for old, new in zip(goals, goal_copies, strict=True)}
    links = Goal.needs.through.objects.filter(goal__plan_version=source).values_list(
        "goal_id", "need_id"
    )
    Goal.needs.through.objects.bulk_create(
        [
            Goal.needs.through(goal_id=goal_map[goal_id], need_id=need_map[need_id])
            for goal_id, need_id in links
            if need_id in need_map
        ]
    )
    actions = list(source.actions.all())
    _bulk_create(
        Action,
        [
            Action(
                plan_version=version,
                goal_id=goal_map.get(action.goal_id),
                kind=action.kind,
                description=action.description,
                responsible_service_id=action.responsible_service_id,
                responsible_professional_id=action.responsible_professional_id,
                responsible_carer_id=action.responsible_carer_id,
                responsible_user_id=action.responsible_user_id,
                responsible_label=action.responsible_label,
                starts_on=action.starts_on,
                due_on=action.due_on,
                periodicity=action.periodicity,
                status=action.status,
                not_done_reason=action.not_done_reason,
                status_changed_at=action.status_changed_at,
                status_changed_by_id=action.status_changed_by_id,
                position=action.position,
                carried_from_id=action.pk,
            )
            for action in actions
        ],
        user_id,
    )
    return {"needs": len(need_map), "goals": len(goals), "actions": len(actions)}


@transaction.atomic
def start_plan_version(membership, episode) -> CarePlanVersion:
    """A new draft: version 1 starts from the needs found by the completed assessments; a later
    version is a copy of the version in force (plus the needs of assessments made since)."""
    require(membership, "care", "change", episode)
    episode = CareEpisode.objects.select_for_update().select_related("person").get(pk=episode.pk)
    if not episode.is_open:
        raise ValidationError(CLOSED_EPISODE)
    plan, _ = CarePlan.objects.get_or_create(episode=episode)
    versions = list(plan.versions.order_by("-number"))
    pending = next((v for v in versions if v.status in IN_PREPARATION), None)
    if pending is not None:
        raise ValidationError(
            f"La version {pending.number} du PPCS est déjà en préparation "
            f"({pending.get_status_display().lower()}) : terminez-la avant d'en commencer une "
            "autre."
        )
    active = next((v for v in versions if v.status == S.ACTIVE), None)
    version = CarePlanVersion(
        plan=plan, number=(versions[0].number + 1) if versions else 1, based_on=active
    )
    version.save()
    user_id = membership.user.pk
    counts = {"needs": 0, "goals": 0, "actions": 0}
    if active is not None:
        counts = _copy_content(active, version, user_id)
        version.save(update_fields=[*SYNTHESIS_FIELDS, "updated_at", "updated_by"])
    found = list(assessment_needs(episode, plan))
    counts["needs"] += len(_copy_needs(found, version, user_id))
    record_event(
        version,
        "plan_version_started",
        actor=membership.user,
        number=version.number,
        based_on=active.number if active else None,
        assessment_needs=len(found),
        **counts,
    )
    return version


# --- Editing a draft -----------------------------------------------------------------------------


def _locked_draft(membership, version, expected_version) -> CarePlanVersion:
    """The version row, locked, if it is a draft still at `expected_version`."""
    locked = _locked(version)
    episode = locked.plan.episode
    require(membership, "care", "change", episode)
    if not episode.is_open:
        raise ValidationError(CLOSED_EPISODE)
    if locked.status != S.DRAFT:
        raise ValidationError(NOT_A_DRAFT.format(status=locked.get_status_display().lower()))
    if expected_version is not None and int(locked.lock_version) != int(expected_version):
        raise StaleEdit()
    return locked


def _bump(locked: CarePlanVersion, expected_version, fields=()) -> None:
    """Save the version (its changed fields, if any) and move its lock forward."""
    save_locked(
        locked,
        locked.lock_version if expected_version is None else expected_version,
        update_fields=list(fields),
    )


def _months_later(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last_day in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last_day))
        except ValueError:
            continue
    raise ValueError(day)


def review_date_error(review_on, dac_id) -> str:
    """Why a review date is not acceptable ("" when it is)."""
    if review_on is None:
        return ""
    today = timezone.localdate()
    if review_on < today:
        return "La date de révision ne peut pas être passée."
    months = CareSettings.for_dac(dac_id).reassessment_months
    if review_on > _months_later(today, months):
        return (
            f"La date de révision doit être dans les {months} mois : la situation est "
            "réévaluée au moins une fois par an."
        )
    return ""


@transaction.atomic
def save_plan_version(membership, version, *, expected_version, **fields) -> CarePlanVersion:
    """Save the synthesis and the review date of a draft (optimistic locking)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    locked = _locked_draft(membership, version, expected_version)
    if "review_on" in fields:
        error = review_date_error(fields["review_on"], locked.plan.episode.dac_id)
        if error:
            raise ValidationError({"review_on": error})
    changed = []
    for name, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if not changed:
        return locked
    _bump(locked, expected_version, changed)
    record_event(locked, "plan_version_saved", actor=membership.user, fields=changed)
    version.lock_version = locked.lock_version
    return locked


def _check_need(domain, description) -> dict:
    errors = {}
    if domain not in AssessmentDomain.values:
        errors["domain"] = "Choisissez le domaine du problème ou du besoin."
    if not (description or "").strip():
        errors["description"] = "Décrivez le problème ou le besoin non couvert."
    return errors


@transaction.atomic
def add_need(membership, version, *, expected_version, domain, description) -> Need:
    locked = _locked_draft(membership, version, expected_version)
    errors = _check_need(domain, description)
    if errors:
        raise ValidationError(errors)
    position = (locked.needs.filter(domain=domain).aggregate(m=Max("position"))["m"] or 0) + 1
    need = Need.objects.create(
        episode_id=locked.plan.episode_id,
        plan_version=locked,
        domain=domain,
        description=description.strip(),
        position=position,
    )
    _bump(locked, expected_version)
    record_event(locked, "plan_need_added", actor=membership.user, need=need.pk, domain=domain)
    return need


@transaction.atomic
def update_need(membership, need, *, expected_version, domain, description) -> Need:
    locked = _locked_draft(membership, need.plan_version, expected_version)
    errors = _check_need(domain, description)
    if errors:
        raise ValidationError(errors)
    need = locked.needs.get(pk=need.pk)
    need.domain, need.description = domain, description.strip()
    changed = need.changed_fields()
    if changed:
        need.save()
        _bump(locked, expected_version)
        record_event(
            locked, "plan_need_changed", actor=membership.user, need=need.pk, fields=changed
        )
    return need


@transaction.atomic
def remove_need(membership, need, *, expected_version) -> None:
    """Take a need out of the draft (the goals that answered it no longer cite it)."""
    locked = _locked_draft(membership, need.plan_version, expected_version)
    need = locked.needs.get(pk=need.pk)
    details = {"need": need.pk, "domain": need.domain, "description": need.description}
    audit.record(need, AccessAction.DELETE)
    Goal.needs.through.objects.filter(need_id=need.pk).delete()
    need.delete()
    _bump(locked, expected_version)
    record_event(locked, "plan_need_removed", actor=membership.user, **details)


def _place_goal(locked, goal: Goal, position: int | None) -> None:
    """Give `goal` its priority and number the version's goals 1, 2, 3…"""
    others = [g for g in locked.goals.order_by("position", "id") if g.pk != goal.pk]
    index = len(others) if position is None else max(0, min(position - 1, len(others)))
    others.insert(index, goal)
    moved = []
    for rank, item in enumerate(others, start=1):
        if item.position != rank:
            item.position = rank
            if item.pk != goal.pk:
                moved.append(item)
    for item in moved:
        item.save(update_fields=["position", "updated_at", "updated_by"])


def _check_goal(locked, title, needs) -> tuple[dict, list]:
    errors = {}
    if not (title or "").strip():
        errors["title"] = "Formulez l'objectif."
    need_ids = {n.pk for n in needs}
    if need_ids and locked.needs.filter(pk__in=need_ids).count() != len(need_ids):
        errors["needs"] = "Choisissez des besoins de cette version du PPCS."
    return errors, list(need_ids)


@transaction.atomic
def add_goal(membership, version, *, expected_version, title, needs=(), position=None) -> Goal:
    locked = _locked_draft(membership, version, expected_version)
    errors, need_ids = _check_goal(locked, title, needs)
    if errors:
        raise ValidationError(errors)
    goal = Goal(plan_version=locked, title=title.strip())
    _place_goal(locked, goal, position)
    goal.save()
    goal.needs.set(need_ids)
    _bump(locked, expected_version)
    record_event(
        locked,
        "plan_goal_added",
        actor=membership.user,
        goal=goal.pk,
        title=goal.title,
        position=goal.position,
    )
    return goal


@transaction.atomic
def update_goal(membership, goal, *, expected_version, title, needs=(), position=None) -> Goal:
    locked = _locked_draft(membership, goal.plan_version, expected_version)
    goal = locked.goals.get(pk=goal.pk)
    errors, need_ids = _check_goal(locked, title, needs)
    if errors:
        raise ValidationError(errors)
    goal.title = title.strip()
    if position is not None and position != goal.position:
        _place_goal(locked, goal, position)
    changed = goal.changed_fields()
    if changed:
        goal.save()
    if set(need_ids) != set(goal.needs.values_list("pk", flat=True)):
        goal.needs.set(need_ids)
        changed.append("needs")
    if changed:
        _bump(locked, expected_version)
        record_event(
            locked, "plan_goal_changed", actor=membership.user, goal=goal.pk, fields=changed
        )
    return goal


@transaction.atomic
def remove_goal(membership, goal, *, expected_version) -> None:
    """Take a goal and its actions out of the draft; the other goals move up."""
    locked = _locked_draft(membership, goal.plan_version, expected_version)
    goal = locked.goals.get(pk=goal.pk)
    actions = list(goal.actions.all())
    details = {
        "goal": goal.pk,
        "title": goal.title,
        "actions": [a.description for a in actions],
    }
    audit.record_many([*actions, goal], AccessAction.DELETE)
    Action.objects.filter(pk__in=[a.pk for a in actions]).delete()
    goal.needs.clear()
    goal.delete()
    for rank, item in enumerate(locked.goals.order_by("position", "id"), start=1):
        if item.position != rank:
            item.position = rank
            item.save(update_fields=["position", "updated_at", "updated_by"])
    _bump(locked, expected_version)
    record_event(locked, "plan_goal_removed", actor=membership.user, **details)


RESPONSIBLE_FIELDS = {
    Service: "responsible_service",
    Professional: "responsible_professional",
    Carer: "responsible_carer",
    User: "responsible_user",
}


def staff_of(dac_id):
    """The DAC's own team (who may carry out an action of the plan)."""
    return assignable_users(dac_id)


def _responsible_error(episode, responsible, label) -> str:
    if responsible is None:
        if (label or "").strip():
            return ""
        return (
            "Indiquez qui fait l'action : un service ou un professionnel du répertoire, un "
            "proche, un membre de l'équipe, ou un autre responsable nommé."
        )
    if isinstance(responsible, Carer) and responsible.person_id != episode.person_id:
        return "Ce proche n'est pas un proche de la personne accompagnée."
    if (
        isinstance(responsible, User)
        and not staff_of(episode.dac_id).filter(pk=responsible.pk).exists()
    ):
        return "Cette personne ne fait pas partie de l'équipe du DAC."
    if isinstance(responsible, Service | Professional | Carer) and responsible.deleted_at:
        return "Ce responsable a été archivé : choisissez-en un autre."
    if type(responsible) not in RESPONSIBLE_FIELDS:
        return "Choisissez qui fait l'action."
    return ""


def _check_action(locked, data: dict) -> dict:
    errors = {}
    goal = data.get("goal")
    if goal is None or goal.plan_version_id != locked.pk:
        errors["goal"] = "Choisissez l'objectif auquel l'action répond."
    if data.get("kind") not in ActionKind.values:
        errors["kind"] = "Choisissez le type d'action : prévention, soins ou accompagnement."
    if not (data.get("description") or "").strip():
        errors["description"] = "Décrivez l'action."
    error = _responsible_error(
        locked.plan.episode, data.get("responsible"), data.get("responsible_label")
    )
    if error:
        errors["responsible"] = error
    starts_on, due_on = data.get("starts_on"), data.get("due_on")
    if starts_on and due_on and due_on < starts_on:
        errors["due_on"] = "L'échéance ne peut pas précéder le début de l'action."
    if not (starts_on or due_on or (data.get("periodicity") or "").strip()):
        errors["due_on"] = "Indiquez quand : une date de début, une échéance ou une périodicité."
    return errors


ACTION_FIELDS = (
    "goal",
    "kind",
    "description",
    "responsible",
    "responsible_label",
    "starts_on",
    "due_on",
    "periodicity",
)


def _apply_action(action: Action, data: dict) -> None:
    responsible = data.get("responsible")
    for name in RESPONSIBLE_FIELDS.values():
        setattr(action, name, None)
    if responsible is not None:
        setattr(action, RESPONSIBLE_FIELDS[type(responsible)], responsible)
        action.responsible_label = ""
    else:
        action.responsible_label = (data.get("responsible_label") or "").strip()
    action.goal = data["goal"]
    action.kind = data["kind"]
    action.description = data["description"].strip()
    action.starts_on = data.get("starts_on")
    action.due_on = data.get("due_on")
    action.periodicity = (data.get("periodicity") or "").strip()


def _action_data(fields: dict) -> dict:
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    return fields


@transaction.atomic
def add_action(membership, version, *, expected_version, **fields) -> Action:
    """Who does what and when, for a goal of the draft. `responsible` is a directory service, a
    professional, one of the person's carers or a DAC staff member; else `responsible_label`."""
    data = _action_data(fields)
    locked = _locked_draft(membership, version, expected_version)
    errors = _check_action(locked, data)
    if errors:
        raise ValidationError(errors)
    action = Action(plan_version=locked)
    _apply_action(action, data)
    action.position = (locked.actions.aggregate(m=Max("position"))["m"] or 0) + 1
    action.save()
    _bump(locked, expected_version)
    record_event(
        locked,
        "plan_action_added",
        actor=membership.user,
        action=action.pk,
        goal=action.goal_id,
        description=action.description[:200],
    )
    return action


@transaction.atomic
def update_action(membership, action, *, expected_version, **fields) -> Action:
    data = _action_data(fields)
    locked = _locked_draft(membership, action.plan_version, expected_version)
    action = locked.actions.get(pk=action.pk)
    errors = _check_action(locked, data)
    if errors:
        raise ValidationError(errors)
    _apply_action(action, data)
    changed = action.changed_fields()
    if changed:
        action.save()
        _bump(locked, expected_version)
        record_event(
            locked, "plan_action_changed", actor=membership.user, action=action.pk, fields=changed
        )
    return action


@transaction.atomic
def remove_action(membership, action, *, expected_version) -> None:
    locked = _locked_draft(membership, action.plan_version, expected_version)
    action = locked.actions.get(pk=action.pk)
    details = {"action": action.pk, "description": action.description[:200]}
    audit.record(action, AccessAction.DELETE)
    action.delete()
    _bump(locked, expected_version)
    record_event(locked, "plan_action_removed", actor=membership.user, **details)


# --- Submission, validation, agreement, activation -----------------------------------------------


def _locked(version) -> CarePlanVersion:
    return (
        CarePlanVersion.objects.select_for_update(of=("self",))
        .select_related("plan__episode__person__gp")
        .get(pk=version.pk)
    )


def submission_problems(version) -> list[str]:
    """What a draft still lacks before it can be submitted to the médecin traitant."""
    problems = []
    episode = version.plan.episode
    if not version.goals.filter(actions__isnull=False).exists():
        problems.append("Le PPCS doit compter au moins un objectif avec une action.")
    if version.review_on is None:
        problems.append("Indiquez la date de révision du PPCS.")
    else:
        error = review_date_error(version.review_on, episode.dac_id)
        if error:
            problems.append(error)
    if episode.person.gp_id is None:
        problems.append(
            "La personne n'a pas de médecin traitant connu : renseignez-le dans son dossier "
            "avant de lui soumettre le PPCS."
        )
    return problems


@transaction.atomic
def submit_plan_version(membership, version, *, expected_version=None) -> CarePlanVersion:
    """Draft → submitted to the médecin traitant (content frozen)."""
    locked = _locked_draft(membership, version, expected_version)
    problems = submission_problems(locked)
    if problems:
        raise ValidationError(problems)
    locked.status = S.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.gp = locked.plan.episode.person.gp
    _bump(locked, expected_version, ["status", "submitted_at", "gp"])
    record_event(
        locked,
        "plan_version_submitted",
        actor=membership.user,
        number=locked.number,
        gp=locked.gp_id,
    )
    return locked


@transaction.atomic
def reopen_plan_version(membership, version, *, reason) -> CarePlanVersion:
    """Submitted or validated (not yet in force) → back to draft, e.g. when the médecin traitant
    or the person asks for a change. The validation and agreement recorded are withdrawn (kept in
    the event)."""
    locked = _locked(version)
    require(membership, "care", "change", locked.plan.episode)
    if locked.status not in (S.SUBMITTED, S.VALIDATED):
        raise ValidationError("Seul un PPCS soumis et pas encore en vigueur peut être repris.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Indiquez pourquoi le PPCS est repris."})
    withdrawn = {
        "gp_validated_on": str(locked.gp_validated_on or ""),
        "gp_comment": locked.gp_comment,
        "person_agreed_on": str(locked.person_agreed_on or ""),
        "person_agreement_by": locked.person_agreement_by,
    }
    previous = locked.status
    locked.status = S.DRAFT
    locked.submitted_at = None
    locked.gp_validated_on = None
    locked.gp_validation_channel = ""
    locked.gp_validation_recorded_by = None
    locked.gp_comment = ""
    locked.person_agreed_on = None
    locked.person_agreement_how = ""
    locked.person_agreement_by = ""
    _bump(
        locked,
        None,
        [
            "status",
            "submitted_at",
            "gp_validated_on",
            "gp_validation_channel",
            "gp_validation_recorded_by",
            "gp_comment",
            "person_agreed_on",
            "person_agreement_how",
            "person_agreement_by",
        ],
    )
    record_event(
        locked,
        "plan_version_reopened",
        actor=membership.user,
        previous=previous,
        reason=reason.strip(),
        withdrawn=withdrawn,
    )
    return locked


def _date_errors(day, locked, name: str, label: str) -> dict:
    if day is None:
        return {name: f"Indiquez la date {label}."}
    if day > timezone.localdate():
        return {name: "La date ne peut pas être dans le futur."}
    submitted_on = timezone.localdate(locked.submitted_at) if locked.submitted_at else None
    if submitted_on and day < submitted_on:
        return {
            name: f"Le PPCS a été soumis le {submitted_on:%d/%m/%Y} : la date ne peut pas "
            "précéder sa soumission."
        }
    return {}


def _activate(membership, locked: CarePlanVersion) -> None:
    """Both the validation and the agreement are there: the version comes into force and the
    version it replaces is superseded."""
    on = max(locked.gp_validated_on, locked.person_agreed_on)
    previous = (
        CarePlanVersion.objects.select_for_update()
        .filter(plan_id=locked.plan_id, status=S.ACTIVE)
        .exclude(pk=locked.pk)
        .first()
    )
    if previous is not None:
        on = max(on, previous.activated_on or on)
        previous.status = S.SUPERSEDED
        previous.superseded_on = on
        previous.lock_version += 1
        previous.save(
            update_fields=["status", "superseded_on", "lock_version", "updated_at", "updated_by"]
        )
        record_event(
            previous,
            "plan_version_superseded",
            actor=membership.user,
            number=previous.number,
            by_version=locked.number,
        )
    locked.status = S.ACTIVE
    locked.activated_on = on
    locked.save(update_fields=["status", "activated_on", "updated_at", "updated_by"])
    record_event(
        locked,
        "plan_version_activated",
        actor=membership.user,
        number=locked.number,
        replaces=previous.number if previous else None,
    )


@transaction.atomic
def validate_by_gp(membership, version, *, validated_on, channel, comment="") -> CarePlanVersion:
    """The médecin traitant's validation: given in Appui by the GP themself (partner account;
    channel "in_app", today), or received otherwise and recorded by the DAC's staff."""
    locked = _locked(version)
    episode = locked.plan.episode
    require(membership, "care", "validate", episode)
    if locked.status != S.SUBMITTED:
        raise ValidationError(
            "Ce PPCS n'attend pas la validation du médecin traitant "
            f"({locked.get_status_display().lower()})."
        )
    gp = episode.person.gp
    if membership.role == Role.PARTNER:
        if gp is None or gp.user_id != membership.user_id:
            raise ValidationError("Seul le médecin traitant de la personne valide son PPCS.")
        channel, validated_on = InformationChannel.IN_APP, timezone.localdate()
    elif channel == InformationChannel.IN_APP:
        raise ValidationError(
            {"channel": "Une validation dans Appui est donnée par le médecin traitant lui-même."}
        )
    errors = _date_errors(validated_on, locked, "validated_on", "de la validation")
    if channel not in InformationChannel.values:
        errors["channel"] = "Indiquez comment la validation a été reçue."
    if errors:
        raise ValidationError(errors)
    locked.status = S.VALIDATED
    locked.gp = gp or locked.gp
    locked.gp_validated_on = validated_on
    locked.gp_validation_channel = channel
    locked.gp_validation_recorded_by = membership.user
    locked.gp_comment = (comment or "").strip()
    _bump(
        locked,
        None,
        [
            "status",
            "gp",
            "gp_validated_on",
            "gp_validation_channel",
            "gp_validation_recorded_by",
            "gp_comment",
        ],
    )
    record_event(
        locked,
        "plan_version_validated",
        actor=membership.user,
        number=locked.number,
        gp=locked.gp_id,
        on=validated_on.isoformat(),
        channel=channel,
        comment=locked.gp_comment,
    )
    if locked.person_agreed_on:
        _activate(membership, locked)
    return locked


@transaction.atomic
def record_person_agreement(membership, version, *, agreed_on, how, by) -> CarePlanVersion:
    """The person's agreement (or their legal representative's) to a submitted version."""
    locked = _locked(version)
    require(membership, "care", "change", locked.plan.episode)
    if locked.status not in (S.SUBMITTED, S.VALIDATED) or locked.person_agreed_on:
        raise ValidationError(
            "L'accord de la personne se recueille sur un PPCS soumis, une seule fois."
        )
    errors = _date_errors(agreed_on, locked, "agreed_on", "de l'accord")
    if how not in [c.value for c in RECORDED_CHANNELS]:
        errors["how"] = "Indiquez comment l'accord a été recueilli."
    if not (by or "").strip():
        errors["by"] = "Indiquez qui a donné son accord."
    if errors:
        raise ValidationError(errors)
    locked.person_agreed_on = agreed_on
    locked.person_agreement_how = how
    locked.person_agreement_by = by.strip()
    _bump(locked, None, ["person_agreed_on", "person_agreement_how", "person_agreement_by"])
    record_event(
        locked,
        "plan_person_agreed",
        actor=membership.user,
        number=locked.number,
        on=agreed_on.isoformat(),
        how=how,
        by=locked.person_agreement_by,
    )
    if locked.status == S.VALIDATED:
        _activate(membership, locked)
    return locked


# --- Follow-up of the actions --------------------------------------------------------------------


@transaction.atomic
def set_action_status(membership, action, status, *, reason="") -> Action:
    """An action of the version in force is planned, in progress, done, or not done (why)."""
    action = (
        Action.objects.select_for_update(of=("self",))
        .select_related("plan_version__plan__episode")
        .get(pk=action.pk)
    )
    version = action.plan_version
    episode = version.plan.episode
    require(membership, "care", "change", episode)
    if version.status != S.ACTIVE:
        raise ValidationError("Seules les actions du PPCS en vigueur sont suivies.")
    if not episode.is_open:
        raise ValidationError(CLOSED_EPISODE)
    reason = (reason or "").strip()
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choisissez un statut."})
    if status == ActionStatus.NOT_DONE and not reason:
        raise ValidationError({"reason": "Indiquez pourquoi l'action n'a pas été réalisée."})
    if status != ActionStatus.NOT_DONE:
        reason = ""
    if status == action.status and reason == action.not_done_reason:
        return action
    previous = action.status
    action.status = status
    action.not_done_reason = reason
    action.status_changed_at = timezone.now()
    action.status_changed_by = membership.user
    action.save()
    record_event(
        version,
        "plan_action_status_changed",
        actor=membership.user,
        action=action.pk,
        description=action.description[:200],
        previous=previous,
        status=status,
        reason=reason,
    )
    return action


@transaction.atomic
def set_goal_status(membership, goal, status) -> Goal:
    """A goal of the version in force is pursued, achieved or not achieved (the HAS model's
    "objectifs partagés fixés mais non atteints" are the goals marked not achieved)."""
    goal = (
        Goal.objects.select_for_update(of=("self",))
        .select_related("plan_version__plan__episode")
        .get(pk=goal.pk)
    )
    version = goal.plan_version
    episode = version.plan.episode
    require(membership, "care", "change", episode)
    if version.status != S.ACTIVE:
        raise ValidationError("Seuls les objectifs du PPCS en vigueur sont suivis.")
    if not episode.is_open:
        raise ValidationError(CLOSED_EPISODE)
    if status not in GoalStatus.values:
        raise ValidationError({"status": "Choisissez où en est l'objectif."})
    if status == goal.status:
        return goal
    previous = goal.status
    goal.status = status
    goal.save(update_fields=["status", "updated_at", "updated_by"])
    record_event(
        version,
        "plan_goal_status_changed",
        actor=membership.user,
        goal=goal.pk,
        title=goal.title[:200],
        previous=previous,
        status=status,
    )
    return goal


# --- Comparing two versions ----------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    diff: str = ""


@dataclass
class ItemChange:
    change: str  # added, removed, changed, same
    old: object = None
    new: object = None
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def item(self):
        return self.new if self.new is not None else self.old

    @property
    def label(self) -> str:
        return {
            "added": "Ajouté",
            "removed": "Retiré",
            "changed": "Modifié",
            "same": "Inchangé",
        }[self.change]


@dataclass
class Comparison:
    old: PlanView
    new: PlanView
    synthesis: list[FieldChange]
    needs: list[ItemChange]
    goals: list[ItemChange]
    actions: list[ItemChange]

    @property
    def counts(self) -> dict[str, int]:
        counts = {"added": 0, "removed": 0, "changed": 0}
        for change in [*self.needs, *self.goals, *self.actions]:
            if change.change in counts:
                counts[change.change] += 1
        return counts

    @staticmethod
    def _differing(changes) -> list[ItemChange]:
        return [c for c in changes if c.change != "same"]

    @property
    def changed_needs(self) -> list[ItemChange]:
        return self._differing(self.needs)

    @property
    def changed_goals(self) -> list[ItemChange]:
        return self._differing(self.goals)

    @property
    def changed_actions(self) -> list[ItemChange]:
        return self._differing(self.actions)

    @property
    def has_changes(self) -> bool:
        return bool(self.synthesis) or any(self.counts.values())


def text_diff(old: str, new: str) -> str:
    """`new` with the words removed from `old` struck out and the words added underlined."""
    old_words, new_words = (old or "").split(), (new or "").split()
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(' '.join(old_words[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(' '.join(new_words[b1:b2]))}</ins>")
    return mark_safe(" ".join(parts))  # every word is escaped above


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _field_changes(pairs) -> list[FieldChange]:
    changes = []
    for label, old, new, is_text in pairs:
        if _show(old) != _show(new):
            diff = text_diff(_show(old), _show(new)) if is_text else ""
            changes.append(FieldChange(label, _show(old), _show(new), diff))
    return changes


def _need_fields(old: Need, new: Need):
    return [
        ("Domaine", old.get_domain_display(), new.get_domain_display(), False),
        ("Description", old.description, new.description, True),
    ]


def _goal_fields(old: Goal, new: Goal):
    return [
        ("Priorité", old.position, new.position, False),
        ("Objectif", old.title, new.title, True),
        ("Statut", old.get_status_display(), new.get_status_display(), False),
    ]


def _action_fields(old: Action, new: Action):
    def who(action):
        r = action.who
        return f"{r.name} ({r.detail})" if r and r.detail else (r.name if r else "")

    def goal(action):
        return action.goal.title if action.goal_id else ""

    return [
        ("Objectif", goal(old), goal(new), False),
        ("Type", old.get_kind_display(), new.get_kind_display(), False),
        ("Action", old.description, new.description, True),
        ("Responsable", who(old), who(new), False),
        ("Début", old.starts_on, new.starts_on, False),
        ("Échéance", old.due_on, new.due_on, False),
        ("Périodicité", old.periodicity, new.periodicity, False),
        ("Statut", old.get_status_display(), new.get_status_display(), False),
    ]


def _ancestry(model, plan_id) -> dict[int, int | None]:
    """Each item of the plan's versions → the item it was carried from."""
    return dict(
        model.objects.filter(plan_version__plan_id=plan_id).values_list("pk", "carried_from_id")
    )


def _match(old_items, new_items, parents, fields_of) -> list[ItemChange]:
    old_by_pk = {item.pk: item for item in old_items}
    changes, matched = [], set()
    for item in new_items:
        ancestor, seen = parents.get(item.pk), set()
        while ancestor is not None and ancestor not in old_by_pk and ancestor not in seen:
            seen.add(ancestor)
            ancestor = parents.get(ancestor)
        if ancestor is None or ancestor not in old_by_pk or ancestor in matched:
            changes.append(ItemChange("added", new=item))
            continue
        matched.add(ancestor)
        before = old_by_pk[ancestor]
        fields = _field_changes(fields_of(before, item))
        changes.append(ItemChange("changed" if fields else "same", before, item, fields))
    changes += [ItemChange("removed", old=item) for item in old_items if item.pk not in matched]
    return changes


def compare_versions(old_version, new_version, access: Access | None = None) -> Comparison:
    """What changed from one version to another (in number order, whichever is given first):
    synthesis fields, and the needs, goals and actions added, removed or changed — an item is
    the same item when one is carried from the other, through the versions in between."""
    if old_version.number > new_version.number:
        old_version, new_version = new_version, old_version
    old, new = load_version(old_version.pk, access), load_version(new_version.pk, access)
    plan_id = old.version.plan_id
    labels = {name: CarePlanVersion._meta.get_field(name).verbose_name for name in EDITABLE_FIELDS}
    # The texts of the version are the plan's category; the review date is administrative.
    shown = [
        name
        for name in EDITABLE_FIELDS
        if name == "review_on"
        or (new.shows_clinical_texts if name in CLINICAL_TEXT_FIELDS else new.shows_texts)
    ]
    synthesis = _field_changes(
        [
            (
                labels[name].capitalize(),
                getattr(old.version, name),
                getattr(new.version, name),
                name != "review_on",
            )
            for name in shown
        ]
    )
    return Comparison(
        old=old,
        new=new,
        synthesis=synthesis,
        needs=_match(old.needs, new.needs, _ancestry(Need, plan_id), _need_fields),
        goals=_match(
            [b.goal for b in old.goals],
            [b.goal for b in new.goals],
            _ancestry(Goal, plan_id),
            _goal_fields,
        ),
        actions=_match(old.actions, new.actions, _ancestry(Action, plan_id), _action_fields),
    )


# --- The episode page's block --------------------------------------------------------------------


def plan_section(request, episode) -> dict:
    """Current version, review date, actions by status and overdue (three queries)."""
    versions = list(
        visible_versions(request.membership, episode)
        .filter(status__in=[*IN_PREPARATION, S.ACTIVE])
        .order_by("-number")
    )
    active = next((v for v in versions if v.status == S.ACTIVE), None)
    pending = next((v for v in versions if v.status in IN_PREPARATION), None)
    followed = active or pending
    counts = {}
    overdue = 0
    if followed is not None:
        today = timezone.localdate()
        aggregate = followed.actions.aggregate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today, status__in=OPEN_ACTION_STATUSES)),
            **{status: Count("pk", filter=Q(status=status)) for status in ActionStatus.values},
        )
        overdue = aggregate.pop("overdue")
        total = aggregate.pop("total")
        counts = {
            "total": total,
            "by_status": [
                f"{aggregate[value]} {STATUS_WORDS[value][aggregate[value] > 1]}"
                for value in ActionStatus.values
                if aggregate[value]
            ],
        }
    return {
        "active": active,
        "pending": pending,
        "followed": followed,
        "action_counts": counts,
        "overdue": overdue,
    }


# French labels of this part's event verbs (added to the shared table at start-up).
VERBS: dict[str, str] = {
    "plan_version_started": "PPCS : nouvelle version commencée",
    "plan_version_saved": "PPCS : synthèse modifiée",
    "plan_need_added": "PPCS : problème ou besoin ajouté",
    "plan_need_changed": "PPCS : problème ou besoin modifié",
    "plan_need_removed": "PPCS : problème ou besoin retiré",
    "plan_goal_added": "PPCS : objectif ajouté",
    "plan_goal_changed": "PPCS : objectif modifié",
    "plan_goal_removed": "PPCS : objectif retiré",
    "plan_action_added": "PPCS : action ajoutée",
    "plan_action_changed": "PPCS : action modifiée",
    "plan_action_removed": "PPCS : action retirée",
    "plan_version_submitted": "PPCS soumis au médecin traitant",
    "plan_version_reopened": "PPCS repris en brouillon",
    "plan_version_validated": "PPCS validé par le médecin traitant",
    "plan_person_agreed": "Accord de la personne sur le PPCS",
    "plan_version_activated": "PPCS en vigueur",
    "plan_version_superseded": "PPCS remplacé par une nouvelle version",
    "plan_goal_status_changed": "PPCS : objectif atteint, non atteint ou poursuivi",
    "plan_action_status_changed": "PPCS : statut d'une action mis à jour",
}


def register() -> None:
    """Called once from CareConfig.ready(): the episode page's PPCS block and the verb labels."""
    from appui.core.models import VERB_LABELS

    VERB_LABELS.update(VERBS)
    register_section("plan", 40, "care/plan/_section.html", plan_section)
