"""The follow-up tab and its forms: bounded queries on a long history, French refusals next to
the field, rights (an assistant reads, a coordinator writes, another DAC sees nothing)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.care.models import AdverseEvent, HomeVisit, HospitalStay
from appui.core.enums import Role
from appui.intake.models import ContactLog
from tests.factories import (
    AdverseEventFactory,
    CareEpisodeFactory,
    ContactLogFactory,
    DischargeTaskFactory,
    HomeVisitFactory,
    HospitalStayFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True)


@pytest.fixture
def coordinator(dac, client):
    membership = MembershipFactory(
        organisation=dac, role=Role.COORDINATOR, user__first_name="Inès", user__last_name="Lambert"
    )
    client.force_login(membership.user)
    return membership


@pytest.fixture
def episode(dac, coordinator):
    return CareEpisodeFactory(
        person=PersonFactory(dac=dac, birth_name="Benali", first_name="Ahmed", sex="M"),
        referent=coordinator.user,
    )


def url(name, *args):
    return reverse(f"care:{name}", args=args)


@pytest.mark.django_db
def test_followup_tab_of_a_long_history_is_paginated_and_bounded(
    client, coordinator, episode, django_assert_max_num_queries
):
    now = timezone.now()
    ContactLog.objects.bulk_create(
        [
            ContactLog(
                dac=episode.dac,
                person=episode.person,
                kind="call_out",
                at=now - datetime.timedelta(hours=n),
                by=coordinator.user,
                with_whom="Mme Benali",
                purpose=f"Appel n° {n}",
            )
            for n in range(200)
        ]
    )
    for n in range(10):
        stay = HospitalStayFactory(
            episode=episode,
            admitted_on=timezone.localdate() - datetime.timedelta(days=30 * (n + 1)),
            discharged_on=timezone.localdate() - datetime.timedelta(days=30 * n + 20),
            recorded_by=coordinator.user,
        )
        DischargeTaskFactory(stay=stay)
        DischargeTaskFactory(stay=stay, description="Portage de repas")
        AdverseEventFactory(episode=episode, hospital_stay=stay, recorded_by=coordinator.user)
    for n in range(5):
        HomeVisitFactory(
            episode=episode,
            staff=coordinator.user,
            planned_at=now + datetime.timedelta(days=n + 1),
        )
    with django_assert_max_num_queries(22 + 1 + 1):  # + the reader's access, the bell
        response = client.get(url("followup", episode.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "200 contacts au journal" in text
    assert "Appel n° 0" in text and "Appel n° 24" in text and "Appel n° 25" not in text
    assert "1 / 8" in text
    assert text.count("<td>Portage de repas</td>") == 10
    assert text.count("Planifier une visite") == 1

    with django_assert_max_num_queries(22 + 1 + 1):  # + the reader's access, the bell
        page_8 = client.get(url("followup", episode.pk) + "?page=8").content.decode()
    assert "Appel n° 199" in page_8


@pytest.mark.django_db
def test_log_a_call_from_the_tab(client, coordinator, episode):
    page = client.get(url("followup_contact", episode.pk))
    assert "Ajouter un contact" in page.content.decode()
    response = client.post(
        url("followup_contact", episode.pk),
        {
            "kind": "call_in",
            "at": "",
            "with_whom": "Mme Benali",
            "purpose": "Essoufflement depuis hier",
            "outcome": "Appel au médecin traitant.",
        },
    )
    assert response.status_code == 200  # the date is required
    assert "Ce champ est obligatoire" in response.content.decode()
    at = timezone.localtime().replace(second=0, microsecond=0)
    response = client.post(
        url("followup_contact", episode.pk),
        {
            "kind": "call_in",
            "at": at.strftime("%Y-%m-%dT%H:%M"),
            "with_whom": "Mme Benali",
            "purpose": "Essoufflement depuis hier",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("followup", episode.pk) + "#contacts"
    contact = ContactLog.objects.get()
    assert (contact.person_id, contact.kind) == (episode.person_id, "call_in")
    text = client.get(url("followup", episode.pk)).content.decode()
    assert "Essoufflement depuis hier" in text


@pytest.mark.django_db
def test_plan_report_and_cancel_visits_through_the_pages(client, coordinator, episode):
    when = (timezone.localtime() + datetime.timedelta(days=2)).replace(hour=10, minute=0)
    response = client.post(
        url("visit_plan", episode.pk),
        {
            "planned_at": when.strftime("%Y-%m-%dT%H:%M"),
            "staff": coordinator.user.pk,
            "purpose": "Évaluation multidimensionnelle",
        },
    )
    assert response.status_code == 302
    visit = HomeVisit.objects.get()
    response = client.post(
        url("visit_report", episode.pk, visit.pk),
        {"done_at": "", "with_whom": "M. et Mme Benali", "outcome": ""},
    )
    assert "Rédigez le compte rendu" in response.content.decode() or (
        "Ce champ est obligatoire" in response.content.decode()
    )
    done_at = timezone.localtime().replace(second=0, microsecond=0)
    response = client.post(
        url("visit_report", episode.pk, visit.pk),
        {
            "done_at": done_at.strftime("%Y-%m-%dT%H:%M"),
            "with_whom": "M. et Mme Benali",
            "outcome": "GIR 3 probable ; aidante épuisée.",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "done"
    assert visit.contact.outcome == "GIR 3 probable ; aidante épuisée."

    second = HomeVisitFactory(episode=episode, staff=coordinator.user)
    client.post(url("visit_cancel", episode.pk, second.pk), {"reason": "Reportée"})
    second.refresh_from_db()
    assert second.status == "cancelled"
    text = client.get(url("followup", episode.pk)).content.decode()
    assert "Aucune visite prévue" in text
    assert "Réalisée" in text and "Annulée" in text


@pytest.mark.django_db
def test_unplanned_admission_form_records_the_adverse_event(client, coordinator, episode):
    admitted = timezone.localdate()
    response = client.post(
        url("stay_create", episode.pk),
        {
            "is_planned": "no",
            "establishment_label": "Centre hospitalier de Douai",
            "service_label": "Cardiologie",
            "admitted_on": admitted.isoformat(),
            "reason": "Décompensation cardiaque",
            "record_adverse_event": "on",
            "adverse_description": "Réhospitalisation en urgence, la troisième en six mois.",
        },
    )
    assert response.status_code == 302
    stay = HospitalStay.objects.get()
    event = AdverseEvent.objects.get()
    assert event.hospital_stay == stay
    assert event.description == "Réhospitalisation en urgence, la troisième en six mois."

    # The next admission while this one has no discharge: refused next to the date.
    response = client.post(
        url("stay_create", episode.pk),
        {"is_planned": "yes", "establishment_label": "Clinique", "admitted_on": admitted},
    )
    assert response.status_code == 200
    assert "enregistrez d&#x27;abord sa sortie" in response.content.decode()

    # Preparation of the discharge, then the discharge.
    client.post(
        url("discharge_task_create", episode.pk, stay.pk),
        {"description": "Lit médicalisé livré", "responsible_label": "Prestataire"},
    )
    task = stay.tasks.get()
    client.post(url("discharge_task_done", episode.pk, task.pk))
    task.refresh_from_db()
    assert task.done_on == timezone.localdate()
    client.post(
        url("stay_discharge", episode.pk, stay.pk),
        {"planned_discharge_on": "", "discharged_on": admitted.isoformat()},
    )
    stay.refresh_from_db()
    assert stay.discharged_on == admitted


@pytest.mark.django_db
def test_adverse_event_and_corrective_action_pages(client, coordinator, episode):
    stay = HospitalStayFactory(episode=episode, establishment_label="CH de Douai")
    page = client.get(url("adverse_event_create", episode.pk)).content.decode()
    assert "CH de Douai — entrée le" in page
    client.post(
        url("adverse_event_create", episode.pk),
        {
            "kind": "care_rupture",
            "occurred_on": timezone.localdate().isoformat(),
            "description": "Sortie sans relais infirmier",
            "hospital_stay": stay.pk,
        },
    )
    event = AdverseEvent.objects.get()
    assert event.hospital_stay == stay
    client.post(
        url("corrective_action", episode.pk, event.pk),
        {
            "corrective_action": "Check-list de sortie partagée avec le service",
            "corrective_action_done_on": timezone.localdate().isoformat(),
        },
    )
    event.refresh_from_db()
    assert event.corrective_action_done_on == timezone.localdate()


@pytest.mark.django_db
def test_rights_on_the_followup_pages(client, dac, episode):
    assistant = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    client.force_login(assistant.user)
    response = client.get(url("followup", episode.pk))
    assert response.status_code == 200
    assert "Ajouter un contact" not in response.content.decode()
    assert client.get(url("followup_contact", episode.pk)).status_code == 403
    assert client.post(url("followup_contact", episode.pk), {"kind": "call_in"}).status_code == 403

    outsider = MembershipFactory(role=Role.COORDINATOR)
    client.force_login(outsider.user)
    assert client.get(url("followup", episode.pk)).status_code == 404
    assert client.get(url("stay_create", episode.pk)).status_code == 404

    # A visit of another episode is not reachable through this one.
    coordinator = MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    client.force_login(coordinator.user)
    other = HomeVisitFactory(episode=CareEpisodeFactory(person=PersonFactory(dac=dac)))
    assert client.get(url("visit_report", episode.pk, other.pk)).status_code == 404


@pytest.mark.django_db
def test_episode_page_followup_block(client, coordinator, episode, django_assert_max_num_queries):
    ContactLogFactory(
        request=None,
        dac=episode.dac,
        person=episode.person,
        by=coordinator.user,
        with_whom="Mme Benali",
        purpose="Point hebdomadaire",
    )
    HomeVisitFactory(
        episode=episode,
        staff=coordinator.user,
        planned_at=timezone.now() + datetime.timedelta(days=3),
        purpose="Réévaluation",
    )
    HospitalStayFactory(episode=episode, establishment_label="CH de Douai")
    AdverseEventFactory(episode=episode)
    # 24, + the care circle block (its members, the person's objections) + the header's
    # notification bell + the reader's access (core.sharing).
    with django_assert_max_num_queries(24 + 2 + 1 + 3):
        response = client.get(url("episode_detail", episode.pk))
    text = response.content.decode()
    assert "Point hebdomadaire" in text
    assert "Réévaluation" in text
    assert "En cours depuis le" in text and "CH de Douai" in text
    assert "1 enregistré, dont 1 sans action corrective faite" in text
    assert url("followup", episode.pk) in text
