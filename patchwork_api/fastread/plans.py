"""The field plans of the compiled read path: one declarative shape per resource, the
single place where the JSON of a resource is described for it (the serializers describe
the same answers for DRF; tests/api/test_fastread.py renders both and compares bytes).

Versions: ``since=(1, 1)`` leaves a field out of API 1.0, as ``versioned_fields`` does.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F

from covers.models import Cover, CoverComment
from downloads.links import strip_brackets
from events.models import Event
from patches.models import Check, Patch, PatchComment
from patches.querysets import combined_check_state, latest_checks
from patches.serializers import headers_as_dict, subject_from_headers, subject_prefixes
from patchwork_api.api.versions import Version
from patchwork_api.fastread.engine import (
    ApiUrl,
    Children,
    Col,
    Context,
    Embed,
    Extra,
    Fn,
    Ref,
    Shape,
    Switch,
    WebUrl,
    iso_datetime,
)
from patchwork_api.fastread.prepared import PreparedQuery
from patchwork_api.validation import fill_url_format
from people.models import Person
from projects.models import Project
from series.models import Series

User = get_user_model()
V1_1 = (1, 1)
V1_2 = (1, 2)
V1_3 = (1, 3)
V1_4 = (1, 4)

BRACKETS = (None, strip_brackets)


def text_or_empty(value: str | None) -> str:
    return value or ""


def text_or_null(value: str | None) -> str | None:
    """A pull request's ``hash`` and ``diff``: null when it has none, as Patchwork."""
    return value or None


def first_of(value: Any, fallback: Any) -> Any:
    return value or fallback


def archive_url(list_archive_url_format: str, msgid: str) -> str | None:
    return fill_url_format(list_archive_url_format, strip_brackets(msgid))


def date(key: str = "date", column: str = "date", **kwargs) -> Col:
    return Col(key=key, column=column, convert=iso_datetime, **kwargs)


def col(key: str, column: str | None = None, **kwargs) -> Col:
    return Col(key=key, column=column or key, **kwargs)


# --- people, users, projects --------------------------------------------------------------

PERSON_EMBEDDED = Shape(
    Person,
    (
        col("id"),
        ApiUrl(key="url", route="api-person-detail"),
        Fn(key="name", columns=("name", "email"), fn=first_of),
        col("email"),
    ),
    "person",
)

USER_EMBEDDED = Shape(
    User,
    (
        col("id"),
        ApiUrl(key="url", route="api-user-detail"),
        col("username"),
        col("first_name"),
        col("last_name"),
        col("email"),
    ),
    "user",
)

PROJECT_EMBEDDED = Shape(
    Project,
    (
        col("id"),
        ApiUrl(key="url", route="api-project-detail"),
        col("name"),
        col("link_name", "linkname"),
        col("list_id", "listid"),
        col("list_email", "listemail"),
        col("web_url"),
        col("scm_url"),
        col("webscm_url"),
        col("list_archive_url", since=V1_2),
        col("list_archive_url_format", since=V1_2),
        col("commit_url_format", since=V1_2),
    ),
    "project",
)


# --- submissions -----------------------------------------------------------------------


def submission_links(kind: str, mbox_since: Version = (1, 0)) -> tuple[WebUrl, WebUrl]:
    """``web_url`` and ``mbox`` of a patch or cover letter (``kind``: its route prefix)."""
    kwargs = (("linkname", "project__linkname"), ("msgid", "msgid"))
    return (
        WebUrl(key="web_url", route=f"{kind}-detail", kwargs=kwargs, convert=BRACKETS, since=V1_1),
        WebUrl(
            key="mbox", route=f"{kind}-mbox", kwargs=kwargs, convert=BRACKETS, since=mbox_since
        ),
    )


def list_archive(**kwargs) -> Fn:
    return Fn(
        key="list_archive_url",
        columns=("project__list_archive_url_format", "msgid"),
        fn=archive_url,
        since=V1_2,
        **kwargs,
    )


