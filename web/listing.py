"""The patch list of the web pages: Patchwork's filters, sort orders and pagination.

The query-string parameters are Patchwork's, so links copied from a Patchwork list keep
working: ``state`` (a state id, ``*`` for any, empty or absent for the states that need
action), ``archive`` (``true``, ``both``, otherwise not archived), ``submitter`` (a person
id or part of a name), ``delegate`` (a user id, ``Nobody``, or part of a username),
``series`` (an id), ``q`` (part of the patch name), ``order`` and ``page``. A value that
names nothing is ignored, as in Patchwork. Two extras: ``state`` also takes a state slug,
and ``archived`` is read like ``archive`` (the links this server gave before).

Every page of rows is read in a fixed number of queries whatever its size: the rows with
their state, submitter, delegate and series, then the page's tag counts and latest checks.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.paginator import Page
from django.db.models import F, Q, QuerySet
from django.http import QueryDict

from patches.models import Check, Patch, PatchTag, State, Tag
from patches.querysets import latest_checks
from patchwork_api import limits
from patchwork_api.api.pagination import DeferredJoinPaginator
from patchwork_api.validation import LimitExceeded, is_id, is_storable_text, search_words
from people.models import Person
from projects.models import Project
from search.query import full_text_search
from series.models import Series

ANY_STATE = "*"
NO_DELEGATE = "Nobody"
ARCHIVE_CHOICES = (("", "No"), ("true", "Yes"), ("both", "Both"))
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
# The largest id an AutoField holds; bigger numbers name nothing (and overflow SQLite).
MAX_ID = 2**31 - 1
LIST_DEFERRED_FIELDS = ("content", "diff", "headers", "pull_url", "hash", "commit_ref")


def _row_id(value: str) -> int | None:
    """A query-string value as a row id, or None when it cannot be one."""
    value = value.strip()
    # ASCII digits only: str.isdigit() takes "²", which int() refuses (a 500)
    if not is_id(value, maximum=MAX_ID):
        return None
    number = int(value)
    return number if number > 0 else None


def _storable_values(query: QueryDict, ignored: list[str]) -> dict[str, str]:
    """The query's last values, leaving out (as ignored) those no stored text can match:
    a NUL character made PostgreSQL refuse the lookup (a 500)."""
    values = {}
    for name, value in query.items():
        if is_storable_text(value):
            values[name] = value
        else:
            ignored.append(f"{name} {value!r}")
    return values


@dataclass
class PatchFilters:
    """The filters of one list request, parsed from its query string.

    ``forced`` filters (a todo list's delegate) apply without a control on the page.
    """

    state: State | None = None
    any_state: bool = False
    archive: str = ""
    submitter: Person | None = None
    submitter_match: str = ""
    delegate: object | None = None
    delegate_match: str = ""
    series: Series | None = None
    search: str = ""
    text: str = ""
    ignored: list[str] = field(default_factory=list)
    not_applied: list[str] = field(default_factory=list)
    forced_delegate: object | None = None

    @classmethod
    def from_query(cls, query: QueryDict, project: Project) -> "PatchFilters":
        filters = cls()
        query = _storable_values(query, filters.ignored)
        filters._parse_state(query.get("state", "").strip())
        filters._parse_archive(query.get("archive", query.get("archived", "")).strip().lower())
        filters._parse_submitter(query.get("submitter", "").strip())
        filters._parse_delegate(query.get("delegate", "").strip())
        filters._parse_series(query.get("series", "").strip(), project)
        filters.search = query.get("q", "").strip()
        filters._parse_text(query.get("search", "").strip())
        return filters

    def _parse_text(self, value: str) -> None:
        try:
            search_words(value)  # the API's limit, a 400 there
        except LimitExceeded:
            self.not_applied.append(
                f"a full-text search of more than {limits.MAX_SEARCH_WORDS} words"
            )
        else:
            self.text = value

    def _parse_state(self, value: str) -> None:
        if value == ANY_STATE:
            self.any_state = True
        elif value:
            number = _row_id(value)
            lookup = {"pk": number} if number is not None else {"slug": value.lower()}
            self.state = State.objects.filter(**lookup).first()
            if self.state is None:
                self.ignored.append(f"state {value!r}")

    def _parse_archive(self, value: str) -> None:
        self.archive = value if value in ("true", "both") else ""

    def _parse_submitter(self, value: str) -> None:
        if not value:
            return
        number = _row_id(value)
        if number is not None:
            self.submitter = Person.objects.filter(pk=number).first()
            if self.submitter is None:
                self.ignored.append(f"submitter {value!r}")
        else:
            self.submitter_match = value

    def _parse_delegate(self, value: str) -> None:
        if not value:
            return
        number = _row_id(value)
        if number is not None:
            self.delegate = get_user_model().objects.filter(pk=number).first()
            if self.delegate is None:
                self.ignored.append(f"delegate {value!r}")
        else:
            self.delegate_match = value

    def _parse_series(self, value: str, project: Project) -> None:
        if not value:
            return
        number = _row_id(value)
        self.series = (
            Series.objects.filter(pk=number, project=project).first()
            if number is not None
            else None
        )
        if self.series is None:
            self.ignored.append(f"series {value!r}")

    @property
    def shows_whole_series(self) -> bool:
        """A series with no state or archive choice lists all its patches (Patchwork
        would hide those that need no action, so the link of an accepted series listed
        nothing)."""
        return self.series is not None and self.state is None and not self.any_state

    @property
    def state_value(self) -> str:
        """The state control's value: a slug, ``*`` or "" (action required)."""
        if self.state is not None:
            return self.state.slug
        return ANY_STATE if self.any_state or self.shows_whole_series else ""

    @property
    def submitter_value(self) -> str:
        return str(self.submitter.pk) if self.submitter else self.submitter_match

    @property
    def delegate_value(self) -> str:
        return str(self.delegate.pk) if self.delegate else self.delegate_match

    def apply(self, queryset: QuerySet[Patch]) -> QuerySet[Patch]:
        if self.series is not None:
            queryset = queryset.filter(series=self.series)
        if self.state is not None:
            queryset = queryset.filter(state=self.state)
        elif not self.any_state and not self.shows_whole_series:
            queryset = queryset.filter(state__action_required=True)
        if self.archive == "":
            if not self.shows_whole_series:
                queryset = queryset.filter(archived=False)
        elif self.archive == "true":
            queryset = queryset.filter(archived=True)
        queryset = self._apply_people(queryset)
        if self.search:
            queryset = queryset.filter(name__icontains=self.search)
        if self.text:
            # the list keeps its own order (the API's ?search= ranks)
            queryset = full_text_search(queryset, self.text, rank=False)
        return queryset

    def _apply_people(self, queryset: QuerySet[Patch]) -> QuerySet[Patch]:
        if self.submitter is not None:
            if self.submitter.user_id is not None:
                # every address of the account the person belongs to, as Patchwork does
                queryset = queryset.filter(submitter__user_id=self.submitter.user_id)
            else:
                queryset = queryset.filter(submitter=self.submitter)
        elif self.submitter_match:
            queryset = queryset.filter(
                Q(submitter__name__icontains=self.submitter_match)
                | Q(submitter__email__icontains=self.submitter_match)
            )
        if self.forced_delegate is not None:
            queryset = queryset.filter(delegate=self.forced_delegate)
        elif self.delegate is not None:
            queryset = queryset.filter(delegate=self.delegate)
        elif self.delegate_match == NO_DELEGATE:
            queryset = queryset.filter(delegate__isnull=True)
        elif self.delegate_match:
            queryset = queryset.filter(delegate__username__icontains=self.delegate_match)
        return queryset

    def descriptions(self) -> list[str]:
        """The filters in force, in words, for the page's summary line."""
        parts = []
        if self.series is not None:
            parts.append(f"series: {self.series}")
        if self.state is not None:
            parts.append(f"state: {self.state.name}")
        elif not self.any_state and not self.shows_whole_series:
            parts.append("state: action required")
        if self.archive == "true":
            parts.append("archived only")
        elif self.archive == "" and not self.shows_whole_series:
            parts.append("not archived")
        if self.submitter is not None:
            parts.append(f"submitter: {self.submitter}")
        elif self.submitter_match:
            parts.append(f"submitter matches {self.submitter_match!r}")
        if self.forced_delegate is not None:
            parts.append(f"delegated to {self.forced_delegate}")
        elif self.delegate is not None:
            parts.append(f"delegated to {self.delegate}")
        elif self.delegate_match == NO_DELEGATE:
            parts.append("not delegated")
        elif self.delegate_match:
            parts.append(f"delegate matches {self.delegate_match!r}")
        if self.search:
            parts.append(f"name contains {self.search!r}")
        if self.text:
            parts.append(f"name, message or diff has {self.text!r}")
        return parts


@dataclass(frozen=True)
class Order:
    """Patchwork's sort orders: a column, reversed or not; newest first by default.

    Another column sorts by date as its second key (reversed along with it), then by id
    so that pages never overlap.
    """

    column: str = "date"
    reversed: bool = True

    COLUMNS = {
        "number": "number",
        "date": "date",
        "name": "name",
        "state": "state__ordering",
        "submitter": "submitter__name",
        "delegate": "delegate__username",
    }

    @classmethod
    def from_query(cls, value: str | None, *, series: bool = False) -> "Order":
        """The order asked for; by default newest first, or a series' patches by number."""
        value = (value or "").strip()
        if not value and series:
            return cls("number", False)
        reversed_order = value.startswith("-")
        column = value.removeprefix("-")
        if column not in cls.COLUMNS:
            return cls()
        return cls(column, reversed_order)

    def __str__(self) -> str:
        return f"-{self.column}" if self.reversed else self.column

    def toggled(self, column: str) -> str:
        """The ``order`` value of a column header's link."""
        if column != self.column:
            return column
        return column if self.reversed else f"-{column}"

    def apply(self, queryset: QuerySet[Patch]) -> QuerySet[Patch]:
        # Empty values (no delegate) sort last going up and first going down on every
        # database, as PostgreSQL sorts them.
        column = F(self.COLUMNS[self.column])
        keys = [column.desc(nulls_first=True) if self.reversed else column.asc(nulls_last=True)]
        if self.column != "date":
            keys.append(F("date").asc() if self.reversed else F("date").desc())
        keys.append(F("id").desc() if self.reversed else F("id").asc())
        return queryset.order_by(*keys)


def list_queryset(queryset: QuerySet[Patch]) -> QuerySet[Patch]:
    """Patches with what a list row shows, big text columns left out."""
    return queryset.select_related("state", "submitter", "delegate", "series").defer(
        *LIST_DEFERRED_FIELDS,
        "series__date",
        "series__updated",
        "submitter__user",
    )


def items_per_page(user) -> int:
    """The user's page size (their profile's ``items_per_page``), 100 for visitors."""
    if not user.is_authenticated:
        return DEFAULT_PER_PAGE
    profile = getattr(user, "profile", None)
    if profile is None:
        return DEFAULT_PER_PAGE
    return max(1, min(profile.items_per_page, MAX_PER_PAGE))


def paginate(queryset: QuerySet[Patch], page_value: str | None, per_page: int) -> Page:
    """One page of the list: a malformed number gives the first page, a number past the
    end the last (as Patchwork). Deep pages find their rows by key first."""
    paginator = DeferredJoinPaginator(queryset, per_page)
    try:
        number = int(page_value or 1)
    except ValueError:
        number = 1
    number = max(1, min(number, paginator.num_pages))
    return paginator.page(number)


def page_numbers(page: Page, around: int = 2, ends: int = 2) -> list[int | None]:
    """The page numbers to link to: the first and last few and those around the current
    one, None where numbers are left out."""
    last = page.paginator.num_pages
    wanted = {
        number
        for number in (
            *range(1, ends + 1),
            *range(page.number - around, page.number + around + 1),
            *range(last - ends + 1, last + 1),
        )
        if 1 <= number <= last
    }
    numbers: list[int | None] = []
    for number in sorted(wanted):
        if numbers and numbers[-1] is not None and number != numbers[-1] + 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def column_tags(project: Project) -> list[Tag]:
    """The tags counted in list columns (none when the project does not use tags)."""
    if not project.use_tags:
        return []
    return list(Tag.objects.filter(show_column=True).order_by("abbrev"))


@dataclass(frozen=True)
class CheckCounts:
    success: int = 0
    warning: int = 0
    fail: int = 0


def annotate_rows(patches: list[Patch], tags: list[Tag]) -> None:
    """Give each patch of a page ``tag_counts`` (a count per column tag) and
    ``check_counts`` (its latest checks by state), in two queries for the whole page."""
    ids = [patch.pk for patch in patches]
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    if tags and ids:
        rows = PatchTag.objects.filter(patch_id__in=ids, tag__in=tags).values_list(
            "patch_id", "tag_id", "count"
        )
        for patch_id, tag_id, count in rows:
            counts[patch_id][tag_id] = count
    checks: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    if ids:
        for patch_id, state in (
            latest_checks().filter(patch_id__in=ids).values_list("patch_id", "state")
        ):
            checks[patch_id][state] += 1
    for patch in patches:
        patch.tag_counts = [(tag, counts[patch.pk].get(tag.pk, 0)) for tag in tags]
        by_state = checks[patch.pk]
        patch.check_counts = CheckCounts(
            success=by_state[Check.State.SUCCESS],
            warning=by_state[Check.State.WARNING],
            fail=by_state[Check.State.FAIL],
        )


def query_string(**params: object) -> str:
    """``?a=b&c=d`` of the non-empty parameters ("" when none)."""
    kept = {name: value for name, value in params.items() if value not in (None, "")}
    return f"?{urlencode(kept)}" if kept else ""
