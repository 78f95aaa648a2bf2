"""Assessment services: shipped grids, start / save / complete with rights and locking, the GIR
and needs recorded, versioned grids whose old assessments stay readable."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError

from appui.care import assessments
from appui.care.enums import AssessmentStatus, FormKind
from appui.care.models import AssessmentForm, Need
from appui.core.enums import Role
from appui.core.locking import StaleEdit
from appui.core.models import Event
from tests.factories import (
    AssessmentFactory,
    AssessmentFormFactory,
    CareEpisodeFactory,
    MembershipFactory,
    PersonFactory,
)

#: An AGGIR coding worked out in tests/care/test_aggir.py: rank 9 (group F), GIR 3.
GIR3_ANSWERS = {
    "coherence": "A",
    "orientation": "A",
    "communication": "A",
    "toilette_haut": "C",
    "toilette_bas": "C",
    "habillage_haut": "C",
    "habillage_moyen": "C",
    "habillage_bas": "C",
    "alimentation_se_servir": "A",
    "alimentation_manger": "A",
    "elimination_urinaire": "A",
    "elimination_fecale": "A",
    "transferts": "B",
    "deplacement_interieur": "B",
    "deplacement_exterieur": "C",
    "menage": "C",
}

DAC_GRID_TEXT = """# Santé
Douleur [choix] *
- Aucune = 0
- Modérée = 1
- Intense = 2
Chutes récentes [oui/non]
Problèmes et besoins non couverts [besoins]
"""


def staff(role=Role.COORDINATOR, dac=None):
    return MembershipFactory(role=role, **({"organisation": dac} if dac else {}))


def episode_of(membership, **kwargs):
    person = PersonFactory(dac=membership.organisation)
    return CareEpisodeFactory(person=person, **kwargs)


def start(membership, episode, form, **fields):
    return assessments.start_assessment(
        membership,
        episode,
        form,
        assessed_on=fields.pop("assessed_on", datetime.date.today()),
        place=fields.pop("place", "home"),
        participants=fields.pop("participants", "M. Benali, son épouse"),
    )


# --- Shipped grids ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_installs_the_shipped_grids_once():
    # Run the migration's function itself (a transactional test may have emptied the table).
    migration = importlib.import_module("appui.care.migrations.0004_assessments_shipped_forms")
    AssessmentForm.objects.filter(dac__isnull=True).delete()
    migration.install(django_apps, None)
    migration.install(django_apps, None)
    aggir_grid = AssessmentForm.objects.get(dac__isnull=True, code=assessments.AGGIR_CODE)
    multi = AssessmentForm.objects.get(dac__isnull=True, code=assessments.MULTIDIMENSIONAL_CODE)
    assert aggir_grid.kind == FormKind.AGGIR and aggir_grid.version == 1
    assert multi.kind == FormKind.MULTIDIMENSIONAL
    labels = [d["label"] for d in multi.definition["domains"]]
    assert labels == [
        "Santé",
        "Autonomie",
        "Cognition",
        "Psychologique",
        "Entourage et aidant",
        "Logement et environnement",
        "Ressources et droits",
        "Vie sociale",
    ]
    assert all(d["needs"] for d in multi.definition["domains"])
    assessments.install_shipped_forms()
    assert AssessmentForm.objects.filter(dac__isnull=True).count() == 2
    assert assessments.shipped_form(assessments.AGGIR_CODE) == aggir_grid


@pytest.mark.django_db
def test_a_changed_shipped_grid_becomes_a_new_version(monkeypatch):
    old = assessments.shipped_form(assessments.AGGIR_CODE)
    changed = {**assessments.SHIPPED[assessments.AGGIR_CODE], "title": "Grille AGGIR (2026)"}
    monkeypatch.setitem(assessments.SHIPPED, assessments.AGGIR_CODE, changed)
    assessments.install_shipped_forms()
    new = assessments.shipped_form(assessments.AGGIR_CODE)
    assert new.version == 2 and new.title == "Grille AGGIR (2026)" and new.is_active
    old.refresh_from_db()
    assert not old.is_active


@pytest.mark.django_db
def test_available_forms_are_the_latest_proposed_versions_of_shipped_and_own_grids():
    membership = staff()
    dac = membership.organisation
    own_v1 = AssessmentFormFactory(dac=dac, code="fragilite", version=1, is_active=False)
    own_v2 = AssessmentFormFactory(dac=dac, code="fragilite", version=2)
    AssessmentFormFactory(dac=dac, code="retiree", is_active=False)
    AssessmentFormFactory(dac=staff().organisation, code="autre-dac")
    codes = [(f.code, f.version) for f in assessments.available_forms(dac)]
    assert codes == [
        (assessments.MULTIDIMENSIONAL_CODE, 1),
        (assessments.AGGIR_CODE, 1),
        ("fragilite", 2),
    ]
    assert own_v1.pk not in [f.pk for f in assessments.available_forms(dac)]
    assert own_v2.pk in [f.pk for f in assessments.available_forms(dac)]


# --- Start, save, complete -------------------------------------------------------------------


@pytest.mark.django_db
def test_start_opens_a_draft_and_records_it_on_the_episode():
    membership = staff()
    episode = episode_of(membership)
    grid = assessments.shipped_form(assessments.AGGIR_CODE)
    assessment = start(membership, episode, grid)
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.author == membership.user and assessment.form == grid
    assert assessment.participants == "M. Benali, son épouse"
    event = Event.objects.get(subject_type="care.careepisode", verb="assessment_started")
    assert event.subject_id == str(episode.pk) and event.data["form"] == "aggir"
    assert event.verb_label == "Évaluation commencée"


@pytest.mark.django_db
def test_start_is_refused_to_an_assistant_and_outside_the_dac():
    assistant = staff(Role.ASSISTANT)
    grid = assessments.shipped_form(assessments.AGGIR_CODE)
    with pytest.raises(PermissionDenied):
        start(assistant, episode_of(assistant), grid)
    coordinator = staff()
    with pytest.raises(PermissionDenied):
        start(coordinator, episode_of(staff()), grid)


@pytest.mark.django_db
def test_start_refuses_a_closed_episode_a_future_date_and_a_grid_not_proposed():
    membership = staff()
    episode = episode_of(membership)
    grid = assessments.shipped_form(assessments.AGGIR_CODE)
    with pytest.raises(ValidationError) as caught:
        start(membership, episode, grid, assessed_on=datetime.date.today() + datetime.timedelta(1))
    assert caught.value.message_dict["assessed_on"] == [
        "La date de l'évaluation ne peut pas être dans le futur."
    ]
    other_dac_grid = AssessmentFormFactory(dac=staff().organisation)
    with pytest.raises(ValidationError, match="pas proposée"):
        start(membership, episode, other_dac_grid)
    old = AssessmentFormFactory(dac=membership.organisation, code="g", version=1)
    AssessmentFormFactory(dac=membership.organisation, code="g", version=2)
    with pytest.raises(ValidationError, match="pas proposée"):
        start(membership, episode, old)
    closed = episode_of(membership, status="closed")
    with pytest.raises(ValidationError, match="clôturé"):
        start(membership, closed, grid)
    assert not episode.assessments.exists() and not closed.assessments.exists()


@pytest.mark.django_db
def test_save_keeps_clean_answers_and_needs_and_refuses_wrong_ones_whole():
    membership = staff()
    assessment = start(
        membership,
        episode_of(membership),
        assessments.shipped_form(assessments.MULTIDIMENSIONAL_CODE),
    )
    assessments.save_assessment(
        membership,
        assessment,
        {"falls": "yes", "medicines": "7", "pain": "persistent", "pathologies": "  BPCO  "},
        expected_version=1,
        needs=[{"domain": "health", "description": "Douleurs mal soulagées"}],
        summary="Situation fragile.",
    )
    assessment.refresh_from_db()
    assert assessment.answers == {
        "falls": "yes",
        "medicines": 7,
        "pain": "persistent",
        "pathologies": "BPCO",
        "_needs": [{"domain": "health", "description": "Douleurs mal soulagées"}],
    }
    assert assessment.summary == "Situation fragile." and assessment.lock_version == 2
    with pytest.raises(ValidationError) as caught:
        assessments.save_assessment(
            membership,
            assessment,
            {"falls": "peut-être", "medicines": "beaucoup", "hospitalisations": "-1"},
            expected_version=2,
            summary="Écrasé ?",
        )
    assert caught.value.message_dict == {
        "falls": ["Répondez par oui ou par non."],
        "medicines": ["Saisissez un nombre."],
        "hospitalisations": ["Le nombre doit être au moins 0."],
    }
    assessment.refresh_from_db()
    assert assessment.summary == "Situation fragile." and assessment.answers["falls"] == "yes"


@pytest.mark.django_db
def test_a_stale_save_is_refused_and_overwrites_nothing():
    membership, other = staff(), None
    other = staff(dac=membership.organisation)
    assessment = start(
        membership, episode_of(membership), assessments.shipped_form(assessments.AGGIR_CODE)
    )
    first = type(assessment).objects.get(pk=assessment.pk)
    second = type(assessment).objects.get(pk=assessment.pk)
    assessments.save_assessment(membership, first, {"coherence": "B"}, expected_version=1)
    with pytest.raises(StaleEdit):
        assessments.save_assessment(other, second, {"coherence": "C"}, expected_version=1)
    assessment.refresh_from_db()
    assert assessment.answers == {"coherence": "B"} and assessment.lock_version == 2


@pytest.mark.django_db
def test_completing_aggir_needs_every_discriminant_variable():
    membership = staff()
    assessment = start(
        membership, episode_of(membership), assessments.shipped_form(assessments.AGGIR_CODE)
    )
    partial = {k: v for k, v in GIR3_ANSWERS.items() if k not in ("toilette_bas", "transferts")}
    with pytest.raises(ValidationError) as caught:
        assessments.complete_assessment(membership, assessment, expected_version=1, answers=partial)
    assert set(caught.value.message_dict) == {"toilette_bas", "transferts"}
    assert "calcul du GIR" in caught.value.message_dict["transferts"][0]
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT and assessment.gir is None


@pytest.mark.django_db
def test_completing_aggir_stores_the_gir_with_rank_and_sums():
    membership = staff()
    episode = episode_of(membership)
    assessment = start(membership, episode, assessments.shipped_form(assessments.AGGIR_CODE))
    assessments.save_assessment(membership, assessment, GIR3_ANSWERS, expected_version=1)
    done = assessments.complete_assessment(membership, assessment, expected_version=2)
    done.refresh_from_db()
    assert done.status == AssessmentStatus.COMPLETED and done.completed_at is not None
    assert done.gir == 3
    assert done.result["rank"] == 9 and done.result["group"] == "F"
    assert done.result["sums"] == {"A": 232, "B": 160, "C": 320, "D": 200, "E": 900, "F": 1100}
    assert done.result["variables"]["toilette"] == "C"
    assert done.answers["menage"] == "C"  # illustrative: kept, not scored
    event = Event.objects.get(subject_id=str(episode.pk), verb="assessment_completed")
    assert event.data == {
        "assessment": done.pk,
        "form": "aggir",
        "gir": 3,
        "needs": 0,
    }
    assert event.verb_label == "Évaluation terminée"
    assert assessments.result_label(done) == "GIR 3"
    with pytest.raises(ValidationError, match="terminée"):
        assessments.save_assessment(membership, done, {"coherence": "C"}, expected_version=3)


@pytest.mark.django_db
def test_completing_the_multidimensional_grid_records_the_needs_for_the_ppcs():
    membership = staff()
    episode = episode_of(membership)
    assessment = start(
        membership, episode, assessments.shipped_form(assessments.MULTIDIMENSIONAL_CODE)
    )
    done = assessments.complete_assessment(
        membership,
        assessment,
        expected_version=1,
        answers={"carer_exhaustion": "yes", "apa": "to_apply"},
        needs=[
            ("carers", "Épouse épuisée, pas de relais"),
            ("rights", "APA non demandée"),
            ("carers", "Pas d'accueil de jour identifié"),
            ("health", "   "),
        ],
    )
    needs = list(Need.objects.filter(assessment=done).order_by("domain", "position"))
    assert [(n.domain, n.position, n.description) for n in needs] == [
        ("carers", 0, "Épouse épuisée, pas de relais"),
        ("carers", 1, "Pas d'accueil de jour identifié"),
        ("rights", 0, "APA non demandée"),
    ]
    assert all(n.episode_id == episode.pk for n in needs)
    assert done.gir is None and done.answers == {"carer_exhaustion": "yes", "apa": "to_apply"}
    event = Event.objects.get(subject_id=str(episode.pk), verb="assessment_completed")
    assert event.data["needs"] == 3


@pytest.mark.django_db
def test_needs_outside_the_grid_domains_and_empty_assessments_are_refused():
    membership = staff()
    assessment = start(
        membership, episode_of(membership), assessments.shipped_form(assessments.AGGIR_CODE)
    )
    with pytest.raises(ValidationError):
        assessments.save_assessment(
            membership, assessment, {}, expected_version=1, needs=[("health", "Douleur")]
        )
    grid = AssessmentFormFactory(dac=membership.organisation)
    empty = start(membership, episode_of(membership), grid)
    with pytest.raises(ValidationError, match="au moins une réponse"):
        assessments.complete_assessment(membership, empty, expected_version=1)
    assert not Need.objects.exists()


@pytest.mark.django_db
def test_latest_assessment_on_reads_completed_assessments_only():
    episode = CareEpisodeFactory()
    assert assessments.latest_assessment_on(episode) is None
    AssessmentFactory(episode=episode, status="completed", assessed_on=datetime.date(2025, 3, 1))
    AssessmentFactory(episode=episode, status="completed", assessed_on=datetime.date(2025, 9, 1))
    AssessmentFactory(episode=episode, status="draft", assessed_on=datetime.date(2025, 12, 1))
    assert assessments.latest_assessment_on(episode) == datetime.date(2025, 9, 1)


# --- The DAC's grids, versioned --------------------------------------------------------------


@pytest.mark.django_db
def test_editing_a_grid_makes_a_version_and_old_assessments_read_as_filled():
    director = staff(Role.DIRECTOR)
    coordinator = staff(dac=director.organisation)
    grid = assessments.create_form(
        director,
        title="Repérage des fragilités",
        description="",
        definition=assessments.parse_form_text(DAC_GRID_TEXT),
    )
    assert (grid.code, grid.version, grid.kind) == ("reperage-des-fragilites", 1, "other")
    episode = episode_of(coordinator)
    old = start(coordinator, episode, grid)
    assessments.complete_assessment(
        coordinator,
        old,
        expected_version=1,
        answers={"douleur": "moderee", "chutes_recentes": "yes"},
    )

    revised = assessments.revise_form(
        director,
        grid,
        title="Repérage des fragilités",
        definition=assessments.parse_form_text(
            "# Santé\nDouleur ressentie [choix] *\n- Non\n- Oui\nPoids [nombre]\n"
        ),
    )
    assert (revised.code, revised.version) == (grid.code, 2)
    grid.refresh_from_db()
    assert not grid.is_active and revised.is_active
    assert [f.pk for f in assessments.available_forms(director.organisation) if f.dac_id] == [
        revised.pk
    ]

    old.refresh_from_db()
    assert old.form_id == grid.pk
    rows = assessments.readable(old.form.definition, old.answers, old.needs.all())[0]["rows"]
    assert [(r["question"]["label"], r["answer"]) for r in rows] == [
        ("Douleur", "Modérée"),
        ("Chutes récentes", "Oui"),
    ]
    assert assessments.result_label(old) == "Score 1"
    with pytest.raises(ValidationError, match="version plus récente"):
        assessments.revise_form(director, grid, title="X", definition=revised.definition)


@pytest.mark.django_db
def test_only_the_director_and_support_physician_of_the_dac_edit_its_grids():
    director = staff(Role.DIRECTOR)
    definition = assessments.parse_form_text(DAC_GRID_TEXT)
    with pytest.raises(PermissionDenied):
        assessments.create_form(staff(Role.COORDINATOR), title="Grille", definition=definition)
    physician = staff(Role.SUPPORT_PHYSICIAN, dac=director.organisation)
    grid = assessments.create_form(physician, title="Grille", definition=definition)
    with pytest.raises(PermissionDenied):
        assessments.revise_form(staff(Role.DIRECTOR), grid, title="Autre", definition=definition)
    with pytest.raises(PermissionDenied):
        assessments.set_form_active(
            director, assessments.shipped_form(assessments.AGGIR_CODE), False
        )
    with pytest.raises(ValidationError, match="Aucune modification"):
        assessments.revise_form(director, grid, title="Grille", definition=definition)


@pytest.mark.django_db
def test_a_withdrawn_grid_is_no_longer_proposed_then_comes_back():
    director = staff(Role.DIRECTOR)
    grid = assessments.create_form(
        director, title="Grille", definition=assessments.parse_form_text(DAC_GRID_TEXT)
    )
    assessments.set_form_active(director, grid, False)
    assert grid.pk not in [f.pk for f in assessments.available_forms(director.organisation)]
    assert Event.objects.filter(verb="assessment_form_deactivated", subject_id=str(grid.pk))
    assessments.set_form_active(director, grid, True)
    assert grid.pk in [f.pk for f in assessments.available_forms(director.organisation)]


@pytest.mark.django_db
def test_a_grid_needs_a_title_and_a_valid_definition():
    director = staff(Role.DIRECTOR)
    with pytest.raises(ValidationError) as caught:
        assessments.create_form(director, title=" ", definition={"domains": []})
    assert caught.value.message_dict["title"] == ["Donnez un intitulé à la grille."]
    assert caught.value.message_dict["definition"] == [
        "La grille doit compter au moins un domaine."
    ]
    assert not AssessmentForm.objects.filter(dac=director.organisation).exists()
