"""The endpoints the compiled read path serves: one ReadPlan per URL route."""

from __future__ import annotations

from django.db.models import QuerySet

from covers.models import Cover
from covers.views import CoverCommentDetail, CoverCommentList, CoverDetail, CoverList
from events.views import COMMENT_CATEGORIES, COMMENT_EVENTS_VERSION, EventList
from patches.models import Patch
from patches.views import (
    CheckDetail,
    CheckList,
    PatchCommentDetail,
    PatchCommentList,
    PatchDetail,
)
from patchwork_api.api.versions import (
    LATEST_VERSION,
    SUPPORTED_VERSIONS,
    Version,
    format_version,
)
from patchwork_api.fastread import plans
from patchwork_api.fastread.engine import compiled
from patchwork_api.fastread.views import ReadPlan, every_row
from search.filters import ranked
from series.views import SeriesList
from triage.views import TriagePatchList, TriageSeriesDetail


def events_of_version(version: Version, kwargs: dict, events: QuerySet) -> QuerySet:
    if version < COMMENT_EVENTS_VERSION:
        events = events.exclude(category__in=COMMENT_CATEGORIES)
    return events


PATCH_LIST = ReadPlan(TriagePatchList, plans.PATCH_LIST, every_row, after_filters=ranked)
PATCH_DETAIL = ReadPlan(PatchDetail, plans.PATCH_DETAIL, every_row, detail=True)
COVER_LIST = ReadPlan(CoverList, plans.COVER_LIST, every_row)
COVER_DETAIL = ReadPlan(CoverDetail, plans.COVER_DETAIL, every_row, detail=True)
SERIES_LIST = ReadPlan(SeriesList, plans.SERIES, every_row)
SERIES_DETAIL = ReadPlan(TriageSeriesDetail, plans.SERIES, every_row, detail=True)
EVENT_LIST = ReadPlan(EventList, plans.EVENT, events_of_version)


def of_parent(field: str, kwarg: str):
    """The rows whose ``field`` is the URL's ``kwarg`` (a patch's checks)."""

    def rows(version: Version, kwargs: dict, rows: QuerySet) -> QuerySet:
        return rows.filter(**{field: kwargs[kwarg]})

    return rows


checks = of_parent("patch_id", "patch_id")
patch_comments = of_parent("patch_id", "patch_id")
cover_comments = of_parent("cover_id", "cover_id")
PATCH = (Patch, "patch_id")
COVER = (Cover, "cover_id")

CHECK_LIST = ReadPlan(CheckList, plans.CHECK, checks, parent=PATCH)
CHECK_DETAIL = ReadPlan(
    CheckDetail, plans.CHECK, checks, detail=True, lookup="check_id", parent=PATCH
)
PATCH_COMMENT_LIST = ReadPlan(
    PatchCommentList, plans.PATCH_COMMENT, patch_comments, parent=PATCH, minimum_version=(1, 1)
)
PATCH_COMMENT_DETAIL = ReadPlan(
    PatchCommentDetail,
    plans.PATCH_COMMENT,
    patch_comments,
    detail=True,
    lookup="comment_id",
    parent=PATCH,
    minimum_version=(1, 3),
)
COVER_COMMENT_LIST = ReadPlan(
    CoverCommentList, plans.COVER_COMMENT, cover_comments, parent=COVER, minimum_version=(1, 1)
)
COVER_COMMENT_DETAIL = ReadPlan(
    CoverCommentDetail,
    plans.COVER_COMMENT,
    cover_comments,
    detail=True,
    lookup="comment_id",
    parent=COVER,
    minimum_version=(1, 3),
)

PLANS = (
    PATCH_LIST,
    PATCH_DETAIL,
    COVER_LIST,
    COVER_DETAIL,
    SERIES_LIST,
    SERIES_DETAIL,
    EVENT_LIST,
    CHECK_LIST,
    CHECK_DETAIL,
    PATCH_COMMENT_LIST,
    PATCH_COMMENT_DETAIL,
    COVER_COMMENT_LIST,
    COVER_COMMENT_DETAIL,
)


def compile_all() -> None:
    """Compile every plan for every API version (and the unversioned /api/) at start-up,
    so that no request pays for it."""
    for plan in PLANS:
        for version in SUPPORTED_VERSIONS:
            compiled(plan.shape, version, format_version(version))
        compiled(plan.shape, LATEST_VERSION, None)
