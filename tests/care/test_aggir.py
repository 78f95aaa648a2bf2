"""AGGIR: the GIR computed by hand from the weight table (CASF annexe 2-2) for every rank, and the
combination of sub-variables."""

import pytest

from appui.care import aggir

ALL_A = dict.fromkeys(aggir.DISCRIMINANT, "A")


def coded(**letters) -> dict:
    return {**ALL_A, **letters}


# Each case: the letters that are not A, the expected rank and GIR, and the sums by hand.
# Weight order: cohérence, orientation, toilette, habillage, alimentation, élimination,
# transferts, déplacement intérieur.
CASES = [
    pytest.param(
        # A: C 2000+1200+40+40+60+100+800+200 = 4440 ≥ 4380 → rang 1 → GIR 1
        dict.fromkeys(aggir.DISCRIMINANT, "C"),
        1,
        1,
        {"A": 4440},
        id="gir1-rank1-all-C",
    ),
    pytest.param(
        # A: C 2000+1200+40+40+60+100+800 = 4240, B déplacement intérieur 32 → 4272
        # 4140 ≤ 4272 < 4380 → rang 2 → GIR 2
        {
            "coherence": "C",
            "orientation": "C",
            "toilette": "C",
            "habillage": "C",
            "alimentation": "C",
            "elimination": "C",
            "transferts": "C",
            "deplacement_interieur": "B",
        },
        2,
        2,
        {"A": 4272},
        id="gir2-rank2",
    ),
    pytest.param(
        # A: C 2000+1200+40+40+100 = 3380, B alimentation 20 → 3400 ≥ 3390 → rang 3 → GIR 2
        {
            "coherence": "C",
            "orientation": "C",
            "toilette": "C",
            "habillage": "C",
            "alimentation": "B",
            "elimination": "C",
        },
        3,
        2,
        {"A": 3400},
        id="gir2-rank3",
    ),
    pytest.param(
        # Mental functions altered, the person moves about.
        # A: C 2000+1200 = 3200 < 3390; B: C 1500+1200 = 2700 ≥ 2016 → rang 4 → GIR 2
        {"coherence": "C", "orientation": "C"},
        4,
        2,
        {"A": 3200, "B": 2700},
        id="gir2-rank4",
    ),
    pytest.param(
        # A: C 60+100+800+200 = 1160 < 3390
        # B: C 60+100+800−80 = 880 < 2016
        # C: C 60+160+1000+400 = 1620, + toilette C 40 + habillage C 40 = 1700 ≥ 1700 → rang 5
        # (A and B with toilette and habillage: 1160+80 = 1240, 880+80 = 960)
        {
            "toilette": "C",
            "habillage": "C",
            "alimentation": "C",
            "elimination": "C",
            "transferts": "C",
            "deplacement_interieur": "C",
        },
        5,
        2,
        {"A": 1240, "B": 960, "C": 1700},
        id="gir2-rank5",
    ),
    pytest.param(
        # A: C 100+800+200 = 1100; B: C 100+800−80 = 820
        # C: C 160+1000+400 = 1560, 1432 ≤ 1560 < 1700 → rang 6 → GIR 2
        {"elimination": "C", "transferts": "C", "deplacement_interieur": "C"},
        6,
        2,
        {"A": 1100, "B": 820, "C": 1560},
        id="gir2-rank6",
    ),
    pytest.param(
        # A: C 60+800 = 860; B: C 60+800 = 860; C: C 60+1000 = 1060 < 1432
        # D: C 2000+2000 = 4000 ≥ 2400 → rang 7 → GIR 2
        {"alimentation": "C", "transferts": "C"},
        7,
        2,
        {"A": 860, "B": 860, "C": 1060, "D": 4000},
        id="gir2-rank7",
    ),
    pytest.param(
        # A: C 40+40+100 = 180, B transferts 120 + déplacement intérieur 32 → 332
        # B: C 40+40+100 = 180, B 120−40 → 260
        # C: C 40+40+160 = 240, B 200+40 → 480
        # D: C élimination 400, B transferts 200 → 600
        # E: C 400+400+800 = 1600, B transferts 100 → 1700 ≥ 1200 → rang 8 → GIR 3
        {
            "toilette": "C",
            "habillage": "C",
            "elimination": "C",
            "transferts": "B",
            "deplacement_interieur": "B",
        },
        8,
        3,
        {"A": 332, "B": 260, "C": 480, "D": 600, "E": 1700},
        id="gir3-rank8",
    ),
    pytest.param(
        # Mentally intact, needs help for all the toilet and dressing, partial transfers.
        # A: C 40+40 = 80, B 120+32 → 232      B: C 80, B 120−40 → 160
        # C: C 80, B 200+40 → 320               D: B transferts 200 → 200
        # E: C 400+400, B transferts 100 → 900 < 1200
        # F: C 500+500, B transferts 100 → 1100 ≥ 800 → rang 9 → GIR 3
        {
            "toilette": "C",
            "habillage": "C",
            "transferts": "B",
            "deplacement_interieur": "B",
            "deplacement_exterieur": "C",
        },
        9,
        3,
        {"A": 232, "B": 160, "C": 320, "D": 200, "E": 900, "F": 1100},
        id="gir3-rank9",
    ),
    pytest.param(
        # B on toilette, habillage, élimination, transferts:
        # A: 16+16+16+120 = 168   B: 16+16+16+120 = 168   C: 16+16+20+200 = 252
        # D: 200+200 = 400        E: 100×4 = 400          F: 100×4 = 400
        # G: 200×4 = 800 ≥ 650 → rang 10 → GIR 4
        {"toilette": "B", "habillage": "B", "elimination": "B", "transferts": "B"},
        10,
        4,
        {"A": 168, "B": 168, "C": 252, "D": 400, "E": 400, "F": 400, "G": 800},
        id="gir4-rank10",
    ),
    pytest.param(
        # B on toilette and habillage: A 32, B 32, C 32, D 0, E 200, F 200, G 400 < 650
        # H: 2000+2000 = 4000 ≥ 4000 → rang 11 → GIR 4
        {"toilette": "B", "habillage": "B"},
        11,
        4,
        {"A": 32, "B": 32, "C": 32, "D": 0, "E": 200, "F": 200, "G": 400, "H": 4000},
        id="gir4-rank11",
    ),
    pytest.param(
        # B on toilette: A 16, B 16, C 16, D 0, E 100, F 100, G 200
        # H: 2000 → 2000 ≤ 2000 < 4000 → rang 12 → GIR 5
        {"toilette": "B"},
        12,
        5,
        {"A": 16, "B": 16, "C": 16, "D": 0, "E": 100, "F": 100, "G": 200, "H": 2000},
        id="gir5-rank12",
    ),
    pytest.param(
        # Everything A: every sum is 0; H: 0 < 2000 → rang 13 → GIR 6
        {},
        13,
        6,
        dict.fromkeys("ABCDEFGH", 0),
        id="gir6-rank13-all-A",
    ),
    pytest.param(
        # Déplacement extérieur and communication weigh nothing: still GIR 6
        {"deplacement_exterieur": "C", "communication": "C"},
        13,
        6,
        dict.fromkeys("ABCDEFGH", 0),
        id="gir6-outside-and-communication-weigh-nothing",
    ),
]


