"""Series assembly: which series a patch or cover letter joins, as Patchwork decides.

Patchwork's rules (``find_series`` and friends in its parser):

* A numbered patch (``k/N``) looks for a series through its references: its own
  Message-ID, then In-Reply-To, then References from the closest ancestor back, each
  looked up in SeriesReference. Failing that, it takes a series of the same submitter,
  version and N started within 20 minutes of it. If that series already holds a patch
  numbered k, or nothing was found, a new series starts and records the Message-IDs
  that let the rest of the thread find it.
* A patch without a marker is a series of its own (total 1, number 1).
* A cover letter (``0/N``) joins the series its own Message-ID was recorded for by a
  patch that arrived first, else starts one.
* Series are named after their cover letter, else after their patch number 1.

Patchwork depends on arrival order here; these rules are made order-independent, so
that a shuffled archive or concurrent ``parsemail`` processes give the series a serial
import gives:

* A patch follows its direct parent (In-Reply-To): when the parent has not arrived yet,
  the patch does not guess from older references or markers (in a serial import the
  parent would be known); it starts a provisional series that records the parent's
  Message-ID, and the parent joins that series when it arrives. When the parent turns
  out to belong to another series (the patch linked two parts of one posting that
  arrived separately), the parts are merged.
* A reference to a series of another version counts only when that series started
  within 20 minutes of the mail (what Patchwork's version check meant to do), and a
  patch numbered k never joins through an ancestor patch numbered k or more: a v2 or a
  RESEND threaded to v1 never lands in v1.
* A cover letter whose patches came first without being threaded to it joins their
  series by markers, as the patches would have joined the cover letter's series.
* A mail owns its own Message-ID, whichever series recorded it first.
* A series' date is its earliest mail's, whatever the arrival order.
"""

import datetime
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from covers.models import Cover
from events.models import Event
from ingest import rows
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

    @property
    def parent(self) -> str | None:
        return self.references[0] if self.references else None


@dataclass
class PatchPlacement:
    series: Series
    number: int
    created: bool
    # The series' patches before this one: number -> patch id.
    siblings: dict[int, int] = field(default_factory=dict)


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
    candidates = _Candidates.load(mail, number, knowledge)
    own = candidates.own_series()
    parent, blocked = candidates.parent_series()
    if own is not None and parent is not None and own.id != parent.id:
        if candidates.can_merge(own, into=parent):
            merge_series(own, into=parent, knowledge=knowledge, events=events)
            return PatchPlacement(parent, number, False, _siblings([parent.id]).get(parent.id, {}))
        return candidates.placement(parent)
    if parent is not None:
        return candidates.placement(parent)
    if own is not None:
        return candidates.placement(own)
    if candidates.may_use_markers and not blocked:
        placement = _series_by_markers(mail, number)
        if placement is not None:
            return placement
    return _start_series(mail, number=number, total=mail.total, events=events)


def add_patch(
    placement: PatchPlacement,
    patch: Patch,
    mail: SeriesMail,
    knowledge: "ThreadKnowledge",
    events: "EventLog",
) -> None:
    """Record the patch in its series: counts, name, references and events."""
    series = placement.series
    if not placement.created:
        if not series.name and placement.number == 1:
            series.name = patch.name
        series.received_total = len(placement.siblings) + 1
        series.date = min(series.date, mail.date)
        series.updated = timezone.now()
        _save(series, "name", "received_total", "date", "updated")
    # A patch without marker is a series of its own: nothing else may join it.
    parent = mail.parent if mail.total is not None else None
    _claim(series, mail.msgid, parent, knowledge)
    _completion_events(placement, patch, events)


def place_cover(
    mail: SeriesMail, knowledge: "ThreadKnowledge", events: "EventLog"
) -> tuple[Series, bool]:
    """The series of a cover letter: the one its patches started, else a new one."""
    series_id = knowledge.references.get(mail.msgid)
    if series_id is not None:
        series = Series.objects.filter(pk=series_id).first()
        if series is not None and series.cover_letter_id is None and _fits(series, mail):
            return series, False
    if mail.total is not None:
        series = _unthreaded_series_by_markers(mail)
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
    if not series.name or series.name == _first_patch_name(series):
        series.name = cover_name
    series.date = min(series.date, mail.date)
    series.updated = timezone.now()
    _save(series, "cover_letter_id", "name", "date", "updated")
    _claim(series, mail.msgid, None, knowledge)


