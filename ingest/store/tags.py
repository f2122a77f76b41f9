"""Counting review tags (Acked-by, Reviewed-by, Tested-by...) on patches.

A patch's count of a tag is the number of lines matching the tag's pattern in the
patch's message and in all its comments, as Patchwork's ``refresh_tag_counts``; counts
are kept only for projects that use tags. A new comment adds its own counts.
"""

from django.db import connection

from ingest.rows import run
from ingest.store.context import CompiledTag
from patches.models import PatchTag


def count_tags(tags: list[CompiledTag], content: str | None) -> dict[int, int]:
    """Tag id -> number of matching lines, for the tags that occur."""
    if not content or not tags:
        return {}
    counts = {tag.tag_id: len(tag.regex.findall(content)) for tag in tags}
    return {tag_id: count for tag_id, count in counts.items() if count}


def add_tag_counts(patch_id: int, counts: dict[int, int]) -> None:
    """Add counts to a patch's tags, creating the ones it did not have (one statement)."""
    if not counts:
        return
    quote = connection.ops.quote_name
    table = quote(PatchTag._meta.db_table)
    count = quote("count")
    values = ", ".join(["(%s, %s, %s)"] * len(counts))
    parameters = [
        value for tag_id, number in counts.items() for value in (patch_id, tag_id, number)
    ]
    # INSERT ... ON CONFLICT DO UPDATE is spelt the same by PostgreSQL and SQLite.
    sql = (
        f"INSERT INTO {table} ({quote('patch_id')}, {quote('tag_id')}, {count}) "
        f"VALUES {values} ON CONFLICT ({quote('patch_id')}, {quote('tag_id')}) "
        f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    run(sql, parameters)
