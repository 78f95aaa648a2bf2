"""AGGIR: the national autonomy grid (CASF, annexes 2-1 and 2-2) and the computation of the GIR.

The grid codes each variable A (does alone, spontaneously, totally, habitually and correctly),
B (does partially, not habitually or not correctly) or C (does not do). Four discriminant
variables are coded through sub-variables (toilette haut/bas, habillage haut/moyen/bas,
alimentation se servir/manger, élimination urinaire/fécale); `SUBVARIABLE_RULES` combines them.
Those combination rules come from the filling guide as we know it and are **unconfirmed**
(see docs/decisions/0008-grilles-et-aggir.md).

Algorithm (CASF annexe 2-2, as in force): groups A to H are evaluated in order; for each, the
weights of the variables coded C and B are summed; the first threshold reached gives the rank
(1 to 13), and the rank gives the GIR (1 = most dependent, 6 = autonomous). Déplacement extérieur
and communication à distance are discriminant but weigh 0 in every group.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LETTERS = ("A", "B", "C")

#: The ten discriminant variables, in the grid's order, with their French labels.
DISCRIMINANT = {
    "coherence": "Cohérence",
    "orientation": "Orientation",
    "toilette": "Toilette",
    "habillage": "Habillage",
    "alimentation": "Alimentation",
    "elimination": "Élimination",
    "transferts": "Transferts",
    "deplacement_interieur": "Déplacement à l'intérieur",
    "deplacement_exterieur": "Déplacement à l'extérieur",
    "communication": "Communication à distance",
}

#: The seven illustrative variables: recorded for the help plan, never scored.
ILLUSTRATIVE = {
    "gestion": "Gestion",
    "cuisine": "Cuisine",
    "menage": "Ménage",
    "transport": "Transport",
    "achats": "Achats",
    "suivi_traitement": "Suivi du traitement",
    "activites_temps_libre": "Activités de temps libre",
}

#: The variables that carry a weight, in the order of the weight tables below.
WEIGHTED = (
    "coherence",
    "orientation",
    "toilette",
    "habillage",
    "alimentation",
    "elimination",
    "transferts",
    "deplacement_interieur",
)

# fmt: off
#: Weights of each group: (weights if C, weights if B), in the order of `WEIGHTED`.
WEIGHTS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "A": ((2000, 1200, 40, 40, 60, 100, 800, 200), (0, 0, 16, 16, 20, 16, 120, 32)),
    "B": ((1500, 1200, 40, 40, 60, 100, 800, -80), (320, 120, 16, 16, 0, 16, 120, -40)),
    "C": ((0, 0, 40, 40, 60, 160, 1000, 400), (0, 0, 16, 16, 20, 20, 200, 40)),
    "D": ((0, 0, 0, 0, 2000, 400, 2000, 200), (0, 0, 0, 0, 200, 200, 200, 0)),
    "E": ((400, 400, 400, 400, 400, 800, 800, 200), (0, 0, 100, 100, 100, 100, 100, 0)),
    "F": ((200, 200, 500, 500, 500, 500, 500, 200), (100, 100, 100, 100, 100, 100, 100, 0)),
    "G": ((150, 150, 300, 300, 500, 500, 400, 200), (0, 0, 200, 200, 200, 200, 200, 100)),
    "H": ((0, 0, 3000, 3000, 3000, 3000, 1000, 1000), (0, 0, 2000, 2000, 2000, 2000, 2000, 1000)),
}

#: Thresholds of each group, highest first: (minimum sum, rank). Group H always gives a rank.
THRESHOLDS: dict[str, tuple[tuple[int, int], ...]] = {
    "A": ((4380, 1), (4140, 2), (3390, 3)),
    "B": ((2016, 4),),
    "C": ((1700, 5), (1432, 6)),
    "D": ((2400, 7),),
    "E": ((1200, 8),),
    "F": ((800, 9),),
    "G": ((650, 10),),
    "H": ((4000, 11), (2000, 12)),
}
# fmt: on

#: Group H's rank when its sum stays under 2000.
LAST_RANK = 13

RANK_TO_GIR = {1: 1, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 3, 9: 3, 10: 4, 11: 4, 12: 5, 13: 6}


@dataclass(frozen=True)
class SubvariableRule:
    """How the letters of a variable's sub-variables (in `parts` order) make its letter:
    `table` maps a combination ("AB", "CCA"…) to a letter; any other combination gives
    `otherwise`."""

    parts: tuple[str, ...]
    table: dict[str, str]
    otherwise: str = "B"


#: The sub-variable combination rules (unconfirmed: see the module docstring and the ADR 0008).
SUBVARIABLE_RULES: dict[str, SubvariableRule] = {
    # Toilette: haut, bas. Both A → A; both C → C; any other mix → B.
    "toilette": SubvariableRule(("toilette_haut", "toilette_bas"), {"AA": "A", "CC": "C"}),
    # Habillage: haut, moyen, bas. All A → A; all C → C; any other mix → B.
    "habillage": SubvariableRule(
        ("habillage_haut", "habillage_moyen", "habillage_bas"), {"AAA": "A", "CCC": "C"}
    ),
    # Alimentation: se servir, manger. AA → A; CC, BC, CB → C; others (AB, BA, BB, AC, CA) → B.
    "alimentation": SubvariableRule(
        ("alimentation_se_servir", "alimentation_manger"),
        {"AA": "A", "CC": "C", "BC": "C", "CB": "C"},
    ),
    # Élimination: urinaire, fécale. AA → A; any combination with a C → C; others → B.
    "elimination": SubvariableRule(
        ("elimination_urinaire", "elimination_fecale"),
        {"AA": "A", "CC": "C", "AC": "C", "CA": "C", "BC": "C", "CB": "C"},
    ),
}

#: Sub-variable code → the variable it belongs to.
PART_OF = {part: name for name, rule in SUBVARIABLE_RULES.items() for part in rule.parts}

#: What each GIR means (short wording of the grid's description, for the reader of a result).
GIR_MEANINGS = {
    1: "Personne confinée au lit ou au fauteuil, dont les fonctions mentales sont gravement "
    "altérées : présence indispensable et continue d'intervenants.",
    2: "Personne confinée au lit ou au fauteuil dont les fonctions mentales ne sont pas "
    "totalement altérées, ou personne dont les fonctions mentales sont altérées mais qui se "
    "déplace : aide pour la plupart des activités de la vie courante, surveillance permanente.",
    3: "Personne ayant conservé son autonomie mentale et partiellement son autonomie "
    "locomotrice, qui a besoin d'aide plusieurs fois par jour pour les soins corporels.",
    4: "Personne qui n'assume pas seule ses transferts mais qui, une fois levée, se déplace dans "
    "son logement, ou personne sans difficulté pour se déplacer mais aidée pour les soins "
    "corporels et les repas.",
    5: "Personne qui a besoin d'une aide ponctuelle pour la toilette, la préparation des repas "
    "et le ménage.",
    6: "Personne autonome pour les actes essentiels de la vie courante.",
}

#: GIR 1 to 4 open the right to the APA (allocation personnalisée d'autonomie).
APA_GIRS = (1, 2, 3, 4)


class IncompleteGrid(ValueError):
    """Some discriminant variables (or sub-variables) are not coded."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(", ".join(missing))


