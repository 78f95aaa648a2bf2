"""The PPCS services: versions (v1 from the assessments, vN+1 as a copy), editing a draft under
optimistic locking, submission, validation by the médecin traitant, the person's agreement,
activation, action follow-up, comparison, and the episode page's block."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from appui.care import plans
from appui.care.models import Action, CarePlanVersion, Goal, Need
from appui.core.enums import Role
from appui.core.locking import STALE_MESSAGE, StaleEdit
from appui.core.models import Event
from tests.factories import (
    AssessmentFactory,
    CareEpisodeFactory,
    CarerFactory,
    MembershipFactory,
    NeedFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    ServiceFactory,
    UserFactory,
)

TODAY = datetime.date(2026, 3, 2)


@dataclass
class Setting:
    dac: object
    coordinator: object
    gp_membership: object
    gp: object
    person: object
    episode: object


def make_setting() -> Setting:
    """A DAC, its coordinator (the référente), a person whose GP has a partner account."""
    dac = OrganisationFactory(dac=True, name="DAC Scarpe-Escaut", phone="03 27 99 00 00")
    coordinator = MembershipFactory(
        organisation=dac,
        role=Role.COORDINATOR,
        user__first_name="Inès",
        user__last_name="Lambert",
        user__phone="06 12 34 56 78",
    )
    gp_user = UserFactory(first_name="Claire", last_name="Morel")
    gp = ProfessionalFactory(
        title="Dr", first_name="Claire", last_name="Morel", phone="03 27 11 22 33", user=gp_user
    )
    gp_membership = MembershipFactory(
        user=gp_user, role=Role.PARTNER, organisation=OrganisationFactory(name="Cabinet Morel")
    )
    person = PersonFactory(
        dac=dac, birth_name="Benali", first_name="Ahmed", sex="M", gp=gp, gp_status="known"
    )
    episode = CareEpisodeFactory(person=person, referent=coordinator.user)
    return Setting(dac, coordinator, gp_membership, gp, person, episode)


def assessment_needs(episode, *descriptions, status="completed", domain="health"):
    assessment = AssessmentFactory(episode=episode, status=status)
    return [
        NeedFactory(episode=episode, assessment=assessment, domain=domain, description=text)
        for text in descriptions
    ]


def build_plan(s: Setting, goals=2, actions_per_goal=2, **synthesis) -> CarePlanVersion:
    """A draft with goals and actions, ready to submit."""
    version = plans.start_plan_version(s.coordinator, s.episode)
    version = plans.save_plan_version(
        s.coordinator,
        version,
        expected_version=version.lock_version,
        review_on=TODAY + datetime.timedelta(days=180),
        situation=synthesis.get("situation", "Vit avec son épouse, épuisée."),
        wishes=synthesis.get("wishes", "Rester chez lui."),
    )
    for g in range(goals):
        goal = plans.add_goal(
            s.coordinator,
            version,
            expected_version=_lock(version),
            title=f"Objectif {g + 1}",
        )
        for a in range(actions_per_goal):
            plans.add_action(
                s.coordinator,
                version,
                expected_version=_lock(version),
                goal=goal,
                kind="care",
                description=f"Action {g + 1}.{a + 1}",
                responsible_label="Infirmière libérale",
                due_on=TODAY + datetime.timedelta(days=30),
            )
    version.refresh_from_db()
    return version


def _lock(version) -> int:
    return CarePlanVersion.objects.values_list("lock_version", flat=True).get(pk=version.pk)


def activate(s: Setting, version) -> CarePlanVersion:
    plans.submit_plan_version(s.coordinator, version)
    plans.validate_by_gp(s.gp_membership, version, validated_on=TODAY, channel="in_app")
    return plans.record_person_agreement(
        s.coordinator, version, agreed_on=TODAY, how="home_visit", by="M. Ahmed BENALI"
    )


def verbs(version) -> list[str]:
    return list(
        Event.objects.filter(subject_type="care.careplanversion", subject_id=str(version.pk))
        .order_by("at", "id")
        .values_list("verb", flat=True)
    )


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0), tick=False)
    return TODAY


# --- Starting versions ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_version_1_carries_the_needs_of_completed_assessments(today):
    s = make_setting()
    found = assessment_needs(s.episode, "Chutes répétées", "Aidante épuisée")
    assessment_needs(s.episode, "Besoin d'une évaluation en cours", status="draft")
    NeedFactory(episode=s.episode, description="Besoin hors évaluation")
    version = plans.start_plan_version(s.coordinator, s.episode)
    assert version.number == 1
    assert version.status == "draft"
    copies = list(version.needs.order_by("id"))
    assert [n.description for n in copies] == ["Chutes répétées", "Aidante épuisée"]
    assert [n.carried_from_id for n in copies] == [n.pk for n in found]
    assert verbs(version) == ["plan_version_started"]
    with pytest.raises(ValidationError) as refused:
        plans.start_plan_version(s.coordinator, s.episode)
    assert "déjà en préparation" in refused.value.messages[0]


@pytest.mark.django_db
def test_an_assistant_may_not_start_a_plan(today):
    s = make_setting()
    assistant = MembershipFactory(organisation=s.dac, role=Role.ASSISTANT)
    with pytest.raises(PermissionDenied):
        plans.start_plan_version(assistant, s.episode)
    assert not CarePlanVersion.objects.exists()


@pytest.mark.django_db
def test_next_version_copies_the_version_in_force(today):
    s = make_setting()
    assessment_needs(s.episode, "Chutes répétées")
    v1 = build_plan(s, goals=2, actions_per_goal=2)
    need = v1.needs.get()
    goal = v1.goals.first()
    plans.update_goal(
        s.coordinator, goal, expected_version=_lock(v1), title=goal.title, needs=[need]
    )
    activate(s, v1)
    # A reassessment found a new need since.
    later = assessment_needs(s.episode, "Isolement social", domain="social_life")
    v2 = plans.start_plan_version(s.coordinator, s.episode)
    assert v2.number == 2 and v2.based_on_id == v1.pk
    assert v2.situation == v1.situation and v2.review_on is None
    assert sorted(v2.needs.values_list("description", flat=True)) == [
        "Chutes répétées",
        "Isolement social",
    ]
    assert v2.needs.get(description="Isolement social").carried_from_id == later[0].pk
    assert v2.needs.get(description="Chutes répétées").carried_from_id == need.pk
    goals = list(v2.goals.all())
    assert [g.carried_from_id for g in goals] == list(v1.goals.values_list("pk", flat=True))
    assert list(goals[0].needs.all()) == [v2.needs.get(description="Chutes répétées")]
    assert v2.actions.count() == 4
    for action in v2.actions.select_related("carried_from", "goal"):
        assert action.carried_from.plan_version_id == v1.pk
        assert action.goal.carried_from_id == action.carried_from.goal_id
    # v1 is untouched: its own rows stay as validated.
    assert v1.actions.count() == 4 and v1.needs.count() == 1


# --- Editing a draft -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_saving_a_draft_from_an_old_version_is_refused(today):
    s = make_setting()
    version = plans.start_plan_version(s.coordinator, s.episode)
    colleague = MembershipFactory(organisation=s.dac, role=Role.CASE_MANAGER)
    plans.save_plan_version(s.coordinator, version, expected_version=1, situation="Texte d'Inès")
    with pytest.raises(StaleEdit) as refused:
        plans.save_plan_version(colleague, version, expected_version=1, situation="Autre texte")
    assert refused.value.messages == [STALE_MESSAGE]
    version.refresh_from_db()
    assert version.situation == "Texte d'Inès"
    assert version.lock_version == 2
    # Adding a goal from the old version is refused too: the whole draft is one document.
    with pytest.raises(StaleEdit):
        plans.add_goal(colleague, version, expected_version=1, title="Objectif")
    assert not version.goals.exists()


@pytest.mark.django_db
def test_review_date_must_be_within_the_reassessment_delay(today):
    s = make_setting()
    version = plans.start_plan_version(s.coordinator, s.episode)
    for day, message in [
        (TODAY - datetime.timedelta(days=1), "ne peut pas être passée"),
        (datetime.date(2027, 3, 3), "dans les 12 mois"),
    ]:
        with pytest.raises(ValidationError) as refused:
            plans.save_plan_version(s.coordinator, version, expected_version=1, review_on=day)
        assert message in refused.value.message_dict["review_on"][0]
    plans.save_plan_version(
        s.coordinator, version, expected_version=1, review_on=datetime.date(2027, 3, 2)
    )


@pytest.mark.django_db
def test_an_action_says_who_and_when(today):
    s = make_setting()
    version = plans.start_plan_version(s.coordinator, s.episode)
    goal = plans.add_goal(s.coordinator, version, expected_version=1, title="Soulager l'aidante")
    base = {"goal": goal, "kind": "support", "description": "Accueil de jour"}
    with pytest.raises(ValidationError) as refused:
        plans.add_action(s.coordinator, version, expected_version=2, **base)
    assert set(refused.value.message_dict) == {"responsible", "due_on"}
    someone_else = CarerFactory()  # a carer of another person
    outsider = MembershipFactory(role=Role.COORDINATOR).user  # staff of another DAC
    for responsible in (someone_else, outsider):
        with pytest.raises(ValidationError) as refused:
            plans.add_action(
                s.coordinator,
                version,
                expected_version=2,
                responsible=responsible,
                periodicity="deux jours par semaine",
                **base,
            )
        assert "responsible" in refused.value.message_dict
    wife = CarerFactory(person=s.person, first_name="Fatima", last_name="Benali")
    service = ServiceFactory(name="Accueil de jour Les Tilleuls")
    with pytest.raises(ValidationError) as refused:
        plans.add_action(
            s.coordinator,
            version,
            expected_version=2,
            responsible=service,
            starts_on=TODAY + datetime.timedelta(days=10),
            due_on=TODAY,
            **base,
        )
    assert "précéder" in refused.value.message_dict["due_on"][0]
    action = plans.add_action(
        s.coordinator,
        version,
        expected_version=2,
        responsible=service,
        periodicity="deux jours par semaine",
        **base,
    )
    assert action.responsible_service == service and action.responsible_label == ""
    plans.update_action(
        s.coordinator,
        action,
        expected_version=3,
        responsible=wife,
        periodicity="deux jours par semaine",
        **base,
    )
    action.refresh_from_db()
    assert action.responsible_carer == wife and action.responsible_service is None
    assert verbs(version)[-2:] == ["plan_action_added", "plan_action_changed"]


@pytest.mark.django_db
def test_goals_keep_their_priorities_and_removal_takes_the_actions(today):
    s = make_setting()
    version = build_plan(s, goals=3, actions_per_goal=1)
    first, second, third = version.goals.all()
    plans.update_goal(
        s.coordinator, third, expected_version=_lock(version), title=third.title, position=1
    )
    assert list(version.goals.values_list("title", flat=True)) == [
        "Objectif 3",
        "Objectif 1",
        "Objectif 2",
    ]
    plans.remove_goal(s.coordinator, first, expected_version=_lock(version))
    assert list(version.goals.values_list("title", "position")) == [
        ("Objectif 3", 1),
        ("Objectif 2", 2),
    ]
    assert not Action.objects.filter(description="Action 1.1").exists()
    removed = Event.objects.filter(verb="plan_goal_removed").get()
    assert removed.data["actions"] == ["Action 1.1"]


# --- Submission, validation, agreement, activation -----------------------------------------------


@pytest.mark.django_db
def test_submission_needs_a_goal_with_an_action_and_a_review_date(today):
    s = make_setting()
    version = plans.start_plan_version(s.coordinator, s.episode)
    plans.add_goal(s.coordinator, version, expected_version=1, title="Objectif sans action")
    with pytest.raises(ValidationError) as refused:
        plans.submit_plan_version(s.coordinator, version)
    assert refused.value.messages == [
        "Le PPCS doit compter au moins un objectif avec une action.",
        "Indiquez la date de révision du PPCS.",
    ]
    version.refresh_from_db()
    assert version.status == "draft"


@pytest.mark.django_db
def test_submission_needs_a_known_gp(today):
    s = make_setting()
    version = build_plan(s, goals=1, actions_per_goal=1)
    s.person.gp = None
    s.person.save()
    with pytest.raises(ValidationError) as refused:
        plans.submit_plan_version(s.coordinator, version)
    assert "pas de médecin traitant connu" in refused.value.messages[0]


@pytest.mark.django_db
def test_gp_validates_in_the_app_then_the_person_agrees(today):
    s = make_setting()
    version = build_plan(s, goals=1, actions_per_goal=1)
    submitted = plans.submit_plan_version(s.coordinator, version, expected_version=_lock(version))
    assert submitted.status == "submitted" and submitted.gp == s.gp
    with pytest.raises(ValidationError):  # the content is frozen
        plans.add_goal(s.coordinator, version, expected_version=None, title="Trop tard")
    other_partner = MembershipFactory(role=Role.PARTNER)
    with pytest.raises(PermissionDenied):
        plans.validate_by_gp(other_partner, version, validated_on=TODAY, channel="in_app")
    validated = plans.validate_by_gp(
        s.gp_membership, version, validated_on=None, channel="phone", comment="D'accord."
    )
    # The GP in the app: channel "in_app", today, whatever was passed.
    assert validated.status == "validated"
    assert validated.gp_validation_channel == "in_app"
    assert validated.gp_validated_on == TODAY
    assert validated.gp_validation_recorded_by == s.gp_membership.user
    assert validated.gp_comment == "D'accord."
    active = plans.record_person_agreement(
        s.coordinator, version, agreed_on=TODAY, how="home_visit", by="M. Ahmed BENALI"
    )
    assert active.status == "active" and active.activated_on == TODAY
    assert verbs(version)[-4:] == [
        "plan_version_submitted",
        "plan_version_validated",
        "plan_person_agreed",
        "plan_version_activated",
    ]


@pytest.mark.django_db
def test_staff_record_a_validation_received_after_the_agreement(today):
    s = make_setting()
    version = build_plan(s, goals=1, actions_per_goal=1)
    plans.submit_plan_version(s.coordinator, version)
    agreed = plans.record_person_agreement(
        s.coordinator, version, agreed_on=TODAY, how="office", by="Sa fille"
    )
    assert agreed.status == "submitted"  # the GP has not validated yet
    with pytest.raises(ValidationError) as refused:
        plans.validate_by_gp(s.coordinator, version, validated_on=TODAY, channel="in_app")
    assert "médecin traitant lui-même" in refused.value.message_dict["channel"][0]
    with pytest.raises(ValidationError) as refused:
        plans.validate_by_gp(
            s.coordinator, version, validated_on=TODAY + datetime.timedelta(days=1), channel="phone"
        )
    assert "futur" in refused.value.message_dict["validated_on"][0]
    active = plans.validate_by_gp(s.coordinator, version, validated_on=TODAY, channel="phone")
    assert active.status == "active"
    assert active.gp_validation_recorded_by == s.coordinator.user
    assert active.gp_validation_channel == "phone"


@pytest.mark.django_db
def test_a_new_version_in_force_supersedes_the_previous_one(today, time_machine):
    s = make_setting()
    v1 = activate(s, build_plan(s, goals=1, actions_per_goal=1))
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, 0), tick=False)
    v2 = plans.start_plan_version(s.coordinator, s.episode)
    plans.save_plan_version(
        s.coordinator, v2, expected_version=1, review_on=datetime.date(2026, 12, 1)
    )
    plans.submit_plan_version(s.coordinator, v2)
    plans.validate_by_gp(s.gp_membership, v2, validated_on=None, channel="in_app")
    v1.refresh_from_db()
    assert v1.status == "active"  # until the person agrees
    plans.record_person_agreement(
        s.coordinator, v2, agreed_on=datetime.date(2026, 6, 1), how="phone", by="M. BENALI"
    )
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v1.superseded_on) == ("superseded", datetime.date(2026, 6, 1))
    assert (v2.status, v2.activated_on) == ("active", datetime.date(2026, 6, 1))
    assert "plan_version_superseded" in verbs(v1)


@pytest.mark.django_db
def test_a_submitted_version_can_be_reopened(today):
    s = make_setting()
    version = build_plan(s, goals=1, actions_per_goal=1)
    plans.submit_plan_version(s.coordinator, version)
    plans.record_person_agreement(
        s.coordinator, version, agreed_on=TODAY, how="office", by="M. BENALI"
    )
    with pytest.raises(ValidationError):
        plans.reopen_plan_version(s.coordinator, version, reason=" ")
    reopened = plans.reopen_plan_version(
        s.coordinator, version, reason="Le Dr Morel demande une consultation de pneumologie."
    )
    assert reopened.status == "draft" and reopened.person_agreed_on is None
    event = Event.objects.get(verb="plan_version_reopened")
    assert event.data["withdrawn"]["person_agreement_by"] == "M. BENALI"


# --- Follow-up of actions ------------------------------------------------------------------------


@pytest.mark.django_db
def test_action_status_on_the_version_in_force(today):
    s = make_setting()
    draft = build_plan(s, goals=1, actions_per_goal=1)
    action = draft.actions.get()
    with pytest.raises(ValidationError) as refused:
        plans.set_action_status(s.coordinator, action, "done")
    assert "en vigueur" in refused.value.messages[0]
    activate(s, draft)
    with pytest.raises(ValidationError) as refused:
        plans.set_action_status(s.coordinator, action, "not_done")
    assert "pourquoi" in refused.value.message_dict["reason"][0]
    plans.set_action_status(
        s.coordinator, action, "not_done", reason="Dossier APA non déposé par la famille."
    )
    action.refresh_from_db()
    assert action.status == "not_done"
    assert action.not_done_reason == "Dossier APA non déposé par la famille."
    assert action.status_changed_by == s.coordinator.user
    assert action.status_changed_at is not None
    event = Event.objects.get(verb="plan_action_status_changed")
    assert event.data["previous"] == "planned" and event.data["status"] == "not_done"
    plans.set_action_status(s.coordinator, action, "done", reason="ignoré")
    action.refresh_from_db()
    assert (action.status, action.not_done_reason) == ("done", "")


@pytest.mark.django_db
def test_goal_status_on_the_version_in_force(today):
    s = make_setting()
    draft = build_plan(s, goals=1, actions_per_goal=1)
    goal = draft.goals.get()
    with pytest.raises(ValidationError) as refused:
        plans.set_goal_status(s.coordinator, goal, "achieved")
    assert "en vigueur" in refused.value.messages[0]
    activate(s, draft)
    with pytest.raises(ValidationError):
        plans.set_goal_status(s.coordinator, goal, "abandoned")
    plans.set_goal_status(s.coordinator, goal, "not_achieved")
    goal.refresh_from_db()
    assert goal.status == "not_achieved"
    event = Event.objects.get(verb="plan_goal_status_changed")
    assert (event.data["previous"], event.data["status"]) == ("pursued", "not_achieved")
    assert event.actor == s.coordinator.user


# --- Comparison -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_comparison_follows_carried_items(today):
    s = make_setting()
    assessment_needs(s.episode, "Chutes répétées", "Isolement")
    v1 = activate(s, build_plan(s, goals=2, actions_per_goal=1, situation="Vit seul."))
    v2 = plans.start_plan_version(s.coordinator, s.episode)
    lock = 1
    plans.save_plan_version(
        s.coordinator, v2, expected_version=lock, situation="Vit seul depuis l'hospitalisation."
    )
    changed = v2.actions.get(description="Action 1.1")
    plans.update_action(
        s.coordinator,
        changed,
        expected_version=_lock(v2),
        goal=changed.goal,
        kind="care",
        description="Action 1.1",
        responsible_label="Infirmière libérale",
        due_on=TODAY + datetime.timedelta(days=60),
    )
    plans.remove_action(
        s.coordinator, v2.actions.get(description="Action 2.1"), expected_version=_lock(v2)
    )
    plans.remove_need(
        s.coordinator, v2.needs.get(description="Isolement"), expected_version=_lock(v2)
    )
    plans.add_action(
        s.coordinator,
        v2,
        expected_version=_lock(v2),
        goal=v2.goals.get(title="Objectif 2"),
        kind="prevention",
        description="Téléassistance",
        responsible_label="Mairie",
        starts_on=TODAY,
    )
    comparison = plans.compare_versions(v2, v1)  # any order: from the older to the newer
    assert comparison.old.version == v1
    assert [(c.label, c.old, c.new) for c in comparison.synthesis] == [
        ("Synthèse de la situation", "Vit seul.", "Vit seul depuis l'hospitalisation."),
        ("Date de révision", "29/08/2026", "—"),  # to be set again for the new version
    ]
    assert comparison.synthesis[0].diff == (
        "Vit <del>seul.</del> <ins>seul depuis l&#x27;hospitalisation.</ins>"
    )
    actions = {c.item.description: c for c in comparison.actions}
    assert actions["Action 1.1"].change == "changed"
    assert [f.label for f in actions["Action 1.1"].fields] == ["Échéance"]
    assert actions["Action 2.1"].change == "removed"
    assert actions["Téléassistance"].change == "added"
    needs = {c.item.description: c.change for c in comparison.needs}
    assert needs == {"Chutes répétées": "same", "Isolement": "removed"}
    assert comparison.counts == {"added": 1, "removed": 2, "changed": 1}


# --- Episode block --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_episode_block_counts_actions_by_status_and_overdue(today, time_machine):
    s = make_setting()
    version = activate(s, build_plan(s, goals=1, actions_per_goal=3))
    first, second, _ = version.actions.all()
    plans.set_action_status(s.coordinator, first, "done")
    plans.set_action_status(s.coordinator, second, "in_progress")
    time_machine.move_to(datetime.datetime(2026, 5, 1, 10, 0), tick=False)  # past due dates
    request = RequestFactory().get("/")
    request.membership = s.coordinator
    context = plans.plan_section(request, s.episode)
    assert context["followed"] == version
    assert context["action_counts"]["by_status"] == ["1 prévue", "1 en cours", "1 réalisée"]
    assert context["overdue"] == 2


@pytest.mark.django_db
def test_partners_never_see_drafts(today):
    s = make_setting()
    build_plan(s, goals=1, actions_per_goal=1)
    assert not plans.visible_versions(s.gp_membership, s.episode).exists()
    assert plans.visible_versions(s.coordinator, s.episode).count() == 1
    assert Need.objects.count() == 0 and Goal.objects.count() == 1
