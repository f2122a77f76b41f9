"""Base serializer classes and fields shared by every resource.

Fields added in a later API version are declared once per serializer::

    class Meta:
        versioned_fields = {(1, 1): ("web_url",), (1, 2): ("list_archive_url",)}

and are left out of the representation for requests of older versions (writes accept
them in every version, as Patchwork's do). ``Meta.unversioned_fields`` are extensions
beyond Patchwork, served (read and written) on the unversioned ``/api/`` only: for
``/api/<version>/`` they do not exist, as in Patchwork.
"""

from django.urls import reverse as django_reverse
from django.utils.functional import cached_property
from rest_framework import serializers
from rest_framework.reverse import reverse

from patchwork_api.api.urltemplates import build_template
from patchwork_api.api.versioning import request_version


class VersionedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose representation depends on the request's API version.

    As Patchwork, only the representation leaves out the fields of later versions: a
    write through an older version still accepts (and applies) them.
    """

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None or getattr(request, "version", None) is not None:
            for name in getattr(self.Meta, "unversioned_fields", ()):
                fields.pop(name, None)
        return fields

    @property
    def _readable_fields(self):
        hidden = self.hidden_fields
        for field in super()._readable_fields:
            if field.field_name not in hidden:
                yield field

    @cached_property
    def hidden_fields(self) -> frozenset[str]:
        """The fields added after the request's API version."""
        version = request_version(self.context.get("request"))
        return frozenset(
            name
            for added_in, names in getattr(self.Meta, "versioned_fields", {}).items()
            if version < added_in
            for name in names
        )

    def embedded(self, serializer_class) -> serializers.BaseSerializer:
        """One instance of an embedded serializer for the whole response: building a
        serializer's fields costs more than rendering an object with them."""
        return embedded_serializer(self, serializer_class)


def embedded_serializer(owner, serializer_class) -> serializers.BaseSerializer:
    """A ``serializer_class`` instance cached on ``owner`` (a serializer or a field, both
    created per request), sharing its context."""
    cache = owner.__dict__.setdefault("_embedded_serializers", {})
    if serializer_class not in cache:
        cache[serializer_class] = serializer_class(context=owner.context)
    return cache[serializer_class]


class ApiUrlField(serializers.Field):
    """The absolute API URL of an object, from a view name and URL kwargs.

    ``lookups`` maps URL kwarg names to attribute names of the object (default
    ``{"pk": "pk"}``). The version of the request is kept in the URL, and so is a
    ``?format=api`` query parameter; an ``unversioned`` field links ``/api/...`` without
    either (Patchwork's ``checks`` and ``comments`` links of patches and covers).
    """

    def __init__(
        self,
        view_name: str,
        lookups: dict[str, str] | None = None,
        *,
        unversioned: bool = False,
        **kwargs,
    ):
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)
        self.view_name = view_name
        self.lookups = lookups or {"pk": "pk"}
        self.unversioned = unversioned

    def to_representation(self, instance):
        # Reversed once per serializer (so once per request), then filled per object.
        if not hasattr(self, "_template"):
            self._template = build_template(self._reverse, list(self.lookups))
        return self._template.fill([getattr(instance, attr) for attr in self.lookups.values()])

    def _reverse(self, url_kwargs: dict) -> str:
        request = self.context.get("request")
        if not self.unversioned:
            return reverse(self.view_name, kwargs=url_kwargs, request=request)
        path = django_reverse(self.view_name, kwargs=url_kwargs)
        return request.build_absolute_uri(path) if request is not None else path


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
        return embedded_serializer(self, self.serializer_class).to_representation(value)

    def display_value(self, instance) -> str:
        return str(instance)
