"""The care episode opened from a request: its page, within the DAC's reach, and the caseloads."""

import pytest
from django.urls import reverse

from appui.care.services import caseloads
from appui.core.enums import Role
from tests.factories import CareEpisodeFactory, MembershipFactory, PersonFactory, UserFactory


@pytest.mark.django_db
def test_caseloads_count_open_episodes_against_the_targets(settings):
    settings.APPUI_CASELOAD_TARGET_CASE_MANAGER = 2
    manager, other = UserFactory(), UserFactory()
    for _ in range(3):
        CareEpisodeFactory(case_manager=manager, referent=other)
    CareEpisodeFactory(case_manager=manager, status="closed")
    loads = caseloads(manager)
    assert loads["case_manager"].active == 3
    assert loads["case_manager"].target == 2
    assert loads["case_manager"].over_target
    assert loads["referent"].active == 0
    assert caseloads(other)["referent"].active == 3


@pytest.mark.django_db
def test_episode_page_shows_the_case_manager_caseload(client, django_assert_max_num_queries):
    membership = MembershipFactory(role=Role.COORDINATOR)
    manager = MembershipFactory(organisation=membership.organisation, role=Role.CASE_MANAGER).user
    person = PersonFactory(dac=membership.organisation)
    episode = CareEpisodeFactory(person=person, case_manager=manager, kind="case_management")
    client.force_login(membership.user)
    # 24, + the circle block (2), the header's bell (1), the reader's access (1).
    with django_assert_max_num_queries(24 + 2 + 1 + 1):
        response = client.get(reverse("care:episode_detail", args=[episode.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Gestion de cas" in text
    assert "1 situation suivie pour un objectif de 35" in text


@pytest.mark.django_db
def test_episode_of_another_dac_is_out_of_reach(client):
    membership = MembershipFactory(role=Role.COORDINATOR)
    episode = CareEpisodeFactory()  # another DAC's person
    client.force_login(membership.user)
    assert client.get(reverse("care:episode_detail", args=[episode.pk])).status_code == 404