PATCH_WEB, PATCH_MBOX = submission_links("patch")
COVER_WEB, COVER_MBOX = submission_links("cover", mbox_since=V1_1)

PATCH_EMBEDDED = Shape(
    Patch,
    (
        col("id"),
        ApiUrl(key="url", route="api-patch-detail"),
        PATCH_WEB,
        col("msgid"),
        list_archive(),
        date(),
        col("name"),
        PATCH_MBOX,
    ),
    "patch",
)

COVER_EMBEDDED = Shape(
    Cover,
    (
        col("id"),
        ApiUrl(key="url", route="api-cover-detail"),
        COVER_WEB,
        col("msgid"),
        list_archive(),
        date(),
        col("name"),
        COVER_MBOX,
    ),
    "cover",
)


def series_query(series_id: int) -> str:
    return f"?series={series_id}"


SERIES_EMBEDDED_FIELDS = (
    col("id"),
    ApiUrl(key="url", route="api-series-detail"),
    WebUrl(
        key="web_url",
        route="project-patch-list",
        kwargs=(("linkname", "project__linkname"),),
        suffix=series_query,
        suffix_columns=("id",),
        since=V1_1,
    ),
    date(),
    col("name"),
    col("version"),
    WebUrl(key="mbox", route="series-mbox", kwargs=(("series_id", "id"),)),
)
SERIES_EMBEDDED = Shape(Series, SERIES_EMBEDDED_FIELDS, "series")


latest_check_states = PreparedQuery(
    lambda patch_ids: (
        latest_checks().filter(patch_id__in=patch_ids).values_list("patch_id", "state")
    )
)


def load_check_states(patch_ids: list[int], context: Context) -> dict[int, str]:
    """The combined ``check`` of each patch (patches without checks: pending)."""
    states: dict[int, list[int]] = {}
    for patch_id, state in latest_check_states(patch_ids):
        states.setdefault(patch_id, []).append(state)
    return {
        patch_id: Check.State(combined_check_state(values)).label
        for patch_id, values in states.items()
    }


PENDING_LABEL = Check.State(combined_check_state(())).label

PATCH_LIST = Shape(
    Patch,
    (
        col("id"),
        ApiUrl(key="url", route="api-patch-detail"),
        PATCH_WEB,
        Embed(key="project", path="project", shape=PROJECT_EMBEDDED),
        col("msgid"),
        list_archive(),
        date(),
        col("name"),
        col("commit_ref"),
        col("pull_url"),
        col("state", "state__slug"),
        col("archived"),
        Fn(key="hash", columns=("hash",), fn=text_or_null),
        Embed(key="submitter", path="submitter", shape=PERSON_EMBEDDED),
        Embed(key="delegate", path="delegate", shape=USER_EMBEDDED),
        PATCH_MBOX,
        Embed(key="series", path="series", shape=SERIES_EMBEDDED, many=True),
        ApiUrl(
            key="comments",
            route="api-patch-comment-list",
            kwargs=(("patch_id", "id"),),
            since=V1_1,
            unversioned=True,
        ),
        Extra(key="check", column="id", loader=load_check_states, default=PENDING_LABEL),
        ApiUrl(
            key="checks", route="api-check-list", kwargs=(("patch_id", "id"),), unversioned=True
        ),
        Fn(key="tags", columns=(), fn=dict),
        Children(
            key="related",
            column="related_id",
            shape=PATCH_EMBEDDED,
            child_column="related_id",
            order=("date", "id"),
            exclude_self=True,
            since=V1_2,
        ),
    ),
    "patch-list",
)

PATCH_DETAIL = Shape(
    Patch,
    (
        *PATCH_LIST.fields,
        Fn(key="headers", columns=("headers",), fn=headers_as_dict),
        Fn(key="content", columns=("content",), fn=text_or_empty),
        Fn(key="diff", columns=("diff",), fn=text_or_null),
        Fn(key="prefixes", columns=("name",), fn=subject_prefixes),
    ),
    "patch-detail",
)

