"""The alerts pages: the DAC staff's list (mine / all, kind, status, paginated, bounded), the
acknowledgement from the list and from the episode page, the director's thresholds."""

import datetime

import pytest
from django.urls import reverse

from appui.care.alerts import compute_alerts
from appui.care.enums import AlertStatus
from appui.care.models import Alert, CareSettings
from appui.core.enums import Role
from appui.core.models import Event
from tests.factories import (
    AlertFactory,
    CareEpisodeFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

LIST = reverse("care:alert_list")


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True, name="DAC du Douaisis")


@pytest.fixture
def coordinator(dac, client):
    membership = MembershipFactory(
        organisation=dac, role=Role.COORDINATOR, user__first_name="Inès", user__last_name="Lambert"
    )
    client.force_login(membership.user)
    return membership


def old_episode(dac, **fields):
    """An episode opened long ago, never contacted: two alerts (no contact, no reassessment)."""
    return CareEpisodeFactory(
        person=PersonFactory(dac=dac), opened_on=datetime.date(2020, 1, 1), **fields
    )


@pytest.mark.django_db
def test_alert_list_mine_all_kind_status(client, dac, coordinator):
    colleague = MembershipFactory(organisation=dac, role=Role.CASE_MANAGER)
    mine = old_episode(dac, referent=coordinator.user)
    old_episode(dac, referent=colleague.user)
    old_episode(OrganisationFactory(dac=True))  # another DAC
    compute_alerts()

    text = client.get(LIST).content.decode()
    assert "2 alertes" in text  # mine by default
    assert mine.person.display_name in text

    text = client.get(LIST, {"whose": "all"}).content.decode()
    assert "4 alertes" in text

    text = client.get(LIST, {"whose": "all", "kind": "no_contact"}).content.decode()
    assert "2 alertes" in text
    assert "Aucun contact noté depuis l&#x27;inclusion le 01/01/2020" in text

    alert = Alert.objects.filter(episode=mine, kind="no_contact").get()
    alert.status, alert.resolved_at = AlertStatus.RESOLVED, alert.raised_at
    alert.save()
    assert "1 alerte<" in client.get(LIST).content.decode()
    text = client.get(LIST, {"status": "resolved"}).content.decode()
    assert "1 alerte<" in text and "Levée" in text


@pytest.mark.django_db
def test_alert_list_is_paginated_and_bounded(
    client, dac, coordinator, django_assert_max_num_queries
):
    for _ in range(30):
        episode = CareEpisodeFactory(person=PersonFactory(dac=dac), referent=coordinator.user)
        AlertFactory(episode=episode)
        AlertFactory(episode=episode, kind="action_overdue", message="Action « X » en retard")
    with django_assert_max_num_queries(15):
        response = client.get(LIST)
    text = response.content.decode()
    assert "60 alertes" in text
    assert "1 / 3" in text
    with django_assert_max_num_queries(15):
        client.get(LIST, {"page": 3})


@pytest.mark.django_db
def test_the_director_sees_the_whole_dac_by_default(client, dac):
    old_episode(dac, referent=MembershipFactory(organisation=dac).user)
    compute_alerts()
    director = MembershipFactory(organisation=dac, role=Role.DIRECTOR)
    client.force_login(director.user)
    text = client.get(LIST).content.decode()
    assert "2 alertes" in text
    assert "Seuils des alertes" in text


@pytest.mark.django_db
def test_alert_list_is_for_the_dac_staff(client):
    partner = MembershipFactory(role=Role.PARTNER)
    client.force_login(partner.user)
    assert client.get(LIST).status_code == 403
    pilot = MembershipFactory(role=Role.REGIONAL_PILOT)
    client.force_login(pilot.user)
    assert client.get(LIST).status_code == 403


