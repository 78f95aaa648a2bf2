"""Carers and legal representatives; duplicates on demand; merging two records and undoing it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import Event
from appui.persons import merge as merge_module
from appui.persons import services
from appui.persons.forms import person_label
from appui.persons.models import Carer, NotDuplicate, Person, PersonMerge
from tests.factories import (
    CarerFactory,
    IdentityCheckFactory,
    MembershipFactory,
    PersonFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def membership():
    return MembershipFactory(role=Role.COORDINATOR)


@pytest.fixture
def staff_client(client, membership):
    client.force_login(membership.user)
    return client


def carer_data(**overrides):
    data = {
        "first_name": "sophie",
        "last_name": "Roux",
        "relationship": "child",
        "is_carer": "on",
        "phone": "06 00 00 00 00",
    }
    data.update(overrides)
    return data


# --- Carers --------------------------------------------------------------------------------------


def test_add_a_carer_also_followed_by_the_dac(staff_client, membership):
    mother = PersonFactory(dac=membership.organisation, birth_name="ROUX", first_name="Jeanne")
    daughter = PersonFactory(dac=membership.organisation, birth_name="ROUX", first_name="Sophie")
    response = staff_client.post(
        reverse("persons:carer_create", args=[mother.pk]),
        carer_data(is_main_carer="on", linked_person=person_label(daughter)),
    )
    assert response.status_code == 302
    carer = Carer.objects.get()
    assert (carer.first_name, carer.last_name) == ("sophie", "ROUX")
    assert carer.person == mother
    assert carer.linked_person == daughter
    assert Event.objects.filter(subject_id=str(mother.pk), verb="carer_added").exists()
    page = staff_client.get(reverse("persons:detail", args=[daughter.pk])).content.decode()
    assert "Aidant·e de" in page
    assert mother.display_name in page


def test_carer_suggestions_come_from_the_dac_only(staff_client, membership):
    PersonFactory(dac=membership.organisation, birth_name="ROUX", first_name="Sophie")
    PersonFactory(birth_name="ROUSSEAU", first_name="Autre")  # another DAC
    html = staff_client.get(
        reverse("persons:person_options"), {"linked_person": "rou"}
    ).content.decode()
    assert "Sophie ROUX" in html
    assert "ROUSSEAU" not in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"is_legal_representative": "on"}, "legal_measure", "Précisez la mesure"),
        ({"legal_measure": "guardianship"}, "is_legal_representative", "cochez « représentant"),
        ({"is_carer": ""}, "is_carer", "Cochez au moins un rôle"),
        (
            {
                "is_carer": "",
                "is_main_carer": "on",
                "is_legal_representative": "on",
                "legal_measure": "guardianship",
            },
            "is_main_carer",
            "aussi aidant",
        ),
        (
            {"is_legal_representative": "on", "legal_measure": "parental_authority"},
            "legal_measure",
            "ne concerne qu'un·e mineur·e",
        ),
        ({"linked_person": "dossier n° 999999"}, "linked_person", "Aucune personne du DAC"),
    ],
)
def test_carer_form_rules(staff_client, membership, overrides, field, message):
    person = PersonFactory(dac=membership.organisation)
    response = staff_client.post(
        reverse("persons:carer_create", args=[person.pk]), carer_data(**overrides)
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert not Carer.objects.exists()


def test_a_minor_without_legal_representative_shows_a_warning(staff_client, membership):
    child = PersonFactory(dac=membership.organisation, birth_date=date(2015, 6, 1))
    url = reverse("persons:detail", args=[child.pk])
    assert "Personne mineure sans représentant" in staff_client.get(url).content.decode()
    staff_client.post(
        reverse("persons:carer_create", args=[child.pk]),
        carer_data(
            relationship="parent",
            is_legal_representative="on",
            legal_measure="parental_authority",
        ),
    )
    assert "Personne mineure sans représentant" not in staff_client.get(url).content.decode()
    adult = PersonFactory(dac=membership.organisation, birth_date=date(1950, 1, 1))
    page = staff_client.get(reverse("persons:detail", args=[adult.pk])).content.decode()
    assert "Personne mineure sans représentant" not in page


def test_edit_and_archive_a_carer(staff_client, membership):
    person = PersonFactory(dac=membership.organisation)
    carer = CarerFactory(person=person, first_name="Paul", last_name="BRUN")
    staff_client.post(
        reverse("persons:carer_edit", args=[person.pk, carer.pk]),
        carer_data(first_name="Paul", last_name="Brun", relationship="spouse"),
    )
    carer.refresh_from_db()
    assert carer.relationship == "spouse"
    staff_client.post(reverse("persons:carer_archive", args=[person.pk, carer.pk]))
    assert not Carer.objects.exists()
    assert Carer.all_objects.get().deleted_at is not None
    verbs = set(Event.objects.filter(subject_id=str(person.pk)).values_list("verb", flat=True))
    assert {"carer_updated", "carer_archived"} <= verbs
    other = PersonFactory(dac=membership.organisation)
    url = reverse("persons:carer_edit", args=[other.pk, carer.pk])
    assert staff_client.get(url).status_code == 404


# --- Duplicates on demand ------------------------------------------------------------------------


def twins(dac):
    first = PersonFactory(
        dac=dac, birth_name="LEFÈVRE", first_name="Marie", birth_date=date(1941, 3, 2)
    )
    second = PersonFactory(
        dac=dac, birth_name="LEFEVRE", first_name="Marie", birth_date=date(1941, 2, 3)
    )
    return first, second


def test_duplicates_page_lists_candidates_and_records_not_duplicate(staff_client, membership):
    first, second = twins(membership.organisation)
    url = reverse("persons:duplicates", args=[first.pk])
    html = staff_client.get(url).content.decode().replace("&#x27;", "'")
    assert f"Dossier n° {second.pk}" in html
    assert "Comparer et fusionner" in html
    assert "Ce n'est pas la même personne" in html
    staff_client.post(reverse("persons:not_duplicate", args=[first.pk, second.pk]))
    pair = NotDuplicate.objects.get()
    assert (pair.first_id, pair.second_id) == (first.pk, second.pk)
    assert pair.by == membership.user
    html = staff_client.get(url).content.decode()
    assert "Aucun doublon possible" in html
    other_side = staff_client.get(reverse("persons:duplicates", args=[second.pk]))
    assert other_side.context["candidates"] == []


def test_an_assistant_sees_duplicates_but_cannot_merge(client):
    assistant = MembershipFactory(role=Role.ASSISTANT)
    client.force_login(assistant.user)
    first, second = twins(assistant.organisation)
    html = client.get(reverse("persons:duplicates", args=[first.pk])).content.decode()
    assert "Comparer et fusionner" not in html
    assert client.get(reverse("persons:merge", args=[first.pk, second.pk])).status_code == 403


# --- Merge and undo ------------------------------------------------------------------------------


@pytest.fixture
def requests_follow(monkeypatch):
    """The requests app registers its relation to persons; the test registers it the same way."""
    from appui.intake.models import SupportRequest

    monkeypatch.setattr(merge_module, "_RELATIONS", dict(merge_module._RELATIONS))
    merge_module.register_person_relation(SupportRequest, "person")


def test_merge_moves_registered_rows_and_keeps_both_records(membership, requests_follow):
    kept, merged = twins(membership.organisation)
    moving_carers = CarerFactory.create_batch(2, person=merged)
    archived = CarerFactory(person=merged)
    archived.delete()
    staying_carer = CarerFactory(person=kept)
    moving_requests = SupportRequestFactory.create_batch(2, dac=kept.dac, person=merged)
    check = IdentityCheckFactory(person=merged)

    merge = services.merge_persons(membership, kept, merged, "Même personne, vérifié sur la CNI.")

    merged.refresh_from_db()
    assert merged.merged_into == kept
    assert Person.objects.filter(pk=merged.pk).exists()  # kept, never deleted
    assert set(Carer.all_objects.filter(person=kept).values_list("pk", flat=True)) == {
        c.pk for c in [*moving_carers, archived, staying_carer]
    }
    assert merge.moved == {
        "intake.supportrequest:person": [r.pk for r in moving_requests],
        "persons.carer:person": sorted([c.pk for c in [*moving_carers, archived]]),
    }
    assert all(r.person_id == kept.pk for r in type(moving_requests[0]).objects.all())
    check.refresh_from_db()
    assert check.person == merged  # identity checks stay with their record
    kept_event = Event.objects.get(subject_id=str(kept.pk), verb="merge_absorbed")
    merged_event = Event.objects.get(subject_id=str(merged.pk), verb="merged_into")
    assert kept_event.data["merged"] == merged.pk
    assert merged_event.data["kept"] == kept.pk
    assert merged_event.data["reason"] == "Même personne, vérifié sur la CNI."
    assert find_ids(kept) == []  # a merged record is never a candidate


def find_ids(person):
    from appui.persons.duplicates import find_candidates_for

    return [c.person.pk for c in find_candidates_for(person)]


def test_undo_puts_back_exactly_the_moved_rows(membership, requests_follow):
    kept, merged = twins(membership.organisation)
    moved_carer = CarerFactory(person=merged)
    moved_request = SupportRequestFactory(dac=kept.dac, person=merged)
    merge = services.merge_persons(membership, kept, merged, "Doublon")
    added_after = CarerFactory(person=kept)  # recorded on the kept record after the merge

    services.undo_merge(membership, merge, "Homonymes fusionnés par erreur")

    merged.refresh_from_db()
    moved_carer.refresh_from_db()
    moved_request.refresh_from_db()
    added_after.refresh_from_db()
    assert merged.merged_into is None
    assert moved_carer.person == merged
    assert moved_request.person == merged
    assert added_after.person == kept
    merge.refresh_from_db()
    assert merge.undone_by == membership.user
    assert merge.undo_reason == "Homonymes fusionnés par erreur"
    assert merge.undone_at is not None
    assert Event.objects.filter(verb="merge_undone").count() == 2
    with pytest.raises(ValidationError):
        services.undo_merge(membership, merge, "encore")


def test_merge_rules(membership):
    kept, merged = twins(membership.organisation)
    with pytest.raises(ValidationError):
        services.merge_persons(membership, kept, merged, "  ")
    with pytest.raises(ValidationError):
        services.merge_persons(membership, kept, kept, "Doublon")
    stranger = PersonFactory()
    with pytest.raises(Exception) as error:
        services.merge_persons(membership, kept, stranger, "Doublon")
    assert type(error.value).__name__ == "PermissionDenied"
    merge = services.merge_persons(membership, kept, merged, "Doublon")
    third = PersonFactory(dac=kept.dac)
    with pytest.raises(ValidationError):
        services.merge_persons(membership, third, merged, "Doublon")
    services.merge_persons(membership, third, kept, "Doublon")
    with pytest.raises(ValidationError) as error:
        services.undo_merge(membership, merge, "Erreur")
    assert "annulez d'abord" in error.value.messages[0]
    assert not PersonMerge.objects.filter(undone_at__isnull=False).exists()


def test_merge_and_undo_through_the_pages(staff_client, membership):
    first, second = twins(membership.organisation)
    CarerFactory(person=first, first_name="Paul", last_name="BRUN")
    url = reverse("persons:merge", args=[first.pk, second.pk])
    page = staff_client.get(url).content.decode()
    assert "<mark>02/03/1941</mark>" in page
    response = staff_client.post(url, {"kept": second.pk, "reason": ""})
    assert "Ce champ est obligatoire." in response.context["form"].errors["reason"][0]
    assert not PersonMerge.objects.exists()
    response = staff_client.post(url, {"kept": second.pk, "reason": "Même personne"})
    assert response["Location"] == reverse("persons:detail", args=[second.pk])
    merge = PersonMerge.objects.get()
    assert (merge.kept, merge.merged) == (second, first)
    kept_page = staff_client.get(reverse("persons:detail", args=[second.pk])).content.decode()
    assert "Dossiers fusionnés dans celui-ci" in kept_page
    assert "Annuler la fusion" in kept_page
    merged_page = staff_client.get(reverse("persons:detail", args=[first.pk])).content.decode()
    assert "Ce dossier a été fusionné dans" in merged_page
    listing = staff_client.get(reverse("persons:list"))
    assert [p.pk for p in listing.context["object_list"]] == [second.pk]

    undo_url = reverse("persons:merge_undo", args=[second.pk, merge.pk])
    assert "1 élément" in staff_client.get(undo_url).content.decode()
    response = staff_client.post(undo_url, {"reason": "Erreur de fusion"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.merged_into is None
    assert Carer.objects.get().person == first
    kept_page = staff_client.get(reverse("persons:detail", args=[second.pk])).content.decode()
    assert f"annulée le {timezone.localdate():%d/%m/%Y}" in kept_page
