"""Serializers of people (mail senders) and users."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from patchwork_api.api.serializers import ApiUrlField, VersionedModelSerializer
from people.models import Person, UserProfile


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


class PersonSerializer(PersonEmbeddedSerializer):
    """A person (anyone who sent mail), with the user account linked to it."""

    user = UserEmbeddedSerializer(read_only=True, allow_null=True)

    class Meta(PersonEmbeddedSerializer.Meta):
        fields = (*PersonEmbeddedSerializer.Meta.fields, "user")
        read_only_fields = fields


class UserSerializer(VersionedModelSerializer):
    """A user in lists; names are writable by the user, username and e-mail are not
    (an e-mail address must be confirmed before it is used)."""

    url = ApiUrlField("api-user-detail")

    class Meta:
        model = get_user_model()
        fields = ("id", "url", "username", "first_name", "last_name", "email")
        read_only_fields = ("username", "email")


# The API version from which a user's own settings are shown and applied.
SETTINGS_VERSION = (1, 2)


class UserSettingsSerializer(serializers.ModelSerializer):
    """A user's own settings (API 1.2 ``settings``)."""

    class Meta:
        model = UserProfile
        fields = ("send_email", "items_per_page", "show_ids")


class UserDetailSerializer(UserSerializer):
    """A user; from API 1.2 the requesting user also sees and edits their ``settings``."""

    # required as Patchwork's: a PUT without it is a 400 in every version
    settings = UserSettingsSerializer(source="profile")

    class Meta(UserSerializer.Meta):
        fields = (*UserSerializer.Meta.fields, "settings")
        versioned_fields = {SETTINGS_VERSION: ("settings",)}

    def to_representation(self, user) -> dict:
        data = super().to_representation(user)
        if "settings" not in data:
            return data
        request = self.context.get("request")
        if request is None or request.user.pk != user.pk:
            del data["settings"]
        elif data["settings"] is None:
            # a user created without a profile has the default settings
            data["settings"] = UserSettingsSerializer(UserProfile(user=user)).data
        return data
