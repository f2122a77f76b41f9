"""Serializers of patches, their comments and checks."""

import email.parser
import re

from django.contrib.auth import get_user_model
from django.utils.text import slugify
from rest_framework import serializers
from rest_framework.utils import html

from downloads import links
from patches.models import Check, Patch, PatchComment, State
from patches.querysets import combined_check_state, latest_checks
from patchwork_api.api.serializers import (
    ApiUrlField,
    EmbeddedRelatedField,
    VersionedModelSerializer,
    embedded_serializer,
)
from patchwork_api.limits import MAX_RENDERED_HEADERS
from patchwork_api.validation import ASCII_DIGITS, check_list_length, is_id, is_storable_text
from people.serializers import PersonEmbeddedSerializer, UserEmbeddedSerializer
from projects.serializers import ProjectEmbeddedSerializer


class SubmissionEmbeddedBase(VersionedModelSerializer):
    """A patch or cover letter as embedded in other resources (needs ``project``
    selected). Subclasses name the link builders of their web page and mbox."""

    web_url = serializers.SerializerMethodField()
    list_archive_url = serializers.SerializerMethodField()
    mbox = serializers.SerializerMethodField()
    web_url_builder = staticmethod(links.patch_web_url)
    mbox_url_builder = staticmethod(links.patch_mbox_url)

    class Meta:
        fields = ("id", "url", "web_url", "msgid", "list_archive_url", "date", "name", "mbox")
        read_only_fields = fields

    def get_web_url(self, submission) -> str:
        return self.web_url_builder(
            self.context.get("request"), submission.project.linkname, submission.msgid
        )

    def get_list_archive_url(self, submission) -> str | None:
        return links.list_archive_url(submission.project.list_archive_url_format, submission.msgid)

    def get_mbox(self, submission) -> str:
        return self.mbox_url_builder(
            self.context.get("request"), submission.project.linkname, submission.msgid
        )


class PatchEmbeddedSerializer(SubmissionEmbeddedBase):
    """A patch as embedded in other resources (needs ``project`` selected)."""

    url = ApiUrlField("api-patch-detail")

    class Meta(SubmissionEmbeddedBase.Meta):
        model = Patch
        versioned_fields = {(1, 1): ("web_url",), (1, 2): ("list_archive_url",)}


class CheckEmbeddedSerializer(VersionedModelSerializer):
    """A check as embedded in other resources (event payloads)."""

    url = ApiUrlField("api-check-detail", lookups={"patch_id": "patch_id", "check_id": "pk"})
    state = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Check
        fields = ("id", "url", "date", "state", "target_url", "context")
        read_only_fields = fields


class CommentEmbeddedBase(VersionedModelSerializer):
    """A patch or cover-letter comment as embedded in event payloads: exactly ``id``,
    ``url`` (1.3), ``web_url``, ``msgid``, ``list_archive_url`` and ``date``, as Patchwork.

    Subclasses name the comment's parent (``parent_field``, whose project gives the list
    archive's format).
    """

    parent_field = ""
    web_url = serializers.SerializerMethodField()
    list_archive_url = serializers.SerializerMethodField()

    class Meta:
        fields = ("id", "url", "web_url", "msgid", "list_archive_url", "date")
        read_only_fields = fields
        versioned_fields = {
            (1, 1): ("web_url",),
            (1, 2): ("list_archive_url",),
            (1, 3): ("url",),
        }

    def get_web_url(self, comment) -> str:
        return links.comment_web_url(self.context.get("request"), comment.pk)

    def get_list_archive_url(self, comment) -> str | None:
        project = getattr(comment, self.parent_field).project
        return links.list_archive_url(project.list_archive_url_format, comment.msgid)


class PatchCommentEmbeddedSerializer(CommentEmbeddedBase):
    """A patch comment as embedded in event payloads (needs ``patch__project`` selected)."""

    parent_field = "patch"
    url = ApiUrlField(
        "api-patch-comment-detail", lookups={"patch_id": "patch_id", "comment_id": "pk"}
    )

    class Meta(CommentEmbeddedBase.Meta):
        model = PatchComment


def subject_from_headers(headers: str) -> str:
    """The first Subject of a stored header block as Patchwork reads it, folding kept
    (``"Re: [PATCH] a long\\n subject"``), or ""."""
    return str(email.parser.HeaderParser().parsestr(headers or "").get("Subject", ""))


# Subject tags that say nothing about a patch (``[PATCH v2 1/3]`` -> ``v2``, ``1/3``).
IGNORED_PREFIXES = frozenset({"patch"})
SUBJECT_PREFIX_RE = re.compile(r"^\s*\[([^\]]*)\]\s*")
REPLY_MARKER_RE = re.compile(r"^\s*(?:re|fwd?)\s*:\s*", re.IGNORECASE)


