"""Pages of the ISQ self-assessment: history, the year's form, permissions, query bounds."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.reporting import quality
from appui.reporting.models import QualityAnswer, QualityAssessment
from tests.factories import (
    CareEpisodeFactory,
    CarePlanFactory,
    CarePlanVersionFactory,
    MembershipFactory,
    PersonFactory,
    QualityAnswerFactory,
    QualityAssessmentFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def all_answers(value="no", **overrides):
    data = {f"{item.code}_answer": value for item in quality.ITEMS}
    data.update(overrides)
    return data


def test_permissions(client):
    for role, status in (
        (Role.DIRECTOR, 200),
        (Role.SUPPORT_PHYSICIAN, 200),
        (Role.COORDINATOR, 403),
        (Role.REGIONAL_PILOT, 403),
        (Role.PARTNER, 403),
    ):
        membership = MembershipFactory(role=role)
        client.force_login(membership.user)
        assert client.get(reverse("reporting:quality")).status_code == status, role
        assert client.get(reverse("reporting:quality_year", args=[2025])).status_code == status
    physician = MembershipFactory(role=Role.SUPPORT_PHYSICIAN)
    client.force_login(physician.user)
    page = client.get(reverse("reporting:quality_year", args=[2025])).content.decode()
    assert "Enregistrer" not in page  # read-only
    response = client.post(reverse("reporting:quality_year", args=[2025]), all_answers())
    assert response.status_code == 403 and not QualityAssessment.objects.exists()


def test_prefilled_then_saved_then_completed(client, login, django_assert_max_num_queries):
    membership = login(Role.DIRECTOR)
    dac = membership.organisation
    person = PersonFactory(dac=dac)
    episode = CareEpisodeFactory(person=person, opened_on=D(2025, 1, 6))
    CarePlanVersionFactory(
        plan=CarePlanFactory(episode=episode), status="active", gp_validated_on=D(2025, 2, 1)
    )
    url = reverse("reporting:quality_year", args=[2025])
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert "100\u00a0% des personnes de la file active 2025 ont un PPCS validé" in page
    assert 'value="yes" dsfr="dsfr" id="id_ppcs_for_all_answer_0" checked' in page
    assert 'value="" dsfr="dsfr" id="id_phone_line_answer_2" checked' in page
    assert "non commencée" in page

    response = client.post(
        url,
        all_answers(
            ppcs_for_all_answer="yes",
            phone_line_answer="yes",
            pooling_answer="",
            phone_line_evidence="Planning de la permanence 2025",
            action="save",
        ),
    )
    assert response.status_code == 302
    assessment = QualityAssessment.objects.get(dac=dac, year=2025)
    assert quality.score(assessment) == 2 and assessment.completed_at is None

    # Completing needs an answer for every item: nothing is saved when one is missing.
    response = client.post(url, all_answers(pooling_answer="", action="complete"))
    assert "Répondez par oui ou non avant de terminer." in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.completed_at is None and quality.score(assessment) == 2

    response = client.post(
        url, all_answers("yes", information_system_answer="no", action="complete")
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.completed_at is not None and quality.score(assessment) == 9
    page = client.get(url).content.decode()
    assert "9/10" in page and "terminée le" in page and "Enregistrer" not in page
    history = client.get(reverse("reporting:quality")).content.decode()
    assert "<strong>9</strong>/10" in history


def test_history_shows_each_year_of_the_dac_only(client, login, django_assert_max_num_queries):
    membership = login(Role.DIRECTOR)
    for year, yes in ((2023, 4), (2024, 7)):
        assessment = QualityAssessmentFactory(
            dac=membership.organisation, year=year, completed_at=timezone.now()
        )
        for item in quality.ITEMS[:yes]:
            QualityAnswerFactory(assessment=assessment, item=item.code, answer=True)
        QualityAnswerFactory(assessment=assessment, item=quality.ITEMS[-1].code, answer=False)
    other = QualityAssessmentFactory(year=2022)
    QualityAnswerFactory(assessment=other, answer=True)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("reporting:quality")).content.decode()
    assert "<strong>4</strong>/10" in page and "<strong>7</strong>/10" in page
    assert "2022" not in page
    assert f"Auto-évaluation {timezone.localdate().year}" in page  # the current year, to start
    assert QualityAnswer.objects.count() == 14


def test_a_future_year_is_not_found(client, login):
    login(Role.DIRECTOR)
    next_year = timezone.localdate().year + 1
    assert client.get(reverse("reporting:quality_year", args=[next_year])).status_code == 404
