"""The duplicate scorer on tricky pairs, and the candidate search over a DAC's records."""

import time
from datetime import date

import pytest

from appui.persons.duplicates import (
    THRESHOLD,
    Traits,
    date_relation,
    find_candidates,
    find_candidates_for,
    near_dates,
    same_birthplace,
    score,
)
from appui.persons.models import NotDuplicate, Person
from appui.persons.names import fold, name_key, starts_with_first_name, tidy, tidy_family_name
from tests.factories import OrganisationFactory, PersonFactory, UserFactory
from tests.persons.helpers import make_nir


def traits(**overrides) -> Traits:
    values = {
        "birth_name": "LEFEVRE",
        "first_name": "Marie",
        "first_names": "Marie Claire",
        "birth_date": date(1941, 3, 2),
        "sex": "F",
        "birthplace_code": "59350",
    }
    values.update(overrides)
    return Traits(**values)


NIR_A = make_nir("F", 1941, 3)
NIR_B = make_nir("F", 1941, 3, order="456")

# (case, entry being made, existing record, same person?)
PAIRS = [
    ("accents et casse", traits(birth_name="Lefèvre"), traits(birth_name="LEFEVRE"), True),
    (
        "prénom composé avec ou sans trait d'union",
        traits(first_name="Marie-Claire", first_names="Marie-Claire Anne"),
        traits(first_name="Marie Claire", first_names="Marie Claire Anne"),
        True,
    ),
    (
        "jour et mois inversés",
        traits(birth_date=date(1941, 3, 2)),
        traits(birth_date=date(1941, 2, 3)),
        True,
    ),
    (
        "ancien code corse 20 contre 2A",
        traits(birthplace_code="20004"),
        traits(birthplace_code="2A004"),
        True,
    ),
    (
        "ancien code corse 20 contre 2B",
        traits(birthplace_code="2B033"),
        traits(birthplace_code="20033"),
        True,
    ),
    (
        "nom d'usage saisi comme nom de naissance",
        traits(birth_name="DURAND"),
        traits(birth_name="MARTIN", used_name="DURAND"),
        True,
    ),
    (
        "nom de naissance saisi, dossier existant au nom d'usage seulement",
        traits(birth_name="MARTIN", used_name="DURAND"),
        traits(birth_name="DURAND"),
        True,
    ),
    ("faute de frappe dans le nom", traits(birth_name="MATRIN"), traits(birth_name="MARTIN"), True),
    (
        "faute de frappe dans le nom (consonne oubliée)",
        traits(birth_name="LEFEBVRE"),
        traits(birth_name="LEFEVRE"),
        True,
    ),
    (
        "faute de frappe dans le prénom",
        traits(first_name="Luciene", first_names=""),
        traits(first_name="Lucienne", first_names="Lucienne"),
        True,
    ),
    (
        "prénom utilisé qui est un second prénom",
        traits(first_name="Claire", first_names=""),
        traits(first_name="Marie", first_names="Marie Claire"),
        True,
    ),
    (
        "un chiffre de l'année erroné",
        traits(birth_date=date(1947, 3, 2)),
        traits(birth_date=date(1941, 3, 2)),
        True,
    ),
    (
        "nom composé en partie",
        traits(birth_name="MARTIN-DURAND"),
        traits(birth_name="MARTIN"),
        True,
    ),
    (
        "apostrophe et espace",
        traits(birth_name="D'ALMEIDA"),
        traits(birth_name="DALMEIDA"),
        True,
    ),
    (
        "même matricule INS, nom d'usage différent",
        traits(birth_name="DURAND", nir=NIR_A),
        traits(birth_name="LEFEVRE", nir=NIR_A, birth_date=date(1950, 1, 1)),
        True,
    ),
    (
        "matricules différents mais tous les traits identiques",
        traits(nir=NIR_A),
        traits(nir=NIR_B),
        True,
    ),
    (
        "deux personnes nées le même jour",
        traits(birth_name="DUPONT", first_name="Jeanne", first_names="Jeanne"),
        traits(birth_name="MARTIN", first_name="Lucienne", first_names="Lucienne"),
        False,
    ),
    (
        "homonymes nés à vingt ans d'écart",
        traits(birth_date=date(1962, 7, 14)),
        traits(birth_date=date(1941, 3, 2)),
        False,
    ),
    (
        "jumeaux de sexe différent",
        traits(first_name="Pierre", first_names="Pierre", sex="M"),
        traits(first_name="Marie", first_names="Marie", sex="F"),
        False,
    ),
    (
        "même prénom, même année, autre nom, autre lieu",
        traits(birth_name="BERNARD", birth_date=date(1941, 9, 17), birthplace_code="62041"),
        traits(birth_name="LEFEVRE"),
        False,
    ),
    (
        "nom proche mais autre prénom et autre date",
        traits(birth_name="MARTEL", first_name="Paul", first_names="Paul", sex="M"),
        traits(birth_name="MARTIN", birth_date=date(1943, 11, 21)),
        False,
    ),
    (
        "sœurs : même nom, même lieu, autre prénom, autre année",
        traits(first_name="Jeanne", first_names="Jeanne", birth_date=date(1944, 5, 9)),
        traits(),
        False,
    ),
]