def subject_prefixes(subject: str) -> list[str]:
    """The bracketed tags at the start of a subject, split on commas and spaces,
    without ``PATCH`` (Patchwork's ``prefixes``): ``[RFC,v2 1/3] x`` -> ``RFC, v2, 1/3``."""
    prefixes: list[str] = []
    remainder = REPLY_MARKER_RE.sub("", subject)
    match = SUBJECT_PREFIX_RE.match(remainder)
    while match:
        prefixes.extend(
            tag
            for tag in re.split(r"[\s,]+", match.group(1))
            if tag and tag.lower() not in IGNORED_PREFIXES
        )
        remainder = remainder[match.end() :]
        match = SUBJECT_PREFIX_RE.match(remainder)
    return prefixes


def headers_as_dict(headers: str) -> dict[str, str | list[str]]:
    """Stored mail headers as Patchwork serves them: name -> value, or name -> list of
    values when the header occurs more than once (names compared in any case).

    Only the first ``MAX_RENDERED_HEADERS`` headers are read, in one pass: looking each
    name up again (``get_all``) cost time quadratic in their number, 6 s for a mail of
    10,000 headers.
    """
    text = first_header_fields(headers or "", MAX_RENDERED_HEADERS)
    parsed = email.parser.Parser().parsestr(text, headersonly=True)
    values_by_name: dict[str, list[str]] = {}
    for name, value in parsed.items():
        values_by_name.setdefault(name.lower(), []).append(str(value))
    result: dict[str, str | list[str]] = {}
    for name in dict.fromkeys(parsed.keys()):
        values = values_by_name[name.lower()]
        result[name] = values[0] if len(values) == 1 else values
    return result


def first_header_fields(headers: str, count: int) -> str:
    """The first ``count`` header fields of a header block (a field: a line and the
    folded lines after it), cut before the rest."""
    fields_seen = 0
    position = 0
    for line in headers.splitlines(keepends=True):
        if line[:1] not in (" ", "\t"):
            fields_seen += 1
            if fields_seen > count:
                return headers[:position]
        position += len(line)
    return headers


