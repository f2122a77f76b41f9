"""Serializers of projects."""

from rest_framework import serializers

from patchwork_api.api.serializers import ApiUrlField, VersionedModelSerializer
from people.serializers import UserEmbeddedSerializer
from projects.models import Project


class ProjectEmbeddedSerializer(VersionedModelSerializer):
    """A project as embedded in other resources."""

    url = ApiUrlField("api-project-detail")
    link_name = serializers.CharField(source="linkname", read_only=True)
    list_id = serializers.CharField(source="listid", read_only=True)
    list_email = serializers.CharField(source="listemail", read_only=True)

    class Meta:
        model = Project
        fields = (
            "id",
            "url",
            "name",
            "link_name",
            "list_id",
            "list_email",
            "web_url",
            "scm_url",
            "webscm_url",
            "list_archive_url",
            "list_archive_url_format",
            "commit_url_format",
        )
        read_only_fields = fields
        versioned_fields = {
            (1, 2): ("list_archive_url", "list_archive_url_format", "commit_url_format"),
        }


class ProjectSerializer(VersionedModelSerializer):
    """A project with its maintainers; the URLs (and, from 1.4, ``show_dependencies``)
    may be changed by its maintainers, the list settings are read-only."""

    url = ApiUrlField("api-project-detail")
    link_name = serializers.CharField(source="linkname", read_only=True)
    list_id = serializers.CharField(source="listid", read_only=True)
    list_email = serializers.CharField(source="listemail", read_only=True)
    maintainers = UserEmbeddedSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = (
            "id",
            "url",
            "name",
            "link_name",
            "list_id",
            "list_email",
            "web_url",
            "scm_url",
            "webscm_url",
            "maintainers",
            "subject_match",
            "list_archive_url",
            "list_archive_url_format",
            "commit_url_format",
            "show_dependencies",
            "auto_supersede",
        )
        read_only_fields = ("name", "subject_match")
        # the schema allows null for these; the columns store "" for unset
        extra_kwargs = {
            "list_archive_url": {"allow_null": True},
            "list_archive_url_format": {"allow_null": True},
            "commit_url_format": {"allow_null": True},
        }
        versioned_fields = {
            (1, 1): ("subject_match",),
            (1, 2): ("list_archive_url", "list_archive_url_format", "commit_url_format"),
            (1, 4): ("show_dependencies",),
        }
        unversioned_fields = ("auto_supersede",)