@pytest.mark.django_db
def test_acknowledge_from_the_list(client, dac, coordinator):
    episode = old_episode(dac, referent=coordinator.user)
    compute_alerts()
    alert = Alert.objects.filter(episode=episode, kind="no_contact").get()
    page = client.get(LIST)
    acknowledge_url = reverse("care:alert_acknowledge", args=[alert.pk])
    assert acknowledge_url in page.content.decode()

    form = client.get(acknowledge_url, {"next": LIST + "?whose=all"})
    assert "Prendre en compte une alerte" in form.content.decode()
    response = client.post(acknowledge_url, {"comment": "", "next": LIST + "?whose=all"})
    assert "Ce champ est obligatoire" in response.content.decode()
    response = client.post(
        acknowledge_url, {"comment": "Visite prévue jeudi.", "next": LIST + "?whose=all"}
    )
    assert response.status_code == 302
    assert response["Location"] == LIST + "?whose=all"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    text = client.get(LIST).content.decode()
    assert "Prise en compte" in text and "Visite prévue jeudi." in text

    # An outside `next` is not followed.
    other = Alert.objects.filter(episode=episode, kind="no_reassessment").get()
    response = client.post(
        reverse("care:alert_acknowledge", args=[other.pk]),
        {"comment": "Évaluation le 12.", "next": "https://ailleurs.example/"},
    )
    assert response["Location"] == reverse("care:episode_detail", args=[episode.pk])


@pytest.mark.django_db
def test_acknowledge_rights(client, dac):
    episode = old_episode(dac)
    compute_alerts()
    alert = Alert.objects.filter(episode=episode).first()
    assistant = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    client.force_login(assistant.user)
    assert "Prendre en compte" not in client.get(LIST, {"whose": "all"}).content.decode()
    url = reverse("care:alert_acknowledge", args=[alert.pk])
    assert client.post(url, {"comment": "Vu"}).status_code == 403
    outsider = MembershipFactory(role=Role.COORDINATOR)
    client.force_login(outsider.user)
    assert client.post(url, {"comment": "Vu"}).status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


@pytest.mark.django_db
def test_episode_page_alerts_block_with_acknowledgement(
    client, dac, coordinator, django_assert_max_num_queries
):
    episode = old_episode(dac, referent=coordinator.user)
    compute_alerts()
    page_url = reverse("care:episode_detail", args=[episode.pk])
    # 24, + the care circle block (its members, the person's objections) + the header's
    # notification bell + the reader's access (core.sharing).
    with django_assert_max_num_queries(24 + 2 + 1 + 3):
        text = client.get(page_url).content.decode()
    assert "Alertes" in text
    assert "Pas de contact" in text and "Réévaluation attendue" in text
    alert = Alert.objects.get(episode=episode, kind="no_contact")
    assert f'id="commentaire-alerte-{alert.pk}"' in text

    response = client.post(
        reverse("care:alert_acknowledge", args=[alert.pk]),
        {"comment": "Appel à la fille ce soir.", "next": page_url + "#bloc-alertes"},
    )
    assert response["Location"] == page_url + "#bloc-alertes"
    text = client.get(page_url).content.decode()
    assert "Prise en compte le" in text and "par Inès Lambert" in text
    assert "« Appel à la fille ce soir. »" in text
    assert "Alerte prise en compte" in text  # the episode's history
    assert Event.objects.filter(verb="alert_acknowledged").count() == 1


@pytest.mark.django_db
def test_episode_without_live_alert_has_no_alerts_block(client, dac, coordinator):
    episode = CareEpisodeFactory(person=PersonFactory(dac=dac))
    text = client.get(reverse("care:episode_detail", args=[episode.pk])).content.decode()
    assert 'id="bloc-alertes"' not in text


@pytest.mark.django_db
def test_director_sets_the_thresholds(client, dac):
    director = MembershipFactory(organisation=dac, role=Role.DIRECTOR)
    client.force_login(director.user)
    url = reverse("care:care_settings")
    page = client.get(url).content.decode()
    assert "Seuils des alertes du suivi" in page and 'value="30"' in page
    response = client.post(
        url, {"no_contact_days": 0, "review_warning_days": 15, "reassessment_months": 12}
    )
    assert "Indiquez un nombre entre 1 et 365." in response.content.decode()
    response = client.post(
        url, {"no_contact_days": 21, "review_warning_days": 30, "reassessment_months": 6}
    )
    assert response.status_code == 302
    settings = CareSettings.objects.get(dac=dac)
    assert (settings.no_contact_days, settings.review_warning_days) == (21, 30)
    assert settings.reassessment_months == 6
    event = Event.objects.get(verb="care_settings_changed")
    assert event.data["after"]["no_contact_days"] == 21


@pytest.mark.django_db
def test_only_the_director_sets_the_thresholds(client, coordinator):
    assert client.get(reverse("care:care_settings")).status_code == 403
    assert "Seuils des alertes" not in client.get(LIST).content.decode()
