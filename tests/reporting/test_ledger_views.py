"""Pages of the ledger and of the budget: permissions, filters, totals, query bounds."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from appui.core.enums import Role
from appui.persons.forms import person_label
from appui.reporting.models import DacBudget, DerogatoryService
from tests.factories import (
    CareEpisodeFactory,
    DacBudgetFactory,
    DerogatoryServiceFactory,
    MembershipFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def service_in(dac, **kwargs):
    episode = CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2024, 6, 1))
    return DerogatoryServiceFactory(episode=episode, **kwargs)


def test_ledger_filters_by_year_and_kind_with_totals_and_envelope(
    client, login, django_assert_max_num_queries
):
    membership = login(Role.COORDINATOR)
    dac = membership.organisation
    DacBudgetFactory(dac=dac, year=2025, derogatory_amount=Decimal("1000"))
    for _ in range(30):
        service_in(dac, amount=Decimal("20"), provided_on=D(2025, 5, 1))
    service_in(dac, amount=Decimal("55.5"), kind="dietitian", provided_on=D(2025, 5, 2))
    service_in(dac, amount=Decimal("99"), provided_on=D(2024, 5, 2))
    service_in(PersonFactory().dac, amount=Decimal("77"), provided_on=D(2025, 5, 2))
    url = reverse("reporting:ledger")
    with django_assert_max_num_queries(14):
        page = client.get(url, {"annee": 2025}).content.decode()
    assert "<strong>31</strong> prestations" in page
    assert "655,50 €" in page  # 30 × 20 + 55.50
    assert "344,50 €" in page  # 1000 − 655.50 remaining
    assert page.count("Cabinet de psychologie du Douaisis") == 25  # one page
    page = client.get(url, {"annee": 2025, "type": "dietitian"}).content.decode()
    assert "<strong>1</strong> prestation" in page and "55,50 €" in page
    assert "Annuler" not in page.split("Registre")[1]  # a coordinator does not cancel


def test_ledger_permissions(client):
    for role, status in (
        (Role.COORDINATOR, 200),
        (Role.CASE_MANAGER, 200),
        (Role.SUPPORT_PHYSICIAN, 200),
        (Role.DIRECTOR, 200),
        (Role.ASSISTANT, 403),
        (Role.PARTNER, 403),
        (Role.REGIONAL_PILOT, 403),
    ):
        membership = MembershipFactory(role=role)
        client.force_login(membership.user)
        assert client.get(reverse("reporting:ledger")).status_code == status, role
    physician = MembershipFactory(role=Role.SUPPORT_PHYSICIAN)
    client.force_login(physician.user)
    assert client.get(reverse("reporting:ledger_new")).status_code == 403
    assert client.get(reverse("reporting:budget")).status_code == 403
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    client.force_login(coordinator.user)
    assert client.get(reverse("reporting:ledger_new")).status_code == 200
    assert client.get(reverse("reporting:budget")).status_code == 403
    service = service_in(coordinator.organisation)
    url = reverse("reporting:ledger_cancel", args=[service.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_record_a_service_from_the_page(client, login):
    membership = login(Role.CASE_MANAGER)
    person = PersonFactory(dac=membership.organisation, birth_name="Lefebvre")
    CareEpisodeFactory(person=person, opened_on=D(2025, 1, 1))
    options = client.get(reverse("reporting:ledger_person_options"), {"person": "lefeb"})
    assert person_label(person) in options.content.decode()
    response = client.post(
        reverse("reporting:ledger_new"),
        {
            "person": person_label(person),
            "kind": "occupational_therapist",
            "provider_label": "Ergo Nord",
            "provided_on": "2025-04-03",
            "sessions": "2",
            "amount": "150",
            "budget_line": "Ergothérapie",
        },
    )
    assert response.status_code == 302 and response.url.endswith("?annee=2025")
    service = DerogatoryService.objects.get()
    assert service.person == person and service.episode.person == person
    page = client.get(response.url).content.decode()
    assert "Prestation enregistrée : Ergothérapeute du 03/04/2025, 150,00\u00a0€." in page


def test_form_errors_are_shown_in_french(client, login):
    membership = login(Role.COORDINATOR)
    person = PersonFactory(dac=membership.organisation)
    CareEpisodeFactory(person=person, opened_on=D(2025, 1, 1))
    response = client.post(
        reverse("reporting:ledger_new"),
        {"person": person_label(person), "kind": "", "amount": "-3", "provided_on": "2025-02-01"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in html and "Le montant doit être supérieur à zéro." in html
    assert not DerogatoryService.objects.exists()


def test_director_cancels_with_a_reason(client, login):
    membership = login(Role.DIRECTOR)
    service = service_in(membership.organisation, amount=Decimal("80"), provided_on=D(2025, 2, 2))
    url = reverse("reporting:ledger_cancel", args=[service.pk])
    assert "Annuler la prestation" in client.get(url).content.decode()
    response = client.post(url, {"reason": ""})
    assert "Indiquez le motif de l&#x27;annulation." in response.content.decode()
    response = client.post(url, {"reason": "Facture en double"})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.cancel_reason == "Facture en double"
    page = client.get(reverse("reporting:ledger"), {"annee": 2025}).content.decode()
    assert "<strong>0</strong> prestation" in page and "annulée le" in page
    other = service_in(MembershipFactory(role=Role.DIRECTOR).organisation)
    url = reverse("reporting:ledger_cancel", args=[other.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_budget_page(client, login, django_assert_max_num_queries):
    membership = login(Role.DIRECTOR)
    DacBudgetFactory(dac=membership.organisation, year=2024)
    service_in(membership.organisation, amount=Decimal("100"), provided_on=D(2025, 1, 3))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("reporting:budget")).content.decode()
    assert "2024" in page and "non saisi" in page
    response = client.post(
        reverse("reporting:budget"),
        {"year": "2025", "amount": "450 000", "derogatory_amount": "12 000,00"},
    )
    assert response.status_code == 302
    budget = DacBudget.objects.get(year=2025)
    assert (budget.amount, budget.derogatory_amount) == (Decimal("450000"), Decimal("12000"))
    page = client.get(reverse("reporting:budget")).content.decode()
    assert "11\u00a0900,00 €" in page  # 12 000 − 100
    edit = client.get(reverse("reporting:budget"), {"annee": 2025}).content.decode()
    assert 'value="450\u202f000,00"' in edit and 'value="12\u202f000,00"' in edit
