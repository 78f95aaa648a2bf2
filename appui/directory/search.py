"""Search of the directory: one text box, filters, coverage of a commune, ranking, reasons.

Text. Each word of the query must match (AND), as a prefix of a word of the service's name, indexed
text (provider, theme labels and their keywords, publics, commune) or description; accents and case
never matter and French stemming lets "infirmières" find "infirmier".
- PostgreSQL: `to_tsquery('appui_fr', 'word:* & …')` over the `search_vector` column (trigger-kept,
  GIN-indexed; `appui_fr` = unaccent + French stemmer), ranked by `ts_rank`.
- SQLite (demo): FTS5 with accent folding; each word is stemmed here (Snowball French) and searched
  as a prefix, ranked by `bm25`.

Ranking. Services covering the person's commune first, then relevance in a few levels (a match in
the name beats one in the description), then distance from the commune's centre, then name. The
equirectangular distance is computed in SQL with plain arithmetic, so both databases share it.

Coverage (data·inclusion's `zone_eligibilite`): the zone lists the commune, its EPCI, its
département or the whole country; or the service is based in the commune; or the commune lies
within the service's radius around its address.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

import snowballstemmer
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import ExpressionWrapper, RawSQL
from django.db.models.functions import Floor

from appui.territory.models import Commune

from .enums import ALL_PUBLICS, NATIONAL_CODES, PUBLICS, THEMES
from .models import KM_PER_DEGREE, Service

# French words that carry no meaning for a search (the PostgreSQL French dictionary drops them too).
STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "je",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "ma",
        "mais",
        "me",
        "meme",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "c",
        "d",
        "j",
        "l",
        "m",
        "n",
        "s",
        "t",
        "y",
        "ete",
        "etre",
        "avoir",
        "chez",
    ]
)
#: the largest radius a service may declare; bounds the radius part of the coverage test
MAX_RADIUS_KM = 150
RELEVANCE_LEVELS = 4


def fold(text: str) -> str:
    """Lower case without accents ("Hôpital" → "hopital")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(query: str) -> list[str]:
    """The meaningful words of a query, folded; duplicates removed, order kept."""
    words = re.findall(r"[a-z0-9]+", fold(query))
    seen: dict[str, None] = {}
    for word in words:
        if len(word) > 1 and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)[:12]


@lru_cache(maxsize=4096)
def prefix(term: str) -> str:
    """The stem a word is searched by: its French stem, unless stemming leaves too little."""
    stem = _stemmer().stemWord(term)
    return stem if len(stem) >= 4 or len(stem) == len(term) else term


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("french")


@dataclass
class SearchParams:
    q: str = ""
    theme: str = ""
    public: str = ""
    sector: str = ""
    mode: str = ""
    commune: Commune | None = None
    only_covering: bool = False
    available_now: bool = False

    @property
    def terms(self) -> list[str]:
        return terms(self.q)


