"""Indicator benchmark: the whole catalogue over a synthetic region, for one DAC-year and the region.

Run by `make bench-indicators` (scripts/bench-indicators.sh gives a throwaway PostgreSQL through
DATABASE_URL). Steps: migrate, build a region of three DACs (30 000 persons, 100 000 requests,
20 000 PPCS with 200 000 actions, 1 000 000 access-log rows… at scale 1), ANALYZE, then compute
every indicator of `catalogue()` for one DAC and the year 2025, and for the three DACs side by side
and pooled, best of three passes. Progress goes to stdout; the last line is one JSON object:
`{"persons": N, "indicators": K, "dac_year_s": …, "region_year_s": …, …}`.

Generation is set-based: every large table is filled by one `INSERT … SELECT … FROM
generate_series(…)`, with the table and column names read from the models' `_meta` and every
column the statement does not set given its model default. Pseudo-random choices come from a hash
of the row number (`pg_temp.h(n, salt)` in 0..999 999), so two runs build the same data.

Options: `--scale 0.01` (a small region), `--explain N` (EXPLAIN ANALYZE of the queries of the N
slowest indicators), `--passes 3`, `--no-migrate` (the database is already migrated).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DAC_YEAR_TARGET_S = 2.0
REGION_YEAR_TARGET_S = 5.0
YEAR = 2025
# The data span: requests over 2024–2025, follow-up events until the end of January 2026.
SPAN_START = datetime.date(2024, 1, 1)
SPAN_END = datetime.date(2026, 1, 31)
STAFF_PER_DAC = 12
COMMUNES_PER_DAC = 50
DAC_NAMES = ["DAC Banc Nord", "DAC Banc Centre", "DAC Banc Sud"]
FULL_SIZE = {
    "persons": 30_000,
    "requests": 100_000,
    "plans": 20_000,
    "actions": 200_000,
    "adverse_events": 6_000,
    "unmet_needs": 8_000,
    "derogatory_services": 12_000,
    "professionals": 3_000,
    "log_events": 1_000_000,
}


def log(message: str) -> None:
    print(message, flush=True)


# --- SQL helpers --------------------------------------------------------------------------------


def qn(name: str) -> str:
    from django.db import connection

    return connection.ops.quote_name(name)


def literal(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _default(field) -> str | None:
    """The SQL expression for a column the statement does not set (None: leave it NULL)."""
    from django.db import models

    if field.null:
        return None
    if field.has_default():
        default = field.default
        if callable(default):
            if isinstance(field, models.DateTimeField):
                return "now()"
            if isinstance(field, models.DateField):
                return "current_date"
            if isinstance(field, models.JSONField):
                return "'[]'::jsonb" if isinstance(default(), list) else "'{}'::jsonb"
            return literal(default())
        return literal(default.value if hasattr(default, "value") else default)
    if isinstance(field, models.DateTimeField):
        return "now()"  # auto_now columns
    if isinstance(field, models.CharField | models.TextField):
        return "''"
    raise ValueError(f"{field.model.__name__}.{field.name} : valeur requise sans défaut")


def insert(model, source: str, **values: str) -> int:
    """`INSERT INTO <model's table> (<columns>) SELECT <values> FROM <source>`: `values` maps field
    names to SQL expressions over `source`; every other column gets its model default."""
    from django.db import connection

    given = dict(values)
    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        if field.name in given:
            expression = given.pop(field.name)
        elif field.primary_key:
            continue
        else:
            expression = _default(field)
        if expression is None:
            continue
        columns.append(qn(field.column))
        expressions.append(expression)
    if given:
        raise ValueError(f"{model.__name__} : champs inconnus {sorted(given)}")
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def execute(sql: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def table(model) -> str:
    return qn(model._meta.db_table)


def col(model, name: str) -> str:
    return qn(model._meta.get_field(name).column)


def h(n: str, salt: int) -> str:
    """A pseudo-random integer in 0..999 999 from a row number and a salt."""
    return f"pg_temp.h(({n})::bigint, {salt})"


def pick(choices: list[tuple[str, int]], n: str, salt: int) -> str:
    """One of `choices` (value, weight), chosen by the hash of `n`."""
    values = [value for value, weight in choices for _ in range(weight)]
    array = "ARRAY[" + ", ".join(literal(v) for v in values) + "]"
    return f"({array})[1 + {h(n, salt)} % {len(values)}]"


def days(expression: str) -> str:
    return f"(({expression}) * interval '1 day')"


# --- Generation ---------------------------------------------------------------------------------


def sizes(scale: float) -> dict[str, int]:
    return {key: max(3, round(value * scale)) for key, value in FULL_SIZE.items()}


def build_region(scale: float = 1.0, log=log) -> dict:
    """Build the synthetic region in the current (empty, PostgreSQL) database; return the counts
    and the three DACs' ids."""
    from django.db import transaction

    size = sizes(scale)
    timings = {}
    with transaction.atomic():
        dac_ids = _setup(size, log, timings)
        counts = _generate(size, dac_ids, log, timings)
    counts["dac_ids"] = dac_ids
    counts["generation_detail_s"] = timings
    return counts


