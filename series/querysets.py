"""Query shaping of series for the REST API."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Prefetch

from covers.querysets import COVER_BODY_COLUMNS

# What an embedded patch does not show: its mail headers, body and diff.
PATCH_BODY_COLUMNS = ("headers", "content", "diff")


class SeriesQuerySet(models.QuerySet):
    def for_api(self, *, with_dependencies: bool = True) -> SeriesQuerySet:
        """Series with their project, submitter, cover letter and patches (by number).

        A constant number of queries whatever the number of series: one for the
        series, one for all their patches and, when asked for (API 1.4), one each
        for the dependencies and the dependents (ids only).
        """
        from patches.models import Patch

        patches = (
            Patch.objects.select_related("project")
            .defer(*PATCH_BODY_COLUMNS)
            .order_by(F("number").asc(nulls_last=True), "id")
        )
        queryset = self.select_related("project", "submitter", "cover_letter__project").defer(
            *(f"cover_letter__{column}" for column in COVER_BODY_COLUMNS)
        )
        queryset = queryset.prefetch_related(
            Prefetch("patches", queryset=patches, to_attr="api_patches")
        )
        if with_dependencies:
            related_ids = self.model.objects.only("id").order_by("id")
            queryset = queryset.prefetch_related(
                Prefetch("dependencies", queryset=related_ids, to_attr="api_dependencies"),
                Prefetch("dependents", queryset=related_ids, to_attr="api_dependents"),
            )
        return queryset