def _json_contains(field_name: str, code: str) -> Q:
    """`field` (a JSON list of codes) contains `code` — GIN-indexed on PostgreSQL."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field_name}__contains": [code]})
    # SQLite has no JSON containment lookup; the list is stored as text, codes are quoted in it.
    return Q(**{f"{field_name}__icontains": f'"{code}"'})


def _squared_distance(commune: Commune):
    """Squared km between the service's position and the commune's centre (SQL arithmetic)."""
    k = math.cos(math.radians(commune.latitude))
    dlat = F("latitude") - Value(commune.latitude)
    dlon = (F("longitude") - Value(commune.longitude)) * Value(k)
    return ExpressionWrapper(
        (dlat * dlat + dlon * dlon) * Value(KM_PER_DEGREE * KM_PER_DEGREE),
        output_field=FloatField(),
    )


def coverage_q(commune: Commune) -> Q:
    """Services that intervene in `commune` (needs the `distance2` annotation for the radius)."""
    codes = [commune.insee_code, commune.epci_code, commune.department_code, *NATIONAL_CODES]
    covered = Q(commune_id=commune.pk)
    for code in filter(None, codes):
        covered |= _json_contains("zone_codes", code)
    if commune.latitude is not None and commune.longitude is not None:
        # A bounding box first, so that the database can use the position index.
        dlat = MAX_RADIUS_KM / KM_PER_DEGREE
        dlon = dlat / max(math.cos(math.radians(commune.latitude)), 0.1)
        covered |= Q(
            radius_km__isnull=False,
            latitude__range=(commune.latitude - dlat, commune.latitude + dlat),
            longitude__range=(commune.longitude - dlon, commune.longitude + dlon),
            distance2__lte=F("radius_km") * F("radius_km"),
        )
    return covered


def _text_filter(queryset: QuerySet, words: list[str]) -> QuerySet:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(
            " & ".join(f"{w}:*" for w in words), config="appui_fr", search_type="raw"
        )
        return queryset.filter(search_vector=query).annotate(
            relevance=SearchRank(F("search_vector"), query, normalization=32)
        )
    match = " AND ".join(f'"{prefix(w)}"*' for w in words)
    return queryset.filter(
        pk__in=RawSQL(
            "SELECT rowid FROM directory_service_fts WHERE directory_service_fts MATCH %s",
            [match],
        )
    ).annotate(
        # bm25 is negative, better when lower; -x/(1-x) brings it to [0, 1) like ts_rank's /32.
        relevance=RawSQL(
            "(SELECT -bm25(directory_service_fts, 10.0, 4.0, 1.0) / "
            "(1.0 - bm25(directory_service_fts, 10.0, 4.0, 1.0)) FROM directory_service_fts "
            "WHERE directory_service_fts MATCH %s AND rowid = directory_service.id)",
            [match],
            output_field=FloatField(),
        )
    )


def search_services(params: SearchParams, queryset: QuerySet | None = None) -> QuerySet:
    """The services matching `params`, ranked (see the module docstring)."""
    queryset = Service.objects.all() if queryset is None else queryset
    # Ranking touches the service table alone (no joins, no tsvector carried along); the page's
    # 25 providers and communes come afterwards in small indexed queries.
    queryset = queryset.prefetch_related("organisation", "professional", "commune").defer(
        "search_vector"
    )
    if params.theme:
        queryset = queryset.filter(_json_contains("themes", params.theme))
    if params.public:
        queryset = queryset.filter(
            _json_contains("publics", params.public)
            | _json_contains("publics", ALL_PUBLICS)
            | Q(publics=[])
        )
    if params.sector:
        queryset = queryset.filter(sector=params.sector)
    if params.mode:
        queryset = queryset.filter(_json_contains("reception_modes", params.mode))
    if params.available_now:
        queryset = queryset.filter(accepting=True)
    ordering = []
    commune = params.commune
    if commune is not None and commune.latitude is not None:
        queryset = queryset.annotate(distance2=_squared_distance(commune))
    if commune is not None:
        covered = coverage_q(commune)
        if params.only_covering:
            queryset = queryset.filter(covered).annotate(
                covers_commune=Value(True, output_field=BooleanField())
            )
        else:
            queryset = queryset.annotate(
                covers_commune=Case(When(covered, then=Value(True)), default=Value(False))
            )
            ordering.append(F("covers_commune").desc())
    words = params.terms
    if words:
        queryset = _text_filter(queryset, words).annotate(
            relevance_level=Floor(
                F("relevance") * Value(RELEVANCE_LEVELS * 2), output_field=IntegerField()
            )
        )
        ordering.append(F("relevance_level").desc())
    if commune is not None and commune.latitude is not None:
        ordering.append(F("distance2").asc(nulls_last=True))
    if words:
        ordering.append(F("relevance").desc())
    ordering += [F("name").asc(), F("pk").asc()]
    return queryset.order_by(*ordering)


class RankedResults:
    """What the search page paginates: a capped count and pages fetched the fast way.

    - Counting every match of a broad search ("aide", a whole département) costs a full scan; past
      `cap` the page says "plus de 1 000" and asks to narrow the search.
    - When a commune is given without the coverage filter, the covering services come first in the
      ranking; a page inside that head is read through the coverage filter, which uses the indexes.
      The whole ranking is read only for a page past the covering services.
    """

    def __init__(self, params: SearchParams, queryset: QuerySet | None = None, cap: int = 1000):
        self.params, self.cap = params, cap
        self.base = Service.objects.all() if queryset is None else queryset
        self.ranked = search_services(params, self.base)
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.ranked.order_by().values("pk")[: self.cap + 1].count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    @property
    def capped(self) -> bool:
        return self.count() > self.cap

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("RankedResults is read by slices (pages).")
        if self.params.commune is not None and not self.params.only_covering:
            covering = replace(self.params, only_covering=True)
            rows = list(search_services(covering, self.base)[key])
            if key.stop is not None and len(rows) == key.stop - (key.start or 0):
                return rows
        return list(self.ranked[key])


def guess_theme(query: str) -> str:
    """The theme a free-text search most likely meant (to prefill an unmet need)."""
    words = terms(query)
    best, best_score = "", 0
    for code, theme in THEMES.items():
        vocabulary = fold(f"{theme.label} {theme.keywords}")
        score = sum(1 for w in words if w in vocabulary)
        if score > best_score:
            best, best_score = code, score
    return best


@dataclass
class Hit:
    """A service in a result list, with what the front desk needs to trust it."""

    service: Service
    covers: bool | None = None
    distance_km: float | None = None
    reasons: list[str] = field(default_factory=list)


_FIELDS = (
    ("name", "le nom"),
    ("search_text", "les thématiques"),
    ("description", "la description"),
)


def _where(word: str, texts: dict[str, list[str]]) -> str | None:
    stem = prefix(word)
    for attr, label in _FIELDS:
        if any(token.startswith(stem) or token.startswith(word) for token in texts[attr]):
            return label
    return None


def explain(service: Service, params: SearchParams) -> Hit:
    """Why `service` is in the results (the words, the filters) and whether it covers the commune."""
    hit = Hit(service=service)
    words = params.terms
    if words:
        texts = {
            attr: re.findall(r"[a-z0-9]+", fold(getattr(service, attr) or ""))
            for attr, _ in _FIELDS
        }
        found: dict[str, list[str]] = {}
        for word in words:
            where = _where(word, texts)
            if where:
                found.setdefault(where, []).append(f"« {word} »")
        for where, matched in found.items():
            hit.reasons.append(f"{', '.join(matched)} dans {where}")
    if params.theme:
        hit.reasons.append(f"thématique « {THEMES[params.theme].label} »")
    if params.public:
        if service.open_to_all:
            hit.reasons.append("ouvert à tous les publics")
        else:
            hit.reasons.append(f"public « {PUBLICS.get(params.public, params.public)} »")
    commune = params.commune
    if commune is not None:
        kind = service.coverage(commune)
        hit.covers = kind is not None
        hit.distance_km = service.distance_km(commune)
        hit.reasons.append(coverage_reason(service, commune, kind))
    if params.available_now:
        hit.reasons.append("accepte de nouvelles personnes")
    return hit


COVERAGE_REASONS = {
    "commune": "intervient à {commune}",
    "epci": "intervient dans l'intercommunalité de {commune}",
    "department": "intervient dans tout le département ({department})",
    "national": "intervient dans toute la France",
    "based_here": "installé à {commune}",
    "radius": "intervient dans un rayon de {radius:g} km",
    None: "n'intervient pas à {commune}",
}


def coverage_reason(service: Service, commune: Commune, kind: str | None) -> str:
    return COVERAGE_REASONS[kind].format(
        commune=commune.name, department=commune.department_code, radius=service.radius_km or 0
    )
