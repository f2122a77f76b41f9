"""The endpoints the compiled read path serves: one ReadPlan per URL route."""

from __future__ import annotations

from covers.models import Cover, CoverComment
from covers.views import CoverCommentDetail, CoverCommentList, CoverDetail, CoverList
from events.models import Event
from events.views import COMMENT_CATEGORIES, COMMENT_EVENTS_VERSION, EventList
from patches.models import Check, Patch, PatchComment
from patches.views import (
    CheckDetail,
    CheckList,
    PatchCommentDetail,
    PatchCommentList,
    PatchDetail,
    PatchList,
)
from patchwork_api.api.versions import Version
from patchwork_api.fastread import plans
from patchwork_api.fastread.views import ReadPlan
from series.models import Series
from series.views import SeriesDetail, SeriesList


def all_patches(version: Version, kwargs: dict):
    return Patch.objects.all()


def all_covers(version: Version, kwargs: dict):
    return Cover.objects.all()


def all_series(version: Version, kwargs: dict):
    return Series.objects.all()


def events_of_version(version: Version, kwargs: dict):
    events = Event.objects.all()
    if version < COMMENT_EVENTS_VERSION:
        events = events.exclude(category__in=COMMENT_CATEGORIES)
    return events


PATCH_LIST = ReadPlan(PatchList, plans.PATCH_LIST, all_patches)
PATCH_DETAIL = ReadPlan(PatchDetail, plans.PATCH_DETAIL, all_patches, detail=True)
COVER_LIST = ReadPlan(CoverList, plans.COVER_LIST, all_covers)
COVER_DETAIL = ReadPlan(CoverDetail, plans.COVER_DETAIL, all_covers, detail=True)
SERIES_LIST = ReadPlan(SeriesList, plans.SERIES, all_series)
SERIES_DETAIL = ReadPlan(SeriesDetail, plans.SERIES, all_series, detail=True)
EVENT_LIST = ReadPlan(EventList, plans.EVENT, events_of_version)


def of_parent(model, field: str, kwarg: str):
    """The rows of ``model`` whose ``field`` is the URL's ``kwarg`` (a patch's checks)."""

    def rows(version: Version, kwargs: dict):
        return model.objects.filter(**{field: kwargs[kwarg]})

    return rows


checks = of_parent(Check, "patch_id", "patch_id")
patch_comments = of_parent(PatchComment, "patch_id", "patch_id")
cover_comments = of_parent(CoverComment, "cover_id", "cover_id")
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