class StateField(serializers.RelatedField):
    """A patch state as its slug; input is matched case-insensitively, spaces allowed
    (``Under Review`` -> ``under-review``), or given by its numeric id."""

    default_error_messages = {
        "invalid_choice": "Invalid state {name}. Expected one of: {choices}.",
        "incorrect_type": "Incorrect type. Expected string value, received {data_type}.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", State.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> State:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        text = str(data).strip()
        slug = slugify(text.lower())
        for state in self.get_queryset():
            # numeric ids too: bots hard-code the state ids of their instance
            if state.slug == slug or (is_id(text) and state.pk == int(text)):
                return state
        choices = ", ".join(state.slug for state in self.get_queryset())
        self.fail("invalid_choice", name=slug or data, choices=choices)

    def to_representation(self, state: State) -> str:
        return state.slug

    def display_value(self, state: State) -> str:
        return state.slug

    def get_choices(self, cutoff=None) -> dict[str, str]:
        return {state.slug: state.name for state in self.get_queryset()}


class UserRelatedField(EmbeddedRelatedField):
    """A user given by id or by username (the browsable API's form shows the username);
    rendered embedded."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not ASCII_DIGITS.fullmatch(data.strip()):
            if not is_storable_text(data):  # a NUL: no username has one
                self.fail("does_not_exist", pk_value=data)
            user = self.get_queryset().filter(username=data.strip()).first()
            if user is None:
                self.fail("does_not_exist", pk_value=data)
            return user
        return super().to_internal_value(data)


class RelatedPatchesField(serializers.Field):
    """API 1.2 ``related``: the other patches of the patch's relation (embedded) on
    output, a list of patch ids on input (repeated form fields or a JSON array)."""

    default_error_messages = {
        "not_a_list": 'Expected a list of items but got type "{input_type}".',
        "does_not_exist": 'Invalid pk "{pk_value}" - object does not exist.',
        "incorrect_type": "Incorrect type. Expected pk value, received {data_type}.",
    }

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs.setdefault("required", False)
        # The browsable API's form shows the related patches' ids (a text box holding the
        # embedded patches would send them back as text, refused, or be cleared, which
        # took the patch out of its relation).
        kwargs.setdefault("style", {"template": "patches/related_ids_input.html"})
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if html.is_html_input(dictionary):
            if self.field_name not in dictionary:
                return serializers.empty
            # repeated fields, or one text box of ids separated by commas or spaces
            return [
                value
                for text in dictionary.getlist(self.field_name)
                for value in text.replace(",", " ").split()
            ]
        return dictionary.get(self.field_name, serializers.empty)

    def to_internal_value(self, data) -> dict[str, list[Patch]]:
        if isinstance(data, str) or not isinstance(data, list | tuple):
            self.fail("not_a_list", input_type=type(data).__name__)
        check_list_length(data)
        patch_ids = []
        for item in data:
            if isinstance(item, bool) or not isinstance(item, int | str):
                self.fail("incorrect_type", data_type=type(item).__name__)
            if isinstance(item, str) and not ASCII_DIGITS.fullmatch(item.strip()):
                self.fail("incorrect_type", data_type="str")
            if not is_id(item):
                self.fail("does_not_exist", pk_value=item)
            patch_ids.append(int(item))
        patches = Patch.objects.select_related("project").in_bulk(patch_ids)
        missing = [patch_id for patch_id in patch_ids if patch_id not in patches]
        if missing:
            self.fail("does_not_exist", pk_value=missing[0])
        return {"related": [patches[patch_id] for patch_id in dict.fromkeys(patch_ids)]}

    def get_attribute(self, patch: Patch):
        # As Patchwork: a partial update's answer leaves ``related`` out when the patch
        # has no relation (GET and PUT show ``[]``).
        if patch.related_id is None and getattr(self.root, "partial", False):
            raise serializers.SkipField()
        return super().get_attribute(patch)

    def to_representation(self, patch: Patch) -> list[dict]:
        if patch.related_id is None:
            return []
        # ordered by date, as Patchwork's patches are
        others = sorted(
            (other for other in patch.related.patches.all() if other.pk != patch.pk),
            key=lambda other: (other.date, other.pk),
        )
        renderer = embedded_serializer(self, PatchEmbeddedSerializer)
        return [renderer.to_representation(other) for other in others]


class PatchListSerializer(VersionedModelSerializer):
    """A patch in lists; ``state``, ``delegate``, ``archived``, ``commit_ref`` and (1.2)
    ``related`` are writable."""

    url = ApiUrlField("api-patch-detail")
    web_url = serializers.SerializerMethodField()
    project = ProjectEmbeddedSerializer(read_only=True)
    list_archive_url = serializers.SerializerMethodField()
    hash = serializers.SerializerMethodField()
    state = StateField()
    submitter = PersonEmbeddedSerializer(read_only=True)
    delegate = UserRelatedField(
        UserEmbeddedSerializer,
        queryset=get_user_model().objects.all(),
        allow_null=True,
        # a text box for the username: a select would list every user of the instance
        style={"template": "patches/username_input.html"},
    )
    mbox = serializers.SerializerMethodField()
    series = serializers.SerializerMethodField()
    # unversioned and without ?format=, as Patchwork links them
    comments = ApiUrlField("api-patch-comment-list", lookups={"patch_id": "pk"}, unversioned=True)
    check = serializers.SerializerMethodField()
    checks = ApiUrlField("api-check-list", lookups={"patch_id": "pk"}, unversioned=True)
    tags = serializers.SerializerMethodField()
    related = RelatedPatchesField()

    class Meta:
        model = Patch
        fields = (
            "id",
            "url",
            "web_url",
            "project",
            "msgid",
            "list_archive_url",
            "date",
            "name",
            "commit_ref",
            "pull_url",
            "state",
            "archived",
            "hash",
            "submitter",
            "delegate",
            "mbox",
            "series",
            "comments",
            "check",
            "checks",
            "tags",
            "related",
        )
        read_only_fields = ("msgid", "date", "name")
        extra_kwargs = {
            "commit_ref": {"allow_null": True, "allow_blank": True, "max_length": 255},
            "pull_url": {"allow_null": True, "allow_blank": True, "max_length": 255},
            "archived": {"required": False},
        }
        versioned_fields = {
            (1, 1): ("web_url", "comments"),
            (1, 2): ("list_archive_url", "related"),
        }

    def get_web_url(self, patch: Patch) -> str:
        return links.patch_web_url(
            self.context.get("request"), patch.project.linkname, patch.msgid
        )

    def get_list_archive_url(self, patch: Patch) -> str | None:
        return links.list_archive_url(patch.project.list_archive_url_format, patch.msgid)

    def get_hash(self, patch: Patch) -> str | None:
        # pull requests have no diff and so no hash: null, as Patchwork
        return patch.hash or None

    def get_mbox(self, patch: Patch) -> str:
        return links.patch_mbox_url(
            self.context.get("request"), patch.project.linkname, patch.msgid
        )

    def get_series(self, patch: Patch) -> list[dict]:
        # a list since Patchwork 2.0 let a patch belong to several series (API 1.0)
        if patch.series is None:
            return []
        # imported here: the series serializers embed patches and import this module
        from series.serializers import SeriesEmbeddedSerializer

        return [self.embedded(SeriesEmbeddedSerializer).to_representation(patch.series)]

    def get_check(self, patch: Patch) -> str:
        if hasattr(patch, "latest_checks"):
            checks = patch.latest_checks
        else:  # a patch not loaded with Patch.objects.for_api()
            checks = latest_checks().filter(patch=patch)
        return Check.State(combined_check_state(check.state for check in checks)).label

    def get_tags(self, patch: Patch) -> dict:
        # Patchwork serves an empty object (COMPAT.md)
        return {}


class PatchDetailSerializer(PatchListSerializer):
    """A patch with its headers, content, diff and subject prefixes."""

    headers = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()
    diff = serializers.SerializerMethodField()
    prefixes = serializers.SerializerMethodField()

    class Meta(PatchListSerializer.Meta):
        fields = (*PatchListSerializer.Meta.fields, "headers", "content", "diff", "prefixes")

    def get_headers(self, patch: Patch) -> dict[str, str | list[str]]:
        return headers_as_dict(patch.headers)

    def get_content(self, patch: Patch) -> str:
        return patch.content or ""

    def get_diff(self, patch: Patch) -> str | None:
        # null for a pull request (no diff), as Patchwork
        return patch.diff or None

    def get_prefixes(self, patch: Patch) -> list[str]:
        return subject_prefixes(patch.name)


class CheckStateField(serializers.ChoiceField):
    """A check state by name (``success``) or, as the browsable API sends it, by number."""

    def __init__(self, **kwargs):
        super().__init__(choices=Check.State.choices, **kwargs)
        self.error_messages["required"] = "A check must have a state."
        self.error_messages["blank"] = "A check must have a state."

    def to_internal_value(self, data) -> int:
        if isinstance(data, str) and data.strip() == "":
            self.fail("blank")
        by_label = {label: value for value, label in Check.State.choices}
        text = str(data).strip()
        if text in by_label:
            return by_label[text]
        return super().to_internal_value(int(text) if ASCII_DIGITS.fullmatch(text) else text)

    def to_representation(self, value: int) -> str:
        return Check.State(value).label


class CheckSerializer(VersionedModelSerializer):
    """A check of a patch by a CI system; created with POST, never changed."""

    url = ApiUrlField("api-check-detail", lookups={"patch_id": "patch_id", "check_id": "pk"})
    user = UserEmbeddedSerializer(read_only=True)
    state = CheckStateField()
    target_url = serializers.URLField(
        max_length=200, allow_null=True, allow_blank=True, required=False
    )
    context = serializers.SlugField(max_length=255, required=False, default="default")
    description = serializers.CharField(allow_null=True, allow_blank=True, required=False)

    class Meta:
        model = Check
        fields = ("id", "url", "user", "date", "state", "target_url", "context", "description")
        read_only_fields = ("date",)


class PatchCommentSerializer(VersionedModelSerializer):
    """A comment on a patch; ``addressed`` (1.3) is writable."""

    url = ApiUrlField(
        "api-patch-comment-detail", lookups={"patch_id": "patch_id", "comment_id": "pk"}
    )
    web_url = serializers.SerializerMethodField()
    list_archive_url = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    submitter = PersonEmbeddedSerializer(read_only=True)
    content = serializers.SerializerMethodField()
    headers = serializers.SerializerMethodField()

    class Meta:
        model = PatchComment
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
        read_only_fields = ("msgid", "date")
        versioned_fields = {
            (1, 1): ("web_url",),
            (1, 2): ("list_archive_url",),
            (1, 3): ("url", "addressed"),
        }

    def get_web_url(self, comment: PatchComment) -> str:
        return links.comment_web_url(self.context.get("request"), comment.pk)

    def get_list_archive_url(self, comment: PatchComment) -> str | None:
        return links.list_archive_url(comment.patch.project.list_archive_url_format, comment.msgid)

    def get_subject(self, comment: PatchComment) -> str:
        return subject_from_headers(comment.headers)

    def get_content(self, comment: PatchComment) -> str:
        return comment.content or ""

    def get_headers(self, comment: PatchComment) -> dict[str, str | list[str]]:
        return headers_as_dict(comment.headers)


class StateSerializer(serializers.ModelSerializer):
    """A patch state (``/api/states/``, an extra of the unversioned API)."""

    class Meta:
        model = State
        fields = ("id", "name", "slug", "ordering", "action_required")
        read_only_fields = fields
