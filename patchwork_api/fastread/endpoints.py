"""The endpoints the compiled read path serves: one ReadPlan per URL route."""

from __future__ import annotations

from covers.models import Cover
from covers.views import CoverDetail, CoverList
from events.models import Event
from events.views import COMMENT_CATEGORIES, COMMENT_EVENTS_VERSION, EventList
from patches.models import Patch
from patches.views import PatchDetail, PatchList
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
