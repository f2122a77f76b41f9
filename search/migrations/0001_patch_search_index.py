"""The full-text index of patches: a generated tsvector column with a GIN index on
PostgreSQL, an FTS5 table kept by triggers on SQLite, nothing elsewhere (search.index)."""

from django.db import migrations

from search import index

STATEMENTS = {
    "postgresql": (index.POSTGRESQL_CREATE, index.POSTGRESQL_DROP),
    "sqlite": (index.SQLITE_CREATE, index.SQLITE_DROP),
}


def run(position: int):
    def apply(apps, schema_editor) -> None:
        statements = STATEMENTS.get(schema_editor.connection.vendor)
        for statement in statements[position] if statements else ():
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("patches", "0003_patch_list_id_index")]

    operations = [migrations.RunPython(run(0), run(1))]
