"""The CPOM pages: rights (the director of the DAC only), forms with French errors and nothing
half-saved, the targets grid, the review page (live then frozen), the exports parsed back, and
bounded queries."""

import datetime
import io
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from appui.core.enums import Role
from appui.reporting.models import (
    AnnualReview,
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
def director(dac, client):
    membership = MembershipFactory(organisation=dac, role=Role.DIRECTOR)
    client.force_login(membership.user)
    return membership


@pytest.fixture
def contract(dac, ars):
    return ContractFactory(dac=dac, ars=ars, title="CPOM 2024-2028")


@pytest.fixture
def filled(contract, dac):
    """OS1 > OO1.1 with the file active (at least 2 in 2025) and a manual indicator."""
    os1 = ContractObjectiveFactory(
        contract=contract, kind="strategic", code="OS1", title="Améliorer l'accès", position=1
    )
    oo = ContractObjectiveFactory(
        contract=contract,
        kind="operational",
        parent=os1,
        code="OO1.1",
        title="Accompagner plus de personnes",
        position=1,
    )
    file_active = ContractIndicatorFactory(objective=oo, position=1)
    ContractTargetFactory(indicator=file_active, year=2025, target=2)
    manual = ContractIndicatorFactory(
        objective=oo,
        position=2,
        indicator_code="",
        label="Réunions avec les CPTS",
        unit="réunions",
    )
    ContractTargetFactory(indicator=manual, year=2025, target=4)
    for opened_on in (D(2024, 11, 2), D(2025, 3, 1)):
        CareEpisodeFactory(person=PersonFactory(dac=dac), opened_on=opened_on)
    return file_active, manual


def urls(contract, objective=None, indicator=None):
    pk = contract.pk
    names = [
        ("reporting:contracts", ()),
        ("reporting:contract_create", ()),
        ("reporting:contract", (pk,)),
        ("reporting:contract_edit", (pk,)),
        ("reporting:objective_add", (pk,)),
        ("reporting:contract_targets", (pk,)),
        ("reporting:review", (pk, 2025)),
        ("reporting:review_xlsx", (pk, 2025)),
        ("reporting:review_pdf", (pk, 2025)),
    ]
    if objective:
        names += [("reporting:objective_edit", (objective.pk,))]
        names += [("reporting:indicator_add", (objective.pk,))]
    if indicator:
        names += [("reporting:indicator_edit", (indicator.pk,))]
    return [reverse(name, args=args) for name, args in names]


def test_the_director_opens_every_page(client, director, contract, filled):
    file_active, manual = filled
    for url in urls(contract, file_active.objective, file_active):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CASE_MANAGER, Role.REGIONAL_PILOT])
def test_other_roles_get_403(client, dac, contract, filled, role):
    file_active, _ = filled
    client.force_login(MembershipFactory(organisation=dac, role=role).user)
    for url in urls(contract, file_active.objective, file_active):
        assert client.get(url).status_code == 403, url
    send = reverse("reporting:review_send", args=[contract.pk, 2025])
    assert client.post(send).status_code == 403
    assert not AnnualReview.objects.exists()


def test_another_dacs_director_gets_404(client, contract, filled):
    file_active, _ = filled
    client.force_login(MembershipFactory(role=Role.DIRECTOR).user)
    for url in urls(contract, file_active.objective, file_active)[2:]:
        assert client.get(url).status_code == 404, url