@pytest.mark.parametrize(("case", "new", "old", "same"), PAIRS, ids=[p[0] for p in PAIRS])
def test_scorer_on_tricky_pairs(case, new, old, same):
    points, reasons = score(new, old)
    assert 0 <= points <= 100
    assert reasons, "a score always comes with its reasons"
    if same:
        assert points >= THRESHOLD, f"{case} : {points} {reasons}"
    else:
        assert points < THRESHOLD, f"{case} : {points} {reasons}"


def test_exact_nir_gives_the_top_score_with_its_reason():
    points, reasons = score(traits(birth_name="X", nir=NIR_A), traits(nir=NIR_A))
    assert points == 100
    assert reasons == ["Même matricule INS (NIR ou NIA)"]


def test_reasons_say_why_in_french():
    _, reasons = score(traits(birth_name="DURAND"), traits(birth_name="MARTIN", used_name="DURAND"))
    assert "Le nom de naissance de l'une est le nom utilisé de l'autre" in reasons
    _, reasons = score(traits(birth_date=date(1941, 2, 3)), traits())
    assert "Date de naissance avec jour et mois inversés" in reasons
    _, reasons = score(traits(birthplace_code="20004"), traits(birthplace_code="2A004"))
    assert "Même lieu de naissance (ancien code corse 20 = 2A/2B)" in reasons
    _, reasons = score(traits(birth_name="MATRIN"), traits(birth_name="MARTIN"))
    assert "Noms proches (faute de frappe ?) : « MATRIN » / « MARTIN »" in reasons


def test_exact_match_scores_higher_than_a_typo():
    exact, _ = score(traits(), traits())
    typo, _ = score(traits(birth_name="LEFEBVRE"), traits())
    swapped, _ = score(traits(birth_date=date(1941, 2, 3)), traits())
    assert exact == 100
    assert exact > typo >= THRESHOLD
    assert exact > swapped >= THRESHOLD


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        (date(1941, 3, 2), date(1941, 3, 2), "exact"),
        (date(1941, 3, 2), date(1941, 2, 3), "transposed"),
        (date(1941, 3, 2), date(1947, 3, 2), "one_digit"),
        (date(1941, 3, 2), date(1914, 3, 2), "swapped_digits"),
        (date(1941, 3, 2), date(1941, 8, 25), "same_year"),
        (date(1941, 3, 2), date(1962, 7, 14), None),
    ],
)
def test_date_relation(a, b, relation):
    assert date_relation(a, b) == relation
    if relation and relation != "same_year":
        assert b in near_dates(a)


def test_near_dates_are_valid_dates_around_the_one_typed():
    dates = near_dates(date(1941, 3, 2))
    assert date(1941, 3, 2) in dates
    assert date(1941, 2, 3) in dates
    assert all(isinstance(d, date) for d in dates)
    assert 20 < len(dates) < 100


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("2A004", "20004", True),
        ("20004", "2A004", True),
        ("2B033", "20033", True),
        ("2a004", "2A004", True),
        ("2A004", "2B004", False),
        ("20004", "2A005", False),
        ("59350", "59350", True),
        ("59350", "59351", False),
        ("", "59350", None),
    ],
)
def test_corsican_birthplace_codes(a, b, same):
    assert same_birthplace(a, b) is same


