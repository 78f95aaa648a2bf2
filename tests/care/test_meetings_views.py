"""The concertation pages: the DAC's list, a meeting, its forms, the printable minutes and the
episode's "Concertations" tab — rights, bounded queries, the print in the access log."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.care import meetings
from appui.care.models import Meeting, MeetingParticipant, MeetingSituation
from appui.core.enums import AccessAction, Role
from appui.core.models import AccessLog
from tests.factories import (
    CareEpisodeFactory,
    CarerFactory,
    MeetingFactory,
    MeetingParticipantFactory,
    MeetingSituationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")


@pytest.fixture
def staff(dac, client):
    membership = MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    client.force_login(membership.user)
    return membership


@pytest.fixture
def episode(dac):
    return CareEpisodeFactory(
        person=PersonFactory(dac=dac, birth_name="Benali", first_name="Ahmed", sex="M")
    )


def test_meeting_list_is_paginated_with_bounded_queries(
    client, staff, dac, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(60):
        meeting = MeetingFactory(
            dac=dac,
            organised_by=staff.user,
            title=f"Concertation {n:02d}",
            held_at=now + timedelta(days=n + 1) if n < 35 else now - timedelta(days=n),
        )
        MeetingSituationFactory(meeting=meeting)
        MeetingParticipantFactory(meeting=meeting)
    MeetingFactory(title="Réunion d'un autre DAC", held_at=now + timedelta(days=1))
    url = reverse("care:meeting_list")
    with django_assert_max_num_queries(10):
        response = client.get(url)
    text = response.content.decode()
    assert "Concertation 00" in text and "Concertation 24" in text
    assert "Concertation 25" not in text and "autre DAC" not in text
    assert "1 / 2" in text
    with django_assert_max_num_queries(10):
        past = client.get(url, {"periode": "passees"}).content.decode()
    assert "Concertation 35" in past and "Concertation 00" not in past


def test_list_is_for_the_dac_staff(client, dac):
    partner = MembershipFactory(organisation=OrganisationFactory(), role=Role.PARTNER)
    client.force_login(partner.user)
    assert client.get(reverse("care:meeting_list")).status_code == 403


def test_assistants_read_meetings_but_do_not_change_them(client, dac):
    meeting = MeetingFactory(dac=dac)
    client.force_login(MembershipFactory(organisation=dac, role=Role.ASSISTANT).user)
    assert client.get(reverse("care:meeting_detail", args=[meeting.pk])).status_code == 200
    for name in ("care:meeting_edit", "care:meeting_participant_add", "care:meeting_situation_add"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 403
    assert client.get(reverse("care:meeting_create")).status_code == 403


def test_another_dacs_meeting_is_not_found(client, staff):
    meeting = MeetingFactory()
    for name in ("care:meeting_detail", "care:meeting_edit", "care:meeting_minutes"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 404


def test_plan_from_the_episode_then_add_participants_and_decisions(client, staff, dac, episode):
    tab = client.get(reverse("care:episode_meetings", args=[episode.pk])).content.decode()
    create_url = reverse("care:meeting_create") + f"?episode={episode.pk}"
    assert create_url in tab
    response = client.post(
        create_url,
        {
            "held_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "title": "Concertation pluriprofessionnelle",
            "place": "Au domicile",
            "minutes": "",
        },
    )
    meeting = Meeting.objects.get()
    assert response.url == reverse("care:meeting_detail", args=[meeting.pk])
    assert meeting.situations.get().episode == episode

    add = reverse("care:meeting_participant_add", args=[meeting.pk])
    nurse = ProfessionalFactory(first_name="Julie", last_name="Vasseur", profession="nurse")
    found = client.post(add, {"kind": "professional", "q": "vasseur", "search": "1"})
    assert "Julie Vasseur" in found.content.decode()
    client.post(
        add,
        {
            "kind": "professional",
            "q": "vasseur",
            "professional": nurse.pk,
            "role": "IDE",
            "attended": "on",
        },
    )
    wife = CarerFactory(person=episode.person, first_name="Fatima", relationship="spouse")
    client.post(add, {"kind": "carer", "carer": wife.pk, "role": "Épouse", "attended": "on"})
    refused = client.post(add, {"kind": "other", "name": "Mme Leroy", "role": ""})
    assert "Indiquez le rôle" in refused.content.decode()
    client.post(add, {"kind": "other", "name": "Mme Leroy", "role": "SSIAD"})
    participants = {
        (p.professional_id, p.carer_id, p.name, p.attended) for p in meeting.participants.all()
    }
    assert participants == {
        (nurse.pk, None, "", True),
        (None, wife.pk, "", True),
        (None, None, "Mme Leroy", False),
    }

    situation = meeting.situations.get()
    client.post(
        reverse("care:meeting_situation_edit", args=[meeting.pk, situation.pk]),
        {"discussion": "Trois hospitalisations.", "decisions": "SSIAD matin et soir."},
    )
    situation.refresh_from_db()
    assert situation.decisions == "SSIAD matin et soir."
    page = client.get(reverse("care:meeting_detail", args=[meeting.pk])).content.decode()
    assert "SSIAD matin et soir." in page and "Fatima" in page


def test_add_a_situation_by_searching_the_person(client, staff, dac, episode):
    meeting = MeetingFactory(dac=dac, organised_by=staff.user)
    url = reverse("care:meeting_situation_add", args=[meeting.pk])
    found = client.post(url, {"q": "benali", "search": "1"}).content.decode()
    assert "M. Ahmed BENALI" in found
    client.post(url, {"q": "benali", "episode": episode.pk, "decisions": "Accueil de jour."})
    assert MeetingSituation.objects.get().decisions == "Accueil de jour."


def test_printable_minutes_are_logged_and_can_be_filtered(client, staff, dac, episode):
    meeting = MeetingFactory(dac=dac, organised_by=staff.user, minutes="Point général.")
    MeetingSituationFactory(meeting=meeting, episode=episode, decisions="Portage de repas.")
    other = MeetingSituationFactory(
        meeting=meeting,
        episode=CareEpisodeFactory(person=PersonFactory(dac=dac, birth_name="Lenoir")),
        decisions="Téléassistance.",
    )
    MeetingParticipantFactory(
        meeting=meeting, carer=CarerFactory(person=other.episode.person), name=""
    )
    url = reverse("care:meeting_minutes", args=[meeting.pk])
    full = client.get(url).content.decode()
    assert "Portage de repas." in full and "Téléassistance." in full and "Point général." in full
    assert "window.print()" in full
    assert 'class="fr-header' not in full  # no navigation on the printed page
    assert AccessLog.objects.filter(action=AccessAction.PRINT).count() == 2
    one = client.get(url, {"episode": episode.pk}).content.decode()
    assert "Portage de repas." in one
    assert "Téléassistance." not in one and "Point général." not in one
    assert other.episode.person.carers.get().last_name not in one
    printed = AccessLog.objects.filter(action=AccessAction.PRINT).order_by("-pk").first()
    assert printed.person_id == episode.person_id
    assert AccessLog.objects.filter(action=AccessAction.PRINT).count() == 3


def test_episode_tab_lists_decisions_and_the_block_the_last_and_next(client, staff, dac, episode):
    past = MeetingFactory(
        dac=dac, title="Concertation de mars", held_at=timezone.now() - timedelta(days=20)
    )
    MeetingSituationFactory(meeting=past, episode=episode, decisions="Kinésithérapie.")
    soon = MeetingFactory(
        dac=dac, title="Concertation de suivi", held_at=timezone.now() + timedelta(days=9)
    )
    MeetingSituationFactory(meeting=soon, episode=episode)
    tab = client.get(reverse("care:episode_meetings", args=[episode.pk])).content.decode()
    assert "Kinésithérapie." in tab and "Concertation de suivi" in tab
    assert f"{reverse('care:meeting_minutes', args=[past.pk])}?episode={episode.pk}" in tab
    page = client.get(reverse("care:episode_detail", args=[episode.pk])).content.decode()
    assert "Concertation de mars" in page and "Concertation de suivi" in page
    assert meetings.decisions_for(episode) == [(past, "Kinésithérapie.")]


def test_meeting_page_queries_stay_bounded(client, staff, dac, django_assert_max_num_queries):
    meeting = MeetingFactory(dac=dac, organised_by=staff.user)
    for _ in range(12):
        situation = MeetingSituationFactory(meeting=meeting)
        MeetingParticipantFactory(
            meeting=meeting, carer=CarerFactory(person=situation.episode.person), name=""
        )
        MeetingParticipantFactory(meeting=meeting, professional=ProfessionalFactory(), name="")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("care:meeting_detail", args=[meeting.pk]))
    assert response.content.decode().count("Compte rendu pour cette personne") == 12
    with django_assert_max_num_queries(16):
        client.get(reverse("care:meeting_minutes", args=[meeting.pk]))
    assert MeetingParticipant.objects.count() == 24
