"""The person's data export: a ZIP with a readable summary and everything held as JSON, by the
exporter's categories, recorded in the access log, in a bounded number of queries."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from appui.circle.exports import TABLES, build_person_export, personal_data_models
from appui.core.enums import AccessAction, Role
from appui.core.models import AccessLog, record_event
from tests.factories import (
    ActionFactory,
    AssessmentFactory,
    CareEpisodeFactory,
    CarePlanFactory,
    CarePlanVersionFactory,
    CarerFactory,
    ConsentFactory,
    ContactLogFactory,
    EmergencyAccessFactory,
    GoalFactory,
    LiaisonNoteFactory,
    MembershipFactory,
    NeedFactory,
    ObjectionFactory,
    PersonFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db


def unzip(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == ["donnees.json", "resume.pdf"]
    payload = json.loads(archive.read("donnees.json"))
    pdf = PdfReader(io.BytesIO(archive.read("resume.pdf")))
    return payload, "\n".join(p.extract_text() for p in pdf.pages)


def test_every_personal_data_model_about_a_person_is_exported():
    assert {t.label for t in TABLES} == personal_data_models()


@pytest.fixture
def situation():
    person = PersonFactory(birth_name="Benali", first_name="Ahmed", sex="M")
    episode = CareEpisodeFactory(person=person)
    request = SupportRequestFactory(dac=person.dac, person=person)
    CarerFactory(person=person, first_name="Fatima", last_name="Benali")
    ConsentFactory(episode=episode)
    ContactLogFactory(request=request, purpose="Appel à propos du logement")
    NeedFactory(episode=episode, domain="health", description="Diabète déséquilibré")
    plan = CarePlanFactory(episode=episode)
    version = CarePlanVersionFactory(plan=plan, wishes="Rester chez lui")
    goal = GoalFactory(plan_version=version, title="Sécuriser le domicile")
    ActionFactory(plan_version=version, goal=goal, description="Installer une téléassistance")
    record_event(version, "submitted")
    LiaisonNoteFactory(person=person, category="medical", text="Pansement refait")
    ObjectionFactory(person=person, scope="restrict", categories=["plan"])
    EmergencyAccessFactory(person=person)
    return person, episode


def test_director_exports_everything_with_summary_and_log(
    client, situation, django_assert_max_num_queries
):
    person, episode = situation
    director = MembershipFactory(organisation=person.dac, role=Role.DIRECTOR)
    client.force_login(director.user)
    url = reverse("circle:person_export", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Export incomplet" not in page.content.decode()
    with django_assert_max_num_queries(80):
        response = client.post(url)
    assert response["Content-Type"] == "application/zip"
    payload, text = unzip(response.content)
    assert payload["format"] == "appui.export-personne" and payload["person_id"] == person.pk
    assert payload["categories"]["missing"] == []
    tables = payload["tables"]
    assert tables["persons.person"]["rows"][0]["birth_name"] == "Benali"
    assert tables["care.careplanversion"]["rows"][0]["wishes"] == "Rester chez lui"
    assert tables["care.need"]["rows"][0]["description"] == "Diabète déséquilibré"
    assert tables["circle.liaisonnote"]["rows"][0]["text"] == "Pansement refait"
    assert tables["care.careepisode"]["fields"]["opened_on"] == "inclusion le"
    assert any(e["verb"] == "submitted" for e in payload["events"])
    assert payload["access_log"]
    for expected in ("Benali", "Sécuriser le domicile", "Installer une téléassistance", "Fatima"):
        assert expected in text
    assert "Qui a consulté votre dossier" in text
    assert AccessLog.objects.filter(
        person_id=person.pk, action=AccessAction.EXPORT, user=director.user
    ).exists()


def test_an_export_without_some_categories_says_so(client, situation):
    person, episode = situation
    coordinator = MembershipFactory(organisation=person.dac, role=Role.COORDINATOR)
    # Restricted by the person to the plan: no medical need, no medical note.
    ObjectionFactory(person=person, user=coordinator.user, scope="restrict", categories=["plan"])
    client.force_login(coordinator.user)
    url = reverse("circle:person_export", args=[person.pk])
    assert "Médical" in client.get(url).content.decode()
    payload, text = unzip(client.post(url).content)
    assert "medical" in payload["categories"]["missing"]
    assert payload["tables"]["care.need"]["rows"] == []
    assert payload["tables"]["circle.liaisonnote"]["rows"] == []
    assert payload["tables"]["care.goal"]["rows"]
    assert "Export incomplet" in text and "Diabète" not in text


def test_assessment_answers_follow_the_domains(situation):
    person, episode = situation
    assessment = AssessmentFactory(episode=episode)
    coordinator = MembershipFactory(organisation=person.dac, role=Role.COORDINATOR)
    payload, _ = unzip(build_person_export(person, coordinator))
    assert payload["tables"]["care.assessment"]["rows"][0]["id"] == assessment.pk


def test_roles_without_the_right_are_refused(client, situation):
    person, _ = situation
    url = reverse("circle:person_export", args=[person.pk])
    for role in (Role.ASSISTANT, Role.SUPPORT_PHYSICIAN, Role.PARTNER):
        client.force_login(MembershipFactory(organisation=person.dac, role=role).user)
        assert client.post(url).status_code == 403
