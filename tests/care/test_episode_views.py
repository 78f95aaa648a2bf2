"""The episode's pages: the dossier de coordination, its forms, the person page's panel — rights,
French refusals next to the field, and bounded queries."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from appui.care import services
from appui.care.models import CareEpisode, Consent
from appui.core.enums import Role
from appui.core.models import Event
from tests.factories import (
    CareEpisodeFactory,
    CarerFactory,
    ConsentFactory,
    LevelChangeFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
)

pytestmark = pytest.mark.django_db

CHANGE_PAGES = [
    "care:episode_consent",
    "care:episode_gp",
    "care:episode_level",
    "care:episode_staff",
    "care:episode_close",
]


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
    person = PersonFactory(
        dac=dac, gp=ProfessionalFactory(title="Dr", first_name="Claire", last_name="Morel")
    )
    return services.open_episode(
        coordinator,
        person,
        kind="coordination",
        level="short_term",
        opening_reason="Repéré en visite.",
        opened_on=timezone.localdate() - timedelta(days=30),
    )


def test_episode_page_shows_the_dossier(client, episode):
    response = client.get(reverse("care:episode_detail", args=[episode.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Repéré en visite." in text
    assert "Consentement de la personne à recueillir." in text
    assert "Dr Claire Morel" in text
    assert "Médecin traitant à informer" in text
    assert "Niveau à l'inclusion" in text
    assert reverse("care:episode_close", args=[episode.pk]) in text
    assert reverse("care:episode_reopen", args=[episode.pk]) not in text
    assert 'aria-current="page">Dossier' in text


def test_episode_page_queries_stay_bounded(
    client, coordinator, episode, django_assert_max_num_queries
):
    for n in range(40):
        LevelChangeFactory(
            episode=episode,
            level="long_term" if n % 2 else "risk",
            changed_by=coordinator.user,
            reason=f"Motif {n}",
        )
    representative = CarerFactory(person=episode.person, is_legal_representative=True)
    for n in range(15):
        ConsentFactory(
            episode=episode,
            informed_by=coordinator.user,
            given_by="legal_representative",
            legal_representative=representative,
            note=f"Note {n}",
        )
    for _ in range(40):
        services.record_gp_not_informed(coordinator, episode, "Pas de médecin traitant.")
    # The page and each part's block (alerts, assessments, meetings, PPCS, follow-up) take a
    # fixed number of queries, whatever the history.
    with django_assert_max_num_queries(26 + 1 + 2 + 1):  # + access, circle block, bell
        response = client.get(reverse("care:episode_detail", args=[episode.pk]))
    text = response.content.decode()
    assert "Motif 39" in text and "Note 14" in text
    assert "Historique du consentement" in text


@pytest.mark.parametrize("name", CHANGE_PAGES)
def test_assistants_see_but_cannot_change(client, dac, episode, name):
    assistant = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    client.force_login(assistant.user)
    assert client.get(reverse("care:episode_detail", args=[episode.pk])).status_code == 200
    assert client.get(reverse(name, args=[episode.pk])).status_code == 403
    assert client.post(reverse(name, args=[episode.pk]), {}).status_code == 403


@pytest.mark.parametrize("name", [*CHANGE_PAGES, "care:episode_detail", "care:episode_reopen"])
def test_another_dacs_episode_is_not_found(client, episode, name):
    client.force_login(MembershipFactory(role=Role.COORDINATOR).user)
    assert client.get(reverse(name, args=[episode.pk])).status_code == 404


def test_person_page_offers_to_open_an_episode_to_staff_who_may(client, dac, coordinator):
    person = PersonFactory(dac=dac)
    url = reverse("persons:detail", args=[person.pk])
    open_url = reverse("care:episode_open", args=[person.pk])
    assert open_url in client.get(url).content.decode()
    assistant = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    client.force_login(assistant.user)
    assert open_url not in client.get(url).content.decode()
    assert client.get(open_url).status_code == 403


def test_opening_from_the_person_page(client, dac, coordinator):
    person = PersonFactory(dac=dac)
    url = reverse("care:episode_open", args=[person.pk])
    response = client.post(
        url,
        {
            "kind": "coordination",
            "level": "risk",
            "referent": coordinator.user.pk,
            "opening_reason": "",
            "opened_on": timezone.localdate().isoformat(),
        },
    )
    assert "Indiquez le motif de l&#x27;ouverture" in response.content.decode()
    assert not CareEpisode.objects.exists()
    response = client.post(
        url,
        {
            "kind": "coordination",
            "level": "risk",
            "referent": coordinator.user.pk,
            "opening_reason": "Signalé par l'infirmière en concertation.",
            "opened_on": timezone.localdate().isoformat(),
        },
    )
    episode = CareEpisode.objects.get(person=person)
    assert response.url == reverse("care:episode_detail", args=[episode.pk])
    detail = client.get(reverse("persons:detail", args=[person.pk])).content.decode()
    assert reverse("care:episode_detail", args=[episode.pk]) in detail
    assert url not in detail  # one open episode at a time: no second button
    again = client.post(
        url,
        {
            "kind": "coordination",
            "level": "risk",
            "referent": coordinator.user.pk,
            "opening_reason": "Encore.",
            "opened_on": timezone.localdate().isoformat(),
        },
    )
    assert "déjà un accompagnement en cours" in again.content.decode()


def test_consent_for_a_minor_asks_for_the_representative(client, dac, coordinator):
    child = PersonFactory(dac=dac, birth_date=timezone.localdate() - timedelta(days=15 * 365))
    mother = CarerFactory(person=child, relationship="parent", is_legal_representative=True)
    episode = CareEpisodeFactory(person=child)
    url = reverse("care:episode_consent", args=[episode.pk])
    page = client.get(url).content.decode()
    assert "La personne est mineure" in page
    data = {
        "answer": "agrees",
        "informed_on": timezone.localdate().isoformat(),
        "informed_how": "home_visit",
        "informed_by": coordinator.user.pk,
        "given_by": "person",
    }
    refused = client.post(url, data).content.decode()
    assert "la réponse est donnée par son représentant légal" in refused
    assert not Consent.objects.exists()
    client.post(
        url, {**data, "given_by": "legal_representative", "legal_representative": mother.pk}
    )
    assert Consent.objects.get().legal_representative == mother


def test_gp_level_staff_close_and_reopen_through_the_pages(client, dac, coordinator, episode):
    manager = MembershipFactory(organisation=dac, role=Role.CASE_MANAGER)
    pk = episode.pk
    client.post(
        reverse("care:episode_gp", args=[pk]),
        {"informed": "yes", "informed_on": timezone.localdate().isoformat(), "how": "phone"},
    )
    response = client.post(
        reverse("care:episode_level", args=[pk]),
        {"level": "long_term", "reason": "", "at": ""},
    )
    assert "Indiquez le motif du changement de niveau." in response.content.decode()
    client.post(
        reverse("care:episode_level", args=[pk]),
        {
            "level": "long_term",
            "reason": "Réhospitalisation.",
            "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    client.post(
        reverse("care:episode_staff", args=[pk]),
        {"referent": coordinator.user.pk, "case_manager": manager.user.pk},
    )
    episode.refresh_from_db()
    assert episode.gp_informed_how == "phone"
    assert episode.level == "long_term"
    assert episode.kind == "case_management"
    response = client.post(
        reverse("care:episode_close", args=[pk]),
        {"exit_reason": "death", "closed_on": date(2000, 1, 1).isoformat(), "note": ""},
    )
    assert "ne peut pas précéder l&#x27;inclusion" in response.content.decode()
    client.post(
        reverse("care:episode_close", args=[pk]),
        {"exit_reason": "institution", "closed_on": timezone.localdate().isoformat()},
    )
    episode.refresh_from_db()
    assert episode.exit_reason == "institution"
    page = client.get(reverse("care:episode_detail", args=[pk])).content.decode()
    assert "entrée en établissement" in page
    assert reverse("care:episode_reopen", args=[pk]) in page
    assert reverse("care:episode_level", args=[pk]) not in page
    # A closed episode's forms send back to the page.
    assert client.get(reverse("care:episode_level", args=[pk])).status_code == 302
    response = client.post(
        reverse("care:episode_reopen", args=[pk]),
        {
            "reason": "Retour à domicile après un essai en établissement.",
            "level": "short_term",
            "referent": coordinator.user.pk,
            "case_manager": manager.user.pk,
        },
    )
    new = CareEpisode.objects.get(previous=episode)
    assert response.url == reverse("care:episode_detail", args=[new.pk])
    assert (new.kind, new.case_manager) == ("case_management", manager.user)
    page = client.get(reverse("care:episode_detail", args=[new.pk])).content.decode()
    assert reverse("care:episode_detail", args=[pk]) in page  # link to the previous one
    old = client.get(reverse("care:episode_detail", args=[pk])).content.decode()
    assert reverse("care:episode_detail", args=[new.pk]) in old  # and back
    assert "Changement de niveau d&#x27;intensité" in old
    assert Event.objects.filter(verb="exited", subject_id=str(pk)).exists()
