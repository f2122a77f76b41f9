"""Query shaping of events for the REST API: one query per page, whatever the payloads."""

from __future__ import annotations

from django.db import models

from covers.querysets import COVER_BODY_COLUMNS
from series.querysets import PATCH_BODY_COLUMNS

# Every relation a payload may embed, with the project its links need.
PAYLOAD_RELATIONS = (
    "project",
    "actor",
    "patch__project",
    "series__project",
    "cover__project",
    "previous_state",
    "current_state",
    "previous_delegate",
    "current_delegate",
    "created_check",
    "cover_comment__cover__project",
    "patch_comment__patch__project",
)

# Big text columns of the embedded objects that no payload shows (comment headers stay:
# the embedded comment's name is its subject).
UNUSED_PAYLOAD_COLUMNS = (
    *(f"patch__{column}" for column in PATCH_BODY_COLUMNS),
    *(f"cover__{column}" for column in COVER_BODY_COLUMNS),
    "cover_comment__content",
    "cover_comment__cover__headers",
    "cover_comment__cover__content",
    "patch_comment__content",
    *(f"patch_comment__patch__{column}" for column in PATCH_BODY_COLUMNS),
    "created_check__description",
)


class EventQuerySet(models.QuerySet):
    def for_api(self) -> EventQuerySet:
        """Events joined to everything their payload embeds (one query for a page)."""
        return self.select_related(*PAYLOAD_RELATIONS).defer(*UNUSED_PAYLOAD_COLUMNS)