def combine(variable: str, letters) -> str:
    """The letter of `variable` from its sub-variables' letters (in the rule's order)."""
    rule = SUBVARIABLE_RULES[variable]
    key = "".join(letters)
    if len(key) != len(rule.parts) or any(letter not in LETTERS for letter in key):
        raise ValueError(f"{variable}: {key!r}")
    return rule.table.get(key, rule.otherwise)


def variables_from_answers(answers: dict) -> dict[str, str]:
    """The letters of the ten discriminant variables from a grid's answers, where the four
    compound variables are answered through their sub-variables. Raises `IncompleteGrid` with
    the codes of the questions left unanswered."""
    letters: dict[str, str] = {}
    missing: list[str] = []
    for name in DISCRIMINANT:
        rule = SUBVARIABLE_RULES.get(name)
        codes = rule.parts if rule else (name,)
        values = [answers.get(code) for code in codes]
        absent = [code for code, value in zip(codes, values, strict=True) if value not in LETTERS]
        if absent:
            missing.extend(absent)
            continue
        letters[name] = combine(name, values) if rule else values[0]
    if missing:
        raise IncompleteGrid(missing)
    return letters


@dataclass
class GirResult:
    gir: int
    rank: int
    group: str
    #: The sum of each group evaluated, in order, up to the one that gave the rank.
    sums: dict[str, int] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "method": "aggir",
            "gir": self.gir,
            "rank": self.rank,
            "group": self.group,
            "sums": self.sums,
            "variables": self.variables,
        }


