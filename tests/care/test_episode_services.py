"""The episode's lifecycle services: opening, consent, médecin traitant, level, staff, exit,
reopening — each rule, the rows and events they leave, and the refusals."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from appui.care import services
from appui.care.enums import EpisodeKind, EpisodeStatus, ExitReason
from appui.care.models import CareEpisode, Consent, LevelChange
from appui.care.signals import episode_closed
from appui.core.enums import Role
from appui.core.models import Event
from appui.intake import workflow
from appui.intake.enums import IntensityLevel, RequestStatus, ResponseType
from appui.persons.models import Person
from tests.factories import (
    CareEpisodeFactory,
    CarerFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Situation repérée lors d'une visite pour un autre motif."


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")


@pytest.fixture
def staff(dac):
    return MembershipFactory(organisation=dac, role=Role.COORDINATOR)


@pytest.fixture
def manager(dac):
    return MembershipFactory(organisation=dac, role=Role.CASE_MANAGER)


@pytest.fixture
def person(dac):
    return PersonFactory(dac=dac, birth_date=date(1950, 5, 1))


@pytest.fixture
def episode(staff, person):
    return services.open_episode(
        staff,
        person,
        kind=EpisodeKind.COORDINATION,
        level=IntensityLevel.SHORT_TERM,
        opening_reason=REASON,
        opened_on=timezone.localdate() - timedelta(days=10),
    )


def verbs(subject) -> list[str]:
    return list(
        Event.objects.filter(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))
        .order_by("at", "pk")
        .values_list("verb", flat=True)
    )


# --- Opening ----------------------------------------------------------------------------------


def test_opening_directly_needs_a_reason(staff, person):
    with pytest.raises(ValidationError) as refused:
        services.open_episode(staff, person, kind="coordination", level="risk", opening_reason="  ")
    assert refused.value.message_dict["opening_reason"] == [
        "Indiquez le motif de l'ouverture de l'accompagnement."
    ]
    assert not CareEpisode.objects.exists()


def test_opening_creates_the_episode_its_first_level_and_an_event(staff, person):
    episode = services.open_episode(
        staff, person, kind="coordination", level="risk", opening_reason=REASON
    )
    assert (episode.status, episode.referent, episode.request) == ("open", staff.user, None)
    assert episode.opening_reason == REASON
    first = LevelChange.objects.get(episode=episode)
    assert (first.level, first.previous_level, first.changed_by) == ("risk", "", staff.user)
    assert verbs(episode) == ["opened"]


def test_a_person_has_one_open_episode_at_a_time(staff, episode, person):
    with pytest.raises(ValidationError) as refused:
        services.open_episode(
            staff, person, kind="coordination", level="risk", opening_reason=REASON
        )
    assert "déjà un accompagnement en cours" in refused.value.messages[0]
    assert CareEpisode.objects.filter(person=person).count() == 1


def test_opening_is_for_staff_of_the_persons_dac(dac, person):
    assistant = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    with pytest.raises(PermissionDenied):
        services.open_episode(
            assistant, person, kind="coordination", level="risk", opening_reason=REASON
        )
    elsewhere = MembershipFactory(role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.open_episode(
            elsewhere, person, kind="coordination", level="risk", opening_reason=REASON
        )


def test_the_case_manager_goes_with_case_management(staff, manager, person):
    with pytest.raises(ValidationError) as refused:
        services.open_episode(
            staff, person, kind="case_management", level="long_term", opening_reason=REASON
        )
    assert "case_manager" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.open_episode(
            staff,
            person,
            kind="coordination",
            level="long_term",
            case_manager=manager.user,
            opening_reason=REASON,
        )
    assert (
        "ne se désigne que pour une gestion de cas" in refused.value.message_dict["case_manager"][0]
    )
    with pytest.raises(ValidationError) as refused:
        services.open_episode(
            staff,
            person,
            kind="case_management",
            level="long_term",
            case_manager=staff.user,
            opening_reason=REASON,
        )
    assert "pas gestionnaire de cas" in refused.value.message_dict["case_manager"][0]
    episode = services.open_episode(
        staff,
        person,
        kind="case_management",
        level="long_term",
        case_manager=manager.user,
        opening_reason=REASON,
    )
    assert episode.case_manager == manager.user


def test_an_assistant_cannot_be_the_referent(staff, dac, person):
    assistant = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    with pytest.raises(ValidationError) as refused:
        services.open_episode(
            staff,
            person,
            kind="coordination",
            level="risk",
            referent=assistant.user,
            opening_reason=REASON,
        )
    assert "ne peut pas être référent" in refused.value.message_dict["referent"][0]


def test_a_request_answered_by_an_accompaniment_keeps_one_open_episode(staff, dac, episode):
    request = SupportRequestFactory(dac=dac, person=episode.person, status=RequestStatus.NEW)
    with pytest.raises(ValidationError) as refused:
        workflow.give_response(
            staff, request, ResponseType.COORDINATION, "Accompagnement.", level="short_term"
        )
    assert "déjà un accompagnement en cours" in refused.value.message_dict["response_type"][0]
    request.refresh_from_db()
    assert request.status == RequestStatus.NEW
    assert CareEpisode.objects.filter(person=episode.person).count() == 1


def test_the_signal_opens_with_the_first_level_change(staff, dac, person):
    request = SupportRequestFactory(dac=dac, person=person, status=RequestStatus.IN_ANALYSIS)
    workflow.give_response(
        staff, request, ResponseType.COORDINATION, "Accompagnement.", level="short_term"
    )
    episode = CareEpisode.objects.get(request=request)
    assert list(episode.level_changes.values_list("level", flat=True)) == ["short_term"]
    assert verbs(episode) == ["opened"]


# --- Consent ----------------------------------------------------------------------------------


def consent(staff, episode, **overrides):
    values = {
        "informed_by": staff.user,
        "informed_how": "home_visit",
        "informed_on": timezone.localdate(),
        "answer": "agrees",
        "given_by": "person",
    }
    values.update(overrides)
    return services.record_consent(staff, episode, **values)


def test_consent_is_recorded_with_its_history(staff, episode):
    first = consent(staff, episode, informed_how="phone", note="Souhaite en parler à sa fille.")
    second = consent(staff, episode)
    assert list(Consent.objects.filter(episode=episode)) == [second, first]
    assert first.recorded_by == staff.user
    assert verbs(episode).count("consent_recorded") == 2


@pytest.mark.django_db(transaction=True)
def test_consent_locks_the_episode_in_its_own_transaction(staff, episode):
    """Outside any enclosing transaction (as in a web request), recording a consent locks the
    episode inside the service's own transaction."""
    assert consent(staff, episode).answer == "agrees"


