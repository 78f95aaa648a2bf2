"""The PPCS pages: the tab, editing a draft (plain forms and htmx), optimistic locking seen from two
browsers, the médecin traitant's validation, action follow-up, comparison, the episode block, and
bounded queries on a large plan."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from appui.care import plans
from appui.care.models import Action, CarePlanVersion
from appui.core.enums import Role
from appui.core.locking import STALE_MESSAGE
from appui.core.models import Event
from tests.care.test_plans import TODAY, activate, assessment_needs, build_plan, make_setting
from tests.factories import (
    CarerFactory,
    MeetingSituationFactory,
    MembershipFactory,
    ServiceFactory,
)

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0), tick=False)
    return TODAY


def url(name, version, *args):
    return reverse(f"care:{name}", args=[version.plan.episode_id, version.number, *args])


def text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_tab_without_plan_offers_to_start_it(client, today):
    s = make_setting()
    assessment_needs(s.episode, "Chutes répétées")
    MeetingSituationFactory(
        episode=s.episode, meeting__dac=s.dac, decisions="Mettre en place un accueil de jour."
    )
    client.force_login(s.coordinator.user)
    response = client.get(reverse("care:plan_detail", args=[s.episode.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "Chutes répétées" in page
    assert "Mettre en place un accueil de jour." in page
    response = client.post(reverse("care:plan_start", args=[s.episode.pk]), follow=True)
    version = CarePlanVersion.objects.get()
    assert response.redirect_chain[-1][0] == url("plan_version", version)
    page = text(response)
    assert "Version 1 du PPCS commencée." in page
    for heading in (
        "1. La personne et ses intervenants",
        "2. Synthèse de la situation",
        "3. Objectifs et actions : qui fait quoi et quand",
        "4. Difficultés",
        "5. Révision",
        "6. Validation et accord",
        "7. Contacts utiles",
    ):
        assert heading in page
    assert "Chutes répétées" in page
    assert "Dr Claire Morel — 03 27 11 22 33" in page
    assert "Inès Lambert — 06 12 34 56 78" in page


@pytest.mark.django_db
def test_two_editors_of_one_draft_the_second_is_refused_and_keeps_their_text(today):
    s = make_setting()
    version = plans.start_plan_version(s.coordinator, s.episode)
    colleague = MembershipFactory(organisation=s.dac, role=Role.CASE_MANAGER)
    first, second = Client(), Client()
    first.force_login(s.coordinator.user)
    second.force_login(colleague.user)
    form_url = url("plan_synthesis", version)
    # Both open the form on the same version.
    for browser in (first, second):
        assert 'name="lock_version" value="1"' in text(browser.get(form_url))
    saved = first.post(
        form_url, {"lock_version": 1, "situation": "Rédigé par Inès.", "review_on": ""}
    )
    assert saved.status_code == 302
    refused = second.post(
        form_url,
        {
            "lock_version": 1,
            "situation": "Rédigé par sa collègue, à ne pas perdre.",
            "review_on": "",
        },
    )
    assert refused.status_code == 200
    page = text(refused)
    assert STALE_MESSAGE.replace("'", "&#x27;") in page
    assert "Rédigé par sa collègue, à ne pas perdre." in page  # the typed input stays on screen
    version.refresh_from_db()
    assert version.situation == "Rédigé par Inès."
    assert version.lock_version == 2
    # Under htmx, the refusal comes back as the form alone, in place.
    refused = second.post(
        form_url, {"lock_version": 1, "situation": "Encore elle.", "review_on": ""}, **HX
    )
    assert refused.status_code == 200
    assert "<html" not in text(refused) and "Encore elle." in text(refused)


@pytest.mark.django_db
def test_building_a_draft_through_the_forms(client, today):
    s = make_setting()
    wife = CarerFactory(
        person=s.person, first_name="Fatima", last_name="Benali", relationship="spouse"
    )
    ServiceFactory(name="Accueil de jour Les Tilleuls", organisation__name="EHPAD Les Tilleuls")
    version = plans.start_plan_version(s.coordinator, s.episode)
    client.force_login(s.coordinator.user)
    response = client.post(
        url("plan_need_add", version),
        {"lock_version": 1, "domain": "carers", "description": "Épouse épuisée"},
        **HX,
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(url("plan_version", version))
    response = client.post(
        url("plan_goal_add", version),
        {"lock_version": 2, "title": "Soulager l'aidante", "needs": [version.needs.get().pk]},
    )
    assert response.status_code == 302
    goal = version.goals.get()
    assert list(goal.needs.values_list("description", flat=True)) == ["Épouse épuisée"]
    # The htmx search fills the "who" list with directory hits, the first one chosen.
    response = client.get(
        url("plan_responsibles", version), {"responsible_q": "accueil de jour"}, **HX
    )
    page = text(response)
    assert "Accueil de jour Les Tilleuls — EHPAD Les Tilleuls" in page
    assert "Fatima BENALI — Conjoint·e" in page
    # Without JavaScript, "Rechercher" redraws the form with the hits and the input kept.
    add_url = url("plan_action_add", version) + f"?objectif={goal.pk}"
    response = client.post(
        add_url,
        {
            "lock_version": 3,
            "description": "Deux jours par semaine",
            "responsible_q": "tilleuls",
            "search": "1",
            "goal": goal.pk,
            "kind": "support",
        },
    )
    page = text(response)
    assert "Deux jours par semaine" in page and "Accueil de jour Les Tilleuls" in page
    # Missing "when": the error sits next to the field, nothing is saved.
    data = {
        "lock_version": 3,
        "goal": goal.pk,
        "kind": "support",
        "description": "Accueil de jour deux jours par semaine",
        "responsible": f"carer:{wife.pk}",
        "responsible_label": "",
        "responsible_q": "",
        "starts_on": "",
        "due_on": "",
        "periodicity": "",
    }
    response = client.post(add_url, data)
    assert response.status_code == 200
    assert "Indiquez quand : une date de début, une échéance ou une périodicité." in text(response)
    assert not Action.objects.exists()
    data["periodicity"] = "mardi et jeudi"
    assert client.post(add_url, data).status_code == 302
    action = Action.objects.get()
    assert action.responsible_carer == wife and action.periodicity == "mardi et jeudi"
    page = text(client.get(url("plan_version", version)))
    assert "Fatima BENALI" in page and "mardi et jeudi" in page


@pytest.mark.django_db
def test_gp_sees_the_submitted_version_and_validates_it(client, today):
    s = make_setting()
    version = build_plan(s, goals=1, actions_per_goal=1)
    client.force_login(s.gp_membership.user)
    # A draft is the DAC's work in progress.
    assert client.get(url("plan_version", version)).status_code == 404
    assert "Valider le PPCS" not in text(
        client.get(reverse("care:plan_detail", args=[s.episode.pk]))
    )
    plans.submit_plan_version(s.coordinator, version)
    page = text(client.get(reverse("care:plan_detail", args=[s.episode.pk])))
    assert "Soumis au médecin traitant" in page and "Valider le PPCS" in page
    assert "Commencer une nouvelle version" not in page
    response = client.post(url("plan_validate", version), {"comment": "Parfait."}, follow=True)
    assert "Validation du PPCS par le médecin traitant enregistrée." in text(response)
    version.refresh_from_db()
    assert version.status == "validated" and version.gp_validation_channel == "in_app"
    assert version.gp_comment == "Parfait."
    # Another partner does not reach this person at all.
    other = MembershipFactory(role=Role.PARTNER)
    client.force_login(other.user)
    assert client.get(reverse("care:plan_detail", args=[s.episode.pk])).status_code == 404


@pytest.mark.django_db
def test_staff_record_validation_and_agreement_through_the_forms(client, today):
    s = make_setting()
    CarerFactory(
        person=s.person, first_name="Fatima", last_name="Benali", is_legal_representative=True
    )
    version = build_plan(s, goals=1, actions_per_goal=1)
    plans.submit_plan_version(s.coordinator, version)
    client.force_login(s.coordinator.user)
    page = text(client.get(url("plan_version", version)))
    assert "Enregistrer la validation du médecin traitant" in page
    response = client.post(
        url("plan_validate", version), {"validated_on": "2026-03-05", "channel": "phone"}
    )
    assert "La date ne peut pas être dans le futur." in text(response)
    response = client.post(
        url("plan_validate", version), {"validated_on": "2026-03-02", "channel": "phone"}
    )
    assert response.status_code == 302
    form = text(client.get(url("plan_agreement", version)))
    assert "représentant·e légal·e" in form
    carer_value = form.split('value="carer:')[1].split('"')[0]
    response = client.post(
        url("plan_agreement", version),
        {"agreed_on": "2026-03-02", "how": "home_visit", "by": f"carer:{carer_value}"},
        follow=True,
    )
    assert "Accord de la personne enregistré." in text(response)
    version.refresh_from_db()
    assert version.status == "active"
    assert version.person_agreement_by.startswith("Fatima BENALI")
    assert "En vigueur" in text(response)


@pytest.mark.django_db
def test_action_status_update_asks_why_when_not_done(client, today):
    s = make_setting()
    version = activate(s, build_plan(s, goals=1, actions_per_goal=1))
    action = version.actions.get()
    client.force_login(s.coordinator.user)
    page = text(client.get(url("plan_version", version)))
    assert "Mettre à jour" in page
    status_url = url("plan_action_status", version, action.pk)
    response = client.post(status_url, {"status": "not_done", "reason": ""}, **HX)
    assert response.status_code == 200
    assert "Indiquez pourquoi l&#x27;action n&#x27;a pas été réalisée." in text(response)
    response = client.post(
        status_url, {"status": "not_done", "reason": "Refus de la personne."}, follow=True
    )
    page = text(response)
    assert "Non réalisée" in page and "Refus de la personne." in page
    assert Event.objects.filter(verb="plan_action_status_changed").count() == 1


@pytest.mark.django_db
def test_goal_marked_not_achieved_on_the_plan_in_force(client, today):
    s = make_setting()
    version = activate(s, build_plan(s, goals=1, actions_per_goal=1))
    goal = version.goals.get()
    client.force_login(s.coordinator.user)
    assert "Atteint ou non ?" in text(client.get(url("plan_version", version)))
    status_url = url("plan_goal_status", version, goal.pk)
    page = text(client.post(status_url, {"status": "not_achieved"}, follow=True))
    assert "Statut de l&#x27;objectif mis à jour." in page and "Non atteint" in page
    goal.refresh_from_db()
    assert goal.status == "not_achieved"


@pytest.mark.django_db
def test_compare_page_shows_what_changed(client, today):
    s = make_setting()
    v1 = activate(s, build_plan(s, goals=1, actions_per_goal=2, situation="Vit seul."))
    v2 = plans.start_plan_version(s.coordinator, s.episode)
    plans.save_plan_version(s.coordinator, v2, expected_version=1, situation="Vit avec sa fille.")
    plans.remove_action(s.coordinator, v2.actions.get(description="Action 1.2"), expected_version=2)
    client.force_login(s.coordinator.user)
    response = client.get(reverse("care:plan_compare", args=[s.episode.pk]))
    page = text(response)
    assert "De la" in page and "version 1" in page and "version 2" in page
    assert "<del>seul.</del>" in page and "<ins>avec sa fille.</ins>" in page
    assert "Retiré" in page and "Action 1.2" in page
    response = client.get(reverse("care:plan_compare", args=[s.episode.pk]), {"old": 1, "new": 1})
    assert response.status_code == 200
    assert v1.number == 1


@pytest.mark.django_db
def test_episode_page_shows_the_plan_block(client, today, time_machine):
    s = make_setting()
    activate(s, build_plan(s, goals=1, actions_per_goal=2))
    time_machine.move_to(datetime.datetime(2026, 5, 1, 10, 0), tick=False)
    client.force_login(s.coordinator.user)
    page = text(client.get(reverse("care:episode_detail", args=[s.episode.pk])))
    assert "Version 1 — en vigueur depuis le 02/03/2026" in page
    assert "Révision prévue le <strong>29/08/2026</strong>" in page
    assert "2 actions : 2 prévues" in page and "2 en retard" in page


def big_plan(s, goals=10, actions=50, needs=20):
    """A version in force as large as a complex situation gets."""
    assessment_needs(s.episode, *[f"Besoin {n}" for n in range(needs)])
    version = plans.start_plan_version(s.coordinator, s.episode)
    plans.save_plan_version(
        s.coordinator, version, expected_version=1, review_on=TODAY + datetime.timedelta(days=90)
    )
    services = [ServiceFactory(name=f"Service {n}") for n in range(5)]
    carers = [CarerFactory(person=s.person) for _ in range(3)]
    staff = MembershipFactory(organisation=s.dac, role=Role.CASE_MANAGER).user
    need_rows = list(version.needs.all())
    goal_rows = []
    for g in range(goals):
        goal_rows.append(
            plans.add_goal(
                s.coordinator,
                version,
                expected_version=CarePlanVersion.objects.get(pk=version.pk).lock_version,
                title=f"Objectif {g}",
                needs=need_rows[2 * g : 2 * g + 2],
            )
        )
    whos = [*services, *carers, staff, s.gp, None]
    for n in range(actions):
        who = whos[n % len(whos)]
        plans.add_action(
            s.coordinator,
            version,
            expected_version=CarePlanVersion.objects.get(pk=version.pk).lock_version,
            goal=goal_rows[n % goals],
            kind=["prevention", "care", "support"][n % 3],
            description=f"Action numéro {n}",
            responsible=who,
            responsible_label="" if who else "Voisine",
            due_on=TODAY + datetime.timedelta(days=n),
        )
    return activate(s, version)


@pytest.mark.django_db
def test_plan_page_queries_stay_bounded_on_a_large_plan(
    client, today, django_assert_max_num_queries
):
    s = make_setting()
    version = big_plan(s)
    assert version.actions.count() == 50
    client.force_login(s.coordinator.user)
    with django_assert_max_num_queries(26 + 1):  # + the header's notification bell
        response = client.get(url("plan_version", version))
    assert response.status_code == 200
    assert "Action numéro 49" in text(response)
    v2 = plans.start_plan_version(s.coordinator, s.episode)
    with django_assert_max_num_queries(28 + 1 + 1):  # + the reader's access, the bell
        response = client.get(url("plan_version", v2))  # the draft, with its editing links
    assert "Modifier l'action « Action numéro 49 »" in text(response)
    with django_assert_max_num_queries(32 + 1):  # + the header's notification bell
        response = client.get(reverse("care:plan_compare", args=[s.episode.pk]))
    assert response.status_code == 200
    with django_assert_max_num_queries(20 + 1):  # + the header's notification bell
        response = client.get(url("plan_action_add", v2))
    assert response.status_code == 200


@pytest.mark.django_db
def test_an_assistant_reads_the_plan_but_does_not_edit_it(client, today):
    s = make_setting()
    version = build_plan(s, goals=1, actions_per_goal=1)
    assistant = MembershipFactory(organisation=s.dac, role=Role.ASSISTANT)
    client.force_login(assistant.user)
    page = text(client.get(url("plan_version", version)))
    assert "Action 1.1" in page and "Modifier la synthèse" not in page
    assert client.get(url("plan_synthesis", version)).status_code == 403
    response = client.post(
        url("plan_goal_add", version), {"lock_version": version.lock_version, "title": "X"}
    )
    assert response.status_code == 403
    assert version.goals.count() == 1
