"""The contact log: every call, visit or message about a request, with who, why, outcome and
duration; listed on the request page and on the person page."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import Event
from appui.intake import screening, services
from appui.intake.models import ContactLog
from appui.persons.merge import merge_persons, undo_merge
from tests.factories import (
    CareEpisodeFactory,
    ContactLogFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    membership = MembershipFactory(organisation=OrganisationFactory(dac=True), role=Role.ASSISTANT)
    client.force_login(membership.user)
    return membership


def minute(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_log_contact_records_who_with_whom_why_outcome_and_duration(staff):
    request = SupportRequestFactory(dac=staff.organisation)
    at = timezone.now() - timedelta(hours=1)
    contact = services.log_contact(
        staff,
        request=request,
        kind="call_in",
        at=at,
        with_whom="Mme Sophie Roux, fille",
        purpose="Chutes répétées de sa mère",
        outcome="Visite à domicile proposée jeudi",
        duration_minutes=20,
    )
    contact.refresh_from_db()
    assert contact.by == staff.user
    assert contact.person == request.person
    assert contact.dac == staff.organisation
    assert (contact.at, contact.duration_minutes) == (at, 20)
    event = Event.objects.get(subject_id=str(request.pk), verb="contact_logged")
    assert event.data == {"contact": contact.pk, "kind": "call_in"}


def test_a_directory_professional_names_the_contact(staff):
    nurse = ProfessionalFactory(nurse=True, first_name="Léa", last_name="Dubois")
    request = SupportRequestFactory(dac=staff.organisation)
    contact = services.log_contact(
        staff,
        request=request,
        kind="call_out",
        with_professional=nurse,
        purpose="Passage infirmier",
    )
    assert contact.with_whom == nurse.display_name
    assert contact.with_professional == nurse


def test_log_contact_refuses_bad_input_in_french_and_saves_nothing(staff):
    request = SupportRequestFactory(dac=staff.organisation)
    with pytest.raises(ValidationError) as refused:
        services.log_contact(
            staff,
            request=request,
            kind="pigeon",
            purpose="",
            at=timezone.now() + timedelta(days=1),
            duration_minutes=5000,
        )
    errors = refused.value.message_dict
    assert set(errors) == {"with_whom", "purpose", "kind", "at", "duration_minutes"}
    assert errors["at"] == [
        "Un contact se note une fois qu'il a eu lieu : la date est dans le futur."
    ]
    assert not ContactLog.objects.exists()


def test_only_the_dac_team_logs_contacts(staff):
    request = SupportRequestFactory(dac=staff.organisation)
    for membership in (
        MembershipFactory(role=Role.PARTNER),
        MembershipFactory(role=Role.COORDINATOR),
    ):
        with pytest.raises(PermissionDenied):
            services.log_contact(
                membership, request=request, kind="call_in", with_whom="X", purpose="Y"
            )


def test_add_a_contact_from_the_request_page(client, staff):
    nurse = ProfessionalFactory(nurse=True, rpps="10000000016")
    request = SupportRequestFactory(dac=staff.organisation)
    url = reverse("intake:request_contact", args=[request.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "call_out",
            "at": minute(timezone.now()),
            "with_professional": "100 000 000 16",
            "purpose": "Organiser le passage infirmier",
            "outcome": "Passage demain matin",
            "duration_minutes": "12",
        },
    )
    assert response.status_code == 302
    contact = ContactLog.objects.get()
    assert contact.with_professional == nurse
    html = client.get(reverse("intake:request_detail", args=[request.pk])).content.decode()
    assert "Organiser le passage infirmier" in html
    assert "Passage demain matin" in html and "12 min" in html


def test_contact_form_errors_are_next_to_the_fields(client, staff):
    request = SupportRequestFactory(dac=staff.organisation)
    response = client.post(
        reverse("intake:request_contact", args=[request.pk]),
        {
            "kind": "call_out",
            "at": minute(timezone.now()),
            "with_professional": "Docteur Inconnu",
            "purpose": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Professionnel·le introuvable dans le répertoire" in html
    assert "Ce champ est obligatoire" in html
    assert not ContactLog.objects.exists()
    response = client.post(
        reverse("intake:request_contact", args=[request.pk]),
        {"kind": "call_out", "at": minute(timezone.now()), "purpose": "Rappel"},
    )
    assert "Indiquez avec qui" in response.content.decode()
    assert not ContactLog.objects.exists()


def test_person_page_lists_the_requests_and_contacts(client, staff):
    person = PersonFactory(dac=staff.organisation)
    # The DAC accompanies the person: its team is in the care circle and sees the contacts.
    CareEpisodeFactory(person=person)
    request = SupportRequestFactory(dac=staff.organisation, person=person)
    ContactLogFactory(request=request, purpose="Point avec le SSIAD")
    other = SupportRequestFactory(dac=staff.organisation)
    response = client.get(reverse("persons:detail", args=[person.pk]))
    html = response.content.decode()
    assert "Demandes et contacts" in html
    assert request.number in html and other.number not in html
    assert "Point avec le SSIAD" in html


def test_a_merge_moves_the_requests_screenings_and_contacts_and_its_undo_puts_them_back(staff):
    director = MembershipFactory(organisation=staff.organisation, role=Role.DIRECTOR)
    kept = PersonFactory(dac=staff.organisation, birth_name="Lefèvre")
    duplicate = PersonFactory(dac=staff.organisation, birth_name="LEFEVRE")
    request = SupportRequestFactory(dac=staff.organisation, person=duplicate)
    record = screening.record_screening(staff, request, ["isolation"], False, "")
    contact = services.log_contact(
        staff, request=request, kind="call_in", with_whom="Sa fille", purpose="Chutes"
    )
    merge = merge_persons(director, kept, duplicate, "Même personne, nom sans accent.")
    for row in (request, record, contact):
        row.refresh_from_db()
        assert row.person == kept
    undo_merge(director, merge, "Fusion faite par erreur.")
    for row in (request, record, contact):
        row.refresh_from_db()
        assert row.person == duplicate
