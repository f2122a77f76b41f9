"""The queries behind the downloads: lookups by msgid and patch lists shaped for mbox output.

Every list is loaded with its submitters, delegates, projects and comments in a fixed
number of queries, whatever its length.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlencode

from django.db.models import Prefetch, QuerySet
from django.http import QueryDict

from covers.models import Cover, CoverComment
from patches.models import Patch, PatchComment
from patchwork_api.validation import is_storable_text
from projects.models import Project
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


def dependency_patches(series_id: int) -> list[Patch]:
    """The patches of the series a series depends on: series in the order recorded, each
    by number.  Not transitive, as Depends-on is defined."""
    through = Series.dependencies.through
    dependency_ids = list(
        through.objects.filter(from_series_id=series_id)
        .exclude(to_series_id=series_id)
        .order_by("id")
        .values_list("to_series_id", flat=True)
    )
    if not dependency_ids:
        return []
    position = {dependency_id: index for index, dependency_id in enumerate(dependency_ids)}
    patches = mbox_patches(Patch.objects.filter(series_id__in=dependency_ids))
    return sorted(patches, key=lambda dep: (position[dep.series_id], dep.number or 0, dep.id))


def patch_with_dependencies(patch: Patch) -> list[Patch]:
    """What applying the patch needs, in order: the series its series depends on (when the
    project shows dependencies), the earlier patches of its series, then the patch."""
    patches: list[Patch] = []
    if patch.series_id is not None and patch.project.show_dependencies:
        patches += dependency_patches(patch.series_id)
    patches += earlier_series_patches(patch)
    patches.append(patch)
    return patches


def series_patches(series: Series) -> QuerySet[Patch]:
    """A series' patches in order, shaped for mbox output."""
    return mbox_patches(series.patches.all()).order_by("number", "id")


def bundle_patches(bundle_id: int) -> QuerySet[Patch]:
    """A bundle's patches in the bundle's order, shaped for mbox output."""
    queryset = Patch.objects.filter(bundlepatch__bundle_id=bundle_id)
    return mbox_patches(queryset).order_by("bundlepatch__order", "id")


# Web pages.

LIST_DEFERRED_FIELDS = ("content", "diff", "headers")


def detail_patches() -> QuerySet[Patch]:
    """Patches with what their web page shows besides comments and checks."""
    return Patch.objects.select_related("project", "submitter", "delegate", "state", "series")


def detail_covers() -> QuerySet[Cover]:
    """Cover letters with what their web page shows besides comments."""
    return Cover.objects.select_related("project", "submitter", "series")


def page_comments(comments) -> QuerySet:
    """A patch's or cover's replies, oldest first, with their senders."""
    return comments.select_related("submitter").order_by("date", "id")


# The largest id an AutoField holds; bigger numbers name nothing (and overflow SQLite).
MAX_ID = 2**31 - 1


def _positive_id(value: str | None) -> int | None:
    """A query-string value as a row id, or None when it cannot be one."""
    try:
        number = int(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and 0 < number <= MAX_ID else None


@dataclass(frozen=True)
class ListFilters:
    """The filters of a project's patch list page, as given in its query string.

    ``series`` selects one series (every state, archived or not, in series order);
    without it the list shows what needs action, as Patchwork's list does by default:
    patches not archived in a state that requires action.  ``state`` (a slug, or ``*``
    for any) and ``archived`` (``true``, ``false`` or ``both``) override that.
    """

    series_value: str | None = None
    state: str | None = None
    archived: str | None = None

    @classmethod
    def from_query(cls, query: QueryDict) -> "ListFilters":
        return cls(
            series_value=query.get("series") or None,
            state=query.get("state") or None,
            archived=(query.get("archived") or "").lower() or None,
        )

    @property
    def series_id(self) -> int | None:
        return _positive_id(self.series_value)

    def series(self, project: Project) -> Series | None:
        """The selected series when it exists in the project."""
        if self.series_id is None:
            return None
        return Series.objects.filter(project=project, id=self.series_id).first()

    def query_string(self) -> str:
        """The filters as a query-string prefix for the pagination links (``a=b&``)."""
        pairs = {"series": self.series_value, "state": self.state, "archived": self.archived}
        kept = {name: value for name, value in pairs.items() if value}
        return f"{urlencode(kept)}&" if kept else ""

    def apply(self, queryset: QuerySet[Patch]) -> QuerySet[Patch]:
        if self.series_value is not None:
            if self.series_id is None:  # an invalid filter value lists nothing
                return queryset.none()
            queryset = queryset.filter(series_id=self.series_id)
        showing_series = self.series_value is not None
        if self.archived in ("true", "false"):
            queryset = queryset.filter(archived=self.archived == "true")
        elif self.archived is None and not showing_series:
            queryset = queryset.filter(archived=False)
        if self.state not in (None, "*"):
            if not is_storable_text(self.state):  # a NUL: no slug has one (and PostgreSQL
                return queryset.none()  # refuses to compare with it)
            queryset = queryset.filter(state__slug=self.state)
        elif self.state is None and not showing_series:
            queryset = queryset.filter(state__action_required=True)
        return queryset


def list_patches(project: Project, filters: ListFilters) -> QuerySet[Patch]:
    """One project's patches for its list page (big text columns left out)."""
    queryset = filters.apply(Patch.objects.filter(project=project))
    ordering = ("number", "id") if filters.series_value is not None else ("-date", "-id")
    return (
        queryset.select_related("submitter", "state", "delegate")
        .defer(*LIST_DEFERRED_FIELDS)
        .order_by(*ordering)
    )


def list_bundle_patches(bundle_id: int) -> QuerySet[Patch]:
    """A bundle's patches for its page, in the bundle's order."""
    return (
        Patch.objects.filter(bundlepatch__bundle_id=bundle_id)
        .select_related("project", "submitter", "state", "delegate")
        .defer(*LIST_DEFERRED_FIELDS)
        .order_by("bundlepatch__order", "id")
    )