def merge_series(
    source: Series, *, into: Series, knowledge: "ThreadKnowledge", events: "EventLog"
) -> None:
    """Move everything of ``source`` into ``into`` and delete ``source``.

    Two provisional parts of one posting meet when the mail linking them arrives.
    """
    target = into
    events.write_queued()  # the stored events of both series are changed below
    Patch.objects.filter(series=source).update(series=target)
    SeriesReference.objects.filter(series=source).update(series=target)
    for msgid, series_id in knowledge.references.items():
        if series_id == source.id:
            knowledge.references[msgid] = target.id
    # One series-created event stays; the others now tell about the merged series.
    Event.objects.filter(series=source, category=Event.Category.SERIES_CREATED).delete()
    Event.objects.filter(series=source).update(series=target)
    target.dependencies.add(*source.dependencies.exclude(pk=target.pk))
    for dependent in source.dependents.exclude(pk=target.pk):
        dependent.dependencies.add(target)
    cover = source.cover_letter
    if cover is not None:
        source.cover_letter = None
        source.save(update_fields=["cover_letter"])
        target.cover_letter = cover
    source.delete()
    target.received_total = Patch.objects.filter(series=target).count()
    target.date = min(target.date, source.date)
    if target.cover_letter is not None:
        target.name = format_series_name(target.cover_letter.name)
    elif not target.name:
        target.name = _first_patch_name(target)
    target.updated = timezone.now()
    target.save(update_fields=["cover_letter", "received_total", "date", "name", "updated"])


class _Candidates:
    """The series a patch's own Message-ID and references point to, with their patches."""

    def __init__(
        self,
        mail: SeriesMail,
        number: int,
        knowledge: "ThreadKnowledge",
        series: dict[int, Series],
        siblings: dict[int, dict[int, int]],
    ) -> None:
        self.mail = mail
        self.number = number
        self.knowledge = knowledge
        self.series = series
        self.siblings = siblings

    @classmethod
    def load(cls, mail: SeriesMail, number: int, knowledge: "ThreadKnowledge") -> "_Candidates":
        series_ids = {
            knowledge.references[msgid]
            for msgid in [mail.msgid, *mail.references]
            if msgid in knowledge.references
        }
        series, siblings = _series_with_siblings(series_ids)
        return cls(mail, number, knowledge, series, siblings)

    @property
    def parent_settled(self) -> bool:
        """The parent is stored, or a series recorded it: the thread above is known."""
        parent = self.mail.parent
        return parent is not None and (
            parent in self.knowledge.references or self.knowledge.knows(parent)
        )

    @property
    def may_use_markers(self) -> bool:
        # Markers stand in for references only when the references have been looked at.
        return self.mail.parent is None or self.parent_settled

    def own_series(self) -> Series | None:
        """The series started by patches that came first and reply to this one."""
        series = self.series.get(self.knowledge.references.get(self.mail.msgid, 0))
        if series is None or not _fits(series, self.mail):
            return None
        numbers = self.siblings.get(series.id, {})
        # Its patches follow this one: chain threading replies to the previous patch.
        if any(number <= self.number for number in numbers):
            return None
        return series

    def parent_series(self) -> tuple[Series | None, bool]:
        """Patchwork's reference scan, once the parent is known.

        Returns the series and whether the scan was blocked: the first fitting series
        already holds a patch with this number, so Patchwork starts a new one.
        """
        if not self.parent_settled:
            return None, False
        for msgid in self.mail.references:
            series = self.series.get(self.knowledge.references.get(msgid, 0))
            if series is None or not self._fits_through(msgid, series):
                continue
            ancestor = self.knowledge.first(msgid, "patch")
            if ancestor is not None and (ancestor.number or 0) >= self.number:
                continue  # an earlier posting's patch: this is a new version or resend
            if self.number in self.siblings.get(series.id, {}):
                return None, True
            return series, False
        return None, False

    def _fits_through(self, msgid: str, series: Series) -> bool:
        """Whether a series found through a reference is this patch's.

        A stored mail's series fits as Patchwork has it (same version, or started near
        the patch). A reference recorded only by the patches that replied to it (the
        mail itself has not arrived) is weaker evidence: siblings replying to one
        parent share it, but only with the same version and size.
        """
        if self.knowledge.is_stored_submission(msgid):
            return _fits(series, self.mail)
        return series.version == self.mail.version and series.total == self.mail.total

    def can_merge(self, source: Series, *, into: Series) -> bool:
        source_numbers = set(self.siblings.get(source.id, {})) | {self.number}
        if source_numbers & set(self.siblings.get(into.id, {})):
            return False
        if source.cover_letter_id is not None and into.cover_letter_id is not None:
            return False
        return source.version == into.version or abs(source.date - into.date) <= SERIES_WINDOW

    def placement(self, series: Series) -> PatchPlacement:
        return PatchPlacement(series, self.number, False, self.siblings.get(series.id, {}))


def _fits(series: Series, mail: SeriesMail) -> bool:
    """A series fits a mail when it has the mail's version or started near it."""
    return series.version == mail.version or abs(series.date - mail.date) <= SERIES_WINDOW


def _unthreaded_series_by_markers(mail: SeriesMail) -> Series | None:
    """A series started just after this cover letter by patches not threaded to anything.

    Patches threaded to a mail record its Message-ID, so only a series that recorded
    nothing but its own patches can be this cover letter's, found the way its patches
    would have found the cover letter's series by markers.
    """
    candidates = Series.objects.filter(
        project_id=mail.project_id,
        submitter_id=mail.submitter_id,
        version=mail.version,
        total=mail.total,
        cover_letter__isnull=True,
        date__range=(mail.date, mail.date + SERIES_WINDOW),
    ).order_by("date", "id")
    for series in candidates:
        recorded = set(
            SeriesReference.objects.filter(series=series).values_list("msgid", flat=True)
        )
        patches = set(Patch.objects.filter(series=series).values_list("msgid", flat=True))
        if recorded <= patches:
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