def _step(name: str, timings: dict, log):
    class Step:
        def __enter__(self):
            self.started = time.perf_counter()

        def __exit__(self, *exc):
            seconds = time.perf_counter() - self.started
            timings[name] = round(seconds, 2)
            if exc[0] is None:
                log(f"  {name} : {seconds:.1f} s")

    return Step()


def _setup(size: dict, log, timings) -> list[int]:
    """The small reference data, through the ORM: DACs, territories, communes, partner
    structures, staff accounts; plus the helper function and the working-day table."""
    from appui.accounts.models import Membership, User
    from appui.core.enums import Role
    from appui.intake.delays import is_working_day
    from appui.territory.enums import OrganisationKind
    from appui.territory.models import Commune, Organisation, Territory

    with _step("référentiel", timings, log):
        execute(
            "CREATE OR REPLACE FUNCTION pg_temp.h(n bigint, salt integer) RETURNS integer "
            "LANGUAGE sql IMMUTABLE AS "
            "$$ SELECT (abs(hashint8(n * 1009 + salt)) % 1000000)::integer $$"
        )
        communes = Commune.objects.bulk_create(
            Commune(
                insee_code=f"9{dac:01d}{k:03d}",
                name=f"Commune {dac + 1}-{k + 1:02d}",
                postal_codes=f"9{dac:01d}{k:03d}",
                department_code="59",
                region_code="32",
                latitude=50.0 + dac * 0.3 + k * 0.005,
                longitude=3.0 + k * 0.01,
            )
            for dac in range(3)
            for k in range(COMMUNES_PER_DAC)
        )
        dacs = []
        for index, name in enumerate(DAC_NAMES):
            dac = Organisation.objects.create(
                name=name, kind=OrganisationKind.DAC, commune=communes[index * COMMUNES_PER_DAC]
            )
            territory = Territory.objects.create(dac=dac, name=name.removeprefix("DAC "))
            territory.communes.set(
                communes[index * COMMUNES_PER_DAC : (index + 1) * COMMUNES_PER_DAC]
            )
            dacs.append(dac)
        partner_kinds = [
            OrganisationKind.HOSPITAL,
            OrganisationKind.SSIAD,
            OrganisationKind.SAAD,
            OrganisationKind.EHPAD,
            OrganisationKind.MSP,
            OrganisationKind.CLIC,
            OrganisationKind.CCAS,
            OrganisationKind.CPTS,
            OrganisationKind.HAD,
            OrganisationKind.PHARMACY,
        ]
        Organisation.objects.bulk_create(
            Organisation(
                name=f"Structure {k + 1}",
                kind=partner_kinds[k % len(partner_kinds)],
                commune=communes[k % len(communes)],
            )
            for k in range(90)
        )
        staff = []
        for index, dac in enumerate(dacs):
            for k in range(STAFF_PER_DAC):
                user = User(
                    email=f"equipe{k + 1}@dac{index + 1}.banc.test",
                    first_name=f"Agent{k + 1}",
                    last_name=f"Dac{index + 1}",
                )
                user.set_unusable_password()
                staff.append((dac, k, user))
        User.objects.bulk_create([user for _, _, user in staff])
        roles = [Role.COORDINATOR] * 6 + [Role.CASE_MANAGER] * 4 + [Role.DIRECTOR, Role.ASSISTANT]
        Membership.objects.bulk_create(
            Membership(user=user, organisation=dac, role=roles[k], start_date=SPAN_START)
            for dac, k, user in staff
        )
        execute(
            "CREATE TEMP TABLE b_staff (dac_id bigint, sk integer, user_id bigint) ON COMMIT DROP"
        )
        execute(
            "INSERT INTO b_staff VALUES "
            + ", ".join(f"({dac.pk}, {k}, {user.pk})" for dac, k, user in staff)
        )
        execute(
            "CREATE TEMP TABLE b_commune (dac_id bigint, ck integer, commune_id bigint) ON COMMIT DROP"
        )
        execute(
            "INSERT INTO b_commune VALUES "
            + ", ".join(
                f"({dacs[i // COMMUNES_PER_DAC].pk}, {i % COMMUNES_PER_DAC}, {c.pk})"
                for i, c in enumerate(communes)
            )
        )
        # Working days (French public holidays): rank = working days up to the day included.
        rows, rank, day = [], 0, SPAN_START - datetime.timedelta(days=40)
        while day <= SPAN_END + datetime.timedelta(days=400):
            working = is_working_day(day)
            rank += working
            rows.append(f"('{day.isoformat()}', {literal(working)}, {rank})")
            day += datetime.timedelta(days=1)
        execute(
            "CREATE TEMP TABLE b_wd (day date PRIMARY KEY, working boolean, rank integer) ON COMMIT DROP"
        )
        execute("INSERT INTO b_wd VALUES " + ", ".join(rows))
    return [dac.pk for dac in dacs]


