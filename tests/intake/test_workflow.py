"""The request state machine: every allowed and forbidden transition, the rules of the answers,
the first-answer delay, and changes that are all-or-nothing."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from appui.care.models import CareEpisode
from appui.core.enums import Role
from appui.core.models import Event
from appui.directory.models import UnmetNeed
from appui.intake import workflow
from appui.intake.enums import Answer, IntensityLevel, RequestStatus, ResponseType
from appui.intake.models import RequestResponse, SupportRequest
from appui.intake.signals import response_given
from tests.factories import (
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RequestResponseFactory,
    ServiceFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db

S = RequestStatus
PARIS = ZoneInfo("Europe/Paris")

#: The workflow as the product describes it, written out in full: the code's table must match.
EXPECTED = {
    S.NEW: {S.IN_ANALYSIS, S.ANSWERED, S.ACCOMPANIMENT, S.REFERRED, S.REFUSED, S.CLOSED},
    S.IN_ANALYSIS: {S.ANSWERED, S.ACCOMPANIMENT, S.REFERRED, S.REFUSED, S.CLOSED},
    S.ANSWERED: {S.ANSWERED, S.ACCOMPANIMENT, S.REFERRED, S.REFUSED, S.CLOSED},
    S.REFERRED: {S.IN_ANALYSIS, S.CLOSED},
    S.ACCOMPANIMENT: set(),
    S.CLOSED: set(),
    S.REFUSED: set(),
}


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True)


@pytest.fixture
def staff(dac):
    return MembershipFactory(organisation=dac, role=Role.COORDINATOR)


@pytest.fixture
def case_manager(dac):
    return MembershipFactory(organisation=dac, role=Role.CASE_MANAGER)


def events(request, verb=None):
    qs = Event.objects.filter(subject_type="intake.supportrequest", subject_id=str(request.pk))
    return qs.filter(verb=verb) if verb else qs


# --- The table ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_transition_table(source, target):
    assert ((source, target) in workflow.ALLOWED) is (target in EXPECTED[source])


def _drive(name, staff, request):
    """Run the service function that performs transition `name`."""
    if name == "take_in_analysis":
        return workflow.take_in_analysis(staff, request)
    if name == "close":
        return workflow.close_request(staff, request, "Réponse donnée, rien d'autre à faire.")
    if name == "referral_refused":
        response = RequestResponseFactory(request=request, referral=True, given_by=staff.user)
        return workflow.record_referral_decision(
            staff, response, accepted=False, on=timezone.localdate()
        )
    response_type, extra = {
        "answer": (ResponseType.INFORMATION, {}),
        "accompany": (ResponseType.COORDINATION, {"level": IntensityLevel.SHORT_TERM}),
        "refer": (ResponseType.REFERRAL_OUT, {"referral_organisation": OrganisationFactory()}),
        "refuse": (ResponseType.REFUSED_BY_PERSON, {}),
        "no_follow_up": (ResponseType.NO_FOLLOW_UP, {}),
    }[name]
    return workflow.give_response(staff, request, response_type, "Réponse au demandeur.", **extra)


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("name", list(workflow.TRANSITIONS))
def test_each_transition_through_its_service(staff, dac, source, name):
    request = SupportRequestFactory(dac=dac, status=source)
    transition = workflow.TRANSITIONS[name]
    allowed = source in transition.sources
    if allowed:
        assert transition.target in EXPECTED[source]
    before = events(request).count()
    if allowed:
        _drive(name, staff, request)
        request.refresh_from_db()
        assert request.status == transition.target
        assert events(request).count() > before
        last = events(request).order_by("-at", "-id").first()
        assert last.data["from"] == source and last.data["to"] == transition.target
        assert last.actor_id == staff.user_id
    else:
        with pytest.raises(ValidationError) as refused:
            _drive(name, staff, request)
        assert "Impossible pour une demande" in refused.value.messages[0]
        request.refresh_from_db()
        assert request.status == source
        assert events(request).count() == before
        assert not CareEpisode.objects.filter(request=request).exists()


def test_transitions_need_the_right(dac):
    request = SupportRequestFactory(dac=dac)
    partner = MembershipFactory(role=Role.PARTNER)
    other_dac = MembershipFactory(role=Role.COORDINATOR)
    for membership in (partner, other_dac):
        with pytest.raises(PermissionDenied):
            workflow.take_in_analysis(membership, request)
        with pytest.raises(PermissionDenied):
            workflow.give_response(membership, request, ResponseType.INFORMATION, "Info.")
    request.refresh_from_db()
    assert request.status == S.NEW


# --- Taking, assigning ---------------------------------------------------------------------------


def test_taking_in_analysis_assigns_the_request_to_whoever_takes_it(staff, dac):
    request = SupportRequestFactory(dac=dac)
    workflow.take_in_analysis(staff, request)
    assert request.status == S.IN_ANALYSIS
    assert request.assigned_to_id == staff.user_id


def test_assign_to_a_team_member_only(staff, dac):
    request = SupportRequestFactory(dac=dac)
    colleague = MembershipFactory(organisation=dac, role=Role.ASSISTANT).user
    workflow.assign(staff, request, colleague)
    request.refresh_from_db()
    assert request.assigned_to == colleague
    assert events(request, "assigned").get().data == {"from": None, "to": colleague.pk}
    stranger = MembershipFactory(role=Role.COORDINATOR).user
    partner = MembershipFactory(organisation=dac, role=Role.PARTNER).user
    for user in (stranger, partner):
        with pytest.raises(ValidationError) as refused:
            workflow.assign(staff, request, user)
        assert "membre de l'équipe du DAC" in refused.value.message_dict["user"][0]
    request.refresh_from_db()
    assert request.assigned_to == colleague


def test_a_finished_request_is_not_assigned(staff, dac):
    request = SupportRequestFactory(dac=dac, status=S.CLOSED)
    with pytest.raises(ValidationError):
        workflow.assign(staff, request, staff.user)


# --- The answers' rules -------------------------------------------------------------------------


def test_orientation_without_resource_is_refused_and_nothing_is_saved(staff, dac):
    request = SupportRequestFactory(dac=dac, status=S.IN_ANALYSIS)
    with pytest.raises(ValidationError) as refused:
        workflow.give_response(staff, request, ResponseType.ORIENTATION, "Orientée.")
    assert refused.value.message_dict["services"] == [
        "Une orientation cite au moins une ressource du répertoire, ou enregistre un besoin non "
        "couvert si aucune ressource ne convient."
    ]
    request.refresh_from_db()
    assert request.status == S.IN_ANALYSIS
    assert request.first_answered_at is None
    assert not RequestResponse.objects.exists()
    assert not events(request, "answered").exists()


def test_orientation_with_services_and_an_unmet_need_recorded_inline(staff, dac):
    """S1: two meal-delivery services, and no personal alarm covers Rieulay."""
    rieulay = CommuneFactory(insee_code="59501", name="Rieulay")
    meals = ServiceFactory.create_batch(2, meals=True)
    request = SupportRequestFactory(dac=dac)
    workflow.give_response(staff, request, ResponseType.INFORMATION, "Aides existantes.")
    response = workflow.give_response(
        staff,
        request,
        ResponseType.ORIENTATION,
        "Deux services de portage de repas ; pas de téléassistance sur la commune.",
        services=meals,
        unmet_needs=[{"theme": "teleassistance", "commune": rieulay, "public": "seniors"}],
    )
    assert set(response.services.all()) == set(meals)
    need = response.unmet_needs.get()
    assert (need.theme, need.commune, need.public, need.dac) == (
        "teleassistance",
        rieulay,
        "seniors",
        dac,
    )
    request.refresh_from_db()
    assert request.status == S.ANSWERED
    assert request.responses.count() == 2


def test_an_unmet_need_with_an_unknown_theme_is_refused_and_nothing_is_saved(staff, dac):
    request = SupportRequestFactory(dac=dac)
    with pytest.raises(ValidationError) as refused:
        workflow.give_response(
            staff,
            request,
            ResponseType.ORIENTATION,
            "Rien ne convient.",
            unmet_needs=[{"theme": "n-importe-quoi", "commune": CommuneFactory()}],
        )
    assert "need_theme" in refused.value.message_dict
    assert not UnmetNeed.objects.exists()
    assert not RequestResponse.objects.exists()


def test_referral_requires_the_structure(staff, dac):
    request = SupportRequestFactory(dac=dac)
    with pytest.raises(ValidationError) as refused:
        workflow.give_response(staff, request, ResponseType.REFERRAL_OUT, "Réorientée.")
    assert refused.value.message_dict["referral_organisation"] == [
        "Indiquez la structure vers laquelle la demande est réorientée."
    ]
    assert not RequestResponse.objects.exists()


def test_referral_accepted_then_closed(staff, dac):
    """S8: referred to the Communauté 360, which accepts; the request is closed."""
    c360 = OrganisationFactory(name="Communauté 360 du Nord")
    request = SupportRequestFactory(dac=dac)
    workflow.give_response(
        staff, request, ResponseType.ONE_OFF_SUPPORT, "Rendez-vous avec le référent MDPH."
    )
    response = workflow.give_response(
        staff,
        request,
        ResponseType.REFERRAL_OUT,
        "Orientation vers la Communauté 360.",
        referral_organisation=c360,
    )
    assert request.status == S.REFERRED
    workflow.record_referral_decision(staff, response, accepted=True, on=timezone.localdate())
    response.refresh_from_db()
    assert response.referral_accepted is True
    request.refresh_from_db()
    assert request.status == S.REFERRED
    workflow.close_request(staff, request, "Prise en charge par la Communauté 360.")
    request.refresh_from_db()
    assert request.status == S.CLOSED
    assert request.closed_at is not None
    assert request.closing_note == "Prise en charge par la Communauté 360."
    decided = events(request, "referral_decided").get()
    assert decided.data["accepted"] is True and decided.data["organisation"] == c360.pk


def test_a_referral_decision_is_recorded_once(staff, dac):
    request = SupportRequestFactory(dac=dac)
    response = workflow.give_response(
        staff,
        request,
        ResponseType.REFERRAL_OUT,
        "Réorientée.",
        referral_organisation=OrganisationFactory(),
    )
    workflow.record_referral_decision(staff, response, accepted=True, on=timezone.localdate())
    with pytest.raises(ValidationError):
        workflow.record_referral_decision(staff, response, accepted=False, on=timezone.localdate())


def test_accompaniment_opens_a_care_episode_through_the_signal(staff, dac):
    person = PersonFactory(dac=dac)
    request = SupportRequestFactory(dac=dac, person=person, status=S.IN_ANALYSIS)
    response = workflow.give_response(
        staff,
        request,
        ResponseType.COORDINATION,
        "Inclusion proposée : évaluation à domicile.",
        level=IntensityLevel.SHORT_TERM,
    )
    request.refresh_from_db()
    assert request.status == S.ACCOMPANIMENT
    assert request.level == IntensityLevel.SHORT_TERM
    episode = CareEpisode.objects.get(request=request)
    assert (episode.person, episode.kind, episode.level) == (
        person,
        "coordination",
        IntensityLevel.SHORT_TERM,
    )
    assert episode.opened_on == response.given_at.date()


def test_case_management_needs_a_level_and_a_case_manager(staff, dac, case_manager):
    request = SupportRequestFactory(dac=dac)
    with pytest.raises(ValidationError) as refused:
        workflow.give_response(staff, request, ResponseType.CASE_MANAGEMENT, "Gestion de cas.")
    assert set(refused.value.message_dict) == {"level", "case_manager"}
    assert not CareEpisode.objects.exists()
    with pytest.raises(ValidationError) as refused:
        workflow.give_response(
            staff,
            request,
            ResponseType.CASE_MANAGEMENT,
            "Gestion de cas.",
            level=IntensityLevel.LONG_TERM,
            case_manager=staff.user,
        )
    assert "gestionnaire de cas" in refused.value.message_dict["case_manager"][0]
    workflow.give_response(
        staff,
        request,
        ResponseType.CASE_MANAGEMENT,
        "Gestion de cas : situation complexe durable.",
        level=IntensityLevel.LONG_TERM,
        case_manager=case_manager.user,
    )
    episode = CareEpisode.objects.get(request=request)
    assert episode.kind == "case_management"
    assert episode.case_manager == case_manager.user


def test_accompaniment_needs_an_identified_person(staff, dac):
    request = SupportRequestFactory(dac=dac, person=None, proposed_person={"birth_name": "Roux"})
    with pytest.raises(ValidationError) as refused:
        workflow.give_response(
            staff, request, ResponseType.COORDINATION, "Accompagnement.", level="short_term"
        )
    assert "Identifiez d'abord la personne" in refused.value.message_dict["response_type"][0]


def test_a_failure_while_opening_the_episode_leaves_nothing_half_changed(staff, dac):
    request = SupportRequestFactory(dac=dac)

    def broken(**kwargs):
        raise RuntimeError("panne")

    response_given.connect(broken, dispatch_uid="broken-test-receiver")
    try:
        with pytest.raises(RuntimeError):
            workflow.give_response(
                staff, request, ResponseType.COORDINATION, "Accompagnement.", level="short_term"
            )
    finally:
        response_given.disconnect(dispatch_uid="broken-test-receiver")
    stored = SupportRequest.objects.get(pk=request.pk)
    assert stored.status == S.NEW
    assert stored.first_answered_at is None
    assert not RequestResponse.objects.exists()
    assert not CareEpisode.objects.exists()
    assert not events(request, "answered").exists()


def test_refusal_by_the_person_closes_the_request(staff, dac):
    """S6: Mme Lenoir refuses the accompaniment proposed after triage."""
    request = SupportRequestFactory(dac=dac, status=S.IN_ANALYSIS)
    workflow.give_response(
        staff, request, ResponseType.REFUSED_BY_PERSON, "Refus ; l'infirmière est informée."
    )
    request.refresh_from_db()
    assert request.status == S.REFUSED
    assert request.closed_at is not None
    assert request.first_answered_at is not None


def test_no_follow_up_closes_the_request(staff, dac):
    request = SupportRequestFactory(dac=dac)
    workflow.give_response(staff, request, ResponseType.NO_FOLLOW_UP, "Injoignable.")
    request.refresh_from_db()
    assert request.status == S.CLOSED and request.closed_at is not None


# --- First-answer delay ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "answered", "delay"),
    [
        # Same day.
        (datetime(2025, 6, 3, 9, 0), datetime(2025, 6, 3, 17, 0), 0),
        # Friday → Monday across the weekend: one working day.
        (datetime(2025, 6, 13, 17, 10), datetime(2025, 6, 16, 10, 0), 1),
        # Wednesday 30 April → Monday 5 May: 1 May (fête du Travail) and the weekend don't count.
        (datetime(2025, 4, 30, 11, 0), datetime(2025, 5, 5, 9, 30), 2),
        # Friday 6 June → Tuesday 10 June 2025: the weekend and Whit Monday (lundi de Pentecôte).
        (datetime(2025, 6, 6, 17, 10), datetime(2025, 6, 10, 10, 0), 1),
        # Friday 7 November → Wednesday 12 November: weekend and 11 November (Armistice).
        (datetime(2025, 11, 7, 16, 0), datetime(2025, 11, 12, 9, 0), 2),
    ],
)
def test_first_answer_delay_in_working_days(staff, dac, received, answered, delay):
    received, answered = received.replace(tzinfo=PARIS), answered.replace(tzinfo=PARIS)
    request = SupportRequestFactory(dac=dac, received_at=received)
    workflow.give_response(
        staff, request, ResponseType.INFORMATION, "Informations données.", given_at=answered
    )
    request.refresh_from_db()
    assert request.first_answered_at == answered
    assert request.first_answer_delay_days == delay


def test_only_the_first_answer_sets_the_delay(staff, dac):
    received = datetime(2025, 4, 30, 11, 0, tzinfo=PARIS)
    request = SupportRequestFactory(dac=dac, received_at=received)
    first = datetime(2025, 4, 30, 15, 0, tzinfo=PARIS)
    workflow.give_response(staff, request, ResponseType.INFORMATION, "Info.", given_at=first)
    workflow.give_response(
        staff,
        request,
        ResponseType.ONE_OFF_SUPPORT,
        "Organisation du retour à domicile.",
        given_at=datetime(2025, 5, 6, 9, 0, tzinfo=PARIS),
    )
    request.refresh_from_db()
    assert request.first_answered_at == first
    assert request.first_answer_delay_days == 0


def test_an_answer_cannot_be_dated_in_the_future_or_before_the_request(staff, dac):
    request = SupportRequestFactory(dac=dac)
    for when in (
        timezone.now() + timezone.timedelta(days=1),
        request.received_at - timezone.timedelta(days=1),
    ):
        with pytest.raises(ValidationError) as refused:
            workflow.give_response(staff, request, ResponseType.INFORMATION, "Info.", given_at=when)
        assert "given_at" in refused.value.message_dict
    assert not RequestResponse.objects.exists()


# --- Agreement, identification, closing -----------------------------------------------------------


def test_person_agreement_recorded_later(staff, dac, case_manager):
    """S4: case management decided, the mother's agreement obtained at the home visit."""
    request = SupportRequestFactory(dac=dac, requester_kind="carer", requester_professional=None)
    workflow.give_response(
        staff,
        request,
        ResponseType.CASE_MANAGEMENT,
        "Gestion de cas proposée.",
        level=IntensityLevel.LONG_TERM,
        case_manager=case_manager.user,
    )
    on = timezone.localdate()
    workflow.record_person_agreement(staff, request, Answer.YES, on, "Lors de la visite à domicile")
    request.refresh_from_db()
    assert request.person_agrees == Answer.YES
    assert request.person_informed == Answer.YES
    assert request.person_agreement_on == on
    assert request.person_agreement_how == "Lors de la visite à domicile"
    event = events(request, "agreement_recorded").get()
    assert event.data["from"] == Answer.UNKNOWN and event.data["to"] == Answer.YES


