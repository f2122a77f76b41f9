"""Request bodies of series-level and bulk triage."""

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from patches.serializers import StateField, UserRelatedField
from patchwork_api.validation import InvalidValue, check_list_length, parse_id
from people.serializers import UserEmbeddedSerializer


class TriageSerializer(serializers.Serializer):
    """``state``, ``delegate`` (id or username, null to unset) and ``archived``: at least
    one of them."""

    state = StateField(required=False)
    delegate = UserRelatedField(
        UserEmbeddedSerializer,
        queryset=get_user_model().objects.all(),
        allow_null=True,
        required=False,
    )
    archived = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give at least one of state, delegate, archived.")
        return attrs


class PatchIdsField(serializers.Field):
    """A non-empty list of patch ids (at most ``MAX_BODY_LIST_ITEMS``)."""

    default_error_messages = {
        "not_a_list": 'Expected a list of patch ids but got type "{input_type}".',
        "empty": "This list may not be empty.",
        "invalid": "{value!r} is not a patch id.",
    }

    def get_value(self, dictionary: Any) -> Any:
        # a form sends ``ids=1&ids=2`` or ``ids=1,2``
        if html.is_html_input(dictionary):
            if self.field_name not in dictionary:
                return empty
            values: list[str] = []
            for value in dictionary.getlist(self.field_name):
                values.extend(value.replace(",", " ").split())
            return values
        return dictionary.get(self.field_name, empty)

    def to_internal_value(self, data: Any) -> list[int]:
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        check_list_length(data)
        if not data:
            self.fail("empty")
        ids = []
        for item in data:
            try:
                ids.append(parse_id(item))
            except InvalidValue:
                self.fail("invalid", value=item)
        return ids

    def to_representation(self, value: list[int]) -> list[int]:
        return value


class BulkTriageSerializer(TriageSerializer):
    """``ids``: the patches to change, all or nothing."""

    ids = PatchIdsField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        changes = {name: value for name, value in attrs.items() if name != "ids"}
        super().validate(changes)
        return attrs