COVER_LIST = Shape(
    Cover,
    (
        col("id"),
        ApiUrl(key="url", route="api-cover-detail"),
        COVER_WEB,
        Embed(key="project", path="project", shape=PROJECT_EMBEDDED),
        col("msgid"),
        list_archive(),
        date(),
        col("name"),
        Embed(key="submitter", path="submitter", shape=PERSON_EMBEDDED),
        COVER_MBOX,
        Embed(key="series", path="series", shape=SERIES_EMBEDDED, many=True),
        ApiUrl(
            key="comments",
            route="api-cover-comment-list",
            kwargs=(("cover_id", "id"),),
            since=V1_1,
            unversioned=True,
        ),
    ),
    "cover-list",
)

COVER_DETAIL = Shape(
    Cover,
    (
        *COVER_LIST.fields,
        Fn(key="headers", columns=("headers",), fn=headers_as_dict),
        Fn(key="content", columns=("content",), fn=text_or_empty),
    ),
    "cover-detail",
)


# --- series ------------------------------------------------------------------------------


def received_all(received_total: int, total: int) -> bool:
    return received_total >= total


SERIES_ID = Shape(Series, (ApiUrl(key="url", route="api-series-detail"),), "series-url", bare=True)
SeriesDependencies = Series.dependencies.through


def series_url_list(key: str, parent: str, child: str) -> Children:
    return Children(
        key=key,
        column="id",
        shape=SERIES_ID,
        child_column="",
        order=(child,),
        through=(SeriesDependencies, parent, child),
        since=V1_4,
        only_if="project__show_dependencies",
    )


SERIES = Shape(
    Series,
    (
        *SERIES_EMBEDDED_FIELDS[:3],
        Embed(key="project", path="project", shape=PROJECT_EMBEDDED),
        col("name"),
        date(),
        Embed(key="submitter", path="submitter", shape=PERSON_EMBEDDED),
        col("version"),
        col("total"),
        col("received_total"),
        Fn(key="received_all", columns=("received_total", "total"), fn=received_all),
        SERIES_EMBEDDED_FIELDS[-1],
        Embed(key="cover_letter", path="cover_letter", shape=COVER_EMBEDDED),
        Children(
            key="patches",
            column="id",
            shape=PATCH_EMBEDDED,
            child_column="series_id",
            order=(F("number").asc(nulls_last=True), "id"),
        ),
        series_url_list("dependencies", "from_series_id", "to_series_id"),
        series_url_list("dependents", "to_series_id", "from_series_id"),
    ),
    "series",
)


# --- checks and comments -------------------------------------------------------------------


def check_label(state: int) -> str:
    return Check.State(state).label


CHECK_EMBEDDED = Shape(
    Check,
    (
        col("id"),
        ApiUrl(
            key="url",
            route="api-check-detail",
            kwargs=(("patch_id", "patch_id"), ("check_id", "id")),
        ),
        date(),
        Col(key="state", column="state", convert=check_label),
        col("target_url"),
        col("context"),
    ),
    "check",
)


def comment_embedded(model, parent: str, route: str) -> Shape:
    """A patch or cover comment as embedded in event payloads (exactly these fields, as
    Patchwork); its web page is ``/comment/<id>/``."""
    return Shape(
        model,
        (
            col("id"),
            ApiUrl(
                key="url",
                route=route,
                kwargs=((f"{parent}_id", f"{parent}_id"), ("comment_id", "id")),
                since=V1_3,
            ),
            WebUrl(
                key="web_url", route="comment-redirect", kwargs=(("comment_id", "id"),), since=V1_1
            ),
            col("msgid"),
            Fn(
                key="list_archive_url",
                columns=(f"{parent}__project__list_archive_url_format", "msgid"),
                fn=archive_url,
                since=V1_2,
            ),
            date(),
        ),
        f"{parent}-comment",
    )


PATCH_COMMENT_EMBEDDED = comment_embedded(PatchComment, "patch", "api-patch-comment-detail")
COVER_COMMENT_EMBEDDED = comment_embedded(CoverComment, "cover", "api-cover-comment-detail")


