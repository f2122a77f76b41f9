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


Renderer = type[serializers.BaseSerializer] | Callable[[Any], Any]


def state_slug(state) -> str:
    return state.slug


def always_null(value) -> None:
    """Patchwork shows patch relations in events as null."""
    return None


# Category -> (payload key, Event attribute, its embedded serializer or a function that
# renders it); a null attribute is null.
PAYLOAD_FIELDS: dict[str, tuple[tuple[str, str, Renderer], ...]] = {
    Category.COVER_CREATED: (("cover", "cover", CoverEmbeddedSerializer),),
    Category.PATCH_CREATED: (("patch", "patch", PatchEmbeddedSerializer),),
    Category.PATCH_COMPLETED: (
        ("patch", "patch", PatchEmbeddedSerializer),
        ("series", "series", SeriesEmbeddedSerializer),
    ),
    Category.PATCH_STATE_CHANGED: (
        ("patch", "patch", PatchEmbeddedSerializer),
        ("previous_state", "previous_state", state_slug),
        ("current_state", "current_state", state_slug),
    ),
    Category.PATCH_DELEGATED: (
        ("patch", "patch", PatchEmbeddedSerializer),
        ("previous_delegate", "previous_delegate", UserEmbeddedSerializer),
        ("current_delegate", "current_delegate", UserEmbeddedSerializer),
    ),
    Category.PATCH_RELATION_CHANGED: (
        ("patch", "patch", PatchEmbeddedSerializer),
        ("previous_relation", "previous_relation_id", always_null),
        ("current_relation", "current_relation_id", always_null),
    ),
    Category.CHECK_CREATED: (
        ("patch", "patch", PatchEmbeddedSerializer),
        ("check", "created_check", CheckEmbeddedSerializer),
    ),
    Category.SERIES_CREATED: (("series", "series", SeriesEmbeddedSerializer),),
    Category.SERIES_COMPLETED: (("series", "series", SeriesEmbeddedSerializer),),
    Category.COVER_COMMENT_CREATED: (
        ("cover", "cover", CoverEmbeddedSerializer),
        ("comment", "cover_comment", CoverCommentEmbeddedSerializer),
    ),
    Category.PATCH_COMMENT_CREATED: (
        ("patch", "patch", PatchEmbeddedSerializer),
        ("comment", "patch_comment", PatchCommentEmbeddedSerializer),
    ),
}


class EventSerializer(VersionedModelSerializer):
    """An event (needs ``EventQuerySet.for_api()``); ``actor`` in every version, as
    Patchwork shows it (its ``?actor=`` filter stays 1.2+)."""

    project = ProjectEmbeddedSerializer(read_only=True)
    actor = UserEmbeddedSerializer(read_only=True)
    payload = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ("id", "category", "project", "date", "actor", "payload")
        read_only_fields = fields

    def get_payload(self, event: Event) -> dict[str, Any]:
        payload = {}
        for key, attribute, renderer in PAYLOAD_FIELDS.get(event.category, ()):
            value = getattr(event, attribute)
            payload[key] = None if value is None else self.render(renderer, value)
        return payload

    def render(self, renderer: Renderer, value) -> Any:
        if isinstance(renderer, type) and issubclass(renderer, serializers.BaseSerializer):
            return self.embedded(renderer).to_representation(value)
        return renderer(value)