def _generate(size: dict, dac_ids: list[int], log, timings) -> dict:
    from appui.care.assessments import MULTIDIMENSIONAL_CODE, shipped_form
    from appui.care.models import (
        Action,
        AdverseEvent,
        Assessment,
        CareEpisode,
        CarePlan,
        CarePlanVersion,
        LevelChange,
    )
    from appui.core.models import AccessLog
    from appui.directory.enums import THEMES
    from appui.directory.models import UnmetNeed
    from appui.intake.models import RequestResponse, SupportRequest
    from appui.persons.models import Person
    from appui.reporting.enums import DerogatoryKind
    from appui.reporting.models import DacBudget, DerogatoryService
    from appui.territory.enums import Profession
    from appui.territory.models import Organisation, Professional

    P, R = size["persons"], size["requests"]
    dacs = "ARRAY[" + ", ".join(str(i) for i in dac_ids) + "]::bigint[]"
    start = f"date '{SPAN_START.isoformat()}'"
    limit = f"date '{SPAN_END.isoformat()}'"
    counts = {}

    with _step("professionnels", timings, log):
        professions = [(Profession.PHYSICIAN, 5), (Profession.NURSE, 3)] + [
            (p, 1) for p in Profession.values if p not in {"physician", "nurse"}
        ]
        insert(
            Professional,
            f"generate_series(0, {size['professionals'] - 1}) i",
            first_name="'Prénom' || i",
            last_name="'NOM' || i",
            profession=pick(professions, "i", 1),
        )
        execute(
            f"CREATE TEMP TABLE b_pro ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, "
            f"id, {col(Professional, 'profession')} AS profession FROM {table(Professional)}"
        )
        execute(
            "CREATE TEMP TABLE b_gp ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id "
            "FROM b_pro WHERE profession = 'physician'"
        )
        execute(
            f"CREATE TEMP TABLE b_org ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, "
            f"id FROM {table(Organisation)} WHERE {col(Organisation, 'kind')} <> 'dac'"
        )
        gps = execute("SELECT 1 FROM b_gp")
        orgs = execute("SELECT 1 FROM b_org")
        pros = size["professionals"]

    with _step("personnes", timings, log):
        counts["persons"] = insert(
            Person,
            f"generate_series(0, {P - 1}) i JOIN b_commune c "
            f"ON c.dac_id = ({dacs})[1 + i % 3] AND c.ck = {h('i', 2)} % {COMMUNES_PER_DAC} "
            f"LEFT JOIN b_gp g ON g.n = {h('i', 3)} % {gps} AND {h('i', 4)} < 850000",
            dac=f"({dacs})[1 + i % 3]",
            birth_name="'NOM' || i",
            birth_name_key="'nom' || i",
            first_name=pick([("Marie", 1), ("Jean", 1), ("Louise", 1), ("André", 1)], "i", 5),
            sex=pick([("F", 3), ("M", 2)], "i", 6),
            birth_date=f"date '1925-01-01' + {h('i', 7)} % 25000",
            commune="c.commune_id",
            gp="g.id",
            gp_status="CASE WHEN g.id IS NULL THEN 'unknown' ELSE 'known' END",
        )
        execute(
            f"CREATE TEMP TABLE b_person ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY id) - 1)::int "
            f"AS n, id, {col(Person, 'dac')} AS dac_id FROM {table(Person)}"
        )
        execute("CREATE UNIQUE INDEX ON b_person (n)")

    with _step("demandes et réponses", timings, log):
        responses = [
            ("information", 15),
            ("orientation", 20),
            ("one_off_support", 15),
            ("coordination", 25),
            ("case_management", 12),
            ("referral_out", 5),
            ("refused_by_person", 4),
            ("no_follow_up", 4),
        ]
        # Every request's facts first (received, answered, response), then the rows.
        execute(
            f"""CREATE TEMP TABLE b_req ON COMMIT DROP AS
            SELECT j, p.id AS person_id, p.dac_id,
                CASE WHEN {h("j", 11)} < 900000 THEN p.id END AS linked_person,
                received_at,
                CASE WHEN {h("j", 12)} < 960000 THEN received_at + {
                days(
                    "CASE WHEN "
                    + h("j", 13)
                    + " < 900000 THEN "
                    + h("j", 14)
                    + " % 6 ELSE 6 + "
                    + h("j", 14)
                    + " % 25 END"
                )
            } + interval '2 hours' END AS answered_at,
                {pick(responses, "j", 15)} AS response_type
            FROM (SELECT j, timestamptz '{SPAN_START.isoformat()} 08:00 Europe/Paris'
                    + {days(h("j", 16) + " % 731")} + ({h("j", 17)} % 540) * interval '1 minute'
                    AS received_at
                  FROM generate_series(0, {R - 1}) j) r
            JOIN b_person p ON p.n = {h("j", 18)} % {P}"""
        )
        execute(
            "ALTER TABLE b_req ADD COLUMN delay integer, ADD COLUMN received_day date, "
            "ADD COLUMN answered_day date"
        )
        execute(
            "UPDATE b_req SET received_day = (received_at AT TIME ZONE 'Europe/Paris')::date, "
            "answered_day = (answered_at AT TIME ZONE 'Europe/Paris')::date"
        )
        execute(
            "UPDATE b_req r SET delay = greatest(0, e.rank - s.rank - CASE WHEN s.working "
            "THEN 0 ELSE 1 END) FROM b_wd s, b_wd e WHERE s.day = r.received_day "
            "AND e.day = r.answered_day"
        )
        status = (
            "CASE WHEN answered_at IS NULL THEN "
            + pick([("new", 1), ("in_analysis", 2)], "j", 19)
            + " WHEN response_type IN ('coordination', 'case_management') AND linked_person "
            "IS NOT NULL THEN 'accompaniment' WHEN response_type = 'referral_out' THEN "
            "'referred' WHEN response_type IN ('refused_by_person', 'no_follow_up') THEN "
            "'closed' ELSE 'answered' END"
        )
        kinds = [
            ("professional", 45),
            ("organisation", 30),
            ("carer", 15),
            ("person", 7),
            ("other", 3),
        ]
        channels = [
            ("phone", 50),
            ("email", 15),
            ("secure_message", 15),
            ("web_form", 12),
            ("visit", 5),
            ("letter", 3),
        ]
        kind = pick(kinds, "j", 20)
        counts["requests"] = insert(
            SupportRequest,
            f"(SELECT b_req.*, {kind} AS kind FROM b_req) r "
            f"LEFT JOIN b_pro pr ON r.kind = 'professional' AND pr.n = {h('j', 21)} % {pros} "
            f"LEFT JOIN b_org o ON r.kind = 'organisation' AND o.n = {h('j', 22)} % {orgs}",
            dac="dac_id",
            number="'B-' || lpad(j::text, 7, '0')",
            channel=pick(channels, "j", 23),
            received_at="received_at",
            requester_kind="kind",
            requester_professional="pr.id",
            requester_organisation="o.id",
            requester_name="CASE WHEN kind IN ('carer', 'person', 'other') THEN 'Demandeur ' "
            "|| j ELSE '' END",
            person="linked_person",
            description="'Demande de coordination pour une situation complexe.'",
            urgency=pick([("normal", 9), ("urgent", 1)], "j", 24),
            status=status,
            level="CASE WHEN answered_at IS NOT NULL THEN "
            + pick([("watch", 2), ("risk", 3), ("short_term", 3), ("long_term", 2)], "j", 25)
            + " ELSE '' END",
            answer_due_at="received_at + interval '2 days'",
            first_answered_at="answered_at",
            first_answer_delay_days="delay",
            closed_at="CASE WHEN response_type IN ('refused_by_person', 'no_follow_up') "
            "THEN answered_at END",
            created_at="received_at",
            updated_at="coalesce(answered_at, received_at)",
        )
        execute(
            f"CREATE TEMP TABLE b_reqid ON COMMIT DROP AS SELECT b.*, s.id AS request_id FROM b_req b "
            f"JOIN {table(SupportRequest)} s ON s.{col(SupportRequest, 'number')} "
            f"= 'B-' || lpad(b.j::text, 7, '0')"
        )
        counts["responses"] = insert(
            RequestResponse,
            f"b_reqid r JOIN b_staff st ON st.dac_id = r.dac_id "
            f"AND st.sk = {h('j', 26)} % {STAFF_PER_DAC} WHERE r.answered_at IS NOT NULL",
            request="r.request_id",
            response_type="r.response_type",
            given_at="r.answered_at",
            given_by="st.user_id",
            summary="'Réponse apportée au demandeur.'",
            created_at="r.answered_at",
            updated_at="r.answered_at",
        )

    with _step("accompagnements", timings, log):
        levels = [("watch", 1), ("risk", 3), ("short_term", 4), ("long_term", 3), ("urgent", 1)]
        exits = [
            ("stabilised", 30),
            ("goals_met", 20),
            ("relay", 15),
            ("institution", 15),
            ("death", 12),
            ("moved", 4),
            ("refusal", 4),
        ]
        execute(
            f"""CREATE TEMP TABLE b_ep0 ON COMMIT DROP AS
            SELECT j, request_id, dac_id, linked_person AS person_id, response_type AS kind,
                opened_on,
                CASE WHEN {h("j", 31)} < 600000 AND opened_on + 30 + {h("j", 32)} % 420
                    <= {limit} THEN opened_on + 30 + {h("j", 32)} % 420 END AS closed_on
            FROM (SELECT *, answered_day + {h("j", 30)} % 15 AS opened_on FROM b_reqid
                  WHERE linked_person IS NOT NULL AND answered_at IS NOT NULL
                    AND response_type IN ('coordination', 'case_management')) r
            WHERE opened_on <= {limit}"""
        )
        staff_join = (
            "JOIN b_staff st ON st.dac_id = e.dac_id AND st.sk = {k} % 10 "
            "LEFT JOIN b_staff cm ON e.kind = 'case_management' AND cm.dac_id = e.dac_id "
            "AND cm.sk = 6 + {k} % 4"
        )
        episode_values = {
            "dac": "e.dac_id",
            "person": "e.person_id",
            "kind": "e.kind",
            "status": "CASE WHEN e.closed_on IS NULL THEN 'open' ELSE 'closed' END",
            "opened_on": "e.opened_on",
            "level": pick(levels, "e.j", 33),
            "level_since": "e.opened_on::timestamptz",
            "referent": "st.user_id",
            "case_manager": "cm.user_id",
            "gp_informed_on": f"CASE WHEN {h('e.j', 34)} < 850000 THEN e.opened_on + 2 END",
            "gp_informed_how": f"CASE WHEN {h('e.j', 34)} < 850000 THEN 'phone' ELSE '' END",
            "closed_on": "e.closed_on",
            "exit_reason": "CASE WHEN e.closed_on IS NULL THEN '' ELSE "
            + pick(exits, "e.j", 35)
            + " END",
            "created_at": "e.opened_on::timestamptz",
            "updated_at": "coalesce(e.closed_on, e.opened_on)::timestamptz",
        }
        first = insert(
            CareEpisode,
            "b_ep0 e " + staff_join.format(k=h("e.j", 36)),
            request="e.request_id",
            **episode_values,
        )
        # Reopened episodes: 4 % of the closed ones start again 30 to 90 days later.
        execute(
            f"""CREATE TEMP TABLE b_ep1 ON COMMIT DROP AS
            SELECT e.j + 10000000 AS j, c.id AS previous_id, e.dac_id, e.person_id, e.kind,
                e.closed_on + 30 + {h("e.j", 37)} % 60 AS opened_on,
                CASE WHEN {h("e.j", 38)} < 400000
                    AND e.closed_on + 200 + {h("e.j", 37)} % 60 <= {limit}
                    THEN e.closed_on + 200 + {h("e.j", 37)} % 60 END AS closed_on
            FROM b_ep0 e JOIN {table(CareEpisode)} c ON c.{col(CareEpisode, "request")}
                = e.request_id
            WHERE e.closed_on IS NOT NULL AND {h("e.j", 39)} < 40000
              AND e.closed_on + 90 <= {limit}"""
        )
        reopened = insert(
            CareEpisode,
            "b_ep1 e " + staff_join.format(k=h("e.j", 36)),
            previous="e.previous_id",
            **episode_values,
        )
        counts["episodes"] = first + reopened
        counts["reopened_episodes"] = reopened
        execute(
            f"CREATE TEMP TABLE b_ep ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, "
            f"id, {col(CareEpisode, 'dac')} AS dac_id, {col(CareEpisode, 'person')} AS person_id, "
            f"{col(CareEpisode, 'opened_on')} AS opened_on, "
            f"coalesce({col(CareEpisode, 'closed_on')}, {limit}) AS until_on, "
            f"{col(CareEpisode, 'referent')} AS referent_id FROM {table(CareEpisode)}"
        )
        execute("CREATE UNIQUE INDEX ON b_ep (n)")
        episodes = counts["episodes"]
        counts["level_changes"] = insert(
            LevelChange,
            f"b_ep e WHERE {h('e.n', 40)} < 300000 AND e.opened_on + 60 <= e.until_on",
            episode="e.id",
            level=pick(levels[1:4], "e.n", 41),
            previous_level="'risk'",
            changed_at="(e.opened_on + 60)::timestamptz",
            changed_by="e.referent_id",
            reason="'Réévaluation de la situation.'",
        )

    with _step("évaluations", timings, log):
        form_id = shipped_form(MULTIDIMENSIONAL_CODE).pk
        execute(
            f"CREATE TEMP TABLE b_as ON COMMIT DROP AS SELECT e.*, e.opened_on + 3 + {h('e.n', 42)} % 25 "
            f"AS assessed_on FROM b_ep e WHERE e.opened_on + 28 <= e.until_on"
        )
        assessment_values = {
            "episode": "a.id",
            "form": str(form_id),
            "place": pick([("home", 8), ("office", 1), ("hospital", 1)], "a.n", 43),
            "status": "'completed'",
            "author": "a.referent_id",
            "created_at": "a.day::timestamptz",
            "updated_at": "a.day::timestamptz",
            "completed_at": "a.day::timestamptz + interval '16 hours'",
        }
        counts["assessments"] = insert(
            Assessment,
            "(SELECT *, assessed_on AS day FROM b_as) a",
            assessed_on="a.day",
            **assessment_values,
        )
        counts["assessments"] += insert(
            Assessment,
            f"(SELECT *, assessed_on + 150 + {h('n', 44)} % 250 AS day FROM b_as "
            f"WHERE {h('n', 45)} < 400000) a WHERE a.day <= a.until_on",
            assessed_on="a.day",
            **assessment_values,
        )

    with _step("PPCS et actions", timings, log):
        execute(
            f"""CREATE TEMP TABLE b_plan ON COMMIT DROP AS
            SELECT (row_number() OVER (ORDER BY {h("n", 46)}, n) - 1)::int AS k, a.*,
                a.assessed_on + 5 + {h("n", 47)} % 15 AS submitted_on
            FROM b_as a WHERE a.assessed_on + 40 <= a.until_on"""
        )
        execute(f"DELETE FROM b_plan WHERE k >= {size['plans']}")
        counts["plans"] = insert(
            CarePlan,
            "b_plan p",
            episode="p.id",
            created_at="p.submitted_on::timestamptz",
            updated_at="p.submitted_on::timestamptz",
        )
        execute(
            f"""CREATE TEMP TABLE b_v1 ON COMMIT DROP AS
            SELECT p.*, cp.id AS plan_id,
                CASE WHEN {h("p.k", 48)} < 850000 THEN p.submitted_on + 2 + {h("p.k", 49)} % 14
                END AS validated_on,
                CASE WHEN {h("p.k", 50)} < 400000
                    AND p.submitted_on + 200 + {h("p.k", 51)} % 160 <= p.until_on
                    THEN p.submitted_on + 200 + {h("p.k", 51)} % 160 END AS renewed_on,
                {h("p.k", 52)} < 80000 AS still_submitted
            FROM b_plan p JOIN {table(CarePlan)} cp ON cp.{col(CarePlan, "episode")} = p.id"""
        )
        version_values = {
            "plan": "v.plan_id",
            "situation": "'Situation complexe au domicile.'",
            "created_at": "v.submitted_on::timestamptz",
            "updated_at": "v.submitted_on::timestamptz",
        }
        gp_values = {
            "gp": "g.id",
            "gp_validation_channel": "CASE WHEN v.validated_on IS NULL THEN '' ELSE 'phone' END",
            "gp_validation_recorded_by": "CASE WHEN v.validated_on IS NOT NULL THEN v.referent_id END",
            "person_agreed_on": "v.submitted_on",
            "person_agreement_how": "'home_visit'",
        }
        gp_join = f"LEFT JOIN b_gp g ON g.n = {h('v.k', 53)} % {gps}"
        versions = insert(
            CarePlanVersion,
            f"b_v1 v {gp_join}",
            number="1",
            status="CASE WHEN v.renewed_on IS NOT NULL THEN 'superseded' "
            "WHEN v.still_submitted THEN 'submitted' ELSE 'active' END",
            review_on="v.submitted_on + 180",
            submitted_at="v.submitted_on::timestamptz",
            gp_validated_on="CASE WHEN NOT v.still_submitted OR v.renewed_on IS NOT NULL "
            "THEN v.validated_on END",
            activated_on="CASE WHEN v.renewed_on IS NOT NULL OR NOT v.still_submitted "
            "THEN coalesce(v.validated_on, v.submitted_on + 7) END",
            superseded_on="v.renewed_on",
            **gp_values,
            **version_values,
        )
        versions += insert(
            CarePlanVersion,
            f"(SELECT k, plan_id, referent_id, renewed_on AS submitted_on, "
            f"CASE WHEN {h('k', 54)} < 800000 THEN renewed_on END AS validated_on "
            f"FROM b_v1 WHERE renewed_on IS NOT NULL) v {gp_join}",
            number="2",
            based_on=f"(SELECT x.id FROM {table(CarePlanVersion)} x WHERE "
            f"x.{col(CarePlanVersion, 'plan')} = v.plan_id AND x.{col(CarePlanVersion, 'number')}"
            " = 1)",
            status="'active'",
            review_on="v.submitted_on + 180",
            submitted_at="v.submitted_on::timestamptz",
            gp_validated_on="v.validated_on",
            activated_on="v.submitted_on",
            **gp_values,
            **version_values,
        )
        counts["plan_versions"] = versions
        execute(
            f"CREATE TEMP TABLE b_ver ON COMMIT DROP AS SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, "
            f"id, {col(CarePlanVersion, 'submitted_at')}::date AS day FROM "
            f"{table(CarePlanVersion)}"
        )
        execute("CREATE UNIQUE INDEX ON b_ver (n)")
        counts["actions"] = insert(
            Action,
            f"generate_series(0, {size['actions'] - 1}) k JOIN b_ver v ON v.n = k % {versions}",
            plan_version="v.id",
            kind=pick([("care", 4), ("support", 4), ("prevention", 2)], "k", 55),
            description="'Action du plan ' || k",
            responsible_label="'Infirmier·e libéral·e'",
            starts_on="v.day",
            due_on=f"v.day + 15 + {h('k', 56)} % 120",
            status=pick(
                [("planned", 3), ("in_progress", 3), ("done", 5), ("not_done", 1)], "k", 57
            ),
            position="k / greatest(1, " + str(versions) + ")",
            created_at="v.day::timestamptz",
            updated_at="v.day::timestamptz",
        )

    with _step("événements indésirables, besoins, prestations", timings, log):
        counts["adverse_events"] = insert(
            AdverseEvent,
            f"generate_series(0, {size['adverse_events'] - 1}) k "
            f"JOIN b_ep e ON e.n = {h('k', 60)} % {episodes}",
            episode="e.id",
            kind=pick(
                [
                    ("unplanned_hospitalisation", 5),
                    ("care_rupture", 3),
                    ("voluntary_exit", 1),
                    ("other", 1),
                ],
                "k",
                61,
            ),
            occurred_on=f"least(e.until_on, e.opened_on + {h('k', 62)} % 300)",
            description="'Événement signalé par le service à domicile.'",
            corrective_action=f"CASE WHEN {h('k', 63)} < 700000 "
            "THEN 'Réunion de concertation et ajustement du plan.' ELSE '' END",
            corrective_action_done_on=f"CASE WHEN {h('k', 63)} < 450000 "
            f"THEN least(e.until_on, e.opened_on + {h('k', 62)} % 300) + 14 END",
            recorded_by="e.referent_id",
        )
        themes = list(THEMES)
        counts["unmet_needs"] = insert(
            UnmetNeed,
            f"generate_series(0, {size['unmet_needs'] - 1}) k "
            f"JOIN b_commune c ON c.dac_id = ({dacs})[1 + k % 3] "
            f"AND c.ck = {h('k', 70)} % {COMMUNES_PER_DAC}",
            theme=pick([(t, 1) for t in themes[:30]], "k", 71),
            commune="c.commune_id",
            dac="c.dac_id",
            description="'Aucun service disponible sur la commune.'",
            noted_on=f"{start} + {h('k', 72)} % 731",
        )
        derogatory = [(kind, 1) for kind in DerogatoryKind.values]
        counts["derogatory_services"] = insert(
            DerogatoryService,
            f"generate_series(0, {size['derogatory_services'] - 1}) k "
            f"JOIN b_ep e ON e.n = {h('k', 80)} % {episodes}",
            dac="e.dac_id",
            person="e.person_id",
            episode="e.id",
            kind=pick(derogatory, "k", 81),
            provider_label="'Cabinet ' || (k % 40)",
            provided_on=f"least(e.until_on, e.opened_on + {h('k', 82)} % 200)",
            sessions=f"1 + {h('k', 83)} % 6",
            amount=f"(40 + {h('k', 84)} % 360)::numeric",
            budget_line="'Prestations dérogatoires'",
            recorded_by="e.referent_id",
        )
        budgets = [
            DacBudget(dac_id=dac_id, year=year, amount=900_000 + 50_000 * i, derogatory_amount=0)
            for i, dac_id in enumerate(dac_ids)
            for year in (2024, 2025)
        ]
        for budget in budgets:
            budget.derogatory_amount = 120_000
        DacBudget.objects.bulk_create(budgets)

    with _step("journal des accès", timings, log):
        counts["log_events"] = insert(
            AccessLog,
            f"generate_series(0, {size['log_events'] - 1}) k "
            f"JOIN b_person p ON p.n = {h('k', 90)} % {P} "
            f"JOIN b_staff st ON st.dac_id = p.dac_id AND st.sk = {h('k', 91)} % {STAFF_PER_DAC}",
            at=f"timestamptz '{SPAN_START.isoformat()} 08:00 Europe/Paris' + "
            f"({h('k', 92)} % 1050000) * interval '1 minute'",
            user="st.user_id",
            user_label="'Agent ' || st.sk",
            role="'coordinator'",
            organisation_id="p.dac_id",
            action=pick([("read", 16), ("update", 3), ("create", 1)], "k", 93),
            object_type="'persons.person'",
            object_id="p.id::text",
            person_id="p.id",
            path="'/personnes/' || p.id || '/'",
            view_name="'persons:detail'",
        )
    return counts


