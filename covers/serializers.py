"""Serializers of cover letters and their comments."""

from rest_framework import serializers

from covers.models import Cover, CoverComment
from downloads import links
from patches.serializers import subject_from_headers
from patchwork_api.api.serializers import ApiUrlField, VersionedModelSerializer


class CoverEmbeddedSerializer(VersionedModelSerializer):
    """A cover letter as embedded in other resources (needs ``project`` selected)."""

    url = ApiUrlField("api-cover-detail")
    web_url = serializers.SerializerMethodField()
    list_archive_url = serializers.SerializerMethodField()
    mbox = serializers.SerializerMethodField()

    class Meta:
        model = Cover
        fields = ("id", "url", "web_url", "msgid", "list_archive_url", "date", "name", "mbox")
        read_only_fields = fields
        versioned_fields = {(1, 1): ("web_url", "mbox"), (1, 2): ("list_archive_url",)}

    def get_web_url(self, cover: Cover) -> str:
        return links.cover_web_url(
            self.context.get("request"), cover.project.linkname, cover.msgid
        )

    def get_list_archive_url(self, cover: Cover) -> str | None:
        return links.list_archive_url(cover.project.list_archive_url_format, cover.msgid)

    def get_mbox(self, cover: Cover) -> str:
        return links.cover_mbox_url(
            self.context.get("request"), cover.project.linkname, cover.msgid
        )


class CoverCommentEmbeddedSerializer(VersionedModelSerializer):
    """A cover-letter comment as embedded in event payloads (needs ``cover__project``)."""

    url = ApiUrlField(
        "api-cover-comment-detail", lookups={"cover_id": "cover_id", "comment_id": "pk"}
    )
    web_url = serializers.SerializerMethodField()
    list_archive_url = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()

    class Meta:
        model = CoverComment
        fields = ("id", "url", "web_url", "msgid", "list_archive_url", "date", "name")
        read_only_fields = fields
        versioned_fields = {
            (1, 1): ("web_url",),
            (1, 2): ("list_archive_url",),
            (1, 3): ("url",),
        }

    def get_web_url(self, comment: CoverComment) -> str:
        cover = comment.cover
        parent_url = links.cover_web_url(
            self.context.get("request"), cover.project.linkname, cover.msgid
        )
        return links.comment_web_url(self.context.get("request"), parent_url, comment.pk)

    def get_list_archive_url(self, comment: CoverComment) -> str | None:
        return links.list_archive_url(comment.cover.project.list_archive_url_format, comment.msgid)

    def get_name(self, comment: CoverComment) -> str:
        return subject_from_headers(comment.headers)
