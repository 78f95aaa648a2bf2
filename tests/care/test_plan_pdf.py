"""The PPCS as a PDF: the essentials on the first page, every section and every action inside, the
print written to the access log, and a bounded number of queries on a large plan."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from appui.care import plans
from appui.core.enums import AccessAction
from appui.core.models import AccessLog
from tests.care.test_plans import TODAY, activate, assessment_needs, make_setting
from tests.care.test_plans_views import big_plan
from tests.factories import CarerFactory, ServiceFactory

SECTIONS = [
    "Plan personnalisé de coordination en santé",
    "Objectifs prioritaires",
    "Qui fait quoi et quand",
    "1. La personne et ses intervenants",
    "Aidants et représentant légal",
    "Intervenants",
    "2. Synthèse de la situation",
    "Problèmes et besoins non couverts",
    "Attentes et projet de la personne",
    "Préférences de la personne",
    "3. Objectifs et actions",
    "4. Difficultés",
    "5. Révision, validation et accord",
    "6. Contacts utiles",
]


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0), tick=False)
    return TODAY


def pages_text(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def benali_plan(s):
    """M. Benali's plan (journey S2), in force."""
    assessment_needs(s.episode, "Trois hospitalisations en six mois", "Traitement mal suivi")
    wife = CarerFactory(
        person=s.person,
        first_name="Fatima",
        last_name="Benali",
        relationship="spouse",
        phone="06 98 76 54 32",
    )
    meals = ServiceFactory(
        name="Portage de repas", organisation__name="Les Repas de la Pévèle", phone="03 27 00 11 22"
    )
    version = plans.start_plan_version(s.coordinator, s.episode)
    plans.save_plan_version(
        s.coordinator,
        version,
        expected_version=1,
        situation="BPCO et insuffisance cardiaque ; vit avec son épouse, épuisée.",
        wishes="Rester à domicile avec son épouse.",
        preferences="Pas d'intervention le dimanche.",
        difficulties="Refus initial des aides.",
        useful_contacts="Pharmacie de Rieulay : 03 27 00 33 44",
        review_on=datetime.date(2026, 9, 1),
    )
    lock = 2
    goals = {}
    for title in ("Éviter la réhospitalisation", "Soulager l'aidante", "Sécuriser les médicaments"):
        goals[title] = plans.add_goal(s.coordinator, version, expected_version=lock, title=title)
        lock += 1
    for goal, kind, description, who, when in [
        (
            "Éviter la réhospitalisation",
            "care",
            "Passage infirmier quotidien",
            None,
            {"periodicity": "tous les jours"},
        ),
        (
            "Éviter la réhospitalisation",
            "care",
            "Consultation de pneumologie",
            s.gp,
            {"due_on": datetime.date(2026, 4, 1)},
        ),
        (
            "Soulager l'aidante",
            "support",
            "Portage des repas",
            meals,
            {"starts_on": datetime.date(2026, 3, 9)},
        ),
        (
            "Soulager l'aidante",
            "support",
            "Demande d'APA au conseil départemental",
            wife,
            {"due_on": datetime.date(2026, 4, 2)},
        ),
        (
            "Sécuriser les médicaments",
            "prevention",
            "Pilulier préparé par la pharmacie",
            None,
            {"periodicity": "chaque semaine"},
        ),
    ]:
        plans.add_action(
            s.coordinator,
            version,
            expected_version=lock,
            goal=goals[goal],
            kind=kind,
            description=description,
            responsible=who,
            responsible_label="" if who else "Infirmière libérale",
            **when,
        )
        lock += 1
    return activate(s, version)


@pytest.mark.django_db
def test_pdf_has_the_essentials_first_then_every_section_and_action(client, today):
    s = make_setting()
    version = benali_plan(s)
    client.force_login(s.coordinator.user)
    response = client.get(reverse("care:plan_pdf", args=[s.episode.pk, version.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="PPCS-benali-ahmed-v1.pdf"'
    pages = pages_text(response.content)
    first, everything = pages[0], " ".join(pages)
    for essential in (
        "M. Ahmed BENALI",
        "Dr Claire Morel — 03 27 11 22 33",
        "Inès Lambert — 06 12 34 56 78",
        "Niveau 2 — complexe à court terme",
        "01/09/2026",
        "Validé par le médecin traitant le 02/03/2026",
        "Accord de la personne le 02/03/2026",
        "Éviter la réhospitalisation",
        "Qui fait quoi et quand",
        "Passage infirmier quotidien",
        "Demande d'APA au conseil départemental",
        "Fatima BENALI",
    ):
        assert essential in first, essential
    for heading in SECTIONS:
        assert heading in everything, heading
    for action in version.actions.all():
        assert action.description in everything
    assert "Portage de repas" in everything and "03 27 00 11 22" in everything
    assert "Pas d'intervention le dimanche." in everything
    assert "Pharmacie de Rieulay : 03 27 00 33 44" in everything
    printed = AccessLog.objects.get(action=AccessAction.PRINT)
    assert printed.object_type == "care.careplanversion"
    assert printed.object_id == str(version.pk)
    assert printed.person_id == s.person.pk
    assert printed.user_id == s.coordinator.user_id


@pytest.mark.django_db
def test_gp_downloads_the_pdf_of_a_submitted_version_not_a_draft(client, today):
    s = make_setting()
    version = plans.start_plan_version(s.coordinator, s.episode)
    client.force_login(s.gp_membership.user)
    pdf_url = reverse("care:plan_pdf", args=[s.episode.pk, version.number])
    assert client.get(pdf_url).status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.PRINT).exists()


@pytest.mark.django_db
def test_draft_pdf_says_it_is_not_validated(client, today):
    s = make_setting()
    version = plans.start_plan_version(s.coordinator, s.episode)
    client.force_login(s.coordinator.user)
    response = client.get(reverse("care:plan_pdf", args=[s.episode.pk, version.number]))
    assert "brouillon, non validé" in pages_text(response.content)[0]


@pytest.mark.django_db
def test_pdf_queries_stay_bounded_on_a_large_plan(client, today, django_assert_max_num_queries):
    s = make_setting()
    version = big_plan(s)
    client.force_login(s.coordinator.user)
    with django_assert_max_num_queries(24):
        response = client.get(reverse("care:plan_pdf", args=[s.episode.pk, version.number]))
    text = " ".join(pages_text(response.content))
    for n in range(50):
        assert f"Action numéro {n}" in text
