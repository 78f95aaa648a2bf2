"""Live searches of the entry form: the person concerned, the requester in the directory.

Accents, case, hyphens and apostrophes never matter ("lefevre" finds "Lefèvre", "marie claire"
finds "Marie-Claire"): the text is folded the same way in Python (the query) and in SQL (the
column) — `unaccent` on PostgreSQL, the Python function itself on the embedded SQLite database.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, Func, Q, Value
from django.db.models.functions import Concat

from appui.core.identifiers import compact
from appui.core.permissions import scope
from appui.persons.models import Person
from appui.territory.models import Organisation, Professional

MAX_RESULTS = 10
SEPARATORS = "-'’"


def _fold_characters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = text.replace("œ", "oe").replace("æ", "ae")
    for separator in SEPARATORS:
        text = text.replace(separator, " ")
    return text


def fold(text: str) -> str:
    """Lower case, without accents; hyphens and apostrophes become spaces."""
    return " ".join(_fold_characters(text).split())


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    """SQLite has no `unaccent`: the same Python `fold()` is offered to its SQL."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("appui_fold", 1, _sql_fold, deterministic=True)


def _sql_fold(value):
    # Spaces kept as they are, as PostgreSQL's `translate(unaccent(lower(…)))` keeps them.
    return None if value is None else _fold_characters(value)


class Folded(Func):
    """`fold()` in SQL, so that a column compares with a folded query."""

    output_field = CharField()
    template = "LOWER(%(expressions)s)"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="translate(unaccent(lower(%(expressions)s)), '-''’', '   ')",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="appui_fold(%(expressions)s)", **extra)


def _words(*fields: str) -> Folded:
    parts = []
    for name in fields:
        parts += [Value(" "), name]
    return Folded(Concat(*parts, output_field=CharField()))


DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass
class PersonQuery:
    """A query typed in the person box: words of the name, a birth date or a birth year."""

    words: list[str] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)
    birth_date: date | None = None
    birth_year: int | None = None

    @classmethod
    def parse(cls, text: str) -> PersonQuery:
        query = cls()
        for token in (text or "").split():
            match = DATE.match(token) or ISO_DATE.match(token)
            if match:
                numbers = [int(n) for n in match.groups()]
                day, month, year = numbers if DATE.match(token) else numbers[::-1]
                with contextlib.suppress(ValueError):  # 31/02/1950: not a date, ignored
                    query.birth_date = date(year, month, day)
                continue
            if re.fullmatch(r"\d{4}", token):
                query.birth_year = int(token)
                continue
            query.words += fold(token).split()
            query.typed.append(token)
        return query

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.birth_date or self.birth_year)

    def prefill(self) -> dict[str, str]:
        """What the person form can be prefilled with: first word → birth name, rest → first name."""
        data = {}
        if self.typed:
            data["birth_name"] = self.typed[0]
            if len(self.typed) > 1:
                data["first_name"] = " ".join(self.typed[1:])
        if self.birth_date:
            data["birth_date"] = self.birth_date.isoformat()
        return data


def search_persons(membership, text: str) -> tuple[list[Person], bool]:
    """The DAC's persons matching every word (any name) and the date; `more` if results were cut."""
    query = PersonQuery.parse(text)
    if query.is_empty:
        return [], False
    queryset = scope(membership, "person", "list", Person.objects.current())
    if query.words:
        queryset = queryset.annotate(
            search_text=_words(
                "birth_name", "used_name", "first_names", "first_name", "used_first_name"
            )
        )
        for word in query.words:
            queryset = queryset.filter(search_text__contains=f" {word}")
    if query.birth_date:
        queryset = queryset.filter(birth_date=query.birth_date)
    elif query.birth_year:
        queryset = queryset.filter(birth_date__year=query.birth_year)
    found = list(
        queryset.select_related("commune", "gp").order_by("birth_name", "first_name", "pk")[
            : MAX_RESULTS + 1
        ]
    )
    return found[:MAX_RESULTS], len(found) > MAX_RESULTS


def search_professionals(membership, text: str) -> tuple[list[Professional], bool]:
    """By RPPS (all or its first digits) or by name words."""
    text = (text or "").strip()
    if not text:
        return [], False
    queryset = scope(membership, "professional", "list", Professional.objects.all())
    digits = compact(text)
    if digits.isdigit():
        if len(digits) < 4:
            return [], False
        queryset = queryset.filter(Q(rpps__startswith=digits) | Q(adeli__startswith=digits))
    else:
        queryset = queryset.annotate(search_text=_words("last_name", "first_name"))
        for word in fold(text).split():
            queryset = queryset.filter(search_text__contains=f" {word}")
    found = list(
        queryset.prefetch_related(
            "practice_places__organisation", "practice_places__commune"
        ).order_by("last_name", "first_name", "pk")[: MAX_RESULTS + 1]
    )
    return found[:MAX_RESULTS], len(found) > MAX_RESULTS


def search_organisations(text: str) -> tuple[list[Organisation], bool]:
    """By name words, or FINESS / SIRET."""
    text = (text or "").strip()
    if not text:
        return [], False
    queryset = Organisation.objects.all()
    digits = compact(text)
    if digits.isdigit() and len(digits) >= 9:
        queryset = queryset.filter(Q(finess_et=digits) | Q(finess_ej=digits) | Q(siret=digits))
    else:
        queryset = queryset.annotate(search_text=_words("name"))
        for word in fold(text).split():
            queryset = queryset.filter(search_text__contains=f" {word}")
    found = list(queryset.select_related("commune").order_by("name", "pk")[: MAX_RESULTS + 1])
    return found[:MAX_RESULTS], len(found) > MAX_RESULTS
