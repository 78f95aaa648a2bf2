"""Follow-up services: contacts, home visits, hospital stays with the preparation of the discharge,
adverse events — rights, validation (nothing half-saved), stored rows and events."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from appui.care import followup
from appui.care.enums import VisitStatus
from appui.care.models import AdverseEvent, DischargeTask, HomeVisit, HospitalStay
from appui.core.enums import Role
from appui.core.models import Event
from appui.intake.models import ContactLog
from tests.factories import (
    CareEpisodeFactory,
    ContactLogFactory,
    HospitalStayFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True)


@pytest.fixture
def coordinator(dac):
    return MembershipFactory(
        organisation=dac, role=Role.COORDINATOR, user__first_name="Inès", user__last_name="Lambert"
    )


@pytest.fixture
def episode(dac, coordinator):
    return CareEpisodeFactory(
        person=PersonFactory(dac=dac, birth_name="Benali", first_name="Ahmed", sex="M"),
        referent=coordinator.user,
    )


def verbs(episode) -> list[str]:
    return list(
        Event.objects.filter(subject_type="care.careepisode", subject_id=str(episode.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def today():
    return timezone.localdate()


# --- Contacts ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_log_a_call_in_the_persons_contact_log(coordinator, episode):
    contact = followup.log_episode_contact(
        coordinator,
        episode,
        kind="call_out",
        purpose="Point sur le retour à domicile",
        with_whom="Mme Benali, épouse",
        outcome="Tout va bien, passage de l'infirmière confirmé.",
        duration_minutes=15,
    )
    stored = ContactLog.objects.get(pk=contact.pk)
    assert (stored.person_id, stored.request_id, stored.dac_id) == (
        episode.person_id,
        None,
        episode.dac_id,
    )
    assert stored.by == coordinator.user
    assert verbs(episode) == ["contact_logged"]
    assert followup.last_contact_on(episode.person) == stored.at


@pytest.mark.django_db
def test_contact_refusals(coordinator, episode, dac):
    with pytest.raises(ValidationError) as refused:
        followup.log_episode_contact(coordinator, episode, kind="call_out", purpose="")
    assert set(refused.value.error_dict) == {"purpose", "with_whom"}
    assistant = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    with pytest.raises(PermissionDenied):
        followup.log_episode_contact(
            assistant, episode, kind="call_out", purpose="Appel", with_whom="La fille"
        )
    with pytest.raises(PermissionDenied):
        followup.log_episode_contact(
            MembershipFactory(role=Role.COORDINATOR),
            episode,
            kind="call_out",
            purpose="Appel",
            with_whom="La fille",
        )
    episode.status = "closed"
    episode.save()
    with pytest.raises(ValidationError, match="clôturé"):
        followup.log_episode_contact(
            coordinator, episode, kind="call_out", purpose="Appel", with_whom="La fille"
        )
    assert not ContactLog.objects.exists()


@pytest.mark.django_db
def test_last_contact_on_reads_every_contact_of_the_person(episode):
    assert followup.last_contact_on(episode.person) is None
    old = timezone.now() - datetime.timedelta(days=10)
    ContactLogFactory(request__person=episode.person, request__dac=episode.dac, at=old)
    assert followup.last_contact_on(episode.person) == old


# --- Home visits ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_plan_then_complete_a_home_visit(coordinator, episode):
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    visit = followup.plan_home_visit(
        coordinator, episode, planned_at=tomorrow, staff=coordinator.user, purpose="Évaluation"
    )
    assert visit.status == VisitStatus.PLANNED

    done = followup.complete_home_visit(
        coordinator,
        visit,
        outcome="M. Benali est essoufflé ; son épouse est épuisée.",
        duration_minutes=60,
    )
    done.refresh_from_db()
    assert done.status == VisitStatus.DONE
    report = done.contact
    assert report.kind == "visit"
    assert report.person_id == episode.person_id
    assert report.purpose == "Évaluation"
    assert report.with_whom == "M. Ahmed BENALI"
    assert report.outcome == "M. Benali est essoufflé ; son épouse est épuisée."
    assert verbs(episode) == ["home_visit_planned", "home_visit_done"]

    with pytest.raises(ValidationError, match="déjà « réalisée »"):
        followup.complete_home_visit(coordinator, visit, outcome="Encore")
    with pytest.raises(ValidationError):
        followup.cancel_home_visit(coordinator, visit)
    assert ContactLog.objects.count() == 1


@pytest.mark.django_db
def test_visit_refusals_and_cancel(coordinator, episode):
    outsider = MembershipFactory(role=Role.COORDINATOR).user
    yesterday = timezone.now() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        followup.plan_home_visit(
            coordinator, episode, planned_at=yesterday, staff=outsider, purpose=" "
        )
    assert set(refused.value.error_dict) == {"planned_at", "staff", "purpose"}
    assert not HomeVisit.objects.exists()

    visit = followup.plan_home_visit(
        coordinator,
        episode,
        planned_at=timezone.now() + datetime.timedelta(hours=2),
        staff=coordinator.user,
        purpose="Point avec l'aidante",
    )
    with pytest.raises(ValidationError) as refused:
        followup.complete_home_visit(coordinator, visit, outcome="")
    assert "outcome" in refused.value.error_dict
    followup.cancel_home_visit(coordinator, visit, reason="Hospitalisé ce matin")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED
    event = Event.objects.get(verb="home_visit_cancelled")
    assert event.data["reason"] == "Hospitalisé ce matin"


# --- Hospital stays ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_unplanned_admission_with_its_adverse_event(coordinator, episode):
    stay = followup.record_hospital_stay(
        coordinator,
        episode,
        admitted_on=today(),
        is_planned=False,
        establishment_label="Centre hospitalier de Douai",
        service_label="Pneumologie",
        reason="Décompensation respiratoire",
        record_adverse_event=True,
    )
    event = AdverseEvent.objects.get()
    assert event.kind == "unplanned_hospitalisation"
    assert event.hospital_stay == stay
    assert event.occurred_on == today()
    assert event.description == "Décompensation respiratoire"
    assert verbs(episode) == ["hospital_admission_recorded", "adverse_event_recorded"]


@pytest.mark.django_db
def test_stay_refusals_leave_nothing_half_saved(coordinator, episode):
    with pytest.raises(ValidationError) as refused:
        followup.record_hospital_stay(
            coordinator,
            episode,
            admitted_on=today() + datetime.timedelta(days=1),
            is_planned=False,
            planned_discharge_on=today(),
            record_adverse_event=True,
        )
    assert set(refused.value.error_dict) == {
        "establishment_label",
        "admitted_on",
        "planned_discharge_on",
    }
    with pytest.raises(ValidationError) as refused:
        followup.record_hospital_stay(
            coordinator,
            episode,
            admitted_on=today(),
            is_planned=True,
            establishment_label="Clinique",
            record_adverse_event=True,
        )
    assert "record_adverse_event" in refused.value.error_dict
    assert not HospitalStay.objects.exists()
    assert not AdverseEvent.objects.exists()

    HospitalStayFactory(episode=episode, admitted_on=today() - datetime.timedelta(days=3))
    with pytest.raises(ValidationError, match="enregistrez d'abord sa sortie"):
        followup.record_hospital_stay(
            coordinator, episode, admitted_on=today(), is_planned=False, establishment_label="CH"
        )


@pytest.mark.django_db
def test_discharge_dates_and_preparation(coordinator, episode):
    admitted = today() - datetime.timedelta(days=5)
    stay = followup.record_hospital_stay(
        coordinator, episode, admitted_on=admitted, is_planned=True, establishment_label="CH"
    )
    with pytest.raises(ValidationError) as refused:
        followup.set_discharge(
            coordinator,
            stay,
            planned_discharge_on=admitted - datetime.timedelta(days=1),
            discharged_on=today() + datetime.timedelta(days=1),
        )
    assert set(refused.value.error_dict) == {"planned_discharge_on", "discharged_on"}

    planned = today() + datetime.timedelta(days=3)
    followup.set_discharge(coordinator, stay, planned_discharge_on=planned)
    task = followup.add_discharge_task(
        coordinator,
        stay,
        description="Infirmière libérale prévenue",
        responsible_label="Inès Lambert",
        due_on=planned,
    )
    followup.complete_discharge_task(coordinator, task)
    task.refresh_from_db()
    assert task.done_on == today()
    with pytest.raises(ValidationError, match="déjà faite"):
        followup.complete_discharge_task(coordinator, task)

    stay = followup.set_discharge(
        coordinator, stay, planned_discharge_on=planned, discharged_on=today()
    )
    stay.refresh_from_db()
    assert (stay.planned_discharge_on, stay.discharged_on) == (planned, today())
    with pytest.raises(ValidationError, match="préparation est close"):
        followup.add_discharge_task(coordinator, stay, description="Trop tard")
    assert DischargeTask.objects.count() == 1
    assert verbs(episode) == [
        "hospital_admission_recorded",
        "hospital_discharge_planned",
        "discharge_task_added",
        "discharge_task_done",
        "hospital_discharge_recorded",
    ]


# --- Adverse events ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_adverse_event_and_its_corrective_action(coordinator, episode):
    other_stay = HospitalStayFactory()
    with pytest.raises(ValidationError) as refused:
        followup.record_adverse_event(
            coordinator,
            episode,
            kind="care_rupture",
            occurred_on=today(),
            description="Arrêt du SSIAD",
            hospital_stay=other_stay,
            corrective_action_done_on=today(),
        )
    assert set(refused.value.error_dict) == {"hospital_stay", "corrective_action"}

    event = followup.record_adverse_event(
        coordinator,
        episode,
        kind="care_rupture",
        occurred_on=today() - datetime.timedelta(days=2),
        description="Arrêt du SSIAD sans relais",
    )
    with pytest.raises(ValidationError) as refused:
        followup.record_corrective_action(
            coordinator,
            event,
            corrective_action="Relais par un autre SSIAD",
            corrective_action_done_on=today() - datetime.timedelta(days=3),
        )
    assert "corrective_action_done_on" in refused.value.error_dict
    followup.record_corrective_action(
        coordinator,
        event,
        corrective_action="Relais par un autre SSIAD",
        corrective_action_done_on=today(),
    )
    event.refresh_from_db()
    assert event.corrective_action == "Relais par un autre SSIAD"
    assert event.corrective_action_done_on == today()
    assert verbs(episode) == ["adverse_event_recorded", "corrective_action_recorded"]


@pytest.mark.django_db
def test_verbs_have_french_labels():
    from appui.core.models import VERB_LABELS

    for verb in [*followup.VERBS, "alert_raised", "alert_acknowledged", "alert_resolved"]:
        assert VERB_LABELS[verb] and VERB_LABELS[verb] != verb
