"""Concertation meetings: situations discussed, participants, decisions for the PPCS, the print
recorded in the access log, and who may reach what."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from appui.care import meetings
from appui.care.models import MeetingParticipant, MeetingSituation
from appui.core.enums import AccessAction, Role
from appui.core.models import AccessLog, Event
from tests.factories import (
    CareEpisodeFactory,
    CarerFactory,
    MeetingFactory,
    MeetingSituationFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True)


@pytest.fixture
def staff(dac):
    return MembershipFactory(organisation=dac, role=Role.COORDINATOR)


@pytest.fixture
def episode(dac):
    return CareEpisodeFactory(person=PersonFactory(dac=dac, birth_name="Benali"))


@pytest.fixture
def meeting(staff):
    return meetings.create_meeting(
        staff,
        held_at=timezone.now() + timedelta(days=3),
        title="Concertation M. Benali",
        place="Cabinet du Dr Morel",
    )


def test_creating_a_meeting_needs_a_date_and_an_object(staff):
    with pytest.raises(ValidationError) as refused:
        meetings.create_meeting(staff, held_at=None, title=" ")
    assert set(refused.value.message_dict) == {"held_at", "title"}


def test_a_meeting_is_created_with_its_first_situation(staff, episode):
    meeting = meetings.create_meeting(
        staff, held_at=timezone.now(), title="Concertation", episodes=[episode]
    )
    assert meeting.dac_id == staff.organisation_id
    assert meeting.organised_by == staff.user
    assert list(meeting.situations.values_list("episode", flat=True)) == [episode.pk]
    assert Event.objects.filter(verb="meeting_created", subject_id=str(meeting.pk)).exists()
    assert Event.objects.filter(verb="meeting_situation_added", subject_id=str(episode.pk)).exists()


def test_only_open_episodes_of_the_dac_once_per_meeting(staff, meeting, episode):
    meetings.add_situation(staff, meeting, episode)
    with pytest.raises(ValidationError) as refused:
        meetings.add_situation(staff, meeting, episode)
    assert "déjà inscrite" in refused.value.message_dict["episode"][0]
    closed = CareEpisodeFactory(person=PersonFactory(dac=meeting.dac), status="closed")
    with pytest.raises(ValidationError) as refused:
        meetings.add_situation(staff, meeting, closed)
    assert "en cours" in refused.value.message_dict["episode"][0]
    with pytest.raises(PermissionDenied):
        meetings.add_situation(staff, meeting, CareEpisodeFactory())  # another DAC's


def test_participants_of_each_kind(staff, dac, meeting, episode):
    nurse = ProfessionalFactory(first_name="Julie", last_name="Infirmière", profession="nurse")
    wife = CarerFactory(person=episode.person, relationship="spouse")
    other_carer = CarerFactory(person=PersonFactory(dac=dac))
    colleague = MembershipFactory(organisation=dac, role=Role.CASE_MANAGER).user
    meetings.add_participant(staff, meeting, user=colleague, role="Gestionnaire de cas")
    meetings.add_participant(staff, meeting, professional=nurse, role="Infirmière libérale")
    with pytest.raises(ValidationError) as refused:
        meetings.add_participant(staff, meeting, carer=wife)
    assert "Seuls les proches" in refused.value.message_dict["carer"][0]
    meetings.add_situation(staff, meeting, episode)
    meetings.add_participant(staff, meeting, carer=wife, role="Épouse, aidante")
    with pytest.raises(ValidationError):
        meetings.add_participant(staff, meeting, carer=other_carer)
    with pytest.raises(ValidationError) as refused:
        meetings.add_participant(staff, meeting, name="Mme Dupont")
    assert "role" in refused.value.message_dict
    meetings.add_participant(
        staff, meeting, name="Mme Dupont", role="Infirmière coordinatrice du SSIAD", attended=False
    )
    with pytest.raises(ValidationError) as refused:
        meetings.add_participant(staff, meeting, professional=nurse, name="Doublon")
    assert "__all__" in refused.value.message_dict
    with pytest.raises(ValidationError):
        meetings.add_participant(staff, meeting, professional=nurse)  # already there
    with pytest.raises(ValidationError):
        meetings.add_participant(staff, meeting, user=MembershipFactory().user)  # not DAC staff
    assert meeting.participants.count() == 4
    absent = meeting.participants.get(name="Mme Dupont")
    meetings.set_attendance(staff, absent, True)
    absent.refresh_from_db()
    assert absent.attended
    meetings.remove_participant(staff, absent)
    assert meeting.participants.count() == 3
    verbs = set(Event.objects.filter(subject_id=str(meeting.pk)).values_list("verb", flat=True))
    assert {"participant_added", "attendance_changed", "participant_removed"} <= verbs


def test_decisions_feed_the_ppcs(staff, episode):
    older = meetings.create_meeting(
        staff, held_at=timezone.now() - timedelta(days=30), title="Première", episodes=[episode]
    )
    newer = meetings.create_meeting(
        staff, held_at=timezone.now() - timedelta(days=2), title="Seconde", episodes=[episode]
    )
    meetings.create_meeting(
        staff, held_at=timezone.now(), title="Sans décision", episodes=[episode]
    )
    first = older.situations.get()
    meetings.update_situation(
        staff, first, discussion="Chutes.", decisions="Passage infirmier quotidien."
    )
    meetings.update_situation(
        staff, newer.situations.get(), discussion="Épuisement.", decisions="Accueil de jour."
    )
    assert meetings.decisions_for(episode) == [
        (newer, "Accueil de jour."),
        (older, "Passage infirmier quotidien."),
    ]
    assert (
        Event.objects.filter(verb="meeting_situation_updated", subject_id=str(episode.pk)).count()
        == 2
    )


def test_a_situation_with_decisions_stays(staff, meeting, episode, dac):
    situation = meetings.add_situation(staff, meeting, episode, decisions="SSIAD.")
    with pytest.raises(ValidationError):
        meetings.remove_situation(staff, situation)
    other = CareEpisodeFactory(person=PersonFactory(dac=dac))
    planned = meetings.add_situation(staff, meeting, other)
    carer = CarerFactory(person=other.person)
    meetings.add_participant(staff, meeting, carer=carer, role="Fils")
    meetings.remove_situation(staff, planned)
    assert list(meeting.situations.all()) == [situation]
    # The carer came for that situation: they leave with it.
    assert not meeting.participants.filter(carer=carer).exists()


def test_meetings_are_for_the_dacs_staff(meeting, dac):
    assistant = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    assert meetings.meeting_for(assistant, meeting.pk) == meeting
    with pytest.raises(PermissionDenied):
        meetings.create_meeting(assistant, held_at=timezone.now(), title="Essai")
    partner = MembershipFactory(organisation=OrganisationFactory(), role=Role.PARTNER)
    with pytest.raises(PermissionDenied):
        meetings.meeting_for(partner, meeting.pk)
    elsewhere = MembershipFactory(role=Role.COORDINATOR)
    with pytest.raises(Exception) as missing:
        meetings.meeting_for(elsewhere, meeting.pk)
    assert missing.type.__name__ == "Http404"
    with pytest.raises(PermissionDenied):
        meetings.update_meeting(elsewhere, meeting, held_at=timezone.now(), title="Détourné")


def test_printing_the_minutes_is_logged_per_person(staff, meeting, episode, dac):
    second = CareEpisodeFactory(person=PersonFactory(dac=dac))
    meetings.add_situation(staff, meeting, episode)
    meetings.add_situation(staff, meeting, second)
    found, situations, _ = meetings.minutes_for(staff, meeting.pk)
    meetings.record_minutes_print(staff, found, situations)
    printed = AccessLog.objects.filter(action=AccessAction.PRINT)
    assert sorted(printed.values_list("person_id", flat=True)) == sorted(
        [episode.person_id, second.person_id]
    )
    assert set(printed.values_list("object_type", flat=True)) == {"care.meetingsituation"}
    _, situations, _ = meetings.minutes_for(staff, meeting.pk, episode.pk)
    assert [s.episode_id for s in situations] == [episode.pk]


def test_minutes_for_one_person_hide_the_other_persons_carers(staff, meeting, episode, dac):
    second = CareEpisodeFactory(person=PersonFactory(dac=dac))
    meetings.add_situation(staff, meeting, episode)
    meetings.add_situation(staff, meeting, second)
    mine = CarerFactory(person=episode.person)
    theirs = CarerFactory(person=second.person)
    meetings.add_participant(staff, meeting, carer=mine, role="Épouse")
    meetings.add_participant(staff, meeting, carer=theirs, role="Fils")
    meetings.add_participant(staff, meeting, name="Dr Morel", role="Médecin traitant")
    _, _, participants = meetings.minutes_for(staff, meeting.pk, episode.pk)
    assert {p.carer_id for p in participants} == {mine.pk, None}
    _, _, everyone = meetings.minutes_for(staff, meeting.pk)
    assert len(everyone) == 3


def test_the_gp_may_print_the_minutes_of_his_patient_only(episode, dac):
    gp = ProfessionalFactory()
    partner = MembershipFactory(organisation=OrganisationFactory(), role=Role.PARTNER)
    gp.user = partner.user
    gp.save()
    episode.person.gp = gp
    episode.person.save()
    situation = MeetingSituationFactory(episode=episode, meeting=MeetingFactory(dac=dac))
    MeetingSituationFactory(meeting=situation.meeting)  # another person's
    _, situations, _ = meetings.minutes_for(partner, situation.meeting_id, episode.pk)
    assert situations == [situation]
    with pytest.raises(PermissionDenied):
        meetings.minutes_for(partner, situation.meeting_id)


def test_situation_candidates_are_open_episodes_matching_the_name(staff, dac, episode):
    CareEpisodeFactory(person=PersonFactory(dac=dac, birth_name="Benali"), status="closed")
    CareEpisodeFactory(person=PersonFactory(birth_name="Benali"))  # another DAC
    assert meetings.situation_candidates(staff, "benali") == [episode]
    assert meetings.situation_candidates(staff, "") == []
    assert MeetingParticipant.objects.count() == MeetingSituation.objects.count() == 0
