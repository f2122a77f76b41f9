"""Serializers of cover letters and their comments."""

from django.utils.functional import cached_property
from rest_framework import serializers

from covers.models import Cover, CoverComment
from downloads import links
from patches.serializers import (
    CommentEmbeddedBase,
    SubmissionEmbeddedBase,
    headers_as_dict,
    subject_from_headers,
)
from patchwork_api.api.serializers import ApiUrlField, VersionedModelSerializer
from people.serializers import PersonEmbeddedSerializer
from projects.serializers import ProjectEmbeddedSerializer


class CoverEmbeddedSerializer(SubmissionEmbeddedBase):
    """A cover letter as embedded in other resources (needs ``project`` selected)."""

    url = ApiUrlField("api-cover-detail")
    web_url_builder = staticmethod(links.cover_web_url)
    mbox_url_builder = staticmethod(links.cover_mbox_url)

    class Meta(SubmissionEmbeddedBase.Meta):
        model = Cover
        versioned_fields = {(1, 1): ("web_url", "mbox"), (1, 2): ("list_archive_url",)}


class CoverCommentEmbeddedSerializer(CommentEmbeddedBase):
    """A cover-letter comment as embedded in event payloads (needs ``cover__project``)."""

    parent_field = "cover"
    url = ApiUrlField(
        "api-cover-comment-detail", lookups={"cover_id": "cover_id", "comment_id": "pk"}
    )

    class Meta(CommentEmbeddedBase.Meta):
        model = CoverComment


class CoverListSerializer(CoverEmbeddedSerializer):
    """A cover letter in the list (needs ``CoverQuerySet.for_api()``).

    ``series`` is a list (of at most one series) for compatibility with the days when a
    cover letter could belong to several series.
    """

    project = ProjectEmbeddedSerializer(read_only=True)
    submitter = PersonEmbeddedSerializer(read_only=True)
    series = serializers.SerializerMethodField()
    # unversioned and without ?format=, as Patchwork links it
    comments = ApiUrlField("api-cover-comment-list", lookups={"cover_id": "pk"}, unversioned=True)

    class Meta:
        model = Cover
        fields = (
            "id",
            "url",
            "web_url",
            "project",
            "msgid",
            "list_archive_url",
            "date",
            "name",
            "submitter",
            "mbox",
            "series",
            "comments",
        )
        read_only_fields = fields
        versioned_fields = {
            (1, 1): ("web_url", "mbox", "comments"),
            (1, 2): ("list_archive_url",),
        }

    def get_series(self, cover: Cover) -> list[dict]:
        series = getattr(cover, "series", None)
        if series is None:
            return []
        return [self.series_serializer.to_representation(series)]

    @cached_property
    def series_serializer(self) -> VersionedModelSerializer:
        """One embedded series serializer for the whole list (building its fields costs
        more than rendering a series)."""
        # Imported here: series' serializers embed cover letters (a module cycle).
        from series.serializers import SeriesEmbeddedSerializer

        return SeriesEmbeddedSerializer(context=self.context)


class CoverDetailSerializer(CoverListSerializer):
    """A cover letter with its headers (as a dict) and its body."""

    headers = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()

    class Meta(CoverListSerializer.Meta):
        fields = (*CoverListSerializer.Meta.fields, "headers", "content")
        read_only_fields = fields

    def get_headers(self, cover: Cover) -> dict[str, str | list[str]]:
        return headers_as_dict(cover.headers)

    def get_content(self, cover: Cover) -> str:
        return cover.content or ""


class CoverCommentSerializer(CoverCommentEmbeddedSerializer):
    """A comment on a cover letter; ``addressed`` (API 1.3) is its only writable field.

    Needs ``CoverCommentQuerySet.for_api()``.
    """

    subject = serializers.SerializerMethodField()
    submitter = PersonEmbeddedSerializer(read_only=True)
    content = serializers.SerializerMethodField()
    headers = serializers.SerializerMethodField()
    addressed = serializers.BooleanField(allow_null=True, required=False)

    class Meta:
        model = CoverComment
        fields = (
            "id",
            "url",
            "web_url",
            "msgid",
            "list_archive_url",
            "date",
            "subject",
            "submitter",
            "content",
            "headers",
            "addressed",
        )
        read_only_fields = tuple(field for field in fields if field != "addressed")
        versioned_fields = {
            (1, 1): ("web_url",),
            (1, 2): ("list_archive_url",),
            (1, 3): ("url", "addressed"),
        }

    def get_subject(self, comment: CoverComment) -> str:
        return subject_from_headers(comment.headers)

    def get_content(self, comment: CoverComment) -> str:
        return comment.content or ""

    def get_headers(self, comment: CoverComment) -> dict[str, str | list[str]]:
        return headers_as_dict(comment.headers)
