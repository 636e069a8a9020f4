"""Full-text index of the catalog: an FTS5 table on SQLite, a GIN expression index on
PostgreSQL (see smartgov/catalog/search.py, which queries them)."""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_resource_fts USING fts5("
    "search_name, search_text, tokenize = 'unicode61')",
    "INSERT INTO catalog_resource_fts (rowid, search_name, search_text) "
    "SELECT id, search_name, search_text FROM catalog_resource",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS catalog_resource_fts"]
POSTGRES_UP = [
    "CREATE INDEX IF NOT EXISTS catalog_resource_search_gin ON catalog_resource USING GIN ("
    "(setweight(to_tsvector('simple', search_name), 'A') || "
    "setweight(to_tsvector('simple', search_text), 'B')))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS catalog_resource_search_gin"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in statements.get(vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
