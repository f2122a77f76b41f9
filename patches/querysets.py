"""Query shaping of patches, checks and patch comments for the REST API.

Each resource has one QuerySet method used by its list and detail views alike, which
selects the related rows a serializer reads and leaves the big text columns out of lists.
"""

from collections.abc import Iterable

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OrderBy,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from patchwork_api.api.versions import LATEST_VERSION, Version

# Patch columns that only the detail view shows.
PATCH_DETAIL_COLUMNS = ("content", "diff", "headers")
RELATED_VERSION: Version = (1, 2)

# Check states from the least to the most severe, for the patch's combined ``check``:
# fail > warning > pending > success (Check.State values: pending 0, success 1,
# warning 2, fail 3).
CHECK_STATES_BY_SEVERITY = (1, 0, 2, 3)
PENDING = 0


def combined_check_state(latest_states: Iterable[int]) -> int:
    """The most severe of the latest check states of a patch; pending without checks."""
    return max(latest_states, key=CHECK_STATES_BY_SEVERITY.index, default=PENDING)


class PatchQuerySet(QuerySet):
    def for_api(self, version: Version = LATEST_VERSION, *, detail: bool = False):
        """Patches with what the API serializers read, in a constant number of queries.

        ``latest_checks`` holds, per patch, the checks that no later check of the same
        user and context replaces (the ``check`` aggregate); it is prefetched for the
        page only, so deep pages stay as cheap as the first.
        """
        queryset = self.select_related(
            "project", "state", "submitter", "delegate", "series__project"
        ).prefetch_related(Prefetch("checks", queryset=latest_checks(), to_attr="latest_checks"))
        if version >= RELATED_VERSION:
            embedded_patches = self.model.objects.select_related("project").defer(
                *PATCH_DETAIL_COLUMNS
            )
            queryset = queryset.prefetch_related(
                Prefetch("related__patches", queryset=embedded_patches)
            )
        if not detail:
            queryset = queryset.defer(*PATCH_DETAIL_COLUMNS)
        return queryset


def later_check_exists() -> Exists:
    """For the check of the outer row: a later check (by date, then id) of the same
    patch, user and context, which replaces it."""
    from patches.models import Check

    later_check = Check.objects.filter(
        patch=OuterRef("patch"), user=OuterRef("user"), context=OuterRef("context")
    ).filter(Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), pk__gt=OuterRef("pk")))
    return Exists(later_check)


def order_by_checks(descending: bool) -> OrderBy:
    """Patchwork's ``?order=check``: by the patch's checks' ids (its join repeats a patch
    once per check; each patch is listed once here, where it first appears there: by
    its first check ascending, by its last check descending, patches without checks
    last ascending and first descending)."""
    from patches.models import Check

    check_ids = Check.objects.filter(patch=OuterRef("pk")).values("id")
    if descending:
        return Subquery(check_ids.order_by("-id")[:1]).desc(nulls_first=True)
    return Subquery(check_ids.order_by("id")[:1]).asc(nulls_last=True)


def latest_checks() -> QuerySet:
    """The checks no later check replaces, with only the columns the aggregate needs."""
    from patches.models import Check

    return Check.objects.filter(~later_check_exists()).only("id", "patch_id", "state").order_by()


def worst_latest_check_severity() -> Subquery:
    """A correlated subquery: for the patch of the outer row, the rank in
    CHECK_STATES_BY_SEVERITY of its worst latest check (None without checks).

    For single patches (XML-RPC): in a list it would run for every row skipped by the
    page's offset, so the API prefetches ``latest_checks`` instead.
    """
    from patches.models import Check

    severity = Case(
        *(
            When(state=state, then=Value(rank))
            for rank, state in enumerate(CHECK_STATES_BY_SEVERITY)
        ),
        output_field=IntegerField(),
    )
    worst = (
        Check.objects.filter(patch=OuterRef("pk"))
        .filter(~later_check_exists())
        .annotate(severity=severity)
        .order_by("-severity")
        .values("severity")[:1]
    )
    return Subquery(worst, output_field=IntegerField())


class CheckQuerySet(QuerySet):
    def for_api(self):
        """Checks with their user (embedded in every check)."""
        return self.select_related("user")


class PatchCommentQuerySet(QuerySet):
    def for_api(self):
        """Comments with their submitter, and the patch and project their links need."""
        return self.select_related("submitter", "patch__project").defer(
            *(f"patch__{column}" for column in PATCH_DETAIL_COLUMNS)
        )
