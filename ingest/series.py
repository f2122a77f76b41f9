"""Series assembly: which series a patch or cover letter joins, as Patchwork decides.

Patchwork's rules (``find_series`` and friends in its parser):

* A numbered patch (``k/N``) looks for a series through its references: its own
  Message-ID, then In-Reply-To, then References from the closest ancestor back, each
  looked up in SeriesReference. Failing that, it takes a series of the same submitter,
  version and N started within 20 minutes of it. If that series already holds a patch
  numbered k, or nothing was found, a new series starts and records the patch's
  references so that later (or earlier-numbered) mails of the thread find it.
* A patch without a marker is a series of its own (total 1, number 1).
* A cover letter (``0/N``) joins the series its own Message-ID was recorded for by a
  patch that arrived first, else starts one.
* Series are named after their cover letter, else after their patch number 1.

Where Patchwork depends on arrival order, these rules are made order-independent, so
that a shuffled archive or concurrent ``parsemail`` processes give the series a serial
import gives:

* A reference to a series of another version counts only when that series started
  within 20 minutes of the mail (what Patchwork's version check meant to do): a v2 sent
  in reply to v1 then never lands in v1, even when v1's patches have not arrived yet.
* A cover letter whose patches came first and were not threaded to it joins their
  series by markers, as the patches would have joined the cover's series.
* A Message-ID recorded by one series for a mail that turns out to belong to another
  (a v2 patch arriving before the v1 cover it replies to) is handed to the right
  series: a mail owns its own Message-ID, and a reference claimed by two series goes to
  the older one (replies thread to older mail, never to newer).
* A series' date is its earliest mail's, whatever the arrival order.
"""

import datetime
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from covers.models import Cover
from events.models import Event
from patches.models import Patch
from series.models import Series, SeriesReference

if TYPE_CHECKING:
    # The store imports this module; these are only annotations here.
    from ingest.store.events import EventLog
    from ingest.store.knowledge import ThreadKnowledge

SERIES_WINDOW = datetime.timedelta(minutes=20)
SERIES_PREFIX = re.compile(r"^\[([^\]]*)\]\s*(.*)$")


@dataclass(frozen=True)
class SeriesMail:
    """What series assembly needs to know about a patch or cover letter."""

    project_id: int
    msgid: str
    references: list[str]  # closest first
    version: int
    number: int | None  # k of k/N (0 for a cover letter)
    total: int | None  # N of k/N
    date: datetime.datetime
    submitter_id: int
    name: str


@dataclass
class PatchPlacement:
    series: Series
    number: int
    created: bool
    # The series' patches before this one: number -> patch id.
    siblings: dict[int, int] = field(default_factory=dict)
    # Dates of the series the references pointed to (for handing references over).
    referenced_dates: dict[int, datetime.datetime] = field(default_factory=dict)


def format_series_name(name: str) -> str:
    """A cover letter's name without its bracketed prefixes, as a series name."""
    match = SERIES_PREFIX.match(name)
    return match.group(2) if match else name.strip()


def place_patch(
    mail: SeriesMail, knowledge: "ThreadKnowledge", events: "EventLog"
) -> PatchPlacement:
    """Find (or start) the series of a patch; a new series is created right away."""
    if mail.total is None:
        return _start_series(mail, number=1, total=1, events=events)
    number = mail.number if mail.number is not None else 1
    referenced = _referenced_series(mail, knowledge)
    series = _series_by_references(mail, knowledge, referenced)
    if series is not None:
        siblings = _siblings([series.id]).get(series.id, {})
        if number not in siblings:
            return PatchPlacement(series, number, False, siblings, _dates(referenced))
    else:
        placement = _series_by_markers(mail, number)
        if placement is not None:
            placement.referenced_dates = _dates(referenced)
            return placement
    placement = _start_series(mail, number=number, total=mail.total, events=events)
    placement.referenced_dates = _dates(referenced)
    return placement


def add_patch(
    placement: PatchPlacement,
    patch: Patch,
    mail: SeriesMail,
    knowledge: "ThreadKnowledge",
    events: "EventLog",
) -> None:
    """Record the patch in its series: counts, name, references and events."""
    series = placement.series
    if placement.created:
        _claim_references(
            series,
            [*mail.references, mail.msgid],
            mail.msgid,
            knowledge,
            placement.referenced_dates,
        )
    else:
        if not series.name and placement.number == 1:
            series.name = patch.name
        series.received_total = len(placement.siblings) + 1
        series.date = min(series.date, mail.date)
        series.updated = timezone.now()
        series.save(update_fields=["name", "received_total", "date", "updated"])
        _claim_references(series, [mail.msgid], mail.msgid, knowledge, placement.referenced_dates)
    _completion_events(placement, patch, events)


def place_cover(
    mail: SeriesMail, knowledge: "ThreadKnowledge", events: "EventLog"
) -> tuple[Series, bool]:
    """The series of a cover letter: the one its patches started, else a new one."""
    series_id = knowledge.references.get(mail.msgid)
    if series_id is not None:
        series = Series.objects.filter(pk=series_id).first()
        if series is not None and series.cover_letter_id is None and _accepts(series, mail):
            return series, False
    if mail.total is not None:
        # Patches that arrived first without threading to the cover started a series.
        series = (
            Series.objects.filter(
                project_id=mail.project_id,
                submitter_id=mail.submitter_id,
                version=mail.version,
                total=mail.total,
                cover_letter__isnull=True,
                date__range=(mail.date, mail.date + SERIES_WINDOW),
            )
            .order_by("date", "id")
            .first()
        )
        if series is not None:
            return series, False
    placement = _start_series(mail, number=0, total=mail.total or 1, events=events)
    return placement.series, True


