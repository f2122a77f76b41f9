"""The queries behind the downloads: lookups by msgid and patch lists shaped for mbox output.

Every list is loaded with its submitters, delegates, projects and comments in a fixed
number of queries, whatever its length.
"""

from urllib.parse import unquote

from django.db.models import Prefetch, QuerySet

from covers.models import Cover, CoverComment
from patches.models import Patch, PatchComment
from patchwork_api.validation import is_storable_text
from series.models import Series


def bracketed(msgid: str) -> str:
    """The stored form of a Message-ID taken from a URL (``abc@x`` -> ``<abc@x>``)."""
    return f"<{msgid}>"


def msgid_candidates(msgid: str) -> list[str]:
    """Stored Message-IDs a URL segment may mean, the likeliest first.

    The segment is the Message-ID without its angle brackets; a Message-ID stored
    without them (from a broken header) is used as it is.  Servers decode the path once;
    a client that encoded a Message-ID twice (``%252F``) still finds it, as with
    Patchwork's ``%2F`` handling.
    """
    candidates = []
    for segment in dict.fromkeys([msgid, unquote(msgid)]):
        # ``%2500`` decodes to a NUL, which no Message-ID holds (PostgreSQL refuses it)
        if is_storable_text(segment):
            candidates += [bracketed(segment), segment]
    return candidates


def mbox_patches(queryset: QuerySet[Patch] | None = None) -> QuerySet[Patch]:
    """Patches with everything ``patch_to_mbox`` reads, in a fixed number of queries."""
    queryset = Patch.objects.all() if queryset is None else queryset
    comments = PatchComment.objects.only("id", "patch_id", "date", "content")
    return queryset.select_related("project", "submitter", "delegate").prefetch_related(
        Prefetch("comments", queryset=comments)
    )


def mbox_covers(queryset: QuerySet[Cover] | None = None) -> QuerySet[Cover]:
    """Cover letters with everything ``cover_to_mbox`` reads."""
    queryset = Cover.objects.all() if queryset is None else queryset
    comments = CoverComment.objects.only("id", "cover_id", "date", "content")
    return queryset.select_related("project", "submitter").prefetch_related(
        Prefetch("comments", queryset=comments)
    )


def _first_match(queryset: QuerySet, linkname: str, msgid: str):
    """The row of a project with one of the Message-IDs a URL segment may mean, or None."""
    candidates = msgid_candidates(msgid)
    rows = {
        row.msgid: row for row in queryset.filter(project__linkname=linkname, msgid__in=candidates)
    }
    return next((rows[candidate] for candidate in candidates if candidate in rows), None)


def find_patch(linkname: str, msgid: str, queryset: QuerySet[Patch] | None = None) -> Patch | None:
    """A project's patch by its URL Message-ID (no angle brackets), or None."""
    return _first_match(Patch.objects.all() if queryset is None else queryset, linkname, msgid)


def find_cover(linkname: str, msgid: str, queryset: QuerySet[Cover] | None = None) -> Cover | None:
    """A project's cover letter by its URL Message-ID (no angle brackets), or None."""
    return _first_match(Cover.objects.all() if queryset is None else queryset, linkname, msgid)


def earlier_series_patches(patch: Patch) -> list[Patch]:
    """The patches of the patch's series that come before it, by number."""
    if patch.series_id is None or patch.number is None:
        return []
    queryset = Patch.objects.filter(series_id=patch.series_id, number__lt=patch.number)
    return list(mbox_patches(queryset).order_by("number", "id"))


def patch_with_dependencies(patch: Patch) -> list[Patch]:
    """What ``?series=`` downloads, as Patchwork 644cef7c: the earlier patches of the
    patch's series by number, then the patch (series it depends on are not included)."""
    return [*earlier_series_patches(patch), patch]


def series_patches(series: Series) -> QuerySet[Patch]:
    """A series' patches in order, shaped for mbox output."""
    return mbox_patches(series.patches.all()).order_by("number", "id")


def bundle_patches(bundle_id: int) -> QuerySet[Patch]:
    """A bundle's patches in the bundle's order, shaped for mbox output."""
    queryset = Patch.objects.filter(bundlepatch__bundle_id=bundle_id)
    return mbox_patches(queryset).order_by("bundlepatch__order", "id")


# Web pages (``web``).


def detail_patches() -> QuerySet[Patch]:
    """Patches with what their web page shows besides comments and checks."""
    return Patch.objects.select_related("project", "submitter", "delegate", "state", "series")


def detail_covers() -> QuerySet[Cover]:
    """Cover letters with what their web page shows besides comments."""
    return Cover.objects.select_related("project", "submitter", "series")


def page_comments(comments) -> QuerySet:
    """A patch's or cover's replies, oldest first, with their senders."""
    return comments.select_related("submitter").order_by("date", "id")