def test_a_minor_answers_through_a_legal_representative(staff, dac):
    child = PersonFactory(dac=dac, birth_date=timezone.localdate() - timedelta(days=16 * 365))
    episode = services.open_episode(
        staff, child, kind="coordination", level="risk", opening_reason=REASON
    )
    with pytest.raises(ValidationError) as refused:
        consent(staff, episode)
    assert "mineure" in refused.value.message_dict["given_by"][0]
    assert "Enregistrez d'abord ce représentant" in refused.value.message_dict["given_by"][0]
    mother = CarerFactory(person=child, relationship="parent", is_legal_representative=True)
    with pytest.raises(ValidationError) as refused:
        consent(staff, episode)
    assert "représentant légal" in refused.value.message_dict["given_by"][0]
    with pytest.raises(ValidationError) as refused:
        consent(staff, episode, given_by="legal_representative")
    assert refused.value.message_dict["legal_representative"] == [
        "Choisissez le représentant légal qui a répondu."
    ]
    stranger = CarerFactory(is_legal_representative=True)
    with pytest.raises(ValidationError) as refused:
        consent(staff, episode, given_by="legal_representative", legal_representative=stranger)
    assert "legal_representative" in refused.value.message_dict
    assert not Consent.objects.exists()
    recorded = consent(staff, episode, given_by="legal_representative", legal_representative=mother)
    assert recorded.legal_representative == mother


def test_an_adult_under_guardianship_answers_through_the_guardian(staff, episode):
    guardian = CarerFactory(
        person=episode.person, relationship="guardian", is_legal_representative=True
    )
    with pytest.raises(ValidationError):
        consent(staff, episode)
    assert (
        consent(
            staff, episode, given_by="legal_representative", legal_representative=guardian
        ).given_by
        == "legal_representative"
    )


def test_consent_dates_and_informant_are_checked(staff, episode):
    outsider = MembershipFactory(role=Role.COORDINATOR).user
    with pytest.raises(ValidationError) as refused:
        consent(
            staff,
            episode,
            informed_by=outsider,
            informed_on=timezone.localdate() + timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"informed_by", "informed_on"}