# --- Measurement --------------------------------------------------------------------------------


def time_catalogue(dac_ids: list[int], year: int = YEAR, passes: int = 3, log=log) -> dict:
    """Compute every indicator for the first DAC, then for the region (side by side and pooled),
    `passes` times; keep each indicator's best time and the best pass."""
    from appui.reporting.indicators import Period, catalogue

    period = Period.year(year)
    indicators = catalogue()
    best = {i.code: {"dac": float("inf"), "region": float("inf")} for i in indicators}
    errors = {}
    pass_totals = []
    for _ in range(passes):
        totals = {"dac": 0.0, "region": 0.0}
        for indicator in indicators:
            if indicator.code in errors:
                continue
            try:
                started = time.perf_counter()
                indicator.figures([dac_ids[0]], period)
                dac_s = time.perf_counter() - started
                started = time.perf_counter()
                indicator.figures(dac_ids, period)
                indicator.figures(dac_ids, period, pooled=True)
                region_s = time.perf_counter() - started
            except Exception as exc:  # one broken indicator must not hide the others' times
                errors[indicator.code] = f"{type(exc).__name__}: {exc}"
                log(f"  ERREUR {indicator.code} : {errors[indicator.code]}")
                continue
            totals["dac"] += dac_s
            totals["region"] += region_s
            best[indicator.code]["dac"] = min(best[indicator.code]["dac"], dac_s)
            best[indicator.code]["region"] = min(best[indicator.code]["region"], region_s)
        pass_totals.append(totals)
    return {
        "indicators": len(indicators),
        "dac_year_s": round(min(t["dac"] for t in pass_totals), 3),
        "region_year_s": round(min(t["region"] for t in pass_totals), 3),
        "per_indicator": {
            code: {k: round(v, 4) for k, v in times.items()}
            for code, times in best.items()
            if code not in errors
        },
        "errors": errors,
    }


