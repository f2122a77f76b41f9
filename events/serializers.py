"""Serializer of events: common fields plus a payload whose shape depends on the category."""

from collections.abc import Callable
from typing import Any

from rest_framework import serializers

from covers.serializers import CoverCommentEmbeddedSerializer, CoverEmbeddedSerializer
from events.models import Event
from patches.serializers import (
    CheckEmbeddedSerializer,
    PatchCommentEmbeddedSerializer,
    PatchEmbeddedSerializer,
)
from patchwork_api.api.serializers import VersionedModelSerializer
from people.serializers import UserEmbeddedSerializer
from projects.serializers import ProjectEmbeddedSerializer
from series.serializers import SeriesEmbeddedSerializer

Category = Event.Category


def embedded(serializer_class) -> Callable[[Any, dict], Any]:
    def render(value, context: dict):
        return serializer_class(value, context=context).data

    return render


def state_slug(state, context: dict) -> str:
    return state.slug


def always_null(value, context: dict) -> None:
    """Patchwork shows patch relations in events as null."""
    return None


# Category -> (payload key, Event attribute, how to render it); a null attribute is null.
PAYLOAD_FIELDS: dict[str, tuple[tuple[str, str, Callable[[Any, dict], Any]], ...]] = {
    Category.COVER_CREATED: (("cover", "cover", embedded(CoverEmbeddedSerializer)),),
    Category.PATCH_CREATED: (("patch", "patch", embedded(PatchEmbeddedSerializer)),),
    Category.PATCH_COMPLETED: (
        ("patch", "patch", embedded(PatchEmbeddedSerializer)),
        ("series", "series", embedded(SeriesEmbeddedSerializer)),
    ),
    Category.PATCH_STATE_CHANGED: (
        ("patch", "patch", embedded(PatchEmbeddedSerializer)),
        ("previous_state", "previous_state", state_slug),
        ("current_state", "current_state", state_slug),
    ),
    Category.PATCH_DELEGATED: (
        ("patch", "patch", embedded(PatchEmbeddedSerializer)),
        ("previous_delegate", "previous_delegate", embedded(UserEmbeddedSerializer)),
        ("current_delegate", "current_delegate", embedded(UserEmbeddedSerializer)),
    ),
    Category.PATCH_RELATION_CHANGED: (
        ("patch", "patch", embedded(PatchEmbeddedSerializer)),
        ("previous_relation", "previous_relation_id", always_null),
        ("current_relation", "current_relation_id", always_null),
    ),
    Category.CHECK_CREATED: (
        ("patch", "patch", embedded(PatchEmbeddedSerializer)),
        ("check", "created_check", embedded(CheckEmbeddedSerializer)),
    ),
    Category.SERIES_CREATED: (("series", "series", embedded(SeriesEmbeddedSerializer)),),
    Category.SERIES_COMPLETED: (("series", "series", embedded(SeriesEmbeddedSerializer)),),
    Category.COVER_COMMENT_CREATED: (
        ("cover", "cover", embedded(CoverEmbeddedSerializer)),
        ("comment", "cover_comment", embedded(CoverCommentEmbeddedSerializer)),
    ),
    Category.PATCH_COMMENT_CREATED: (
        ("patch", "patch", embedded(PatchEmbeddedSerializer)),
        ("comment", "patch_comment", embedded(PatchCommentEmbeddedSerializer)),
    ),
}


class EventSerializer(VersionedModelSerializer):
    """An event (needs ``EventQuerySet.for_api()``); ``actor`` from API 1.2."""

    project = ProjectEmbeddedSerializer(read_only=True)
    actor = UserEmbeddedSerializer(read_only=True)
    payload = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ("id", "category", "project", "date", "actor", "payload")
        read_only_fields = fields
        versioned_fields = {(1, 2): ("actor",)}

    def get_payload(self, event: Event) -> dict[str, Any]:
        payload = {}
        for key, attribute, render in PAYLOAD_FIELDS.get(event.category, ()):
            value = getattr(event, attribute)
            payload[key] = None if value is None else render(value, self.context)
        return payload
