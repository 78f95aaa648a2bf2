"""The CPOM's services: the contract's dates, the objectives' codes and order, the indicators with
their yearly targets, the annual review (actual from the catalogue, met per direction, frozen when
sent) and the ARS's letter. Expected values are counted by hand."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import Event
from appui.reporting import contracts
from appui.reporting.contracts import is_met
from appui.reporting.models import (
    AnnualReview,
    AnnualReviewLine,
    Contract,
    ContractIndicator,
    ContractObjective,
    ContractTarget,
)
from appui.territory.enums import OrganisationKind
from tests.factories import (
    CareEpisodeFactory,
    ContractFactory,
    ContractIndicatorFactory,
    ContractObjectiveFactory,
    ContractTargetFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True, name="DAC Scarpe-Escaut")


@pytest.fixture
def ars():
    return OrganisationFactory(kind=OrganisationKind.ARS, name="ARS Hauts-de-France")


@pytest.fixture
def director(dac):
    return MembershipFactory(organisation=dac, role=Role.DIRECTOR)


@pytest.fixture
def contract(dac, ars):
    return ContractFactory(dac=dac, ars=ars)


def operational(contract, title="Réduire les délais"):
    parent = ContractObjectiveFactory(contract=contract, kind="strategic", position=1)
    return ContractObjectiveFactory(
        contract=contract, kind="operational", parent=parent, title=title
    )


def events(subject, verb):
    return Event.objects.filter(
        subject_type=subject._meta.label_lower, subject_id=str(subject.pk), verb=verb
    )


# --- The contract -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "starts_on, ends_on, message",
    [
        (D(2024, 1, 1), D(2023, 12, 31), "La fin du contrat doit être postérieure à son début."),
        (D(2024, 1, 1), D(2024, 1, 1), "La fin du contrat doit être postérieure à son début."),
        (D(2024, 1, 1), D(2024, 12, 30), "Un CPOM dure au moins un an."),
        (D(2024, 1, 1), D(2031, 1, 1), "Un CPOM dure au plus sept ans."),
    ],
)
def test_contract_dates_are_checked_and_nothing_is_saved(
    director, ars, starts_on, ends_on, message
):
    with pytest.raises(ValidationError) as error:
        contracts.create_contract(
            director, title="CPOM", ars=ars, starts_on=starts_on, ends_on=ends_on
        )
    assert error.value.message_dict["ends_on"] == [message]
    assert not Contract.objects.exists()


def test_a_contract_of_one_to_seven_years_is_created_for_the_directors_dac(director, ars, dac):
    one_year = contracts.create_contract(
        director, title="CPOM court", ars=ars, starts_on=D(2024, 1, 1), ends_on=D(2024, 12, 31)
    )
    seven = contracts.create_contract(
        director,
        title=" CPOM long ",
        reference="ARS-59-001",
        ars=ars,
        starts_on=D(2024, 1, 1),
        ends_on=D(2030, 12, 31),
        signed_on=D(2023, 12, 20),
    )
    assert one_year.years == [2024]
    assert seven.dac == dac and seven.title == "CPOM long" and seven.years[-1] == 2030
    assert events(seven, "contract_created").count() == 1


def test_the_other_party_must_be_an_ars(director):
    not_an_ars = OrganisationFactory()
    with pytest.raises(ValidationError) as error:
        contracts.create_contract(
            director, title="CPOM", ars=not_an_ars, starts_on=D(2024, 1, 1), ends_on=D(2028, 12, 31)
        )
    assert error.value.message_dict["ars"] == ["La structure choisie n'est pas une ARS."]


def test_only_the_director_reaches_the_contracts_of_their_own_dac(dac, contract):
    other_director = MembershipFactory(role=Role.DIRECTOR)
    coordinator = MembershipFactory(organisation=dac, role=Role.COORDINATOR)
    assert contracts.contract_for(
        MembershipFactory(organisation=dac, role=Role.DIRECTOR), contract.pk
    )
    with pytest.raises(Http404):
        contracts.contract_for(other_director, contract.pk)
    with pytest.raises(PermissionDenied):
        contracts.contract_for(coordinator, contract.pk)
    with pytest.raises(PermissionDenied):
        contracts.add_objective(other_director, contract, kind="strategic", title="Intrus")


def test_current_contract_comes_first(director, dac):
    today = timezone.localdate()
    old = ContractFactory(dac=dac, starts_on=D(2015, 1, 1), ends_on=D(2019, 12, 31))
    current = ContractFactory(
        dac=dac,
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today.replace(year=today.year + 3),
    )
    future = ContractFactory(
        dac=dac,
        starts_on=today.replace(year=today.year + 4),
        ends_on=today.replace(year=today.year + 8),
    )
    assert list(contracts.contracts_in_reach(director)) == [current, future, old]


# --- Objectives ---------------------------------------------------------------------------------


def test_objectives_are_numbered_and_renumbered_when_moved(director, contract):
    os1 = contracts.add_objective(director, contract, kind="strategic", title="Accès")
    os2 = contracts.add_objective(director, contract, kind="strategic", title="Qualité")
    oo11 = contracts.add_objective(director, contract, kind="operational", title="A", parent=os1)
    oo12 = contracts.add_objective(director, contract, kind="operational", title="B", parent=os1)
    oo21 = contracts.add_objective(director, contract, kind="operational", title="C", parent=os2)
    codes = lambda: dict(ContractObjective.objects.values_list("title", "code"))  # noqa: E731
    assert codes() == {"Accès": "OS1", "Qualité": "OS2", "A": "OO1.1", "B": "OO1.2", "C": "OO2.1"}

    contracts.move_objective(director, os2, -1)
    assert codes() == {"Qualité": "OS1", "Accès": "OS2", "C": "OO1.1", "A": "OO2.1", "B": "OO2.2"}
    contracts.move_objective(director, oo12, -1)
    assert codes()["B"] == "OO2.1" and codes()["A"] == "OO2.2"
    contracts.move_objective(director, oo12, -1)  # already first: nothing moves
    assert codes()["B"] == "OO2.1"
    assert events(contract, "objective_added").count() == 5
    assert events(contract, "objective_moved").count() == 2

    contracts.update_objective(director, oo11, title="A bis", parent=os2)
    assert codes()["A bis"] == "OO1.2"  # now under "Qualité", after C
    assert oo21.pk and events(contract, "objective_updated").count() == 1


def test_an_operational_objective_needs_a_strategic_one_of_the_contract(director, contract):
    foreign = ContractObjectiveFactory(kind="strategic")
    for parent, message in [
        (None, "Un objectif opérationnel se rattache à un objectif stratégique."),
        (foreign, "Choisissez un objectif stratégique de ce contrat."),
    ]:
        with pytest.raises(ValidationError) as error:
            contracts.add_objective(
                director, contract, kind="operational", title="Sans parent", parent=parent
            )
        assert error.value.message_dict["parent"] == [message]
    with pytest.raises(ValidationError) as error:
        contracts.add_objective(director, contract, kind="strategic", title="  ")
    assert error.value.message_dict["title"] == ["Indiquez l'intitulé de l'objectif."]
    assert not contract.objectives.exists()


# --- Indicators and targets ---------------------------------------------------------------------


def test_an_indicator_has_a_target_per_year_of_the_contract(director, contract):
    objective = operational(contract)
    indicator = contracts.add_indicator(
        director,
        objective,
        indicator_code="file_active",
        direction="at_least",
        targets={2024: Decimal("800"), 2025: Decimal("850"), 2026: None},
    )
    assert dict(indicator.targets.values_list("year", "target")) == {2024: 800, 2025: 850}
    assert contracts.indicator_label(indicator) == "File active"
    assert contracts.indicator_unit(indicator) == "personnes"

    contracts.update_indicator(
        director,
        indicator,
        indicator_code="file_active",
        direction="at_least",
        targets={2024: None, 2025: Decimal("900"), 2028: Decimal("1000")},
    )
    assert dict(indicator.targets.values_list("year", "target")) == {2025: 900, 2028: 1000}
    event = events(contract, "indicator_updated").get()
    assert event.data["targets"] == {
        "2024": ["800.00", None],
        "2025": ["850.00", "900.00"],
        "2028": [None, "1000.00"],
    }


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"indicator_code": "nope"}, "indicator_code", "Choisissez un indicateur du catalogue (une seule valeur)."),
        ({"indicator_code": "requests_by_channel"}, "indicator_code", "Choisissez un indicateur du catalogue (une seule valeur)."),
        ({"label": "", "unit": "%"}, "label", "Indiquez l'intitulé de l'indicateur propre au contrat."),
        ({"label": "Part des PPCS", "unit": "%", "targets": {2025: Decimal("101")}}, "target_2025", "La cible 2025 est un pourcentage : 100 au plus."),
        ({"label": "Réunions", "unit": "réunions", "targets": {2030: Decimal("3")}}, "target_2030", "2030 n'est pas une année du contrat."),
        ({"label": "Réunions", "unit": "réunions", "targets": {2025: Decimal("-1")}}, "target_2025", "La cible 2025 ne peut pas être négative."),
    ],
)  # fmt: skip
def test_indicator_errors_are_in_french_and_nothing_is_half_saved(
    director, contract, values, field, message
):
    objective = operational(contract)
    with pytest.raises(ValidationError) as error:
        contracts.add_indicator(director, objective, direction="at_least", **values)
    assert error.value.message_dict[field] == [message]
    assert not ContractIndicator.objects.exists() and not ContractTarget.objects.exists()


def test_an_indicator_goes_under_an_operational_objective(director, contract):
    strategic = ContractObjectiveFactory(contract=contract, kind="strategic")
    with pytest.raises(ValidationError) as error:
        contracts.add_indicator(director, strategic, indicator_code="file_active")
    assert error.value.messages == ["Un indicateur se rattache à un objectif opérationnel."]


def test_the_targets_grid_sets_and_clears_targets_in_one_event(director, contract):
    a = ContractIndicatorFactory(objective=operational(contract))
    b = ContractIndicatorFactory(
        objective=a.objective, indicator_code="", label="Réunions", unit="réunions"
    )
    ContractTargetFactory(indicator=a, year=2024, target=10)
    changed = contracts.set_targets(
        director,
        contract,
        {
            (a.pk, 2024): None,
            (a.pk, 2025): Decimal("12"),
            (b.pk, 2025): Decimal("4"),
            (b.pk, 2026): None,
        },
    )
    assert changed == 3
    assert sorted(ContractTarget.objects.values_list("indicator_id", "year", "target")) == sorted(
        [(a.pk, 2025, 12), (b.pk, 2025, 4)]
    )
    assert events(contract, "targets_changed").count() == 1
    with pytest.raises(ValidationError):
        contracts.set_targets(
            director, contract, {(a.pk, 2026): Decimal("-3"), (b.pk, 2026): Decimal("5")}
        )
    assert not ContractTarget.objects.filter(year=2026).exists()  # nothing half-saved
    with pytest.raises(PermissionDenied):  # an indicator of another contract
        contracts.set_targets(
            director, contract, {(ContractIndicatorFactory().pk, 2025): Decimal("1")}
        )


def test_indicators_are_reordered_under_their_objective(director, contract):
    objective = operational(contract)
    first = ContractIndicatorFactory(objective=objective, position=1)
    second = ContractIndicatorFactory(
        objective=objective, position=2, indicator_code="", label="Réunions", unit="réunions"
    )
    contracts.move_indicator(director, second, -1)
    assert list(objective.indicators.order_by("position")) == [second, first]
    assert events(contract, "indicator_moved").get().data["position"] == 1


# --- The annual review --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "direction, target, actual, met",
    [
        ("at_least", 10, 10, True),
        ("at_least", 10, 9, False),
        ("at_least", 10, 11, True),
        ("at_most", 10, 10, True),
        ("at_most", 10, 11, False),
        ("at_most", 10, 9, True),
        ("at_least", None, 9, None),
        ("at_most", 10, None, None),
    ],
)
def test_met_depends_on_the_direction(direction, target, actual, met):
    assert is_met(direction, target, actual) is met


def follow(dac, opened_on, closed_on=None, person=None, previous=None):
    person = person or PersonFactory(dac=dac)
    CareEpisodeFactory(
        person=person,
        opened_on=opened_on,
        closed_on=closed_on,
        status="closed" if closed_on else "open",
        previous=previous,
    )
    return person


@pytest.fixture
def review_setup(director, contract, dac):
    """OO1.1 with the file active (at least 2 in 2025) and a manual indicator (at most 5 days)."""
    objective = operational(contract)
    file_active = ContractIndicatorFactory(objective=objective, position=1)
    ContractTargetFactory(indicator=file_active, year=2025, target=2)
    manual = ContractIndicatorFactory(
        objective=objective,
        position=2,
        indicator_code="",
        label="Délai moyen de retour au médecin",
        unit="jours",
        direction="at_most",
    )
    ContractTargetFactory(indicator=manual, year=2025, target=5)
    # Followed in 2025: across New Year; reopened in 2025 (counts once); not: closed 31/12/2024.
    follow(dac, D(2024, 11, 2))
    reopened = follow(dac, D(2025, 2, 1), D(2025, 4, 30))
    follow(dac, D(2025, 9, 1), person=reopened)
    follow(dac, D(2024, 3, 1), D(2024, 12, 31))
    follow(OrganisationFactory(dac=True), D(2025, 5, 5))  # another DAC
    return file_active, manual


def test_the_actual_of_a_catalogue_indicator_is_computed_live(director, contract, review_setup):
    file_active, manual = review_setup
    review = contracts.review_of(contract, 2025)
    assert review.pk is None  # reading writes nothing
    lines = contracts.review_lines(review)
    assert [(line.row.label, line.target, line.actual) for line in lines] == [
        ("File active", 2, Decimal("2.00")),
        ("Délai moyen de retour au médecin", 5, None),
    ]
    assert lines[0].gap == 0 and lines[0].met is True
    assert lines[1].met is None

    follow(contract.dac, D(2025, 12, 31))  # a third person, the last day of the year
    assert contracts.review_lines(review)[0].actual == 3
    assert contracts.review_lines(contracts.review_of(contract, 2024))[0].actual == 2
    with pytest.raises(Http404):
        contracts.review_of(contract, 2029)


def test_the_review_is_saved_then_frozen_when_sent(director, contract, review_setup):
    file_active, manual = review_setup
    with pytest.raises(ValidationError) as error:
        contracts.send_review(director, contract, 2025)
    assert error.value.messages == [
        "Renseignez le réalisé de : Délai moyen de retour au médecin avant de transmettre."
    ]
    with pytest.raises(ValidationError) as error:
        contracts.save_review(director, contract, 2025, actuals={file_active.pk: Decimal("7")})
    assert error.value.message_dict[f"actual_{file_active.pk}"] == [
        "File active : le réalisé est calculé à partir des données."
    ]

    contracts.save_review(
        director,
        contract,
        2025,
        dac_comment="Année de montée en charge.",
        comments={file_active.pk: "Conforme.", manual.pk: "Retours plus rapides."},
        actuals={manual.pk: Decimal("6.5")},
    )
    review = AnnualReview.objects.get(contract=contract, year=2025)
    assert review.dac_comment == "Année de montée en charge."
    lines = contracts.review_lines(review)
    assert [(line.actual, line.gap, line.met, line.comment) for line in lines] == [
        (2, 0, True, "Conforme."),
        (Decimal("6.5"), Decimal("1.5"), False, "Retours plus rapides."),  # at most 5 days
    ]
    assert events(review, "review_saved").count() == 1

    contracts.send_review(director, contract, 2025)
    review.refresh_from_db()
    assert review.status == "sent" and review.sent_by == director.user and review.sent_at
    assert dict(AnnualReviewLine.objects.values_list("indicator_id", "actual")) == {
        file_active.pk: 2,
        manual.pk: Decimal("6.5"),
    }
    assert events(review, "review_sent").get().data["actuals"] == {
        str(file_active.pk): "2.00",
        str(manual.pk): "6.50",
    }

    follow(contract.dac, D(2025, 6, 1))  # recorded after the transmission
    assert contracts.review_lines(review)[0].actual == 2  # the frozen value
    with pytest.raises(ValidationError):
        contracts.save_review(director, contract, 2025, dac_comment="Trop tard")
    with pytest.raises(ValidationError):
        contracts.send_review(director, contract, 2025)


def test_the_ars_letter_closes_a_sent_review(director, contract, review_setup):
    file_active, manual = review_setup
    with pytest.raises(ValidationError) as error:
        contracts.record_ars_letter(
            director, contract, 2025, letter_on=timezone.localdate(), observations="Bien."
        )
    assert error.value.messages == ["Transmettez d'abord la revue à l'ARS."]
    contracts.save_review(director, contract, 2025, actuals={manual.pk: Decimal("4")})
    contracts.send_review(director, contract, 2025)
    with pytest.raises(ValidationError) as error:
        contracts.record_ars_letter(
            director,
            contract,
            2025,
            letter_on=timezone.localdate() - datetime.timedelta(days=1),
            observations="",
        )
    assert error.value.message_dict == {
        "ars_letter_on": ["Le courrier de l'ARS ne peut pas précéder la transmission."],
        "ars_observations": ["Indiquez les observations de l'ARS."],
    }
    review = contracts.record_ars_letter(
        director, contract, 2025, letter_on=timezone.localdate(), observations=" Objectifs tenus. "
    )
    assert review.status == "closed" and review.ars_observations == "Objectifs tenus."
    assert events(review, "ars_letter_recorded").count() == 1
    with pytest.raises(ValidationError):
        contracts.record_ars_letter(
            director, contract, 2025, letter_on=timezone.localdate(), observations="Encore"
        )


def test_an_indicator_added_after_the_transmission_has_no_frozen_value(
    director, contract, review_setup
):
    file_active, manual = review_setup
    contracts.save_review(director, contract, 2025, actuals={manual.pk: Decimal("4")})
    contracts.send_review(director, contract, 2025)
    late = ContractIndicatorFactory(objective=file_active.objective, position=3)
    lines = contracts.review_lines(AnnualReview.objects.get())
    assert [line.actual for line in lines] == [2, 4, None]
    assert lines[-1].indicator == late