def test_names_fold_accents_case_and_separators():
    assert name_key("Lefèvre") == name_key("LEFEVRE") == "LEFEVRE"
    assert name_key("Marie-Claire") == name_key("Marie Claire") == "MARIECLAIRE"
    assert fold("  d’Aubigné-Œuvray ") == "D AUBIGNE OEUVRAY"
    assert tidy(" Marie  -  Claire ") == "Marie-Claire"
    assert tidy_family_name(" d' almeida ") == "D'ALMEIDA"
    assert starts_with_first_name("Marie-Claire Anne", "Marie Claire")
    assert not starts_with_first_name("Anne Marie", "Marie")


# --- Candidate search over the DAC's records ----------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_find_candidates_ranks_and_skips_what_it_must():
    dac = OrganisationFactory(dac=True)
    same = PersonFactory(
        dac=dac, birth_name="Lefèvre", first_name="Marie", birth_date=date(1941, 3, 2)
    )
    swapped = PersonFactory(
        dac=dac, birth_name="LEFEVRE", first_name="Marie", birth_date=date(1941, 2, 3)
    )
    PersonFactory(dac=dac, birth_name="DUPONT", first_name="Jeanne", birth_date=date(1941, 3, 2))
    PersonFactory(
        birth_name="LEFEVRE", first_name="Marie", birth_date=date(1941, 3, 2)
    )  # other DAC
    merged = PersonFactory(
        dac=dac, birth_name="LEFEVRE", first_name="Marie", birth_date=date(1941, 3, 2)
    )
    merged.merged_into = same
    merged.save()
    found = find_candidates(
        dac,
        birth_name="LEFEVRE",
        first_name="Marie",
        birth_date=date(1941, 3, 2),
        sex="F",
        birthplace_code="59350",
    )
    assert [c.person for c in found] == [same, swapped]
    assert found[0].score == 100
    assert found[0].likelihood == "très probable"

    # On demand: the record itself and the pairs declared distinct are left out.
    NotDuplicate.objects.create(
        first_id=min(same.pk, swapped.pk), second_id=max(same.pk, swapped.pk), by=UserFactory()
    )
    assert find_candidates_for(same) == []


@pytestmark_db
def test_find_candidates_by_nir_whatever_the_traits():
    dac = OrganisationFactory(dac=True)
    nir = make_nir("F", 1941, 3)
    person = PersonFactory(dac=dac, birth_name="DURAND", nir=nir, birth_date=date(1941, 3, 2))
    found = find_candidates(
        dac, birth_name="MARTIN", first_name="Odette", birth_date=date(1960, 1, 1), sex="F", nir=nir
    )
    assert [c.person for c in found] == [person]
    assert found[0].reasons == ["Même matricule INS (NIR ou NIA)"]


@pytestmark_db
def test_married_name_finds_the_birth_name_record():
    dac = OrganisationFactory(dac=True)
    person = PersonFactory(
        dac=dac,
        birth_name="MARTIN",
        used_name="DURAND",
        first_name="Lucienne",
        birth_date=date(1940, 6, 1),
    )
    found = find_candidates(
        dac, birth_name="Durand", first_name="Lucienne", birth_date=date(1940, 6, 1), sex="F"
    )
    assert [c.person for c in found] == [person]


@pytestmark_db
def test_search_stays_fast_and_narrow_with_ten_thousand_persons(django_assert_max_num_queries):
    dac = OrganisationFactory(dac=True)
    rows = []
    for n in range(10_000):
        name = f"NOM{n:05d}"
        rows.append(
            Person(
                dac=dac,
                birth_name=name,
                birth_name_key=name,
                first_name="Jeanne",
                sex="F",
                birth_date=date(1930 + n % 60, 1 + n % 12, 1 + n % 28),
                birthplace_code="59350",
            )
        )
    Person.objects.bulk_create(rows, batch_size=2000)
    target = PersonFactory(
        dac=dac, birth_name="LEFEVRE", first_name="Marie", birth_date=date(1941, 3, 2)
    )
    started = time.perf_counter()
    with django_assert_max_num_queries(2):
        found = find_candidates(
            dac, birth_name="LEFEBVRE", first_name="Marie", birth_date=date(1941, 3, 2), sex="F"
        )
    elapsed = time.perf_counter() - started
    assert [c.person for c in found] == [target]
    assert elapsed < 1.0, f"{elapsed:.2f} s"