def add_cover_letter(
    series: Series, cover: Cover, mail: SeriesMail, knowledge: "ThreadKnowledge"
) -> None:
    """Attach the cover letter; its name replaces a name taken from patch 1."""
    series.cover_letter = cover
    cover_name = format_series_name(cover.name)
    if not series.name:
        series.name = cover_name
    else:
        first_patch_name = (
            Patch.objects.filter(series=series, number=1).values_list("name", flat=True).first()
        )
        if series.name == first_patch_name:
            series.name = cover_name
    series.date = min(series.date, mail.date)
    series.updated = timezone.now()
    series.save(update_fields=["cover_letter", "name", "date", "updated"])
    _claim_references(series, [mail.msgid], mail.msgid, knowledge, {})


def _accepts(series: Series, mail: SeriesMail) -> bool:
    """A referenced series fits when it has the mail's version or started near it."""
    return series.version == mail.version or abs(series.date - mail.date) <= SERIES_WINDOW


def _referenced_series(mail: SeriesMail, knowledge: "ThreadKnowledge") -> dict[int, Series]:
    series_ids = {
        knowledge.references[msgid]
        for msgid in [mail.msgid, *mail.references]
        if msgid in knowledge.references
    }
    return Series.objects.in_bulk(series_ids) if series_ids else {}


def _series_by_references(
    mail: SeriesMail, knowledge: "ThreadKnowledge", referenced: dict[int, Series]
) -> Series | None:
    for msgid in [mail.msgid, *mail.references]:
        series = referenced.get(knowledge.references.get(msgid, 0))
        if series is not None and _accepts(series, mail):
            return series
    return None


def _series_by_markers(mail: SeriesMail, number: int) -> PatchPlacement | None:
    """A series of the same submitter, version and size started within 20 minutes."""
    candidates = list(
        Series.objects.filter(
            project_id=mail.project_id,
            submitter_id=mail.submitter_id,
            version=mail.version,
            total=mail.total,
            date__range=(mail.date - SERIES_WINDOW, mail.date + SERIES_WINDOW),
        ).order_by("-date", "-id")
    )
    if not candidates:
        return None
    siblings_by_series = _siblings([series.id for series in candidates])
    for series in candidates:
        siblings = siblings_by_series.get(series.id, {})
        if number not in siblings:
            return PatchPlacement(series, number, False, siblings)
    return None


def _siblings(series_ids: list[int]) -> dict[int, dict[int, int]]:
    siblings: dict[int, dict[int, int]] = {}
    rows = Patch.objects.filter(series_id__in=series_ids).values_list("series_id", "number", "id")
    for series_id, number, patch_id in rows:
        siblings.setdefault(series_id, {})[number] = patch_id
    return siblings


def _dates(referenced: dict[int, Series]) -> dict[int, datetime.datetime]:
    return {series_id: series.date for series_id, series in referenced.items()}


def _start_series(
    mail: SeriesMail, *, number: int, total: int, events: "EventLog"
) -> PatchPlacement:
    is_patch = number > 0
    series = Series.objects.create(
        project_id=mail.project_id,
        date=mail.date,
        submitter_id=mail.submitter_id,
        version=mail.version,
        total=total,
        received_total=1 if is_patch else 0,
        # Patch 1 names a series until a cover letter (or a user) renames it.
        name=mail.name if number == 1 else None,
    )
    events.add(Event.Category.SERIES_CREATED, series=series)
    return PatchPlacement(series, number, True)


def _claim_references(
    series: Series,
    msgids: list[str],
    own_msgid: str,
    knowledge: "ThreadKnowledge",
    referenced_dates: dict[int, datetime.datetime],
) -> None:
    """Record Message-IDs for the series, handing over those another series holds wrongly."""
    to_create: list[SeriesReference] = []
    to_take_over: list[str] = []
    for msgid in dict.fromkeys(msgids):
        holder = knowledge.references.get(msgid)
        if holder is None:
            to_create.append(
                SeriesReference(project_id=series.project_id, series=series, msgid=msgid)
            )
        elif holder != series.id and _should_take_over(
            msgid, own_msgid, holder, series, knowledge, referenced_dates
        ):
            to_take_over.append(msgid)
        if holder is None:
            knowledge.references[msgid] = series.id
    if to_create:
        SeriesReference.objects.bulk_create(to_create, ignore_conflicts=True)
    if to_take_over:
        SeriesReference.objects.filter(
            project_id=series.project_id, msgid__in=to_take_over
        ).update(series=series)
        for msgid in to_take_over:
            knowledge.references[msgid] = series.id


def _should_take_over(
    msgid: str,
    own_msgid: str,
    holder: int,
    series: Series,
    knowledge: "ThreadKnowledge",
    referenced_dates: dict[int, datetime.datetime],
) -> bool:
    if msgid == own_msgid:
        return True  # a mail's own Message-ID belongs to the series it is in
    if knowledge.is_stored_submission(msgid):
        return False  # that mail is stored: its series holds the reference rightly
    holder_date = referenced_dates.get(holder)
    return holder_date is not None and holder_date > series.date


def _completion_events(placement: PatchPlacement, patch: Patch, events: "EventLog") -> None:
    """patch-completed for each patch whose predecessors are all in; series-completed."""
    series = placement.series
    numbers = set(placement.siblings)
    number = placement.number
    if all(earlier in numbers for earlier in range(1, number)):
        events.add(Event.Category.PATCH_COMPLETED, patch=patch, series=series)
        successor = number + 1
        while successor in numbers:
            events.add(
                Event.Category.PATCH_COMPLETED,
                patch_id=placement.siblings[successor],
                series=series,
            )
            successor += 1
    if len(numbers) + 1 >= series.total:
        events.add(Event.Category.SERIES_COMPLETED, series=series)
