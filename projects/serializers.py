"""Serializers of projects."""

from rest_framework import serializers

from patchwork_api.api.serializers import ApiUrlField, VersionedModelSerializer
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
