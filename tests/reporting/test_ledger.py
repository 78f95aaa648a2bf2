"""The derogatory services ledger and the yearly budget: services and forms."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import Event
from appui.persons.forms import person_label
from appui.reporting import ledger
from appui.reporting.forms_ledger import BudgetForm, CancelForm, DerogatoryServiceForm
from appui.reporting.models import DacBudget, DerogatoryService
from tests.factories import (
    CareEpisodeFactory,
    DacBudgetFactory,
    DerogatoryServiceFactory,
    MembershipFactory,
    ObjectionFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def director():
    return MembershipFactory(role=Role.DIRECTOR)


def service_in(dac, **kwargs):
    episode = CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=D(2024, 6, 1))
    return DerogatoryServiceFactory(episode=episode, **kwargs)


def test_totals_and_envelope_leave_cancelled_services_and_other_years_out(director):
    dac = director.organisation
    service_in(dac, amount=Decimal("60.00"), sessions=1, provided_on=D(2025, 1, 2))
    service_in(dac, amount=Decimal("240.50"), sessions=4, provided_on=D(2025, 12, 31))
    service_in(dac, amount=Decimal("90.00"), kind="dietitian", provided_on=D(2025, 6, 1))
    cancelled = service_in(dac, amount=Decimal("1000.00"), provided_on=D(2025, 6, 1))
    ledger.cancel_service(director, cancelled, "Saisie en double")
    service_in(dac, amount=Decimal("500.00"), provided_on=D(2024, 12, 31))  # 2024
    service_in(PersonFactory().dac, amount=Decimal("700.00"))  # another DAC
    DacBudgetFactory(dac=dac, year=2025, amount=500000, derogatory_amount=Decimal("1000.00"))

    totals = ledger.totals(ledger.services_for(director, 2025))
    # 60 + 240.50 + 90 = 390.50 over 3 services, 1 + 4 + 1 = 6 sessions; 1 cancelled apart.
    assert totals == ledger.LedgerTotals(3, Decimal("390.50"), 6, 1)
    only_psychologists = ledger.totals(ledger.services_for(director, 2025, "psychologist"))
    assert (only_psychologists.count, only_psychologists.amount) == (2, Decimal("300.50"))

    envelope = ledger.envelope(dac.pk, 2025)
    assert envelope.spent == Decimal("390.50")
    assert envelope.remaining == Decimal("609.50")  # 1000 - 390.50
    assert envelope.used_share == Decimal("39")
    assert ledger.envelope(dac.pk, 2023).remaining is None  # no budget entered


def test_cancel_keeps_the_row_with_its_reason_and_an_event(director):
    service = service_in(director.organisation)
    ledger.cancel_service(director, service, "  Facture   refusée ")
    service.refresh_from_db()
    assert service.cancelled_at is not None and service.cancelled_by == director.user
    assert service.cancel_reason == "Facture   refusée".strip()
    assert DerogatoryService.objects.filter(pk=service.pk).exists()
    event = Event.objects.get(
        subject_type="reporting.derogatoryservice", verb="derogatory_service_cancelled"
    )
    assert event.data["reason"] == "Facture   refusée"
    with pytest.raises(ledger.AlreadyCancelled):
        ledger.cancel_service(director, service, "Encore")


def test_only_the_director_of_the_dac_cancels(director):
    service = service_in(director.organisation)
    coordinator = MembershipFactory(role=Role.COORDINATOR, organisation=director.organisation)
    other_director = MembershipFactory(role=Role.DIRECTOR)
    for membership in (coordinator, other_director):
        with pytest.raises(PermissionDenied):
            ledger.cancel_service(membership, service, "Erreur")
    assert DerogatoryService.objects.get(pk=service.pk).cancelled_at is None


def test_budget_is_created_then_changed_with_the_previous_amounts_in_the_event(director):
    budget, changed = ledger.set_budget(director, 2025, Decimal("500000"), Decimal("15000"))
    assert changed and budget.dac == director.organisation
    _, changed = ledger.set_budget(director, 2025, Decimal("500000"), Decimal("15000"))
    assert not changed
    ledger.set_budget(director, 2025, Decimal("520000"), Decimal("18000"))
    budget = DacBudget.objects.get()
    assert (budget.amount, budget.derogatory_amount) == (Decimal("520000"), Decimal("18000"))
    verbs = list(
        Event.objects.filter(subject_type="reporting.dacbudget")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "updated"]
    updated = Event.objects.get(subject_type="reporting.dacbudget", verb="updated")
    assert updated.data["previous"] == {"amount": "500000.00", "derogatory_amount": "15000.00"}


def test_budget_is_for_the_director_only():
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        ledger.set_budget(coordinator, 2025, Decimal("1"), Decimal("0"))
    assert not DacBudget.objects.exists()


def test_budgets_with_spending_lists_years_with_a_budget_or_a_service(director):
    dac = director.organisation
    DacBudgetFactory(dac=dac, year=2025, derogatory_amount=Decimal("100"))
    service_in(dac, amount=Decimal("30"), provided_on=D(2025, 2, 1))
    service_in(dac, amount=Decimal("45"), provided_on=D(2024, 2, 1))
    rows = ledger.budgets_with_spending(dac.pk)
    assert [(r["year"], r["spent"], r["remaining"]) for r in rows] == [
        (2025, Decimal("30"), Decimal("70")),
        (2024, Decimal("45"), None),
    ]


def test_a_person_who_objected_is_counted_but_not_named(director):
    dac = director.organisation
    hidden = service_in(dac, amount=Decimal("10"))
    shown = service_in(dac, amount=Decimal("20"))
    ObjectionFactory(person=hidden.person, user=director.user, scope="exclude")
    rows = {s.pk: s.person_visible for s in ledger.services_for(director, 2025)}
    assert rows == {hidden.pk: False, shown.pk: True}
    assert ledger.totals(ledger.services_for(director, 2025)).amount == Decimal("30")


def test_used_values_suggest_the_most_frequent_lines_first(director):
    dac = director.organisation
    for line in ("Psychologues", "Diététique", "Psychologues"):
        service_in(dac, budget_line=line)
    service_in(PersonFactory().dac, budget_line="Ailleurs")
    assert ledger.used_values(dac.pk, "budget_line") == ["Psychologues", "Diététique"]


# --- Form -------------------------------------------------------------------------------------


def form_data(person, **overrides):
    data = {
        "person": person_label(person),
        "kind": "psychologist",
        "provider_label": "Mme Durand, psychologue",
        "provided_on": "2025-03-10",
        "sessions": "3",
        "amount": "180,00",
        "budget_line": "Psychologues",
        "invoice_reference": "F-2025-031",
    }
    data.update(overrides)
    return data


def test_the_form_attaches_the_accompaniment_in_progress_that_day(director):
    person = PersonFactory(dac=director.organisation)
    first = CareEpisodeFactory(
        person=person, opened_on=D(2024, 1, 1), closed_on=D(2024, 12, 31), status="closed"
    )
    reopened = CareEpisodeFactory(person=person, opened_on=D(2025, 2, 1), previous=first)
    form = DerogatoryServiceForm(form_data(person), membership=director)
    assert form.is_valid(), form.errors
    service = ledger.record_service(director, form.cleaned_data)
    assert service.episode == reopened and service.amount == Decimal("180.00")
    assert service.dac == director.organisation and service.recorded_by == director.user
    assert Event.objects.filter(subject_type="reporting.derogatoryservice", verb="recorded")

    old = DerogatoryServiceForm(form_data(person, provided_on="2024-07-01"), membership=director)
    assert old.is_valid() and old.cleaned_data["episode"] == first


def test_the_form_refuses_bad_input_in_french_and_saves_nothing(director):
    person = PersonFactory(dac=director.organisation)
    CareEpisodeFactory(person=person, opened_on=D(2025, 2, 1))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    cases = {
        "amount": ({"amount": "0"}, "Le montant doit être supérieur à zéro."),
        "provided_on": ({"provided_on": tomorrow.isoformat()}, "dans le futur"),
        "sessions": ({"sessions": "0"}, "Au moins une séance."),
        "budget_line": ({"budget_line": "  "}, "Ce champ est obligatoire."),
    }
    for field, (override, message) in cases.items():
        form = DerogatoryServiceForm(form_data(person, **override), membership=director)
        assert not form.is_valid()
        assert any(message in error for error in form.errors[field]), form.errors
    before = DerogatoryServiceForm(form_data(person, provided_on="2025-01-15"), membership=director)
    assert not before.is_valid()
    assert "n'était pas accompagnée par le DAC" in before.errors["provided_on"][0]
    assert not DerogatoryService.objects.exists()


def test_the_form_only_offers_persons_the_user_may_list(director):
    elsewhere = PersonFactory()
    CareEpisodeFactory(person=elsewhere, opened_on=D(2025, 1, 1))
    objected = PersonFactory(dac=director.organisation)
    CareEpisodeFactory(person=objected, opened_on=D(2025, 1, 1))
    ObjectionFactory(person=objected, user=director.user, scope="exclude")
    for person in (elsewhere, objected):
        form = DerogatoryServiceForm(form_data(person), membership=director)
        assert not form.is_valid()
        assert "Aucune personne du DAC ne correspond" in form.errors["person"][0]


def test_budget_and_cancel_forms_speak_french():
    form = BudgetForm({"year": "2025", "amount": "1000", "derogatory_amount": "2000"})
    assert not form.is_valid()
    assert "ne peut pas dépasser le budget" in form.errors["derogatory_amount"][0]
    form = BudgetForm({"year": "1990", "amount": "-5", "derogatory_amount": "abc"})
    assert not form.is_valid()
    assert "L'année doit être comprise entre" in form.errors["year"][0]
    assert "ne peut pas être négatif" in form.errors["amount"][0]
    assert "Saisissez un montant en euros" in form.errors["derogatory_amount"][0]
    assert BudgetForm({"year": "2025", "amount": "1 000,50", "derogatory_amount": "0"}).is_valid()
    cancel = CancelForm({"reason": "   "})
    assert not cancel.is_valid() and "Indiquez le motif" in cancel.errors["reason"][0]
