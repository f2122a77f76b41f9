"""Storing a patch (or pull request): state, delegate, series, tags and events."""

from fnmatch import fnmatch

from django.utils import timezone

from events.models import Event
from ingest import rows
from ingest.series import add_patch, place_patch
from ingest.store.context import Rule, find_user
from ingest.store.dependencies import add_dependencies
from ingest.store.incoming import Incoming
from ingest.store.tags import add_tag_counts, count_tags
from patches.models import Patch
from triage.supersede import supersede_previous

PULL_URL_LENGTH = 255


def store_patch(incoming: Incoming) -> Patch:
    parsed = incoming.parsed
    submitter = incoming.submitter()
    series_mail = incoming.series_mail(submitter)
    # Series events come after patch-created, as Patchwork's signals order them.
    series_events = incoming.events.sibling()
    placement = None
    if parsed.subject_info.series_number != 0:
        # A "0/N" mail carrying a diff is a patch of no series (Patchwork adds none).
        placement = place_patch(series_mail, incoming.knowledge, series_events)
    state = incoming.context.initial_state(parsed.state)
    patch = rows.insert_new(
        Patch,
        {
            **incoming.submission_fields(submitter),
            "diff": parsed.diff or None,
            "pull_url": parsed.pull_url[:PULL_URL_LENGTH] if parsed.pull_url else None,
            "hash": parsed.hash,
            "state_id": state.id if state else None,
            "delegate_id": find_delegate_id(incoming),
            "series_id": placement.series.id if placement else None,
            "number": placement.number if placement else None,
            "updated": timezone.now(),
        },
    )
    incoming.events.add(Event.Category.PATCH_CREATED, patch_id=patch.id)
    incoming.events.extend(series_events)
    if placement is not None:
        add_patch(placement, patch, series_mail, incoming.knowledge, incoming.events)
        add_dependencies(placement.series, parsed.depends_on)
        if incoming.project.auto_supersede:
            supersede_previous(placement.series)
    add_tag_counts(patch.id, count_tags(incoming.context.tags(incoming.project), parsed.content))
    return patch


def find_delegate_id(incoming: Incoming) -> int | None:
    """X-Patchwork-Delegate (e-mail or username), else the project's delegation rules."""
    user = find_user(incoming.parsed.delegate)
    if user is not None:
        return user.pk
    if not incoming.parsed.diff:
        return None
    return delegate_by_files(
        incoming.context.delegation_rules(incoming.project.id), incoming.parsed.files
    )


def delegate_by_files(rules: list[Rule], files: list[str]) -> int | None:
    """The user every touched file is delegated to (Patchwork's rule).

    Each file takes the user of the first rule (highest priority first) whose pattern
    matches it; the patch is delegated only when every file has a rule and all files
    agree on the user.
    """
    if not files or not rules:
        return None
    delegate_id = None
    for path in files:
        user_id = next((rule.user_id for rule in rules if fnmatch(path, rule.path)), None)
        if user_id is None or (delegate_id is not None and user_id != delegate_id):
            return None
        delegate_id = user_id
    return delegate_id