def test_a_refusal_closes_the_episode_with_the_refusal_reason(staff, episode):
    received = []

    def listener(sender, episode, membership, **kwargs):
        received.append(episode.pk)

    episode_closed.connect(listener)
    try:
        consent(staff, episode, answer="refuses", note="Ne souhaite pas d'aide.")
    finally:
        episode_closed.disconnect(listener)
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSED
    assert episode.exit_reason == ExitReason.REFUSAL
    assert episode.closed_on == timezone.localdate()
    assert episode.closed_by == staff.user
    assert verbs(episode)[-2:] == ["consent_recorded", "exited"]
    assert received == [episode.pk]


# --- Médecin traitant -------------------------------------------------------------------------


def test_gp_informed_or_why_not(staff, episode):
    with pytest.raises(ValidationError) as refused:
        services.record_gp_not_informed(staff, episode, "")
    assert "reason" in refused.value.message_dict
    services.record_gp_not_informed(staff, episode, "Pas de médecin traitant déclaré.")
    episode.refresh_from_db()
    assert episode.gp_not_informed_reason == "Pas de médecin traitant déclaré."
    on = timezone.localdate() - timedelta(days=1)
    services.record_gp_informed(staff, episode, informed_on=on, how="mssante")
    episode.refresh_from_db()
    assert (episode.gp_informed_on, episode.gp_informed_how) == (on, "mssante")
    assert episode.gp_not_informed_reason == ""
    assert verbs(episode)[-2:] == ["gp_not_informed", "gp_informed"]
    with pytest.raises(ValidationError) as refused:
        services.record_gp_informed(
            staff, episode, informed_on=timezone.localdate() + timedelta(days=2), how="x"
        )
    assert set(refused.value.message_dict) == {"informed_on", "how"}


# --- Level ------------------------------------------------------------------------------------


def test_a_level_change_needs_a_reason_and_is_kept_in_the_history(staff, episode):
    with pytest.raises(ValidationError) as refused:
        services.change_level(staff, episode, "long_term", reason="")
    assert refused.value.message_dict["reason"] == ["Indiquez le motif du changement de niveau."]
    change = services.change_level(
        staff, episode, "long_term", reason="Réhospitalisation non programmée."
    )
    episode.refresh_from_db()
    assert (episode.level, episode.level_since) == ("long_term", change.changed_at)
    assert (change.previous_level, change.level, change.changed_by) == (
        "short_term",
        "long_term",
        staff.user,
    )
    assert list(episode.level_changes.values_list("level", flat=True)) == [
        "long_term",
        "short_term",
    ]
    assert Event.objects.get(verb="level_changed").data == {
        "from": "short_term",
        "to": "long_term",
        "reason": "Réhospitalisation non programmée.",
    }


def test_a_level_change_is_a_real_change_in_the_right_order(staff, episode):
    with pytest.raises(ValidationError) as refused:
        services.change_level(staff, episode, "short_term", reason="Rien ne change.")
    assert "level" in refused.value.message_dict
    services.change_level(staff, episode, "urgent", reason="Aidante hospitalisée.")
    episode.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.change_level(
            staff, episode, "risk", reason="Saisie tardive.", at=episode.level_since - timedelta(1)
        )
    assert "précéder le précédent" in refused.value.message_dict["at"][0]
    with pytest.raises(ValidationError) as refused:
        services.change_level(
            staff, episode, "risk", reason="Plus tard.", at=timezone.now() + timedelta(hours=2)
        )
    assert "futur" in refused.value.message_dict["at"][0]
    assert episode.level_changes.count() == 2


def test_assistants_cannot_change_an_episode(dac, episode):
    assistant = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    with pytest.raises(PermissionDenied):
        services.change_level(assistant, episode, "risk", reason="Essai.")


# --- Staff ------------------------------------------------------------------------------------


def test_naming_a_case_manager_switches_the_kind(staff, manager, episode):
    services.assign_staff(staff, episode, referent=staff.user, case_manager=manager.user)
    episode.refresh_from_db()
    assert (episode.kind, episode.case_manager) == (EpisodeKind.CASE_MANAGEMENT, manager.user)
    services.assign_staff(staff, episode, referent=manager.user, case_manager=None)
    episode.refresh_from_db()
    assert (episode.kind, episode.referent, episode.case_manager) == (
        EpisodeKind.COORDINATION,
        manager.user,
        None,
    )
    event = Event.objects.filter(verb="staff_assigned").order_by("pk").first()
    assert event.data["before"]["kind"] == "coordination"
    assert event.data["after"]["kind"] == "case_management"
    with pytest.raises(ValidationError) as refused:
        services.assign_staff(staff, episode, referent=staff.user, case_manager=staff.user)
    assert "pas gestionnaire de cas" in refused.value.message_dict["case_manager"][0]
    outsider = MembershipFactory(role=Role.COORDINATOR).user
    with pytest.raises(ValidationError) as refused:
        services.assign_staff(staff, episode, referent=outsider, case_manager=None)
    assert "referent" in refused.value.message_dict