@pytest.mark.parametrize(("letters", "rank", "gir", "sums"), CASES)
def test_gir_worked_examples(letters, rank, gir, sums):
    result = aggir.compute_gir(coded(**letters))
    assert (result.rank, result.gir) == (rank, gir)
    assert result.sums == sums
    assert result.group == list(sums)[-1]


def test_every_gir_is_covered_by_the_examples():
    girs = {case.values[2] for case in CASES}
    ranks = {case.values[1] for case in CASES}
    assert girs == {1, 2, 3, 4, 5, 6}
    assert ranks == set(range(1, 14))


def test_the_weight_table_is_the_reference_one():
    # A few cells read from the annex, where the reference differs from intuition.
    assert aggir.WEIGHTS["B"][0][7] == -80 and aggir.WEIGHTS["B"][1][7] == -40
    assert aggir.WEIGHTS["F"] == (
        (200, 200, 500, 500, 500, 500, 500, 200),
        (100, 100, 100, 100, 100, 100, 100, 0),
    )
    assert aggir.WEIGHTS["H"][1][6] == 2000 and aggir.WEIGHTS["H"][0][6] == 1000


@pytest.mark.parametrize(
    ("variable", "letters", "expected"),
    [
        ("toilette", "AA", "A"),
        ("toilette", "CC", "C"),
        ("toilette", "AC", "B"),
        ("toilette", "BC", "B"),
        ("toilette", "AB", "B"),
        ("habillage", "AAA", "A"),
        ("habillage", "CCC", "C"),
        ("habillage", "ACC", "B"),
        ("habillage", "BBB", "B"),
        ("alimentation", "AA", "A"),
        ("alimentation", "CC", "C"),
        ("alimentation", "BC", "C"),
        ("alimentation", "CB", "C"),
        ("alimentation", "AC", "B"),
        ("alimentation", "CA", "B"),
        ("alimentation", "AB", "B"),
        ("elimination", "AA", "A"),
        ("elimination", "CC", "C"),
        ("elimination", "AC", "C"),
        ("elimination", "CA", "C"),
        ("elimination", "BC", "C"),
        ("elimination", "AB", "B"),
        ("elimination", "BB", "B"),
    ],
)
def test_subvariable_rules(variable, letters, expected):
    assert aggir.combine(variable, letters) == expected