def group_sum(group: str, variables: dict[str, str]) -> int:
    c_weights, b_weights = WEIGHTS[group]
    total = 0
    for index, name in enumerate(WEIGHTED):
        letter = variables[name]
        if letter == "C":
            total += c_weights[index]
        elif letter == "B":
            total += b_weights[index]
    return total


def compute_gir(variables: dict[str, str]) -> GirResult:
    """The GIR of the ten discriminant variables' letters (CASF annexe 2-2)."""
    missing = [name for name in WEIGHTED if variables.get(name) not in LETTERS]
    if missing:
        raise IncompleteGrid(missing)
    sums: dict[str, int] = {}
    for group, thresholds in THRESHOLDS.items():
        total = group_sum(group, variables)
        sums[group] = total
        for minimum, rank in thresholds:
            if total >= minimum:
                return GirResult(RANK_TO_GIR[rank], rank, group, sums, dict(variables))
    return GirResult(RANK_TO_GIR[LAST_RANK], LAST_RANK, "H", sums, dict(variables))


def gir_from_answers(answers: dict) -> GirResult:
    return compute_gir(variables_from_answers(answers))


def explanation(result: dict) -> list[str]:
    """The computation, step by step, in French (for the assessment page)."""
    lines = []
    sums = result.get("sums", {})
    for group, total in sums.items():
        thresholds = THRESHOLDS[group]
        if group == result.get("group"):
            reached = next((m for m, r in thresholds if r == result.get("rank")), None)
            if reached is None:
                lines.append(
                    f"Groupe {group} : somme {total} < {thresholds[-1][0]} → rang {result['rank']}."
                )
            else:
                lines.append(f"Groupe {group} : somme {total} ≥ {reached} → rang {result['rank']}.")
        else:
            lines.append(f"Groupe {group} : somme {total} < {thresholds[-1][0]} → groupe suivant.")
    if result.get("rank"):
        lines.append(f"Rang {result['rank']} → GIR {result['gir']}.")
    return lines


# --- The shipped grid ------------------------------------------------------------------------

ABC_HELP = (
    "A : fait seul, spontanément, totalement, habituellement et correctement. "
    "B : fait partiellement, ou non habituellement, ou non correctement. C : ne fait pas."
)


def _abc(code, label, help_text="", *, scored=True):
    question = {"code": code, "label": label, "type": "abc", "help": help_text}
    if scored:
        question["required"] = True
    else:
        question["scored"] = False
    return question


