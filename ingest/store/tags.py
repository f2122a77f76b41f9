"""Counting review tags (Acked-by, Reviewed-by, Tested-by...) on patches.

A patch's count of a tag is the number of lines matching the tag's pattern in the
patch's message and in all its comments, as Patchwork's ``refresh_tag_counts``; counts
are kept only for projects that use tags.
"""

from django.db.models import F

from ingest.store.context import CompiledTag
from patches.models import PatchTag


def count_tags(tags: list[CompiledTag], content: str | None) -> dict[int, int]:
    """Tag id -> number of matching lines, for the tags that occur."""
    if not content or not tags:
        return {}
    counts = {tag.tag_id: len(tag.regex.findall(content)) for tag in tags}
    return {tag_id: count for tag_id, count in counts.items() if count}


def set_initial_tags(patch_id: int, counts: dict[int, int]) -> None:
    if counts:
        PatchTag.objects.bulk_create(
            PatchTag(patch_id=patch_id, tag_id=tag_id, count=count)
            for tag_id, count in counts.items()
        )


def add_tag_counts(patch_id: int, counts: dict[int, int]) -> None:
    """Add a new comment's tags to the patch's counts."""
    if not counts:
        return
    existing = set(
        PatchTag.objects.filter(patch_id=patch_id, tag_id__in=counts).values_list(
            "tag_id", flat=True
        )
    )
    for tag_id in existing:
        PatchTag.objects.filter(patch_id=patch_id, tag_id=tag_id).update(
            count=F("count") + counts[tag_id]
        )
    set_initial_tags(
        patch_id, {tag_id: count for tag_id, count in counts.items() if tag_id not in existing}
    )
