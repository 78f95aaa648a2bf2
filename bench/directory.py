"""Directory benchmark: search latency (in-process and over HTTP) and FINESS import rate.

Run by `make bench-directory` (scripts/bench-directory.sh gives a throwaway PostgreSQL through
DATABASE_URL). Steps: migrate, generate the synthetic directory (generate.py), VACUUM ANALYZE, time
200 varied searches through `search_services` then through the real search page of a server process,
then time a FINESS import. Progress goes to stdout; the last line is one JSON object.

Environment: BENCH_SEED (data seed), BENCH_EXPLAIN=N (print EXPLAIN ANALYZE of the N slowest
searches), BENCH_SERVICES / BENCH_COMMUNES / BENCH_FINESS_ROWS (smaller runs while developing).
"""

from __future__ import annotations

import http.cookiejar
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEARCHES = 200
WARM_UP = 5
PAGE_SIZE = 25
SEARCH_P95_TARGET_MS = 100
IMPORT_TARGET_ROWS_PER_S = 5000
PASSWORD = "Banc-d-essai-2024!"  # a throwaway account on a throwaway database


def log(message: str) -> None:
    print(message, flush=True)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


@dataclass
class Search:
    q: str = ""
    commune: object = None
    theme: str = ""
    public: str = ""
    only_covering: bool = False
    available_now: bool = False

    @property
    def shape(self) -> str:
        parts = [
            ("texte", self.q),
            ("commune", self.commune),
            ("thème", self.theme),
            ("couvrant", self.only_covering),
            ("public", self.public),
            ("dispo", self.available_now),
        ]
        return "+".join(name for name, value in parts if value)

    def params(self):
        from appui.directory.search import SearchParams

        return SearchParams(
            q=self.q,
            theme=self.theme,
            public=self.public,
            commune=self.commune,
            only_covering=self.only_covering,
            available_now=self.available_now,
        )

    def query_string(self) -> str:
        data = {
            "q": self.q,
            "commune": self.commune.insee_code if self.commune else "",
            "theme": self.theme,
            "public": self.public,
            "only_covering": "on" if self.only_covering else "",
            "available_now": "on" if self.available_now else "",
        }
        return urllib.parse.urlencode({k: v for k, v in data.items() if v})

    def describe(self) -> str:
        commune = f"{self.commune.name} ({self.commune.insee_code})" if self.commune else ""
        parts = [
            f"q={self.q!r}" if self.q else "",
            f"commune={commune}" if commune else "",
            f"theme={self.theme}" if self.theme else "",
            f"public={self.public}" if self.public else "",
            "only_covering" if self.only_covering else "",
            "available_now" if self.available_now else "",
        ]
        return ", ".join(p for p in parts if p)


def build_searches(rng: random.Random, communes, count: int) -> list[Search]:
    """Front-desk searches: words of theme labels and keywords, a commune, a theme, filters."""
    from appui.directory.enums import PUBLICS, THEMES
    from appui.directory.search import STOPWORDS, fold

    health = [t for t in THEMES.values() if "--" not in t.code]
    publics = [code for code in PUBLICS if code != "tous-publics"]
    searches = []
    while len(searches) < count:
        search = Search()
        theme = rng.choice(health)
        if rng.random() < 0.8:
            found = re.findall(r"[\w'-]+", f"{theme.label} {theme.keywords}")
            # One of each word ("HAD" is in both the label and the keywords of its theme).
            unique = {fold(w): w for w in found if len(w) > 2 and fold(w) not in STOPWORDS}
            words = sorted(unique.values())
            search.q = " ".join(rng.sample(words, min(len(words), rng.choice([1, 1, 2, 2, 3]))))
        if rng.random() < 0.75:
            search.commune = rng.choice(communes)
            search.only_covering = rng.random() < 0.35
        if rng.random() < 0.35:
            search.theme = theme.code if rng.random() < 0.7 else rng.choice(list(THEMES))
        if rng.random() < 0.2:
            search.public = rng.choice(publics)
        search.available_now = rng.random() < 0.1
        if search.q or search.commune or search.theme:
            searches.append(search)
    return searches