def _series_with_siblings(
    series_ids: set[int],
) -> tuple[dict[int, Series], dict[int, dict[int, int]]]:
    """The series and, for each, its patches' numbers and ids, in one query."""
    if not series_ids:
        return {}, {}
    fields = [field for field in Series._meta.concrete_fields]
    quote = connection.ops.quote_name
    columns = ", ".join(f"s.{quote(field.column)}" for field in fields)
    sql = (
        f"SELECT {columns}, p.{quote('number')}, p.{quote('id')} "
        f"FROM {quote(Series._meta.db_table)} s LEFT JOIN {quote(Patch._meta.db_table)} p "
        f"ON p.{quote('series_id')} = s.{quote('id')} "
        f"WHERE s.{quote('id')} IN ({', '.join(['%s'] * len(series_ids))})"
    )
    found = rows.run(sql, list(series_ids)).fetchall()
    converters = [_converter(field) for field in fields]
    series: dict[int, Series] = {}
    siblings: dict[int, dict[int, int]] = {}
    for row in found:
        values = [convert(value) for convert, value in zip(converters, row, strict=False)]
        series_id = values[0]
        if series_id not in series:
            series[series_id] = Series.from_db(
                connection.alias, [field.attname for field in fields], values
            )
        number, patch_id = row[-2], row[-1]
        if patch_id is not None:
            siblings.setdefault(series_id, {})[number] = patch_id
    return series, siblings


def _converter(field):
    """How the ORM turns this column's database value into Python (dates on SQLite)."""
    converters = connection.ops.get_db_converters(field.get_col(field.model._meta.db_table))
    if hasattr(field, "from_db_value"):
        converters.append(field.from_db_value)

    def convert(value: object) -> object:
        for function in converters:
            value = function(value, field.get_col(field.model._meta.db_table), connection)
        return value

    return convert


def _siblings(series_ids: list[int]) -> dict[int, dict[int, int]]:
    siblings: dict[int, dict[int, int]] = {}
    if not series_ids:
        return siblings
    rows = Patch.objects.filter(series_id__in=series_ids).values_list("series_id", "number", "id")
    for series_id, number, patch_id in rows:
        siblings.setdefault(series_id, {})[number] = patch_id
    return siblings


def _first_patch_name(series: Series) -> str | None:
    return Patch.objects.filter(series=series, number=1).values_list("name", flat=True).first()


def _start_series(
    mail: SeriesMail, *, number: int, total: int, events: "EventLog"
) -> PatchPlacement:
    is_patch = number > 0
    series = rows.insert_new(
        Series,
        {
            "project_id": mail.project_id,
            "date": mail.date,
            "submitter_id": mail.submitter_id,
            "version": mail.version,
            "total": total,
            "received_total": 1 if is_patch else 0,
            # Patch 1 names a series until a cover letter (or a user) renames it.
            "name": mail.name if number == 1 else None,
        },
    )
    events.add(Event.Category.SERIES_CREATED, series_id=series.id)
    return PatchPlacement(series, number, True)


def _claim(
    series: Series, own_msgid: str, parent: str | None, knowledge: "ThreadKnowledge"
) -> None:
    """Record a mail's Message-ID for its series, and its parent's when no series has it.

    A mail's Message-ID belongs to the series the mail is in, whichever series recorded
    it first. The parent's lets the parent (arriving later) and the mail's siblings
    (replying to the same parent) find the series.
    """
    new = [msgid for msgid in (own_msgid, parent) if msgid and msgid not in knowledge.references]
    rows.insert_ignoring_conflicts(
        SeriesReference,
        (
            {"project_id": series.project_id, "series_id": series.id, "msgid": msgid}
            for msgid in new
        ),
    )
    if knowledge.references.get(own_msgid, series.id) != series.id:
        SeriesReference.objects.filter(project_id=series.project_id, msgid=own_msgid).update(
            series=series
        )
    for msgid in [*new, own_msgid]:
        knowledge.references[msgid] = series.id


def _save(series: Series, *fields: str) -> None:
    rows.update(Series, series.id, {field: getattr(series, field) for field in fields})


def _completion_events(placement: PatchPlacement, patch: Patch, events: "EventLog") -> None:
    """patch-completed for each patch whose predecessors are all in; series-completed."""
    series = placement.series
    numbers = set(placement.siblings)
    number = placement.number
    if all(earlier in numbers for earlier in range(1, number)):
        events.add(Event.Category.PATCH_COMPLETED, patch_id=patch.id, series_id=series.id)
        successor = number + 1
        while successor in numbers:
            events.add(
                Event.Category.PATCH_COMPLETED,
                patch_id=placement.siblings[successor],
                series_id=series.id,
            )
            successor += 1
    if len(numbers) + 1 >= series.total:
        events.add(Event.Category.SERIES_COMPLETED, series_id=series.id)
