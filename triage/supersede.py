"""Automatic supersede: a new version of a series supersedes the previous one.

When a series of a project with ``auto_supersede`` is complete, its previous version is
looked for, in this order:

1. the series of the mail its cover letter (or, without one, its first patch) was sent
   In-Reply-To, when that series is of a lower version;
2. the latest earlier series of the same submitter, of a lower version, whose name (or
   first patch's name) is the same once the bracketed prefixes are taken off.

The previous version's patches still in a state that requires action (``new``,
``under-review``) move to ``superseded``: one patch-state-changed event per patch, with
no actor, and a Supersession row giving the reason. Runs in the ingest store step, in
the mail's transaction.
"""

import re
from email.parser import HeaderParser

from django.utils import timezone

from covers.models import Cover
from events.models import Event
from events.services import record_event
from patches.models import Patch, State
from series.models import Series
from triage.models import Supersession

SUPERSEDED = "superseded"
PREFIXES = re.compile(r"^\s*(\[[^\]]*\]\s*)+")
MSGID = re.compile(r"<[^<>\s]+>")


def normalised_subject(name: str | None) -> str:
    """A subject without its bracketed prefixes, case and spacing: comparable across
    versions (``[PATCH v2 1/3] Foo  bar`` -> ``foo bar``)."""
    return " ".join(PREFIXES.sub("", name or "").split()).lower()


def supersede_previous(series: Series) -> list[Patch]:
    """Supersede the previous version of ``series`` (when its project asks for it)."""
    if not series.project.auto_supersede or series.received_total < series.total:
        return []
    previous, reason = find_previous_version(series)
    if previous is None:
        return []
    return supersede(previous, by=series, reason=reason)


def find_previous_version(series: Series) -> tuple[Series | None, str]:
    first = _first_mail(series)
    if first is not None:
        parent = _in_reply_to(first.headers)
        previous = _series_of_msgid(series, parent) if parent else None
        if previous is not None:
            return previous, f"v{series.version} (series {series.pk}) sent in reply to it"
    previous = _same_subject(series, first)
    if previous is not None:
        return previous, f"v{series.version} (series {series.pk}) has the same subject"
    return None, ""


def supersede(previous: Series, *, by: Series, reason: str) -> list[Patch]:
    superseded = State.objects.filter(slug=SUPERSEDED).first()
    if superseded is None:
        return []
    patches = list(
        Patch.objects.filter(series=previous, state__action_required=True)
        .exclude(state=superseded)
        .defer("content", "diff", "headers")
        .order_by("number", "id")
    )
    for patch in patches:
        previous_state_id = patch.state_id
        patch.state = superseded
        patch.updated = timezone.now()
        patch.save(update_fields=["state", "updated"])
        event = record_event(
            Event.Category.PATCH_STATE_CHANGED,
            patch=patch,
            previous_state_id=previous_state_id,
            current_state_id=superseded.pk,
        )
        Supersession.objects.create(event=event, patch=patch, superseded_by=by, reason=reason)
    return patches


def _first_mail(series: Series) -> Cover | Patch | None:
    if series.cover_letter_id is not None:
        return Cover.objects.only("id", "headers", "name").get(pk=series.cover_letter_id)
    return (
        Patch.objects.filter(series=series)
        .only("id", "headers", "name")
        .order_by("number", "id")
        .first()
    )


def _in_reply_to(headers: str) -> str | None:
    value = HeaderParser().parsestr(headers or "").get("In-Reply-To")
    match = MSGID.search(str(value or ""))
    return match.group(0) if match else None


def _series_of_msgid(series: Series, msgid: str) -> Series | None:
    """The series (of a lower version) of the cover letter or patch ``msgid``."""
    for model in (Cover, Patch):
        row = (
            model.objects.filter(project_id=series.project_id, msgid=msgid)
            .values_list("series__id" if model is Cover else "series_id", flat=True)
            .first()
        )
        if row is not None and row != series.pk:
            previous = Series.objects.filter(pk=row).first()
            if previous is not None and previous.version < series.version:
                return previous
    return None


def _same_subject(series: Series, first: Cover | Patch | None) -> Series | None:
    names = {normalised_subject(series.name)}
    if first is not None:
        names.add(normalised_subject(first.name))
    names.discard("")
    if not names:
        return None
    candidates = Series.objects.filter(
        project_id=series.project_id,
        submitter_id=series.submitter_id,
        version__lt=series.version,
        date__lte=series.date,
    ).exclude(pk=series.pk)
    found = []
    for name in names:
        # a prefilter in SQL; the comparison is made on the normalised names
        for candidate in candidates.filter(name__icontains=name.split()[0])[:200]:
            if normalised_subject(candidate.name) in names:
                found.append(candidate)
    return max(found, key=lambda c: (c.version, c.date, c.pk), default=None)
