"""The DAC's grids: the editor's text format (parsed, checked, written back), the admin pages
with their right, the live preview, versions and withdrawal."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from appui.care import aggir, assessments
from appui.care.models import AssessmentForm
from appui.core.enums import Role
from tests.care.test_assessments import DAC_GRID_TEXT
from tests.factories import AssessmentFactory, MembershipFactory


def test_the_text_format_gives_domains_questions_options_scores_and_needs():
    definition = assessments.parse_form_text(
        DAC_GRID_TEXT
        + """
# Vie quotidienne
? Ce que la personne fait seule.
Aide aux courses [oui/non]
? Famille, voisins, service d'aide.
Heures d'aide par semaine [Nombre]
Équilibre [A/B/C]
Remarques [texte]

= 0 à 1 : Pas de fragilité
= 2 et plus : Fragilité
"""
    )
    health, daily = definition["domains"]
    assert health["code"] == "health" and health["needs"] is True
    assert health["questions"][0] == {
        "code": "douleur",
        "label": "Douleur",
        "type": "choice",
        "help": "",
        "required": True,
        "options": [
            {"value": "aucune", "label": "Aucune", "score": 0},
            {"value": "moderee", "label": "Modérée", "score": 1},
            {"value": "intense", "label": "Intense", "score": 2},
        ],
    }
    assert daily["code"] == "vie_quotidienne" and "needs" not in daily
    assert daily["help"] == "Ce que la personne fait seule."
    assert [(q["code"], q["type"]) for q in daily["questions"]] == [
        ("aide_aux_courses", "yes_no"),
        ("heures_daide_par_semaine", "number"),
        ("equilibre", "abc"),
        ("remarques", "text"),
    ]
    assert daily["questions"][0]["help"] == "Famille, voisins, service d'aide."
    assert definition["scoring"] == {
        "method": "sum",
        "bands": [
            {"min": 0, "max": 1, "label": "Pas de fragilité"},
            {"min": 2, "max": None, "label": "Fragilité"},
        ],
    }
    # Written back, the text reads the same grid again.
    assert assessments.parse_form_text(assessments.form_text(definition)) == definition


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Douleur [choix]", "Ligne 1 : une question appartient à un domaine"),
        ("# Santé\nDouleur [liste]", "Ligne 2 : type « liste » inconnu."),
        ("# Santé\n- Aucune", "Ligne 2 : une option (« - ») suit une question de type [choix]."),
        ("# Santé\nDouleur [choix]\n- Aucune", "doit proposer au moins deux options"),
        ("# Santé\nDouleur [choix]\n- Aucune = un\n- Forte", "Ligne 3 : le score « un »"),
        ("# Loisirs\nBesoins [besoins]", "Ligne 2 : les problèmes et besoins se relèvent"),
        ("# Santé\nDouleur\n", "Ligne 2 : ligne non comprise."),
        ("# Santé\n# Santé\nA [texte]", "Ligne 2 : le domaine « Santé » existe déjà plus haut."),
        ("# Santé\nA [texte]\n= 0 à 2 : Faible", "aucune option n'a de score"),
        ("\n\n", "Écrivez au moins un domaine"),
    ],
)
def test_the_text_format_explains_each_mistake_in_french(text, message):
    with pytest.raises(ValidationError) as caught:
        assessments.parse_form_text(text)
    assert any(message in m for m in caught.value.messages), caught.value.messages


def test_the_shipped_grids_fit_the_format():
    for spec in assessments.SHIPPED.values():
        assessments.validate_definition(spec["definition"])
    assert {q["code"] for _, q in assessments.iter_questions(aggir.DEFINITION)} >= set(
        aggir.PART_OF
    )


@pytest.fixture
def director(client):
    membership = MembershipFactory(role=Role.DIRECTOR)
    client.force_login(membership.user)
    return membership


@pytest.mark.django_db
def test_grid_pages_are_for_the_director_and_the_support_physician(client):
    for role, status in ((Role.COORDINATOR, 403), (Role.ASSISTANT, 403)):
        client.force_login(MembershipFactory(role=role).user)
        assert client.get(reverse("care:grid_list")).status_code == status
        assert client.get(reverse("care:grid_create")).status_code == status
    client.force_login(MembershipFactory(role=Role.SUPPORT_PHYSICIAN).user)
    assert client.get(reverse("care:grid_list")).status_code == 200


@pytest.mark.django_db
def test_create_a_grid_from_the_text_editor(client, director):
    page = client.get(reverse("care:grid_create")).content.decode()
    assert "Comment écrire la grille" in page and 'hx-post="/grilles-d-evaluation/apercu/"' in page
    response = client.post(
        reverse("care:grid_create"),
        {
            "title": "Repérage des fragilités",
            "description": "Au premier contact.",
            "text": DAC_GRID_TEXT,
        },
        follow=True,
    )
    grid = AssessmentForm.objects.get(dac=director.organisation)
    assert (grid.title, grid.version, grid.is_active) == ("Repérage des fragilités", 1, True)
    assert grid.definition == assessments.parse_form_text(DAC_GRID_TEXT)
    text = response.content.decode()
    assert escape("Grille « Repérage des fragilités » créée : elle est proposée.") in text
    assert "Repérage des fragilités" in text and "Proposée" in text


@pytest.mark.django_db
def test_a_wrong_text_is_shown_again_with_its_mistakes(client, director):
    response = client.post(
        reverse("care:grid_create"),
        {"title": "", "description": "", "text": "# Santé\nDouleur [liste]\n"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert escape("Donnez un intitulé à la grille.") in text
    assert escape("Ligne 2 : type « liste » inconnu.") in text
    assert "Douleur [liste]" in text
    assert not AssessmentForm.objects.filter(dac=director.organisation).exists()


@pytest.mark.django_db
def test_the_live_preview_shows_the_grid_or_its_mistakes(client, director):
    url = reverse("care:grid_preview")
    text = client.post(url, {"text": DAC_GRID_TEXT}).content.decode()
    assert "Douleur" in text and "Modérée" in text
    assert "Problèmes et besoins non couverts — santé" in text
    text = client.post(url, {"text": "Douleur [choix]"}).content.decode()
    assert "À corriger" in text and "Ligne 1" in text
    client.force_login(MembershipFactory(role=Role.COORDINATOR).user)
    assert client.post(url, {"text": DAC_GRID_TEXT}).status_code == 403


@pytest.mark.django_db
def test_editing_a_grid_creates_version_2_and_lists_both(client, director):
    grid = assessments.create_form(
        director, title="Fragilités", definition=assessments.parse_form_text(DAC_GRID_TEXT)
    )
    AssessmentFactory(form=grid, status="completed")
    page = client.get(reverse("care:grid_edit", args=[grid.pk])).content.decode()
    assert "Douleur [choix] *" in page and "- Modérée = 1" in page
    assert "crée la version 2" in page
    response = client.post(
        reverse("care:grid_edit", args=[grid.pk]),
        {"title": "Fragilités", "description": "", "text": "# Santé\nÉquilibre [A/B/C] *\n"},
        follow=True,
    )
    revised = AssessmentForm.objects.get(dac=director.organisation, version=2)
    assert revised.code == grid.code and revised.is_active
    text = response.content.decode()
    assert "Version 2 de « Fragilités » enregistrée." in text
    assert reverse("care:grid_detail", args=[grid.pk]) in text  # the old version, readable
    old_page = client.get(reverse("care:grid_detail", args=[grid.pk])).content.decode()
    assert "ancienne version" in old_page and "Douleur" in old_page
    # The old version is not edited any more.
    response = client.post(
        reverse("care:grid_edit", args=[grid.pk]),
        {"title": "Fragilités", "description": "", "text": DAC_GRID_TEXT},
    )
    assert (
        "Une version plus récente de cette grille existe (version 2)" in response.content.decode()
    )


@pytest.mark.django_db
def test_withdraw_a_grid_then_propose_it_again(client, director):
    grid = assessments.create_form(
        director, title="Fragilités", definition=assessments.parse_form_text(DAC_GRID_TEXT)
    )
    client.post(reverse("care:grid_toggle", args=[grid.pk]))
    grid.refresh_from_db()
    assert not grid.is_active
    text = client.get(reverse("care:grid_list")).content.decode()
    assert "Retirée" in text and "Proposer de nouveau" in text
    client.post(reverse("care:grid_toggle", args=[grid.pk]))
    grid.refresh_from_db()
    assert grid.is_active


@pytest.mark.django_db
def test_another_dacs_grid_and_the_shipped_ones_are_not_editable(client, director):
    other = assessments.create_form(
        MembershipFactory(role=Role.DIRECTOR),
        title="Autre",
        definition=assessments.parse_form_text(DAC_GRID_TEXT),
    )
    shipped = assessments.shipped_form(assessments.AGGIR_CODE)
    for grid in (other, shipped):
        assert client.get(reverse("care:grid_edit", args=[grid.pk])).status_code == 404
        assert client.post(reverse("care:grid_toggle", args=[grid.pk])).status_code == 404
    assert client.get(reverse("care:grid_detail", args=[other.pk])).status_code == 404
    page = client.get(reverse("care:grid_detail", args=[shipped.pk])).content.decode()
    assert "fournie avec Appui" in page and "Toilette du haut du corps" in page


@pytest.mark.django_db
def test_grid_list_queries_are_bounded(client, director, django_assert_max_num_queries):
    definition = assessments.parse_form_text(DAC_GRID_TEXT)
    for n in range(3):
        assessments.create_form(director, title=f"Grille {n}", definition=definition)
    client.get(reverse("care:grid_list"))
    with django_assert_max_num_queries(10):
        client.get(reverse("care:grid_list"))
    for n in range(3, 12):
        grid = assessments.create_form(director, title=f"Grille {n}", definition=definition)
        assessments.revise_form(director, grid, title=f"Grille {n} bis", definition=definition)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("care:grid_list"))
    assert "Grille 11 bis" in response.content.decode()