DEFINITION = {
    "scoring": {"method": "aggir"},
    "help": ABC_HELP,
    "domains": [
        {
            "code": "mental",
            "label": "Activités mentales et communication",
            "help": "",
            "questions": [
                _abc(
                    "coherence",
                    "Cohérence",
                    "Converser et se comporter de façon sensée, logique et adaptée.",
                ),
                _abc(
                    "orientation",
                    "Orientation",
                    "Se repérer dans le temps, les moments de la journée et les lieux.",
                ),
                _abc(
                    "communication",
                    "Communication à distance",
                    "Utiliser les moyens de communication pour alerter : téléphone, sonnette, "
                    "téléassistance.",
                ),
            ],
        },
        {
            "code": "body",
            "label": "Activités corporelles",
            "help": "Variables en plusieurs parties : la lettre de la variable se déduit de "
            "celles de ses parties.",
            "questions": [
                _abc(
                    "toilette_haut",
                    "Toilette du haut du corps",
                    "Visage, tronc, membres supérieurs et mains.",
                ),
                _abc(
                    "toilette_bas",
                    "Toilette du bas du corps",
                    "Régions intimes, membres inférieurs et pieds.",
                ),
                _abc(
                    "habillage_haut",
                    "Habillage du haut",
                    "Enfiler les vêtements par la tête ou les bras.",
                ),
                _abc(
                    "habillage_moyen",
                    "Habillage moyen",
                    "Fermer les vêtements : boutons, fermeture éclair, ceinture, bretelles.",
                ),
                _abc(
                    "habillage_bas",
                    "Habillage du bas",
                    "Enfiler les vêtements par le bas du corps, chaussettes et chaussures.",
                ),
                _abc(
                    "alimentation_se_servir",
                    "Alimentation : se servir",
                    "Couper la viande, peler un fruit, ouvrir un pot, remplir son verre.",
                ),
                _abc(
                    "alimentation_manger",
                    "Alimentation : manger",
                    "Porter les aliments à la bouche et les avaler.",
                ),
                _abc(
                    "elimination_urinaire",
                    "Élimination urinaire",
                    "Assurer l'hygiène de l'élimination urinaire.",
                ),
                _abc(
                    "elimination_fecale",
                    "Élimination fécale",
                    "Assurer l'hygiène de l'élimination fécale.",
                ),
            ],
        },
        {
            "code": "mobility",
            "label": "Mobilité",
            "help": "",
            "questions": [
                _abc("transferts", "Transferts", "Se lever, se coucher, s'asseoir."),
                _abc(
                    "deplacement_interieur",
                    "Déplacement à l'intérieur",
                    "Dans le logement, avec ou sans canne, déambulateur ou fauteuil roulant.",
                ),
                _abc(
                    "deplacement_exterieur",
                    "Déplacement à l'extérieur",
                    "À partir de la porte d'entrée, sans moyen de transport.",
                ),
            ],
        },
        {
            "code": "illustrative",
            "label": "Activités domestiques et sociales (variables illustratives)",
            "help": "Elles éclairent le plan d'aide et n'entrent pas dans le calcul du GIR.",
            "questions": [
                _abc(
                    "gestion",
                    "Gestion",
                    "Gérer ses affaires, son budget, ses biens, ses démarches.",
                    scored=False,
                ),
                _abc(
                    "cuisine",
                    "Cuisine",
                    "Préparer ses repas et les conditionner pour être servis.",
                    scored=False,
                ),
                _abc(
                    "menage",
                    "Ménage",
                    "Effectuer l'ensemble des travaux ménagers.",
                    scored=False,
                ),
                _abc(
                    "transport",
                    "Transport",
                    "Prendre ou commander un moyen de transport.",
                    scored=False,
                ),
                _abc(
                    "achats",
                    "Achats",
                    "Acquérir des biens, directement ou par correspondance.",
                    scored=False,
                ),
                _abc(
                    "suivi_traitement",
                    "Suivi du traitement",
                    "Se conformer à l'ordonnance du médecin.",
                    scored=False,
                ),
                _abc(
                    "activites_temps_libre",
                    "Activités de temps libre",
                    "Activités sportives, culturelles, sociales, de loisir ou de passe-temps.",
                    scored=False,
                ),
            ],
        },
    ],
}