def test_create_a_contract_with_french_errors_then_success(client, director, ars, dac):
    url = reverse("reporting:contract_create")
    data = {"title": "CPOM", "ars": ars.pk, "starts_on": "2024-01-01", "ends_on": "2035-12-31"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Un CPOM dure au plus sept ans." in response.content.decode()
    response = client.post(url, {**data, "ars": "", "ends_on": "2023-01-01"})
    html = response.content.decode()
    assert "Choisissez l&#x27;ARS signataire." in html
    assert "La fin du contrat doit être postérieure à son début." in html
    assert not Contract.objects.exists()

    response = client.post(url, {**data, "ends_on": "2028-12-31", "reference": "ARS-59"})
    contract = Contract.objects.get()
    assert response.url == reverse("reporting:contract", args=[contract.pk])
    assert (contract.dac, contract.ars, contract.reference) == (dac, ars, "ARS-59")


def test_build_objectives_and_an_indicator_with_targets(client, director, contract):
    add = reverse("reporting:objective_add", args=[contract.pk])
    client.post(add, {"title": "Améliorer l'accès au DAC"})
    os1 = ContractObjective.objects.get()
    assert os1.code == "OS1"
    response = client.post(f"{add}?niveau=operationnel", {"title": "Répondre vite", "parent": ""})
    assert "Choisissez l&#x27;objectif stratégique." in response.content.decode()
    client.post(f"{add}?niveau=operationnel", {"title": "Répondre vite", "parent": os1.pk})
    oo = ContractObjective.objects.get(kind="operational")
    assert oo.code == "OO1.1"

    url = reverse("reporting:indicator_add", args=[oo.pk])
    response = client.get(url)
    assert "File active (personnes)" in response.content.decode()
    base = {"source": "catalogue", "indicator_code": "file_active", "direction": "at_least"}
    response = client.post(url, {**base, "target_2025": "abc", "target_2026": "850"})
    assert "Saisissez un nombre (ex. : 120 ou 45,5)." in response.content.decode()
    response = client.post(url, {**base, "source": "manual", "indicator_code": ""})
    html = response.content.decode()
    assert "Indiquez l&#x27;intitulé de l&#x27;indicateur propre au contrat." in html
    assert "Indiquez l&#x27;unité de l&#x27;indicateur" in html
    assert not ContractIndicator.objects.exists()

    response = client.post(url, {**base, "target_2025": "800", "target_2026": "850,5"})
    assert response.status_code == 302
    indicator = ContractIndicator.objects.get()
    assert dict(indicator.targets.values_list("year", "target")) == {
        2025: 800,
        2026: Decimal("850.5"),
    }
    page = client.get(reverse("reporting:contract", args=[contract.pk])).content.decode()
    assert "OO1.1 — Répondre vite" in page and "File active" in page and "850,5" in page
    assert "Indicateur ajouté" in page  # the history


def test_targets_grid(client, director, contract, filled):
    file_active, manual = filled
    url = reverse("reporting:contract_targets", args=[contract.pk])
    response = client.post(url, {f"t_{file_active.pk}_2025": "-1", f"t_{manual.pk}_2026": "6"})
    assert "File active : La cible 2025 ne peut pas être négative." in response.content.decode()
    assert not ContractTarget.objects.filter(year=2026).exists()
    response = client.post(
        url,
        {f"t_{file_active.pk}_2025": "3", f"t_{manual.pk}_2025": "4", f"t_{manual.pk}_2026": "6"},
    )
    assert response.status_code == 302
    assert sorted(ContractTarget.objects.values_list("indicator_id", "year", "target")) == sorted(
        [(file_active.pk, 2025, 3), (manual.pk, 2025, 4), (manual.pk, 2026, 6)]
    )


def test_reorder_objectives_by_post(client, director, contract):
    first = ContractObjectiveFactory(contract=contract, kind="strategic", title="Un", position=1)
    second = ContractObjectiveFactory(contract=contract, kind="strategic", title="Deux", position=2)
    response = client.post(
        reverse("reporting:objective_move", args=[second.pk]), {"sens": "monter"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.code, first.code) == ("OS1", "OS2")
    assert client.get(reverse("reporting:objective_move", args=[second.pk])).status_code == 405


def test_fill_send_and_close_the_review(client, director, contract, filled):
    file_active, manual = filled
    url = reverse("reporting:review", args=[contract.pk, 2025])
    html = client.get(url).content.decode()
    assert "Revue annuelle 2025" in html and "File active" in html
    assert not AnnualReview.objects.exists()

    response = client.post(
        url,
        {
            "dac_comment": "Montée en charge réussie.",
            f"comment_{file_active.pk}": "Conforme à la cible.",
            f"actual_{manual.pk}": "3",
        },
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Montée en charge réussie." in html
    assert "1 cible atteinte" in html  # file active 2 ≥ 2; meetings 3 < 4

    client.post(reverse("reporting:review_send", args=[contract.pk, 2025]))
    review = AnnualReview.objects.get()
    assert review.status == "sent"
    CareEpisodeFactory(person=PersonFactory(dac=contract.dac), opened_on=D(2025, 6, 1))
    html = client.get(url).content.decode()
    assert "figées lors de la transmission" in html
    assert 'name="dac_comment"' not in html  # no longer editable

    letter = reverse("reporting:review_letter", args=[contract.pk, 2025])
    response = client.post(letter, {"ars_letter_on": "", "ars_observations": ""})
    assert "Indiquez la date du courrier de l&#x27;ARS." in response.content.decode()
    today = datetime.date.today().isoformat()
    response = client.post(letter, {"ars_letter_on": today, "ars_observations": "Bon travail."})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "closed"
    assert "Bon travail." in client.get(url).content.decode()


def test_exports_hold_the_review(client, director, contract, filled):
    file_active, manual = filled
    from appui.reporting import contracts

    contracts.save_review(
        director,
        contract,
        2025,
        dac_comment="Analyse de l'année.",
        comments={manual.pk: "Deux réunions annulées."},
        actuals={manual.pk: Decimal("3")},
    )
    contracts.send_review(director, contract, 2025)
    contracts.record_ars_letter(
        director,
        contract,
        2025,
        letter_on=datetime.date.today(),
        observations="Poursuivre le partenariat.",
    )

    response = client.get(reverse("reporting:review_xlsx", args=[contract.pk, 2025]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows.index(
        [
            "Objectif stratégique",
            "Objectif opérationnel",
            "Indicateur",
            "Unité",
            "Sens",
            "Cible",
            "Réalisé",
            "Écart",
            "Atteinte",
            "Commentaire",
        ]
    )
    body = rows[header + 1 : header + 3]
    assert body[0][2:9] == ["File active", "personnes", "Au moins la cible", 2, 2, 0, "Atteint"]
    assert body[1][2:] == [
        "Réunions avec les CPTS",
        "réunions",
        "Au moins la cible",
        4,
        3,
        -1,
        "Non atteint",
        "Deux réunions annulées.",
    ]
    assert body[0][0] == "OS1 Améliorer l'accès" and body[0][1].startswith("OO1.1")
    flat = [value for row in rows for value in row if value]
    assert "Analyse de l'année." in flat and "DAC Scarpe-Escaut" in flat
    assert any("Poursuivre le partenariat." in str(value) for value in flat)

    response = client.get(reverse("reporting:review_pdf", args=[contract.pk, 2025]))
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    for expected in (
        "Revue annuelle 2025 du CPOM",
        "DAC Scarpe-Escaut",
        "OS1 — Améliorer l'accès",
        "File active",
        "Réunions avec les CPTS",
        "Non atteint",
        "Analyse de l'année.",
        "Poursuivre le partenariat.",
    ):
        assert expected in text, expected


def test_pages_have_bounded_queries(client, director, contract, django_assert_max_num_queries):
    for s in range(3):
        strategic = ContractObjectiveFactory(contract=contract, kind="strategic", position=s)
        for o in range(3):
            objective = ContractObjectiveFactory(
                contract=contract, kind="operational", parent=strategic, position=o
            )
            for i in range(3):
                indicator = ContractIndicatorFactory(
                    objective=objective, indicator_code="", label=f"Indicateur {i}", unit="u"
                )
                for year in contract.years:
                    ContractTargetFactory(indicator=indicator, year=year, target=i)
    ContractIndicatorFactory(objective=objective)  # one catalogue indicator: one computation
    for url in [
        reverse("reporting:contracts"),
        reverse("reporting:contract", args=[contract.pk]),
        reverse("reporting:contract_targets", args=[contract.pk]),
        reverse("reporting:review", args=[contract.pk, 2025]),
        reverse("reporting:review_xlsx", args=[contract.pk, 2025]),
    ]:
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200
