"""Full-text search of services, kept by the database itself so that bulk imports stay indexed.

PostgreSQL: `unaccent` + a French configuration (`appui_fr`: unaccent then the French stemmer), a
trigger filling `search_vector` (name A, indexed text B, description C) and GIN indexes on it and on
the JSON lists used as filters. SQLite (demo): an external-content FTS5 table with accent folding,
kept by triggers; the French stemming is applied to the query (see `search.py`).
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS appui_fr",
    "CREATE TEXT SEARCH CONFIGURATION appui_fr (COPY = french)",
    "ALTER TEXT SEARCH CONFIGURATION appui_fr ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, french_stem",
    """
    CREATE FUNCTION directory_service_search_vector() RETURNS trigger AS $$
    BEGIN
      NEW.search_vector :=
        setweight(to_tsvector('appui_fr', coalesce(NEW.name, '')), 'A') ||
        setweight(to_tsvector('appui_fr', coalesce(NEW.search_text, '')), 'B') ||
        setweight(to_tsvector('appui_fr', coalesce(NEW.description, '')), 'C');
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER directory_service_search_vector
    BEFORE INSERT OR UPDATE OF name, search_text, description ON directory_service
    FOR EACH ROW EXECUTE FUNCTION directory_service_search_vector()
    """,
    "CREATE INDEX service_search_vector ON directory_service USING gin (search_vector)",
    "CREATE INDEX service_zone_codes ON directory_service USING gin (zone_codes jsonb_path_ops)",
    "CREATE INDEX service_themes ON directory_service USING gin (themes jsonb_path_ops)",
    "CREATE INDEX service_publics ON directory_service USING gin (publics jsonb_path_ops)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS service_publics",
    "DROP INDEX IF EXISTS service_themes",
    "DROP INDEX IF EXISTS service_zone_codes",
    "DROP INDEX IF EXISTS service_search_vector",
    "DROP TRIGGER IF EXISTS directory_service_search_vector ON directory_service",
    "DROP FUNCTION IF EXISTS directory_service_search_vector()",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS appui_fr",
]

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE directory_service_fts USING fts5(
      name, search_text, description,
      content='directory_service', content_rowid='id',
      tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER directory_service_fts_insert AFTER INSERT ON directory_service BEGIN
      INSERT INTO directory_service_fts(rowid, name, search_text, description)
      VALUES (new.id, new.name, new.search_text, new.description);
    END
    """,
    """
    CREATE TRIGGER directory_service_fts_delete AFTER DELETE ON directory_service BEGIN
      INSERT INTO directory_service_fts(directory_service_fts, rowid, name, search_text, description)
      VALUES ('delete', old.id, old.name, old.search_text, old.description);
    END
    """,
    """
    CREATE TRIGGER directory_service_fts_update AFTER UPDATE ON directory_service BEGIN
      INSERT INTO directory_service_fts(directory_service_fts, rowid, name, search_text, description)
      VALUES ('delete', old.id, old.name, old.search_text, old.description);
      INSERT INTO directory_service_fts(rowid, name, search_text, description)
      VALUES (new.id, new.name, new.search_text, new.description);
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS directory_service_fts_update",
    "DROP TRIGGER IF EXISTS directory_service_fts_delete",
    "DROP TRIGGER IF EXISTS directory_service_fts_insert",
    "DROP TABLE IF EXISTS directory_service_fts",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
