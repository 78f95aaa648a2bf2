"""Duplicate detection: which persons of the DAC may be the one being entered (or looked at).

Two steps. SQL narrows the DAC's current records to a few dozen rows that could match: the same
matricule INS, a birth date close to the one entered (exact, day and month swapped, one digit
wrong or two adjacent digits swapped), or the same folded family name born the same year. Python
then scores each row from 0 to 100 and keeps those above `THRESHOLD`, with the reasons in French.

The rows are read as plain values to score them: only the candidates shown are loaded as records
(and so written to the access log as read). Nothing here ever merges anything.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from .enums import Sex
from .models import NotDuplicate, Person
from .names import fold, name_key, tokens

THRESHOLD = 65
MAX_CANDIDATES = 10
SIMILAR = 0.8  # two names at least this similar may be one name mistyped

# Points of each trait (their maxima add up to 100).
NAME_EXACT, NAME_CROSS, NAME_COMPOUND, NAME_SIMILAR = 35, 30, 25, 28
FIRST_EXACT, FIRST_AMONG, FIRST_SIMILAR, FIRST_DIFFERENT = 25, 20, 20, -10
DATE_POINTS = {
    "exact": 30,
    "transposed": 22,
    "one_digit": 18,
    "swapped_digits": 18,
    "same_year": 5,
    None: -15,
}
SEX_SAME, SEX_DIFFERENT = 5, -10
PLACE_SAME, PLACE_DIFFERENT = 5, -5
NIR_DIFFERENT = -25

SCORED_FIELDS = (
    "id",
    "birth_name",
    "used_name",
    "first_name",
    "first_names",
    "used_first_name",
    "sex",
    "birth_date",
    "birthplace_code",
    "nir",
)


@dataclass
class Traits:
    """The identity traits compared: those of an entry being made, or of a record."""

    birth_name: str
    first_name: str
    birth_date: datetime.date
    sex: str = ""
    used_name: str = ""
    first_names: str = ""
    used_first_name: str = ""
    birthplace_code: str = ""
    nir: str = ""

    @classmethod
    def of(cls, person) -> Traits:
        return cls(**{name: _get(person, name) for name in cls.__dataclass_fields__})


def _get(source, name):
    return source[name] if isinstance(source, dict) else getattr(source, name)


@dataclass
class Candidate:
    person: Person
    score: int
    reasons: list[str] = field(default_factory=list)

    @property
    def likelihood(self) -> str:
        if self.score >= 90:
            return "très probable"
        if self.score >= 75:
            return "probable"
        return "possible"


# --- Comparing traits ----------------------------------------------------------------------------


def similarity(a: str, b: str) -> float:
    """0–1: the better of the edit distance with transpositions and the indel ratio."""
    if not a or not b:
        return 0.0
    return max(DamerauLevenshtein.normalized_similarity(a, b), fuzz.ratio(a, b) / 100)


def _valid_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _from_digits(digits: str) -> datetime.date | None:
    return _valid_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def near_dates(birth_date: datetime.date) -> set[datetime.date]:
    """The dates a typing slip could have turned this one into (and the date itself)."""
    dates = {birth_date}
    swapped = _valid_date(birth_date.year, birth_date.day, birth_date.month)
    if swapped:
        dates.add(swapped)
    digits = birth_date.strftime("%Y%m%d")
    for i, current in enumerate(digits):
        for digit in "0123456789":
            if digit != current:
                changed = _from_digits(digits[:i] + digit + digits[i + 1 :])
                if changed:
                    dates.add(changed)
        if i < 7 and digits[i] != digits[i + 1]:
            changed = _from_digits(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :])
            if changed:
                dates.add(changed)
    return dates


def date_relation(a: datetime.date, b: datetime.date) -> str | None:
    if a == b:
        return "exact"
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return "transposed"
    da, db = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    diff = [i for i in range(8) if da[i] != db[i]]
    if len(diff) == 1:
        return "one_digit"
    if (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and (da[diff[0]], da[diff[1]]) == (db[diff[1]], db[diff[0]])
    ):
        return "swapped_digits"
    if a.year == b.year:
        return "same_year"
    return None


def same_birthplace(a: str, b: str) -> bool | None:
    """None when one is unknown. Corsica: the old codes 20xxx match 2Axxx and 2Bxxx."""
    a, b = (a or "").strip().upper(), (b or "").strip().upper()
    if not a or not b:
        return None
    if a == b:
        return True
    departments = {a[:2], b[:2]}
    return departments in ({"20", "2A"}, {"20", "2B"}) and a[2:] == b[2:]


def _name_points(new: Traits, old: Traits) -> tuple[int, str]:
    nb, nu, ob, ou = (
        name_key(new.birth_name),
        name_key(new.used_name),
        name_key(old.birth_name),
        name_key(old.used_name),
    )
    if nb and nb == ob:
        return NAME_EXACT, "Même nom de naissance"
    if nu and nu == ou:
        return NAME_CROSS, "Même nom utilisé"
    if (nb and nb == ou) or (nu and nu == ob):
        return NAME_CROSS, "Le nom de naissance de l'une est le nom utilisé de l'autre"
    pairs = [
        (new.birth_name, old.birth_name),
        (new.birth_name, old.used_name),
        (new.used_name, old.birth_name),
        (new.used_name, old.used_name),
    ]
    for a, b in pairs:
        ta, tb = set(tokens(a)), set(tokens(b))
        if ta and tb and ta != tb and (ta <= tb or tb <= ta):
            return (
                NAME_COMPOUND,
                f"Nom composé en partie commun : « {a.upper()} » / « {b.upper()} »",
            )
    best, shown = 0.0, ("", "")
    for a, b in pairs:
        score = similarity(name_key(a), name_key(b))
        if score > best:
            best, shown = score, (a, b)
    if best >= SIMILAR:
        a, b = (v.upper() for v in shown)
        return round(NAME_SIMILAR * best), f"Noms proches (faute de frappe ?) : « {a} » / « {b} »"
    return 0, ""


def _first_name_keys(traits: Traits) -> set[str]:
    keys = set(tokens(traits.first_names)) | {
        name_key(traits.first_names),
        name_key(traits.first_name),
        name_key(traits.used_first_name),
    }
    keys.discard("")
    return keys


def _first_name_points(new: Traits, old: Traits) -> tuple[int, str]:
    nf, of = name_key(new.first_name), name_key(old.first_name)
    if nf and nf == of:
        return FIRST_EXACT, "Même premier prénom"
    new_keys, old_keys = _first_name_keys(new), _first_name_keys(old)
    if (nf and nf in old_keys) or (of and of in new_keys):
        return FIRST_AMONG, "Prénom retrouvé parmi les prénoms de l'autre fiche"
    best = max((similarity(a, b) for a in new_keys for b in old_keys), default=0.0)
    if best >= SIMILAR:
        return round(FIRST_SIMILAR * best), (
            f"Prénoms proches (faute de frappe ?) : « {new.first_name} » / « {old.first_name} »"
        )
    if nf and of:
        return FIRST_DIFFERENT, "Prénoms différents"
    return 0, ""


DATE_REASONS = {
    "exact": "Même date de naissance",
    "transposed": "Date de naissance avec jour et mois inversés",
    "one_digit": "Date de naissance à un chiffre près",
    "swapped_digits": "Date de naissance avec deux chiffres inversés",
    "same_year": "Même année de naissance, jour ou mois différents",
    None: "Dates de naissance éloignées",
}


def score(new: Traits, old: Traits) -> tuple[int, list[str]]:
    """How likely `old` is the same person as `new`, 0–100, and why."""
    reasons: list[str] = []
    new_nir, old_nir = (new.nir or "").upper(), (old.nir or "").upper()
    if new_nir and new_nir == old_nir:
        return 100, ["Même matricule INS (NIR ou NIA)"]
    total = 0
    for points, reason in (_name_points(new, old), _first_name_points(new, old)):
        total += points
        if reason:
            reasons.append(reason)
    relation = date_relation(new.birth_date, old.birth_date)
    total += DATE_POINTS[relation]
    reasons.append(DATE_REASONS[relation])
    known = {Sex.FEMALE, Sex.MALE}
    if new.sex in known and old.sex in known:
        if new.sex == old.sex:
            total += SEX_SAME
            reasons.append("Même sexe")
        else:
            total += SEX_DIFFERENT
            reasons.append("Sexe différent")
    place = same_birthplace(new.birthplace_code, old.birthplace_code)
    if place:
        total += PLACE_SAME
        if new.birthplace_code.upper() != old.birthplace_code.upper():
            reasons.append("Même lieu de naissance (ancien code corse 20 = 2A/2B)")
        else:
            reasons.append("Même lieu de naissance")
    elif place is False:
        total += PLACE_DIFFERENT
        reasons.append("Lieux de naissance différents")
    if new_nir and old_nir:
        total += NIR_DIFFERENT
        reasons.append("Matricules INS différents")
    return max(0, min(100, total)), reasons


# --- Finding candidates --------------------------------------------------------------------------


def find_candidates(
    dac,
    *,
    birth_name: str,
    first_name: str,
    birth_date: datetime.date,
    sex: str,
    birthplace_code: str = "",
    nir: str = "",
    used_name: str = "",
    first_names: str = "",
    used_first_name: str = "",
    exclude_ids=(),
    person: Person | None = None,
    limit: int = MAX_CANDIDATES,
) -> list[Candidate]:
    """The DAC's current records that may be this person, best first.

    `person`: an existing record looked at on demand — itself and the records declared distinct
    from it are left out. Merged records are never candidates.
    """
    new = Traits(
        birth_name=birth_name,
        first_name=first_name,
        birth_date=birth_date,
        sex=sex,
        used_name=used_name,
        first_names=first_names,
        used_first_name=used_first_name,
        birthplace_code=birthplace_code,
        nir=(nir or "").upper(),
    )
    dac_id = getattr(dac, "pk", dac)
    excluded = set(exclude_ids)
    if person is not None:
        excluded.add(person.pk)
        excluded |= declared_distinct(person)
    keys = {k for k in (name_key(birth_name), name_key(used_name)) if k}
    same_year = (datetime.date(birth_date.year, 1, 1), datetime.date(birth_date.year, 12, 31))
    reach = Q(birth_date__in=near_dates(birth_date))
    if new.nir:
        reach |= Q(nir=new.nir)
    if keys:
        reach |= (Q(birth_name_key__in=keys) | Q(used_name_key__in=keys)) & Q(
            birth_date__range=same_year
        )
    rows = (
        Person.objects.current()
        .filter(dac_id=dac_id)
        .filter(reach)
        .exclude(pk__in=excluded)
        .values(*SCORED_FIELDS)
    )
    scored = []
    for row in rows:
        points, reasons = score(new, Traits.of(row))
        if points >= THRESHOLD:
            scored.append((points, row["id"], reasons))
    scored.sort(key=lambda item: (-item[0], item[1]))
    scored = scored[:limit]
    persons = Person.objects.select_related("commune").in_bulk([pk for _, pk, _ in scored])
    return [Candidate(persons[pk], points, reasons) for points, pk, reasons in scored]


def find_candidates_for(person: Person, limit: int = MAX_CANDIDATES) -> list[Candidate]:
    traits = Traits.of(person)
    return find_candidates(person.dac_id, person=person, limit=limit, **vars(traits))


def declared_distinct(person: Person) -> set[int]:
    pairs = NotDuplicate.objects.filter(Q(first=person) | Q(second=person))
    return {
        second if first == person.pk else first
        for first, second in pairs.values_list("first_id", "second_id")
    }


# --- Side by side --------------------------------------------------------------------------------

COMPARED = (
    ("birth_name", "Nom de naissance"),
    ("used_name", "Nom utilisé"),
    ("first_names", "Prénoms de naissance"),
    ("first_name", "Premier prénom"),
    ("used_first_name", "Prénom utilisé"),
    ("sex", "Sexe"),
    ("birth_date", "Date de naissance"),
    ("birthplace_code", "Lieu de naissance (code Insee)"),
    ("nir", "Matricule INS"),
)
SEX_LABELS = dict(Sex.choices)


def _shown(name, value) -> str:
    if value in (None, ""):
        return "—"
    if name == "sex":
        return SEX_LABELS.get(value, value)
    if name == "birth_date":
        return value.strftime("%d/%m/%Y")
    return str(value)


def _differ(name, a, b) -> bool:
    if name == "birth_date":
        return a != b
    if name == "birthplace_code":
        return (a or b) and not same_birthplace(a, b)
    return bool(a or b) and fold(str(a or "")) != fold(str(b or ""))


def _shown_nir(source) -> str:
    """A record's matricule shows only when its identity is qualified (RNIV); an entry being
    typed shows what was typed."""
    if isinstance(source, Person) and source.nir and not source.is_qualified:
        return "INS non qualifiée"
    return _shown("nir", source.nir)


def comparison(left, right) -> list[dict]:
    """Rows `label, left, right, differs` comparing two sets of traits (records or `Traits`)."""
    rows = []
    for name, label in COMPARED:
        a, b = _get(left, name), _get(right, name)
        shown = (
            (_shown_nir(left), _shown_nir(right))
            if name == "nir"
            else (
                _shown(name, a),
                _shown(name, b),
            )
        )
        rows.append(
            {
                "label": label,
                "left": shown[0],
                "right": shown[1],
                "differs": bool(_differ(name, a, b)),
            }
        )
    return rows
