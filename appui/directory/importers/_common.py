"""Small helpers shared by the directory importers: decoding, lines, communes, batching, diffs."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connections, models, router

from appui.core import audit
from appui.territory.models import Commune

#: rows per INSERT/UPDATE statement and values per ``IN (...)`` lookup (SQLite caps variables)
BATCH_SIZE = 500


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252/Latin-1 as the national extractions use."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # never fails: every byte is a character


def numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based physical number (CRLF or LF)."""
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.strip():
            yield number, line


def communes_by_insee() -> dict[str, Commune]:
    """Every known commune, by Insee code: the territory the directory covers."""
    return {c.insee_code: c for c in Commune.objects.all()}


def chunks(items: Iterable, size: int = BATCH_SIZE) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def fetch_by(queryset, field: str, values: Iterable) -> list:
    """``queryset.filter(<field>__in=values)`` in batches (large files, SQLite variable limit)."""
    found = []
    for batch in chunks(sorted(set(values))):
        found.extend(queryset.filter(**{f"{field}__in": batch}))
    return found


def apply(instance, values: dict) -> list[str]:
    """Set `values` on `instance`; returns the names of the fields that actually changed.

    Foreign keys are compared on their id and always set (so the related object is cached and
    later reads such as ``Service.refresh_derived`` cost no query).
    """
    changed = []
    meta = instance._meta
    for name, value in values.items():
        field = meta.get_field(name)
        if field.many_to_one:
            new_id = value.pk if value is not None else None
            # An unsaved related object (id still unknown) is a change too.
            if getattr(instance, field.attname) != new_id or (value is not None and new_id is None):
                changed.append(name)
            setattr(instance, name, value)
        elif getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector (usable as a decorator).

    An import builds tens of thousands of model instances; the collector's repeated passes over
    them cost 10 to 25 % of the time and free nothing, since the instances live until the end.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def actor_id() -> int | None:
    """The user behind the current audit context, for created_by / updated_by (bulk skips save)."""
    context = audit.current()
    return context.user_id if context else None


# Field classes whose database value is the Python value itself when it has the listed type (or
# is None): the per-value Django conversion, which dominates large imports, is skipped for them.
_PLAIN_TYPES = {
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    models.URLField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.FloatField: float,
    models.ForeignKey: int,  # the attname value: the related row's integer id
}


def _row_builder(fields, add: bool, conn):
    """A function giving an instance's database values for `fields`, as ``save()`` would."""
    plans = [
        (
            field,
            field.attname,
            type(field).pre_save is not models.Field.pre_save,
            _PLAIN_TYPES.get(type(field)),
        )
        for field in fields
    ]

    def build(instance) -> list:
        row = []
        for field, attname, custom_pre_save, plain_type in plans:
            value = field.pre_save(instance, add) if custom_pre_save else getattr(instance, attname)
            if value is not None and type(value) is not plain_type:
                value = field.get_db_prep_save(value, conn)
            row.append(value)
        return row

    return build


def insert_rows(model, instances: list) -> None:
    """INSERT `instances` fast: COPY on PostgreSQL, one cached statement run many times elsewhere.

    ``bulk_create`` builds (Django) and parses (psycopg) one huge statement per batch, which
    dominates the time of a national file. Primary keys are drawn beforehand in one query and set
    on the instances, so rows pointing to these need no read-back. As with ``bulk_create``,
    ``save()`` is not called; defaults and ``auto_now`` values are applied. Triggers do run.
    """
    if not instances:
        return
    conn = connections[router.db_for_write(model)]
    quote = conn.ops.quote_name
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = quote(model._meta.db_table)
    columns = ", ".join([quote(pk.column), *(quote(f.column) for f in fields)])
    values = _row_builder(fields, True, conn)
    with conn.cursor() as cursor:
        _assign_primary_keys(cursor, conn, model, instances)
        if conn.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for instance in instances:
                    copy.write_row([instance.pk, *values(instance)])
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(fields) + 1))})"
        for batch in chunks(instances, 2000):
            cursor.executemany(sql, [[obj.pk, *values(obj)] for obj in batch])


def _assign_primary_keys(cursor, conn, model, instances) -> None:
    """Reserve one id per instance: from the sequence on PostgreSQL; on SQLite, whose writer holds
    the database for the whole transaction, after the largest id ever given."""
    table, column = model._meta.db_table, model._meta.pk.column
    if conn.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, len(instances)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    else:
        quoted = conn.ops.quote_name(table)
        cursor.execute(
            f"SELECT MAX(m) FROM (SELECT MAX(rowid) AS m FROM {quoted} "
            "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [table],
        )
        start = (cursor.fetchone()[0] or 0) + 1
        ids = range(start, start + len(instances))
    for instance, pk in zip(instances, ids, strict=True):
        instance.pk = pk
        instance._state.adding = False


def update_rows(model, instances: list, names) -> None:
    """UPDATE the fields `names` (plus ``auto_now`` ones) of `instances`, by primary key.

    Replaces ``bulk_update``, whose CASE WHEN expressions cost seconds per thousand rows. On
    PostgreSQL the new values are copied into a temporary table and applied in one UPDATE.
    """
    if not instances:
        return
    conn = connections[router.db_for_write(model)]
    quote = conn.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    fields += [f for f in meta.concrete_fields if getattr(f, "auto_now", False) and f not in fields]
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    values = _row_builder(fields, False, conn)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            columns = ", ".join([pk, *(quote(f.column) for f in fields)])
            cursor.execute(
                f"CREATE TEMPORARY TABLE appui_import_update ON COMMIT DROP AS "
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY appui_import_update ({columns}) FROM STDIN") as copy:
                for instance in instances:
                    copy.write_row([instance.pk, *values(instance)])
            assignments = ", ".join(f"{quote(f.column)} = u.{quote(f.column)}" for f in fields)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM appui_import_update u WHERE {table}.{pk} = u.{pk}"
            )
            cursor.execute("DROP TABLE appui_import_update")
            return
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"
        for batch in chunks(instances, 2000):
            cursor.executemany(sql, [[*values(obj), obj.pk] for obj in batch])
