"""Serializers of people (mail senders) and users."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from patchwork_api.api.serializers import ApiUrlField, VersionedModelSerializer
from people.models import Person


class PersonEmbeddedSerializer(VersionedModelSerializer):
    """A person as embedded in other resources.

    ``name`` falls back to the e-mail address: the schema says a non-empty string and
    strict clients (serde, snowpatch) reject null.
    """

    url = ApiUrlField("api-person-detail")
    name = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ("id", "url", "name", "email")
        read_only_fields = fields

    def get_name(self, person: Person) -> str:
        return person.name or person.email


class UserEmbeddedSerializer(VersionedModelSerializer):
    """A user as embedded in other resources."""

    url = ApiUrlField("api-user-detail")

    class Meta:
        model = get_user_model()
        fields = ("id", "url", "username", "first_name", "last_name", "email")
        read_only_fields = fields
