"""Serializers of patches, their comments and checks."""

from rest_framework import serializers

from downloads import links
from patches.models import Check, Patch, PatchComment
from patchwork_api.api.serializers import ApiUrlField, VersionedModelSerializer


class PatchEmbeddedSerializer(VersionedModelSerializer):
    """A patch as embedded in other resources (needs ``project`` selected)."""

    url = ApiUrlField("api-patch-detail")
    web_url = serializers.SerializerMethodField()
    list_archive_url = serializers.SerializerMethodField()
    mbox = serializers.SerializerMethodField()

    class Meta:
        model = Patch
        fields = ("id", "url", "web_url", "msgid", "list_archive_url", "date", "name", "mbox")
        read_only_fields = fields
        versioned_fields = {(1, 1): ("web_url",), (1, 2): ("list_archive_url",)}

    def get_web_url(self, patch: Patch) -> str:
        return links.patch_web_url(
            self.context.get("request"), patch.project.linkname, patch.msgid
        )

    def get_list_archive_url(self, patch: Patch) -> str | None:
        return links.list_archive_url(patch.project.list_archive_url_format, patch.msgid)

    def get_mbox(self, patch: Patch) -> str:
        return links.patch_mbox_url(
            self.context.get("request"), patch.project.linkname, patch.msgid
        )


class CheckEmbeddedSerializer(VersionedModelSerializer):
    """A check as embedded in other resources (event payloads)."""

    url = ApiUrlField("api-check-detail", lookups={"patch_id": "patch_id", "check_id": "pk"})
    state = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Check
        fields = ("id", "url", "date", "state", "target_url", "context")
        read_only_fields = fields


class PatchCommentEmbeddedSerializer(VersionedModelSerializer):
    """A patch comment as embedded in event payloads (needs ``patch__project`` selected).

    ``name`` is the comment's subject, read from its stored headers.
    """

    url = ApiUrlField(
        "api-patch-comment-detail", lookups={"patch_id": "patch_id", "comment_id": "pk"}
    )
    web_url = serializers.SerializerMethodField()
    list_archive_url = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()

    class Meta:
        model = PatchComment
        fields = ("id", "url", "web_url", "msgid", "list_archive_url", "date", "name")
        read_only_fields = fields
        versioned_fields = {
            (1, 1): ("web_url",),
            (1, 2): ("list_archive_url",),
            (1, 3): ("url",),
        }

    def get_web_url(self, comment: PatchComment) -> str:
        patch = comment.patch
        parent_url = links.patch_web_url(
            self.context.get("request"), patch.project.linkname, patch.msgid
        )
        return links.comment_web_url(self.context.get("request"), parent_url, comment.pk)

    def get_list_archive_url(self, comment: PatchComment) -> str | None:
        return links.list_archive_url(comment.patch.project.list_archive_url_format, comment.msgid)

    def get_name(self, comment: PatchComment) -> str:
        return subject_from_headers(comment.headers)


def subject_from_headers(headers: str) -> str:
    """The Subject of a stored header block (folded lines joined), or ""."""
    subject_lines: list[str] = []
    for line in headers.splitlines():
        if subject_lines:
            if line[:1] in (" ", "\t"):
                subject_lines.append(line.strip())
                continue
            break
        if line.lower().startswith("subject:"):
            subject_lines.append(line[len("subject:") :].strip())
    return " ".join(subject_lines)