# --- Exit -------------------------------------------------------------------------------------


def test_exit_date_between_inclusion_and_today(staff, episode):
    with pytest.raises(ValidationError) as refused:
        services.close_episode(
            staff,
            episode,
            exit_reason="stabilised",
            closed_on=episode.opened_on - timedelta(days=1),
        )
    assert "précéder l'inclusion" in refused.value.message_dict["closed_on"][0]
    with pytest.raises(ValidationError) as refused:
        services.close_episode(
            staff,
            episode,
            exit_reason="stabilised",
            closed_on=timezone.localdate() + timedelta(days=1),
        )
    assert "futur" in refused.value.message_dict["closed_on"][0]
    with pytest.raises(ValidationError) as refused:
        services.close_episode(staff, episode, exit_reason="bored", closed_on=episode.opened_on)
    assert "exit_reason" in refused.value.message_dict
    assert CareEpisode.objects.get(pk=episode.pk).is_open


def test_death_closes_the_episode_and_dates_the_death_on_the_person(staff, episode):
    died = timezone.localdate() - timedelta(days=2)
    services.close_episode(
        staff, episode, exit_reason=ExitReason.DEATH, closed_on=died, note="Décès à domicile."
    )
    episode.refresh_from_db()
    assert (episode.status, episode.exit_reason, episode.closed_on) == ("closed", "death", died)
    assert episode.exit_note == "Décès à domicile."
    person = Person.objects.get(pk=episode.person_id)
    assert person.deceased_on == died
    assert verbs(episode)[-1] == "exited"
    assert verbs(person)[-1] == "death_recorded"
    with pytest.raises(ValidationError) as refused:
        services.change_level(staff, episode, "risk", reason="Après la sortie.")
    assert refused.value.messages == [services.CLOSED_MESSAGE]


# --- Reopening --------------------------------------------------------------------------------


def test_reopening_creates_a_new_episode_linked_to_the_closed_one(staff, episode):
    services.close_episode(staff, episode, exit_reason="stabilised", closed_on=timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        services.reopen_episode(staff, episode, reason="", level="risk")
    assert "reason" in refused.value.message_dict
    new = services.reopen_episode(
        staff, episode, reason="Nouvelle chute, aidante épuisée.", level="short_term"
    )
    episode.refresh_from_db()
    assert episode.status == "closed"
    assert (new.previous, new.status, new.level, new.kind) == (
        episode,
        "open",
        "short_term",
        "coordination",
    )
    assert new.opening_reason == "Nouvelle chute, aidante épuisée."
    assert new.level_changes.count() == 1
    assert services.next_episode(episode) == new
    assert verbs(new) == ["reopened"]
    assert verbs(episode)[-1] == "reopened_as"
    with pytest.raises(ValidationError) as refused:
        services.reopen_episode(staff, episode, reason="Encore.", level="risk")
    assert "déjà été rouvert" in refused.value.messages[0]


def test_reopening_refused_while_open_or_after_death(staff, episode, person):
    with pytest.raises(ValidationError):
        services.reopen_episode(staff, episode, reason="Déjà ouvert.", level="risk")
    services.close_episode(staff, episode, exit_reason="death", closed_on=timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        services.reopen_episode(staff, episode, reason="Erreur.", level="risk")
    assert "décédée" in refused.value.messages[0]


def test_reopening_refused_when_another_episode_is_open(staff, episode, person):
    services.close_episode(staff, episode, exit_reason="relay", closed_on=timezone.localdate())
    other = services.open_episode(
        staff, person, kind="coordination", level="risk", opening_reason=REASON
    )
    with pytest.raises(ValidationError) as refused:
        services.reopen_episode(staff, episode, reason="Retour.", level="risk")
    assert "déjà un accompagnement en cours" in refused.value.messages[0]
    assert other.is_open


def test_episodes_of_another_dac_are_out_of_reach(episode):
    elsewhere = MembershipFactory(role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.close_episode(
            elsewhere, episode, exit_reason="relay", closed_on=timezone.localdate()
        )
    assert CareEpisodeFactory._meta.model.objects.get(pk=episode.pk).is_open
