"""File active, my work, the team's caseloads and the episodes list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.care.caseload import file_active, my_work, team_caseloads
from appui.core.enums import Role
from tests.factories import (
    ActionFactory,
    AlertFactory,
    CareEpisodeFactory,
    CarePlanVersionFactory,
    HomeVisitFactory,
    MeetingFactory,
    MeetingParticipantFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

D = datetime.date


@pytest.mark.django_db
def test_file_active_counts_each_person_followed_at_least_once_in_the_period():
    dac = OrganisationFactory(dac=True)
    other_dac = OrganisationFactory(dac=True)

    def episode(opened, closed=None, person=None, dac=dac):
        person = person or PersonFactory(dac=dac)
        return CareEpisodeFactory(
            dac=dac,
            person=person,
            opened_on=opened,
            closed_on=closed,
            status="closed" if closed else "open",
        )

    episode(D(2024, 6, 1))  # still open: counts
    episode(D(2025, 3, 10), D(2025, 9, 14))  # died in September: counts
    episode(D(2024, 1, 1), D(2024, 12, 31))  # left before the year: no
    episode(D(2025, 12, 31))  # included on the last day: counts
    episode(D(2026, 1, 2))  # included after the year: no
    episode(D(2024, 11, 1), D(2025, 1, 1))  # left on New Year's Day: counts
    twice = PersonFactory(dac=dac)
    episode(D(2025, 1, 5), D(2025, 4, 1), person=twice)
    episode(D(2025, 6, 1), person=twice)  # reopened: the person counts once
    episode(D(2025, 2, 1), dac=other_dac)  # another DAC: no
    # By hand: open since 2024, Sept death, 31 Dec inclusion, New Year exit, reopened person = 5.
    assert file_active(dac, D(2025, 1, 1), D(2025, 12, 31)) == 5
    # 2026: open since 2024, included 31/12/2025, included 2/1/2026, the reopened one = 4.
    assert file_active(dac, D(2026, 1, 1), D(2026, 12, 31)) == 4


@pytest.mark.django_db
def test_my_work_gathers_alerts_levels_due_dates_visits_and_meetings(time_machine):
    time_machine.move_to(
        datetime.datetime(2026, 3, 11, 9, 0, tzinfo=timezone.get_current_timezone())
    )
    me = MembershipFactory(role=Role.COORDINATOR)
    dac = me.organisation
    mine_urgent = CareEpisodeFactory(
        person=PersonFactory(dac=dac), referent=me.user, level="urgent"
    )
    mine_long = CareEpisodeFactory(
        person=PersonFactory(dac=dac), case_manager=me.user, level="long_term"
    )
    not_mine = CareEpisodeFactory(person=PersonFactory(dac=dac), level="urgent")
    version = CarePlanVersionFactory(
        plan__episode=mine_long, status="active", review_on=D(2026, 6, 1)
    )
    ActionFactory(plan_version=version, due_on=D(2026, 3, 20))
    ActionFactory(plan_version=version, due_on=D(2026, 3, 5), status="done")
    AlertFactory(episode=mine_urgent, message="Urgence : réévaluation à 24 h")
    AlertFactory(episode=not_mine, message="Pas pour moi")
    AlertFactory(episode=mine_long, message="Déjà vue", status="acknowledged")
    HomeVisitFactory(episode=mine_urgent, staff=me.user, planned_at=timezone.now().replace(hour=14))
    HomeVisitFactory(
        episode=mine_long, staff=me.user, planned_at=timezone.now() + datetime.timedelta(days=2)
    )
    HomeVisitFactory(
        episode=mine_long, staff=me.user, planned_at=timezone.now() + datetime.timedelta(days=9)
    )
    meeting = MeetingFactory(dac=dac, held_at=timezone.now() + datetime.timedelta(days=1))
    MeetingParticipantFactory(meeting=meeting, user=me.user)
    MeetingFactory(dac=dac, held_at=timezone.now() + datetime.timedelta(days=1))  # not mine

    work = my_work(me)

    assert [a.message for a in work.alerts] == ["Urgence : réévaluation à 24 h"]
    assert {row["level"]: row["count"] for row in work.by_level} == {
        "watch": 0,
        "risk": 0,
        "short_term": 0,
        "long_term": 1,
        "urgent": 1,
    }
    assert work.soonest[0] == mine_long
    assert work.soonest[0].next_due == D(2026, 3, 20)  # the pending action, before the review
    assert work.caseloads["referent"].active == 1
    assert work.caseloads["case_manager"].active == 1
    assert len(work.visits_today) == 1 and len(work.visits_week) == 1  # the 9-day one is later
    assert work.meetings_week == [meeting]


@pytest.mark.django_db
def test_home_page_shows_my_work_in_bounded_queries(client, django_assert_max_num_queries):
    me = MembershipFactory(role=Role.COORDINATOR)
    for _ in range(30):
        episode = CareEpisodeFactory(person=PersonFactory(dac=me.organisation), referent=me.user)
        AlertFactory(episode=episode)
        version = CarePlanVersionFactory(
            plan__episode=episode, status="active", review_on=D(2030, 1, 1)
        )
        ActionFactory(plan_version=version, due_on=D(2029, 1, 1))
    client.force_login(me.user)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("core:home"))
    text = response.content.decode()
    assert "Mon travail" in text
    assert "Référent·e de <strong>30</strong> personnes pour un objectif de 110" in text
    assert "Les 10 plus anciennes sur 30." in text


@pytest.mark.django_db
def test_team_caseloads_per_member_against_targets(client, settings):
    settings.APPUI_CASELOAD_TARGET_COORDINATOR = 2
    director = MembershipFactory(role=Role.DIRECTOR)
    dac = director.organisation
    coordinator = MembershipFactory(
        organisation=dac, role=Role.COORDINATOR, user__last_name="Lambert"
    )
    manager = MembershipFactory(organisation=dac, role=Role.CASE_MANAGER, user__last_name="Roussel")
    for level in ("short_term", "short_term", "urgent"):
        CareEpisodeFactory(person=PersonFactory(dac=dac), referent=coordinator.user, level=level)
    CareEpisodeFactory(
        person=PersonFactory(dac=dac),
        referent=manager.user,
        case_manager=manager.user,
        level="long_term",
    )
    CareEpisodeFactory(person=PersonFactory(dac=dac), referent=coordinator.user, status="closed")
    CareEpisodeFactory(person=PersonFactory(dac=dac))  # nobody yet

    data = team_caseloads(director)
    rows = {row.user.last_name: row for row in data["staff"]}
    assert set(rows) == {"Lambert", "Roussel"}
    assert rows["Lambert"].as_referent == 3 and rows["Lambert"].over_target
    assert rows["Lambert"].level_counts == [0, 0, 2, 0, 1]
    assert rows["Roussel"].as_case_manager == 1 and not rows["Roussel"].over_target
    assert data["unassigned"] == 1 and data["total_open"] == 5

    client.force_login(director.user)
    assert client.get(reverse("care:team_caseloads")).status_code == 200
    client.force_login(coordinator.user)
    assert client.get(reverse("care:team_caseloads")).status_code == 403


@pytest.mark.django_db
def test_episode_list_filters_and_stays_in_reach(client, django_assert_max_num_queries):
    me = MembershipFactory(role=Role.COORDINATOR)
    dac = me.organisation
    mine = CareEpisodeFactory(person=PersonFactory(dac=dac, birth_name="Benali"), referent=me.user)
    CareEpisodeFactory(person=PersonFactory(dac=dac, birth_name="Dufour"), level="urgent")
    CareEpisodeFactory(person=PersonFactory(birth_name="Ailleurs"))  # another DAC
    for _ in range(40):
        CareEpisodeFactory(person=PersonFactory(dac=dac))
    client.force_login(me.user)
    with django_assert_max_num_queries(15):
        text = client.get(reverse("care:episode_list")).content.decode()
    assert "42 accompagnements" in text and "AILLEURS" not in text.upper().replace("AILLEURS</", "")
    text = client.get(reverse("care:episode_list"), {"mine": "on"}).content.decode()
    assert "1 accompagnement," in text and reverse("care:episode_detail", args=[mine.pk]) in text
    text = client.get(reverse("care:episode_list"), {"level": "urgent"}).content.decode()
    assert "Dufour".upper() in text.upper() and "1 accompagnement," in text
    text = client.get(reverse("care:episode_list"), {"q": "benali"}).content.decode()
    assert "1 accompagnement," in text


@pytest.mark.django_db
def test_an_episode_followed_as_both_referent_and_case_manager_counts_once(settings):
    director = MembershipFactory(role=Role.DIRECTOR)
    manager = MembershipFactory(organisation=director.organisation, role=Role.CASE_MANAGER)
    dac = director.organisation
    CareEpisodeFactory(
        person=PersonFactory(dac=dac), referent=manager.user, case_manager=manager.user
    )
    CareEpisodeFactory(person=PersonFactory(dac=dac), referent=manager.user)

    work = my_work(manager)
    assert (work.caseloads["referent"].active, work.caseloads["case_manager"].active) == (1, 1)
    row = next(r for r in team_caseloads(director)["staff"] if r.user == manager.user)
    assert (row.as_referent, row.as_case_manager) == (1, 1)


@pytest.mark.django_db
def test_administration_links_the_grids_and_the_follow_up_settings_for_the_direction(client):
    director = MembershipFactory(role=Role.DIRECTOR)
    client.force_login(director.user)
    text = client.get(reverse("core:administration")).content.decode()
    assert reverse("care:grid_list") in text and "Grilles d&#x27;évaluation" in text
    assert reverse("care:care_settings") in text and "Réglages du suivi" in text
    assert client.get(reverse("care:grid_list")).status_code == 200
    assert client.get(reverse("care:care_settings")).status_code == 200