def time_in_process(search: Search) -> tuple[float, int]:
    """What the page costs the database: the (capped) count, then the first page of results,
    read as the search page reads them (`RankedResults`)."""
    from appui.directory.search import RankedResults

    results = RankedResults(search.params())
    started = time.perf_counter()
    total = results.count()
    results[0:PAGE_SIZE]
    return time.perf_counter() - started, total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, logfile) -> subprocess.Popen:
    env = dict(os.environ, APPUI_DEBUG="0", APPUI_PROFILE="development", APPUI_REQUIRE_2FA="0")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("Le serveur s'est arrêté au démarrage.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("Le serveur ne répond pas après 90 s.")


def login(base: str, email: str) -> urllib.request.OpenerDirector:
    """Log in through the real login page; the opener keeps the session cookie."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    url = base + "/compte/connexion/"
    page = opener.open(url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("Jeton CSRF introuvable sur la page de connexion.")
    form = urllib.parse.urlencode(
        {
            "username": email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1),
            "next": "/repertoire/",
        }
    ).encode()
    response = opener.open(urllib.request.Request(url, data=form, headers={"Referer": url}))
    response.read()
    if urllib.parse.urlparse(response.geturl()).path != "/repertoire/":
        raise RuntimeError(f"Connexion refusée (arrivé sur {response.geturl()}).")
    return opener


# "1 234 services", or "Aucun service" when nothing matches.
STATUS_RE = re.compile(r'role="status">\s*(Aucun|Plus de 1 000|[\d\s\u202f\xa0.]+) service')
CAPPED = 1001  # what a capped count returns; the page says "Plus de 1 000 services"


def time_http(opener, base: str, search: Search) -> tuple[float, int | None]:
    url = f"{base}/repertoire/?{search.query_string()}"
    started = time.perf_counter()
    with opener.open(url, timeout=60) as response:
        body = response.read()
        final = response.geturl()
    elapsed = time.perf_counter() - started
    if urllib.parse.urlparse(final).path != "/repertoire/":
        raise RuntimeError(f"Recherche redirigée vers {final}.")
    match = STATUS_RE.search(body.decode())
    if match is None:
        return elapsed, None
    shown = match.group(1)
    if shown == "Plus de 1 000":
        return elapsed, CAPPED
    return elapsed, 0 if shown == "Aucun" else int(re.sub(r"\D", "", shown))


def summarise_shapes(searches: list[Search], timings: list[float]) -> None:
    by_shape: dict[str, list[float]] = {}
    for search, seconds in zip(searches, timings, strict=True):
        by_shape.setdefault(search.shape, []).append(seconds)
    log("  par forme de recherche (n, p50, p95, max en ms) :")
    rows = sorted(by_shape.items(), key=lambda kv: -percentile(kv[1], 95))
    for shape, values in rows:
        log(
            f"    {shape:<38} {len(values):>3}  {ms(percentile(values, 50)):>7}  "
            f"{ms(percentile(values, 95)):>7}  {ms(max(values)):>7}"
        )


def explain_slowest(searches: list[Search], timings: list[float], n: int) -> None:
    """EXPLAIN ANALYZE of the queries behind the n slowest searches (BENCH_EXPLAIN=n)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ranked = sorted(zip(timings, searches, strict=True), key=lambda x: -x[0])[:n]
    for seconds, search in ranked:
        log(f"--- {ms(seconds)} ms : {search.describe()}")
        with CaptureQueriesContext(connection) as captured:
            time_in_process(search)
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                log(query["sql"])
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                for (line,) in cursor.fetchall():
                    log("    " + line)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appui.settings")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        log("DATABASE_URL doit désigner une base PostgreSQL (lancez `make bench-directory`).")
        return 2
    os.chdir(ROOT)
    import django

    django.setup()
    import generate
    from django.core.management import call_command
    from django.db import connection

    from appui.accounts.models import Membership, User
    from appui.core.audit import audit_context
    from appui.core.enums import Role
    from appui.directory.importers import run_import
    from appui.territory.models import Commune

    seed = int(os.environ.get("BENCH_SEED", "20240601"))
    total_communes = int(os.environ.get("BENCH_COMMUNES", "35000"))
    total_services = int(os.environ.get("BENCH_SERVICES", "100000"))
    finess_rows = int(os.environ.get("BENCH_FINESS_ROWS", "50000"))
    started_all = time.perf_counter()

    log("Migrations…")
    call_command("migrate", interactive=False, verbosity=0)
    if Commune.objects.exists():
        log("La base n'est pas vide : le banc d'essai a besoin d'une base neuve.")
        return 2
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]

    log(f"Génération des données (graine {seed})…")
    started = time.perf_counter()
    data = generate.generate(
        seed=seed,
        communes=total_communes,
        organisations=max(100, total_services * 8 // 100),
        services=total_services,
        log=log,
    )
    generation_s = time.perf_counter() - started
    # VACUUM as well: the visibility map and statistics are then those of a settled database, and
    # autovacuum does not wake up on the fresh 100 000 rows in the middle of the measurements.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    analyze_s = time.perf_counter() - started
    log(f"  génération {generation_s:.1f} s, VACUUM ANALYZE {analyze_s:.1f} s")

    rng = random.Random(seed + 1)
    searches = build_searches(rng, data.communes, SEARCHES)
    warm_up = build_searches(rng, data.communes, WARM_UP)
    # One warm-up search uses every filter, so that no first use lands in the measured ones.
    warm_up.append(
        Search("soins domicile", rng.choice(data.communes), "ssiad", "seniors", True, True)
    )

    # Other processes on the machine skew latencies: the load average goes with the figures.
    load_before = os.getloadavg()[0]
    log(f"{SEARCHES} recherches dans le processus (count + première page de {PAGE_SIZE})…")
    for search in warm_up:
        time_in_process(search)
    timings, counts = [], []
    for search in searches:
        seconds, total = time_in_process(search)
        timings.append(seconds)
        counts.append(total)
    p50, p95 = ms(percentile(timings, 50)), ms(percentile(timings, 95))
    log(f"  p50 {p50} ms, p95 {p95} ms, max {ms(max(timings))} ms")
    summarise_shapes(searches, timings)
    log("  les plus lentes :")
    for seconds, search in sorted(zip(timings, searches, strict=True), key=lambda x: -x[0])[:5]:
        log(f"    {ms(seconds):>7} ms  {search.describe()}")
    explain_n = int(os.environ.get("BENCH_EXPLAIN", "0"))
    if explain_n:
        explain_slowest(searches, timings, explain_n)

    email = "banc-essai@appui.test"
    user = User.objects.create_user(email, PASSWORD, first_name="Banc", last_name="d'essai")
    Membership.objects.create(user=user, organisation=data.dac, role=Role.ASSISTANT)

    log(f"Les mêmes {SEARCHES} recherches par HTTP (page /repertoire/, session connectée)…")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w+", prefix="bench-server-", suffix=".log") as server_log:
        server = start_server(port, server_log)
        try:
            opener = login(base, email)
            for search in warm_up:
                time_http(opener, base, search)
            http_timings, mismatches = [], 0
            for search, expected in zip(searches, counts, strict=True):
                seconds, shown = time_http(opener, base, search)
                http_timings.append(seconds)
                if shown != expected:
                    mismatches += 1
                    log(f"  écart : {search.describe()} → {shown} au lieu de {expected}")
        except Exception:
            server_log.seek(0)
            log(server_log.read()[-3000:])
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
    http_p50, http_p95 = ms(percentile(http_timings, 50)), ms(percentile(http_timings, 95))
    log(f"  p50 {http_p50} ms, p95 {http_p95} ms, max {ms(max(http_timings))} ms")

    load_after = os.getloadavg()[0]
    log(f"Import FINESS de {finess_rows} établissements…")
    extraction = generate.finess_extraction(data.communes, finess_rows, seed=seed + 2)
    started = time.perf_counter()
    with audit_context(user_id=user.pk, user_label=email):
        report = run_import("finess", extraction, filename="finess-banc-essai.csv", user=user)
    import_s = time.perf_counter() - started
    if not report.applied:
        log(f"  import refusé : {report.summary()} — {report.rejected[:5]}")
        return 1
    establishments = report.created + report.updated + report.unchanged + report.ignored
    rate = round(establishments / import_s)
    log(
        f"  {report.summary()} ; {report.rows} lignes lues en {import_s:.1f} s "
        f"→ {rate} établissements/s, {round(report.rows / import_s)} lignes/s"
    )

    result = {
        "services": data.services,
        "communes": len(data.communes),
        "organisations": len(data.organisations),
        "searches": SEARCHES,
        "search_p50_ms": p50,
        "search_p95_ms": p95,
        "search_max_ms": ms(max(timings)),
        "http_search_p50_ms": http_p50,
        "http_search_p95_ms": http_p95,
        "http_search_max_ms": ms(max(http_timings)),
        "http_count_mismatches": mismatches,
        # A row is a line of the FINESS file (establishment and geolocation lines alike).
        "finess_rows": report.rows,
        "finess_establishments": establishments,
        "finess_lines": report.rows,
        "finess_import_s": round(import_s, 2),
        "finess_import_rows_per_s": round(report.rows / import_s),
        "finess_import_establishments_per_s": rate,
        "generation_s": round(generation_s, 1),
        "generation_detail_s": {k: round(v, 1) for k, v in data.seconds.items()},
        "vacuum_analyze_s": round(analyze_s, 1),
        "search_p95_target_ms": SEARCH_P95_TARGET_MS,
        "finess_target_rows_per_s": IMPORT_TARGET_ROWS_PER_S,
        "search_target_met": p95 <= SEARCH_P95_TARGET_MS,
        "finess_target_met": report.rows / import_s >= IMPORT_TARGET_ROWS_PER_S,
        "postgresql": pg_version,
        "cpus": os.cpu_count(),
        "load_avg_1m": [round(load_before, 2), round(load_after, 2)],
        "seed": seed,
        "total_s": round(time.perf_counter() - started_all, 1),
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
