"""PostgreSQL: replace the expression index of 0002 by a stored generated tsvector column with
a GIN index, so ranking reads the vector instead of re-parsing both texts for every hit. The
ORM does not know the column; catalog/search.py queries it with raw SQL. SQLite: nothing."""

from django.db import migrations

POSTGRES_UP = [
    "DROP INDEX IF EXISTS catalog_resource_search_gin",
    "ALTER TABLE catalog_resource ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (setweight(to_tsvector('simple', search_name), 'A') || "
    "setweight(to_tsvector('simple', search_text), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS catalog_resource_search_vector_gin ON catalog_resource "
    "USING GIN (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS catalog_resource_search_vector_gin",
    "ALTER TABLE catalog_resource DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS catalog_resource_search_gin ON catalog_resource USING GIN ("
    "(setweight(to_tsvector('simple', search_name), 'A') || "
    "setweight(to_tsvector('simple', search_text), 'B')))",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_index")]

    operations = [migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN))]