def test_answers_with_subvariables_give_the_gir():
    answers = {
        "coherence": "A",
        "orientation": "A",
        "communication": "A",
        "toilette_haut": "C",
        "toilette_bas": "C",
        "habillage_haut": "C",
        "habillage_moyen": "C",
        "habillage_bas": "C",
        "alimentation_se_servir": "A",
        "alimentation_manger": "A",
        "elimination_urinaire": "A",
        "elimination_fecale": "A",
        "transferts": "B",
        "deplacement_interieur": "B",
        "deplacement_exterieur": "C",
    }
    result = aggir.gir_from_answers(answers)
    # Same letters as the rank 9 example above: F 1100 ≥ 800 → GIR 3.
    assert (result.gir, result.rank, result.group) == (3, 9, "F")
    assert result.variables["toilette"] == "C" and result.variables["habillage"] == "C"


def test_a_missing_subvariable_is_named():
    answers = dict.fromkeys(("coherence", "orientation", "communication"), "A")
    with pytest.raises(aggir.IncompleteGrid) as caught:
        aggir.variables_from_answers(answers)
    assert "toilette_haut" in caught.value.missing
    assert "transferts" in caught.value.missing
    assert "coherence" not in caught.value.missing


def test_explanation_walks_the_groups():
    result = aggir.compute_gir(coded(toilette="B")).as_json()
    lines = aggir.explanation(result)
    assert lines[0] == "Groupe A : somme 16 < 3390 → groupe suivant."
    assert lines[-2] == "Groupe H : somme 2000 ≥ 2000 → rang 12."
    assert lines[-1] == "Rang 12 → GIR 5."
    last = aggir.explanation(aggir.compute_gir(ALL_A).as_json())
    assert last[-2] == "Groupe H : somme 0 < 2000 → rang 13."


def test_the_shipped_grid_asks_every_variable():
    codes = {q["code"] for d in aggir.DEFINITION["domains"] for q in d["questions"]}
    for name in aggir.DISCRIMINANT:
        rule = aggir.SUBVARIABLE_RULES.get(name)
        assert set(rule.parts if rule else (name,)) <= codes
    assert set(aggir.ILLUSTRATIVE) <= codes
    illustrative = [
        q
        for d in aggir.DEFINITION["domains"]
        for q in d["questions"]
        if q["code"] in aggir.ILLUSTRATIVE
    ]
    assert all(q["scored"] is False and not q.get("required") for q in illustrative)
