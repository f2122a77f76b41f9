"""Base serializer classes and fields shared by every resource.

Fields added in a later API version are declared once per serializer::

    class Meta:
        versioned_fields = {(1, 1): ("web_url",), (1, 2): ("list_archive_url",)}

and are left out of both representation and input for requests of older versions.
"""

from rest_framework import serializers
from rest_framework.reverse import reverse

from patchwork_api.api.versioning import request_version


class VersionedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose fields depend on the request's API version."""

    def get_fields(self):
        fields = super().get_fields()
        version = request_version(self.context.get("request"))
        for added_in, names in getattr(self.Meta, "versioned_fields", {}).items():
            if version < added_in:
                for name in names:
                    fields.pop(name, None)
        return fields


class ApiUrlField(serializers.Field):
    """The absolute API URL of an object, from a view name and URL kwargs.

    ``lookups`` maps URL kwarg names to attribute names of the object (default
    ``{"pk": "pk"}``). The version of the request is kept in the URL, and so is a
    ``?format=api`` query parameter.
    """

    def __init__(self, view_name: str, lookups: dict[str, str] | None = None, **kwargs):
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)
        self.view_name = view_name
        self.lookups = lookups or {"pk": "pk"}

    def to_representation(self, instance):
        url_kwargs = {name: getattr(instance, attr) for name, attr in self.lookups.items()}
        return reverse(self.view_name, kwargs=url_kwargs, request=self.context.get("request"))


class EmbeddedRelatedField(serializers.PrimaryKeyRelatedField):
    """Accepts a primary key on input and renders the related object embedded.

    ``serializer_class`` is the related model's one "embedded" serializer.
    """

    def __init__(self, serializer_class, **kwargs):
        self.serializer_class = serializer_class
        super().__init__(**kwargs)

    def use_pk_only_optimization(self) -> bool:
        return False

    def to_representation(self, value):
        return self.serializer_class(value, context=self.context).data

    def display_value(self, instance) -> str:
        return str(instance)