# --- events ------------------------------------------------------------------------------

Category = Event.Category


def always_null(value: Any) -> None:
    return None


PATCH_REF = Ref(key="patch", column="patch_id", shape=PATCH_EMBEDDED)
SERIES_REF = Ref(key="series", column="series_id", shape=SERIES_EMBEDDED)
COVER_REF = Ref(key="cover", column="cover_id", shape=COVER_EMBEDDED)

PAYLOADS = {
    Category.COVER_CREATED: (COVER_REF,),
    Category.PATCH_CREATED: (PATCH_REF,),
    Category.PATCH_COMPLETED: (PATCH_REF, SERIES_REF),
    Category.PATCH_STATE_CHANGED: (
        PATCH_REF,
        col("previous_state", "previous_state__slug"),
        col("current_state", "current_state__slug"),
    ),
    Category.PATCH_DELEGATED: (
        PATCH_REF,
        Ref(key="previous_delegate", column="previous_delegate_id", shape=USER_EMBEDDED),
        Ref(key="current_delegate", column="current_delegate_id", shape=USER_EMBEDDED),
    ),
    Category.PATCH_RELATION_CHANGED: (
        PATCH_REF,
        Fn(key="previous_relation", columns=(), fn=lambda: None),
        Fn(key="current_relation", columns=(), fn=lambda: None),
    ),
    Category.CHECK_CREATED: (
        PATCH_REF,
        Ref(key="check", column="created_check_id", shape=CHECK_EMBEDDED),
    ),
    Category.SERIES_CREATED: (SERIES_REF,),
    Category.SERIES_COMPLETED: (SERIES_REF,),
    Category.COVER_COMMENT_CREATED: (
        COVER_REF,
        Ref(key="comment", column="cover_comment_id", shape=COVER_COMMENT_EMBEDDED),
    ),
    Category.PATCH_COMMENT_CREATED: (
        PATCH_REF,
        Ref(key="comment", column="patch_comment_id", shape=PATCH_COMMENT_EMBEDDED),
    ),
}

EVENT = Shape(
    Event,
    (
        col("id"),
        col("category"),
        Embed(key="project", path="project", shape=PROJECT_EMBEDDED),
        date(),
        Embed(key="actor", path="actor", shape=USER_EMBEDDED),
        Switch(key="payload", column="category", cases=PAYLOADS),
    ),
    "event",
)


# --- the checks and comments of a patch or cover letter ----------------------------------

CHECK = Shape(
    Check,
    (
        col("id"),
        ApiUrl(
            key="url",
            route="api-check-detail",
            kwargs=(("patch_id", "patch_id"), ("check_id", "id")),
        ),
        Embed(key="user", path="user", shape=USER_EMBEDDED),
        date(),
        Col(key="state", column="state", convert=check_label),
        col("target_url"),
        col("context"),
        col("description"),
    ),
    "check-full",
)


def comment(model, parent: str, route: str) -> Shape:
    """A patch or cover comment with its body and headers."""
    embedded = comment_embedded(model, parent, route)
    by_key = {item.key: item for item in embedded.fields}
    return Shape(
        model,
        (
            by_key["id"],
            by_key["url"],
            by_key["web_url"],
            by_key["msgid"],
            by_key["list_archive_url"],
            by_key["date"],
            Fn(key="subject", columns=("headers",), fn=subject_from_headers),
            Embed(key="submitter", path="submitter", shape=PERSON_EMBEDDED),
            Fn(key="content", columns=("content",), fn=text_or_empty),
            Fn(key="headers", columns=("headers",), fn=headers_as_dict),
            col("addressed", since=V1_3),
        ),
        f"{parent}-comment-full",
    )


PATCH_COMMENT = comment(PatchComment, "patch", "api-patch-comment-detail")
COVER_COMMENT = comment(CoverComment, "cover", "api-cover-comment-detail")
