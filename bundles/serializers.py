"""Serializers of bundles: read as embedded patches, written as a list of patch ids."""

from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from bundles.models import Bundle
from downloads import links
from patches.models import Patch
from patches.serializers import PatchEmbeddedSerializer
from patchwork_api.api.serializers import ApiUrlField, VersionedModelSerializer
from patchwork_api.validation import ASCII_DIGITS, check_list_length, is_id
from people.serializers import UserEmbeddedSerializer
from projects.serializers import ProjectEmbeddedSerializer


class BundlePatchesField(serializers.Field):
    """The patches of a bundle.

    Input: patch ids, as a JSON list or a repeated form field (a form value may also
    hold several ids separated by commas or spaces); repeated ids count once.
    Output: the embedded patches ordered by patch date, as Patchwork (needs
    ``BundleQuerySet.for_api()``).
    The browsable API shows a plain text input: no choice list of every patch.
    """

    default_error_messages = {
        "not_a_list": 'Expected a list of items but got type "{input_type}".',
        "incorrect_type": "Incorrect type. Expected pk value, received {data_type}.",
        "does_not_exist": 'Invalid pk "{pk_value}" - object does not exist.',
        "empty": "Bundles cannot be empty",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("style", {"base_template": "input.html"})
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if html.is_html_input(dictionary):
            if self.field_name not in dictionary:
                return empty
            values = []
            for value in dictionary.getlist(self.field_name):
                values.extend(value.replace(",", " ").split())
            return values
        return dictionary.get(self.field_name, empty)

    def to_internal_value(self, data) -> dict[str, list[Patch]]:
        if isinstance(data, str | bytes | dict) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        check_list_length(data)
        patch_ids = list(dict.fromkeys(self.parse_id(item) for item in data))
        if not patch_ids:
            self.fail("empty")
        found = Patch.objects.only("id", "project_id").in_bulk(patch_ids)
        for patch_id in patch_ids:
            if patch_id not in found:
                self.fail("does_not_exist", pk_value=patch_id)
        # The field's source is the whole bundle, so its value is merged into the
        # validated data: give it its name.
        return {"patches": [found[patch_id] for patch_id in patch_ids]}

    def parse_id(self, item) -> int:
        if isinstance(item, bool) or not isinstance(item, int | str):
            self.fail("incorrect_type", data_type=type(item).__name__)
        text = str(item).strip()
        if not ASCII_DIGITS.fullmatch(text):
            self.fail("incorrect_type", data_type=type(item).__name__)
        if not is_id(text):
            self.fail("does_not_exist", pk_value=text)
        return int(text)

    def to_representation(self, bundle: Bundle) -> list[dict]:
        memberships = getattr(bundle, "api_memberships", None)
        if memberships is None:
            patches: list[Patch] | QuerySet = (
                Patch.objects.filter(bundlepatch__bundle=bundle)
                .select_related("project")
                .order_by("date", "id")
            )
        else:
            patches = [membership.patch for membership in memberships]
        return [self.patch_serializer.to_representation(patch) for patch in patches]

    @cached_property
    def patch_serializer(self) -> PatchEmbeddedSerializer:
        """One embedded patch serializer for every bundle of a list."""
        return PatchEmbeddedSerializer(context=self.context)


class BundleSerializer(VersionedModelSerializer):
    """A bundle; ``name``, ``patches`` and ``public`` are writable (API 1.2+)."""

    url = ApiUrlField("api-bundle-detail")
    web_url = serializers.SerializerMethodField()
    project = ProjectEmbeddedSerializer(read_only=True)
    owner = UserEmbeddedSerializer(read_only=True)
    patches = BundlePatchesField(source="*")
    public = serializers.BooleanField(required=False)
    mbox = serializers.SerializerMethodField()

    class Meta:
        model = Bundle
        fields = ("id", "url", "web_url", "project", "name", "owner", "patches", "public", "mbox")
        read_only_fields = ("id", "url", "web_url", "project", "owner", "mbox")
        versioned_fields = {(1, 1): ("web_url",)}

    def get_web_url(self, bundle: Bundle) -> str:
        request = self.context.get("request")
        return links.bundle_web_url(request, bundle.owner.username, bundle.name)

    def get_mbox(self, bundle: Bundle) -> str:
        request = self.context.get("request")
        return links.bundle_mbox_url(request, bundle.owner.username, bundle.name)

    def validate_name(self, name: str) -> str:
        if "/" in name:
            raise serializers.ValidationError("Bundle names can't contain slashes.")
        return name
