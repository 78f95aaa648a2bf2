"""Assessment pages: the episode's tab, starting, filling in (draft, completion, concurrent edits),
reading a result, the episode page's block — and bounded queries."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from appui.care import assessments
from appui.care.models import Assessment, Need
from appui.core.enums import Role
from appui.core.locking import STALE_MESSAGE
from tests.care.test_assessments import DAC_GRID_TEXT, GIR3_ANSWERS
from tests.factories import (
    AssessmentFactory,
    CareEpisodeFactory,
    ComplexityScreeningFactory,
    MembershipFactory,
    NeedFactory,
    PersonFactory,
    SupportRequestFactory,
    UserFactory,
)


@pytest.fixture
def coordinator(client):
    membership = MembershipFactory(
        role=Role.COORDINATOR, user__first_name="Inès", user__last_name="Lambert"
    )
    client.force_login(membership.user)
    return membership


@pytest.fixture
def episode(coordinator):
    person = PersonFactory(dac=coordinator.organisation, birth_name="Benali", first_name="Ahmed")
    request = SupportRequestFactory(dac=coordinator.organisation, person=person)
    return CareEpisodeFactory(person=person, request=request)


def fill_data(assessment, action="save", **answers):
    data = {
        "assessed_on": assessment.assessed_on.isoformat(),
        "place": assessment.place,
        "participants": assessment.participants,
        "summary": assessment.summary,
        "lock_version": str(assessment.lock_version),
        "action": action,
    }
    data.update({f"q_{code}": value for code, value in answers.items()})
    return data


def edit_url(assessment):
    return reverse("care:assessment_edit", args=[assessment.episode_id, assessment.pk])


def detail_url(assessment):
    return reverse("care:assessment_detail", args=[assessment.episode_id, assessment.pk])


def many_assessments(episode, count):
    aggir_grid = assessments.shipped_form(assessments.AGGIR_CODE)
    multi = assessments.shipped_form(assessments.MULTIDIMENSIONAL_CODE)
    for n in range(count):
        if n % 2:
            AssessmentFactory(episode=episode, form=aggir_grid, status="completed", gir=3)
        else:
            done = AssessmentFactory(episode=episode, form=multi, status="completed")
            NeedFactory(episode=episode, assessment=done, domain="carers")
        ComplexityScreeningFactory(request=episode.request)


@pytest.mark.django_db
def test_the_tab_lists_assessments_starts_and_screenings(client, coordinator, episode):
    aggir_grid = assessments.shipped_form(assessments.AGGIR_CODE)
    multi = assessments.shipped_form(assessments.MULTIDIMENSIONAL_CODE)
    author = UserFactory(first_name="Paul", last_name="Martin")
    AssessmentFactory(
        episode=episode,
        form=aggir_grid,
        status="completed",
        gir=3,
        author=author,
        assessed_on=datetime.date(2026, 1, 12),
    )
    done = AssessmentFactory(
        episode=episode, form=multi, status="completed", place="office", author=author
    )
    NeedFactory.create_batch(2, episode=episode, assessment=done)
    AssessmentFactory(episode=episode, form=multi, author=author)
    own = assessments.create_form(
        MembershipFactory(role=Role.DIRECTOR, organisation=coordinator.organisation),
        title="Questionnaire aux aidants",
        definition=assessments.parse_form_text(DAC_GRID_TEXT),
    )
    ComplexityScreeningFactory(
        request=episode.request,
        criteria=["carer_exhausted"],
        is_positive=True,
        suggested_level="short_term",
    )

    response = client.get(reverse("care:assessment_list", args=[episode.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "3 évaluations" in text
    assert "12/01/2026" in text and "GIR 3" in text
    assert "Dans les locaux du DAC" in text and "2 problèmes ou besoins" in text
    assert "En cours de saisie" in text and "Paul Martin" in text
    for grid in (aggir_grid, multi, own):
        assert reverse("care:assessment_start", args=[episode.pk, grid.pk]) in text
    assert "Repérage du" in text and "situation complexe" in text
    assert "Aidant·e épuisé·e ou absent·e" in text
    assert reverse("intake:request_detail", args=[episode.request.pk]) in text
    assert reverse("care:grid_list") not in text  # a coordinator does not manage grids


@pytest.mark.django_db
def test_the_tab_shows_no_start_to_an_assistant_and_the_grids_to_a_director(client, episode):
    assistant = MembershipFactory(role=Role.ASSISTANT, organisation=episode.dac)
    client.force_login(assistant.user)
    text = client.get(reverse("care:assessment_list", args=[episode.pk])).content.decode()
    assert "Commencer une évaluation" not in text
    director = MembershipFactory(role=Role.DIRECTOR, organisation=episode.dac)
    client.force_login(director.user)
    text = client.get(reverse("care:assessment_list", args=[episode.pk])).content.decode()
    assert reverse("care:grid_list") in text and "Commencer une évaluation" in text


@pytest.mark.django_db
def test_another_dacs_episode_is_out_of_reach(client, coordinator):
    other = CareEpisodeFactory()
    assert client.get(reverse("care:assessment_list", args=[other.pk])).status_code == 404
    grid = assessments.shipped_form(assessments.AGGIR_CODE)
    url = reverse("care:assessment_start", args=[other.pk, grid.pk])
    assert client.post(url, {"assessed_on": "2026-01-01", "place": "home"}).status_code == 404
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_assessments(
    client, coordinator, episode, django_assert_max_num_queries
):
    url = reverse("care:assessment_list", args=[episode.pk])
    many_assessments(episode, 3)
    client.get(url)  # warm the shipped grids
    with django_assert_max_num_queries(18 + 1 + 1):  # + the reader's access, the header's bell
        client.get(url)
    many_assessments(episode, 12)
    with django_assert_max_num_queries(18 + 1 + 1):  # + the reader's access, the header's bell
        response = client.get(url)
    assert "15 évaluations" in response.content.decode()


@pytest.mark.django_db
def test_start_then_save_a_draft_then_complete_aggir(client, coordinator, episode):
    grid = assessments.shipped_form(assessments.AGGIR_CODE)
    response = client.post(
        reverse("care:assessment_start", args=[episode.pk, grid.pk]),
        {
            "assessed_on": datetime.date.today().isoformat(),
            "place": "home",
            "participants": "M. Benali et son épouse",
        },
    )
    assessment = Assessment.objects.get(episode=episode)
    assert response.url == edit_url(assessment)
    page = client.get(edit_url(assessment)).content.decode()
    assert "Toilette du haut du corps" in page and "(obligatoire pour terminer)" in page

    half = {k: v for k, v in GIR3_ANSWERS.items() if k != "transferts"}
    response = client.post(edit_url(assessment), fill_data(assessment, **half))
    assert response.status_code == 302 and response.url == edit_url(assessment)
    assessment.refresh_from_db()
    assert assessment.answers["toilette_haut"] == "C" and assessment.lock_version == 2

    response = client.post(edit_url(assessment), fill_data(assessment, "complete", **half))
    assert response.status_code == 200
    assert "elle entre dans le calcul du GIR" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "draft"

    response = client.post(
        edit_url(assessment), fill_data(assessment, "complete", **GIR3_ANSWERS), follow=True
    )
    assessment.refresh_from_db()
    assert assessment.status == "completed" and assessment.gir == 3
    text = response.content.decode()
    assert "Évaluation terminée : GIR 3." in text
    assert "GIR 3" in text and "Groupe F : somme 1100 ≥ 800 → rang 9." in text
    assert "Rang 9 → GIR 3." in text
    # A completed assessment is read, no longer edited.
    assert client.get(edit_url(assessment)).url == detail_url(assessment)


@pytest.mark.django_db
def test_the_multidimensional_grid_records_needs_typed_one_per_line(client, coordinator, episode):
    grid = assessments.shipped_form(assessments.MULTIDIMENSIONAL_CODE)
    assessment = assessments.start_assessment(
        coordinator, episode, grid, assessed_on=datetime.date.today(), place="home"
    )
    data = fill_data(assessment, "complete", carer_exhaustion="yes", medicines="12")
    data["needs_carers"] = "Épouse épuisée\n\nPas de relais le week-end\n"
    data["needs_rights"] = "APA à demander"
    response = client.post(edit_url(assessment), data, follow=True)
    text = response.content.decode()
    assert "3 problèmes ou besoins non couverts relevés." in text
    assert "Épouse épuisée" in text and "Pas de relais le week-end" in text
    assert list(
        Need.objects.filter(assessment=assessment).values_list("domain", "description")
    ) == [
        ("carers", "Épouse épuisée"),
        ("carers", "Pas de relais le week-end"),
        ("rights", "APA à demander"),
    ]


@pytest.mark.django_db
def test_a_concurrent_save_is_refused_and_keeps_the_typed_answers(coordinator, episode):
    colleague = MembershipFactory(role=Role.CASE_MANAGER, organisation=episode.dac)
    first, second = Client(), Client()
    first.force_login(coordinator.user)
    second.force_login(colleague.user)
    grid = assessments.shipped_form(assessments.MULTIDIMENSIONAL_CODE)
    assessment = assessments.start_assessment(
        coordinator, episode, grid, assessed_on=datetime.date.today(), place="home"
    )
    # Both open the draft (version 1), the first saves, then the second.
    assert first.get(edit_url(assessment)).status_code == 200
    assert second.get(edit_url(assessment)).status_code == 200
    first.post(
        edit_url(assessment), fill_data(assessment, pathologies="BPCO, insuffisance cardiaque")
    )
    data = fill_data(assessment, pathologies="Diabète de type 2", falls="yes")
    data["needs_health"] = "Chutes à répétition"
    response = second.post(edit_url(assessment), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert escape(STALE_MESSAGE) in text
    assert "Diabète de type 2" in text and "Chutes à répétition" in text
    assessment.refresh_from_db()
    assert assessment.answers == {"pathologies": "BPCO, insuffisance cardiaque"}
    assert assessment.lock_version == 2


@pytest.mark.django_db
def test_detail_reads_answers_and_its_queries_are_bounded(
    client, coordinator, episode, django_assert_max_num_queries
):
    grid = assessments.shipped_form(assessments.MULTIDIMENSIONAL_CODE)
    assessment = AssessmentFactory(
        episode=episode,
        form=grid,
        status="completed",
        answers={"falls": "yes", "pain": "persistent", "medicines": 9.5},
        summary="Maintien à domicile fragile.",
    )
    NeedFactory.create_batch(8, episode=episode, assessment=assessment, domain="health")
    # 12, + the header's notification bell + the reader's access (core.sharing).
    with django_assert_max_num_queries(12 + 1 + 3):
        response = client.get(detail_url(assessment))
    text = response.content.decode()
    assert "Chutes dans les six derniers mois" in text and "Oui" in text
    assert "Douleur persistante ou mal soulagée" in text and "9,5" in text
    assert "Maintien à domicile fragile." in text
    assert "8 problèmes ou besoins non couverts, à reprendre dans le PPCS." in text
    assert "Non renseigné" in text


@pytest.mark.django_db
def test_an_old_assessment_reads_with_its_grid_version_after_an_edit(client, coordinator, episode):
    director = MembershipFactory(role=Role.DIRECTOR, organisation=coordinator.organisation)
    grid = assessments.create_form(
        director, title="Fragilités", definition=assessments.parse_form_text(DAC_GRID_TEXT)
    )
    old = assessments.start_assessment(
        coordinator, episode, grid, assessed_on=datetime.date.today(), place="phone"
    )
    client.post(edit_url(old), fill_data(old, "complete", douleur="intense", chutes_recentes="no"))
    assessments.revise_form(
        director,
        grid,
        title="Fragilités",
        definition=assessments.parse_form_text("# Santé\nÉquilibre [A/B/C]\n"),
    )
    text = client.get(detail_url(old)).content.decode()
    assert "Douleur" in text and "Intense" in text and "Chutes récentes" in text
    assert "Équilibre" not in text and "version 1" in text and "Score : 2" in text


@pytest.mark.django_db
def test_the_episode_page_shows_the_latest_assessment_of_each_grid(client, coordinator, episode):
    aggir_grid = assessments.shipped_form(assessments.AGGIR_CODE)
    AssessmentFactory(
        episode=episode,
        form=aggir_grid,
        status="completed",
        gir=4,
        assessed_on=datetime.date(2025, 5, 2),
    )
    latest = AssessmentFactory(
        episode=episode,
        form=aggir_grid,
        status="completed",
        gir=3,
        assessed_on=datetime.date(2026, 2, 3),
    )
    AssessmentFactory(episode=episode, form=aggir_grid)
    text = client.get(reverse("care:episode_detail", args=[episode.pk])).content.decode()
    assert "Grille AGGIR</a> du 03/02/2026 — <strong>GIR 3</strong>" in text
    assert "GIR 4" not in text and detail_url(latest) in text
    assert "1 évaluation en cours de saisie." in text
    assert reverse("care:assessment_list", args=[episode.pk]) in text
