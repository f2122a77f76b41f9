"""Load Patchwork's default states (with its ids) and review tags."""

from django.core.management.color import no_style
from django.db import migrations

# (id, name, slug, action_required): Patchwork's default ids, which bots hard-code.
DEFAULT_STATES = [
    (1, "New", "new", True),
    (2, "Under Review", "under-review", True),
    (3, "Accepted", "accepted", False),
    (4, "Rejected", "rejected", False),
    (5, "RFC", "rfc", False),
    (6, "Not Applicable", "not-applicable", False),
    (7, "Changes Requested", "changes-requested", False),
    (8, "Awaiting Upstream", "awaiting-upstream", False),
    (9, "Superseded", "superseded", False),
    (10, "Deferred", "deferred", False),
]

DEFAULT_TAGS = [
    ("Acked-by", r"^Acked-by:", "A"),
    ("Reviewed-by", r"^Reviewed-by:", "R"),
    ("Tested-by", r"^Tested-by:", "T"),
]


def load_defaults(apps, schema_editor):
    State = apps.get_model("patches", "State")
    Tag = apps.get_model("patches", "Tag")
    for ordering, (state_id, name, slug, action_required) in enumerate(DEFAULT_STATES):
        State.objects.update_or_create(
            id=state_id,
            defaults={
                "name": name,
                "slug": slug,
                "ordering": ordering,
                "action_required": action_required,
            },
        )
    for name, pattern, abbrev in DEFAULT_TAGS:
        Tag.objects.get_or_create(name=name, defaults={"pattern": pattern, "abbrev": abbrev})
    # Rows inserted with explicit ids leave PostgreSQL's sequence behind.
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [State, Tag]):
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("patches", "0001_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
