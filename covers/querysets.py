"""Query shaping of cover letters and their comments for the REST API."""

from __future__ import annotations

from django.db import models

# Columns that only the detail view shows; lists never load them.
COVER_BODY_COLUMNS = ("headers", "content")


class CoverQuerySet(models.QuerySet):
    def for_api(self, *, detail: bool = False) -> CoverQuerySet:
        """Covers with everything their API representation embeds, in one query.

        Lists leave out the mail headers and body, which only the detail shows.
        """
        queryset = self.select_related("project", "submitter", "series__project")
        if not detail:
            queryset = queryset.defer(*COVER_BODY_COLUMNS)
        return queryset


class CoverCommentQuerySet(models.QuerySet):
    def for_api(self) -> CoverCommentQuerySet:
        """Comments with their submitter and their cover's project (for the links)."""
        return self.select_related("submitter", "cover__project").defer(
            *(f"cover__{column}" for column in COVER_BODY_COLUMNS)
        )
