"""The care pages obey the categories of core.sharing (appui/care/sharing.py): one test per rule
the generated matrix does not reach — a member limited to their own actions, forms of a hidden
category, DAC grids' category, the restricted notice, what an excluded staff member meets."""

import pytest
from django.urls import reverse

from appui.care import plans
from appui.care import sharing as care_sharing
from appui.core import sharing
from appui.core.enums import Role
from tests.factories import (
    ActionFactory,
    AssessmentFactory,
    AssessmentFormFactory,
    CareCircleFactory,
    CareCircleMemberFactory,
    CareEpisodeFactory,
    CarePlanFactory,
    CarePlanVersionFactory,
    GoalFactory,
    MeetingFactory,
    MeetingSituationFactory,
    MembershipFactory,
    NeedFactory,
    ObjectionFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    SharingDefaultFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode():
    return CareEpisodeFactory(person=PersonFactory(dac=OrganisationFactory(dac=True)))


def partner(episode, profession, client=None, **objection):
    membership = MembershipFactory(organisation=OrganisationFactory(), role=Role.PARTNER)
    professional = ProfessionalFactory(profession=profession, user=membership.user)
    CareCircleMemberFactory(
        circle=CareCircleFactory(person=episode.person), professional=professional
    )
    if objection:
        ObjectionFactory(person=episode.person, professional=professional, **objection)
    if client is not None:
        client.force_login(membership.user)
    return membership, professional


def test_a_member_limited_to_their_actions_sees_those_and_their_goals_only(client, episode):
    membership, physio = partner(
        episode,
        "physiotherapist",
        client,
        scope="restrict",
        categories=["plan"],
        own_actions_only=True,
    )
    version = CarePlanVersionFactory(
        plan=CarePlanFactory(episode=episode), number=1, status="active", situation="BPCO sévère"
    )
    exercises = GoalFactory(plan_version=version, title="Remarcher")
    ActionFactory(
        plan_version=version,
        goal=exercises,
        description="Exercices de marche",
        responsible_professional=physio,
    )
    other = GoalFactory(plan_version=version, title="Dossier APA")
    ActionFactory(plan_version=version, goal=other, description="Déposer le dossier APA")
    html = client.get(reverse("care:plan_version", args=[episode.pk, 1])).content.decode()
    assert "Exercices de marche" in html and "Remarcher" in html
    assert "Dossier APA" not in html and "Déposer le dossier APA" not in html
    assert "BPCO sévère" not in html
    assert "Accès restreint" in html
    view = plans.load_version(version.pk, sharing.access(membership, episode.person))
    assert [a.description for a in view.actions] == ["Exercices de marche"]


def test_needs_of_a_hidden_domain_are_cut_from_the_plan(episode):
    membership, _ = partner(episode, "nurse")
    version = CarePlanVersionFactory(plan=CarePlanFactory(episode=episode), number=1)
    NeedFactory(episode=episode, plan_version=version, domain="housing", description="Escalier")
    NeedFactory(episode=episode, plan_version=version, domain="health", description="Dyspnée")
    view = plans.load_version(version.pk, sharing.access(membership, episode.person))
    assert [n.description for n in view.needs] == ["Dyspnée"]  # a nurse: no social category


def test_a_form_of_a_category_the_user_may_not_see_answers_403(client, episode):
    coordinator = MembershipFactory(organisation=episode.dac, role=Role.COORDINATOR)
    SharingDefaultFactory(dac=episode.dac, profile="coordinator", category="medical", allowed=False)
    client.force_login(coordinator.user)
    assert client.get(reverse("care:stay_create", args=[episode.pk])).status_code == 403
    assert client.get(reverse("care:adverse_event_create", args=[episode.pk])).status_code == 403
    assert client.get(reverse("care:followup_contact", args=[episode.pk])).status_code == 200
    version = CarePlanVersionFactory(plan=CarePlanFactory(episode=episode), number=1)
    health = NeedFactory(episode=episode, plan_version=version, domain="health")
    housing = NeedFactory(episode=episode, plan_version=version, domain="housing")
    edit = "care:plan_need_edit"
    assert client.get(reverse(edit, args=[episode.pk, 1, health.pk])).status_code == 403
    assert client.get(reverse(edit, args=[episode.pk, 1, housing.pk])).status_code == 200
    followup = client.get(reverse("care:followup", args=[episode.pk])).content.decode()
    assert "Hospitalisations" not in followup and "Journal des contacts" in followup


def test_a_dac_grid_is_read_by_the_category_it_declares(client, episode):
    grid = AssessmentFormFactory(
        dac=episode.dac,
        kind="other",
        definition={"category": "social", "domains": []},
    )
    AssessmentFactory(episode=episode, form=grid, summary="Budget serré", status="completed")
    assert care_sharing.grid_category(grid) == "social"
    assert care_sharing.grid_category(AssessmentFormFactory(kind="other")) == "medical"
    url = reverse("care:assessment_list", args=[episode.pk])
    partner(episode, "social_worker", client)
    assert grid.title in client.get(url).content.decode()
    partner(episode, "nurse", client)
    assert grid.title not in client.get(url).content.decode()


def test_staff_outside_the_circle_are_offered_emergency_access(client, monkeypatch):
    person = PersonFactory(dac=OrganisationFactory(dac=True))
    coordinator = MembershipFactory(organisation=person.dac, role=Role.COORDINATOR)
    monkeypatch.setattr(sharing, "_emergency_url", lambda p: f"/urgence/{p.pk}/")
    client.force_login(coordinator.user)
    html = client.get(reverse("persons:detail", args=[person.pk])).content.decode()
    assert "Accès restreint" in html and "Médical" in html
    assert f'href="/urgence/{person.pk}/"' in html


def test_a_member_is_not_offered_emergency_access(client, episode, monkeypatch):
    monkeypatch.setattr(sharing, "_emergency_url", lambda p: f"/urgence/{p.pk}/")
    partner(episode, "nurse", client)
    html = client.get(reverse("care:episode_detail", args=[episode.pk])).content.decode()
    assert "Accès restreint" in html and "/urgence/" not in html


def test_a_person_who_excluded_a_staff_member_leaves_their_meetings_and_requests(client, episode):
    coordinator = MembershipFactory(organisation=episode.dac, role=Role.COORDINATOR)
    ObjectionFactory(person=episode.person, scope="exclude", user=coordinator.user)
    meeting = MeetingFactory(dac=episode.dac)
    MeetingSituationFactory(meeting=meeting, episode=episode, decisions="Portage de repas")
    request = SupportRequestFactory(dac=episode.dac, person=episode.person)
    client.force_login(coordinator.user)
    for url in (
        reverse("care:meeting_detail", args=[meeting.pk]),
        reverse("care:meeting_minutes", args=[meeting.pk]),
    ):
        html = client.get(url).content.decode()
        assert episode.person.birth_name not in html and "Portage de repas" not in html
    assert client.get(reverse("intake:request_detail", args=[request.pk])).status_code == 404