def test_person_agreement_cannot_be_in_the_future(staff, dac):
    request = SupportRequestFactory(dac=dac)
    with pytest.raises(ValidationError) as refused:
        workflow.record_person_agreement(
            staff, request, Answer.YES, date.today() + timezone.timedelta(days=2)
        )
    assert "futur" in refused.value.message_dict["on"][0]
    request.refresh_from_db()
    assert request.person_agrees == Answer.UNKNOWN


def test_attach_the_person_of_an_online_request(staff, dac):
    request = SupportRequestFactory(dac=dac, person=None, proposed_person={"birth_name": "Petit"})
    person = PersonFactory(dac=dac, birth_name="Petit")
    workflow.attach_person(staff, request, person)
    request.refresh_from_db()
    assert request.person == person
    assert events(request, "person_attached").get().data == {"person": person.pk}
    with pytest.raises(ValidationError):
        workflow.attach_person(staff, request, PersonFactory(dac=dac))


def test_a_person_of_another_dac_cannot_be_attached(staff, dac):
    request = SupportRequestFactory(dac=dac, person=None)
    with pytest.raises(PermissionDenied):
        workflow.attach_person(staff, request, PersonFactory())
    request.refresh_from_db()
    assert request.person is None


@pytest.mark.django_db
def test_a_refusal_records_the_person_s_answer():
    dac = OrganisationFactory(dac=True)
    staff = MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    request = SupportRequestFactory(dac=dac, person_informed="unknown", person_agrees="unknown")
    workflow.give_response(staff, request, ResponseType.REFUSED_BY_PERSON, "Refus exprimé.")
    request.refresh_from_db()
    assert (request.status, request.person_informed, request.person_agrees) == (
        "refused",
        "yes",
        "no",
    )
    assert request.closed_at is not None
