"""API view of the event list."""

from rest_framework import generics

from events.filters import EventFilterSet
from events.models import Event
from events.pagination import EventPagination
from events.serializers import EventSerializer
from patchwork_api.api.versioning import request_version

# Comment events point to comment endpoints that API 1.3 introduced: older versions
# do not list them (as Patchwork does).
COMMENT_EVENTS_VERSION = (1, 3)
COMMENT_CATEGORIES = (Event.Category.COVER_COMMENT_CREATED, Event.Category.PATCH_COMMENT_CREATED)


class EventList(generics.ListAPIView):
    """List events, newest first."""

    # the OPTIONS description (and name) Patchwork answers
    description = "List events."

    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    pagination_class = EventPagination
    ordering = ("-date",)
    # in every version, as Patchwork (its spec documents ``order`` from 1.2 only)
    ordering_fields = ("date",)

    def get_queryset(self):
        events = Event.objects.for_api()
        if request_version(self.request) < COMMENT_EVENTS_VERSION:
            events = events.exclude(category__in=COMMENT_CATEGORIES)
        return events