def explain(codes: list[str], dac_ids: list[int], year: int = YEAR, log=log) -> None:
    """EXPLAIN ANALYZE of every query an indicator runs for the region (side by side)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from appui.reporting.indicators import Period, get

    for code in codes:
        with CaptureQueriesContext(connection) as captured:
            get(code).figures(dac_ids, Period.year(year))
        for query in captured.captured_queries:
            log(f"--- {code} ---")
            log(query["sql"])
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                for (line,) in cursor.fetchall():
                    log("    " + line)


def run(scale: float = 1.0, passes: int = 3, explain_n: int = 0, log=log) -> dict:
    """Build the region, ANALYZE, time the catalogue: the result printed as the JSON line."""
    from django.db import connection

    started = time.perf_counter()
    log(f"Génération de la région synthétique (échelle {scale})…")
    counts = build_region(scale, log=log)
    generation_s = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    analyze_s = time.perf_counter() - started
    log(f"  génération {generation_s:.1f} s, ANALYZE {analyze_s:.1f} s")

    dac_ids = counts.pop("dac_ids")
    log(f"Calcul du catalogue pour {YEAR} (meilleur de {passes} passages)…")
    load_before = os.getloadavg()[0]
    timing = time_catalogue(dac_ids, passes=passes, log=log)
    load_after = os.getloadavg()[0]
    per_indicator = timing.pop("per_indicator")
    log(f"  {'indicateur':<40} {'DAC-année':>10} {'région':>10}")
    for code, times in sorted(per_indicator.items(), key=lambda item: -item[1]["region"]):
        log(f"  {code:<40} {times['dac'] * 1000:>8.1f} ms {times['region'] * 1000:>7.1f} ms")
    if explain_n:
        slowest = sorted(per_indicator, key=lambda code: -per_indicator[code]["region"])
        explain(slowest[:explain_n], dac_ids, log=log)
    detail = counts.pop("generation_detail_s")
    return {
        "persons": counts["persons"],
        "indicators": timing["indicators"],
        "dac_year_s": timing["dac_year_s"],
        "region_year_s": timing["region_year_s"],
        **counts,
        "errors": timing["errors"],
        "dac_year_target_s": DAC_YEAR_TARGET_S,
        "region_year_target_s": REGION_YEAR_TARGET_S,
        "targets_met": timing["dac_year_s"] <= DAC_YEAR_TARGET_S
        and timing["region_year_s"] <= REGION_YEAR_TARGET_S,
        "slowest": sorted(per_indicator, key=lambda code: -per_indicator[code]["region"])[:3],
        "generation_s": round(generation_s, 1),
        "generation_detail_s": detail,
        "analyze_s": round(analyze_s, 1),
        "scale": scale,
        "passes": passes,
        "cpus": os.cpu_count(),
        "load_avg_1m": [round(load_before, 2), round(load_after, 2)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai des indicateurs de pilotage.")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1)))
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--explain", type=int, default=int(os.environ.get("BENCH_EXPLAIN", 0)))
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appui.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    from django.core.management import call_command
    from django.db import connection

    from appui.persons.models import Person

    if connection.vendor != "postgresql":
        log("La base doit être PostgreSQL (lancez `make bench-indicators`).")
        return 2
    if not args.no_migrate:
        log("Migrations…")
        call_command("migrate", interactive=False, verbosity=0)
    if Person.objects.exists():
        log("La base n'est pas vide : le banc d'essai a besoin d'une base neuve.")
        return 2
    result = run(args.scale, args.passes, args.explain)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
