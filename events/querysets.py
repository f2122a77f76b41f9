"""Query shaping of events for the REST API: a bounded number of cheap queries per page.

The page query joins only what every event shows (project, actor) and the tiny state
table. Joining every relation a payload may embed in that one query (some twenty tables)
made PostgreSQL spend over 100 ms planning it for a 1 ms execution (each extra join
costs planning time: six joins already took ~11 ms, four ~2.5 ms); the delegates,
patches, series, covers, checks and comments of a page are fetched instead with one
``WHERE id IN (...)`` query per kind, and only for the kinds the page holds.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch

from covers.querysets import COVER_BODY_COLUMNS
from series.querysets import PATCH_BODY_COLUMNS

# Joined into the page query: what every event shows, and the tiny state table.
JOINED_RELATIONS = ("project", "actor", "previous_state", "current_state")


def payload_prefetches() -> list[Prefetch]:
    """One query per kind of embedded object, with the project its links need and
    without the big text columns no payload shows (comment headers stay: an embedded
    comment's name is its subject)."""
    from covers.models import Cover, CoverComment
    from patches.models import Check, Patch, PatchComment
    from series.models import Series

    patch_columns = PATCH_BODY_COLUMNS
    return [
        Prefetch("previous_delegate"),
        Prefetch("current_delegate"),
        Prefetch("patch", queryset=Patch.objects.select_related("project").defer(*patch_columns)),
        Prefetch("series", queryset=Series.objects.select_related("project")),
        Prefetch(
            "cover",
            queryset=Cover.objects.select_related("project").defer(*COVER_BODY_COLUMNS),
        ),
        Prefetch("created_check", queryset=Check.objects.defer("description")),
        Prefetch(
            "cover_comment",
            queryset=CoverComment.objects.select_related("cover__project").defer(
                "content", *(f"cover__{column}" for column in COVER_BODY_COLUMNS)
            ),
        ),
        Prefetch(
            "patch_comment",
            queryset=PatchComment.objects.select_related("patch__project").defer(
                "content", *(f"patch__{column}" for column in patch_columns)
            ),
        ),
    ]


class EventQuerySet(models.QuerySet):
    def for_api(self) -> EventQuerySet:
        """Events with everything their payload embeds: the page query, then at most one
        query per kind of object the page's payloads point at."""
        return self.select_related(*JOINED_RELATIONS).prefetch_related(*payload_prefetches())
