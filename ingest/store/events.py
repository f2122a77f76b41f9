"""What a mail causes besides its own rows: events, and the ``updated`` stamps it moves.

Every stored mail causes two to four events; they are written with one INSERT run over
all of them rather than through the ORM, which costs more than the insert itself at
import rates. A comment moves the ``updated`` date of its patch and series (the API's
``updated_since`` filters). Neither is read back while mail is stored, so both wait
until the mail is done, or, in a batch (``StoreBatch``), until the batch is: then a
patch commented on ten times in a batch has its date moved once.
"""

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Model
from django.utils import timezone

from events.models import Event
from ingest.rows import cursor, database, run
from webhooks.outbox import NewEvent, enqueue, interested_hooks

if TYPE_CHECKING:
    from ingest.store.batch import StoreBatch

COLUMNS = (
    "project_id",
    "category",
    "date",
    "patch_id",
    "series_id",
    "cover_id",
    "patch_comment_id",
    "cover_comment_id",
)

Stamps = dict[tuple[type[Model], int], datetime.datetime]


class EventLog:
    """The events a mail causes, in the order Patchwork's signals would create them, and
    the rows whose ``updated`` date it moves.

    ``write`` writes them, or hands them to the ``batch`` the mail is stored in.
    """

    def __init__(self, project_id: int, *, batch: "StoreBatch | None" = None) -> None:
        self.project_id = project_id
        self.batch = batch
        self.pending: list[tuple] = []
        self.stamps: Stamps = {}

    def sibling(self) -> "EventLog":
        """Another log for the same mail (written into this one later), same batch."""
        return EventLog(self.project_id, batch=self.batch)

    def add(
        self,
        category: Event.Category,
        *,
        patch_id: int | None = None,
        series_id: int | None = None,
        cover_id: int | None = None,
        patch_comment_id: int | None = None,
        cover_comment_id: int | None = None,
    ) -> None:
        self.pending.append(
            (
                self.project_id,
                category.value,
                None,  # dated when written, in this order
                patch_id,
                series_id,
                cover_id,
                patch_comment_id,
                cover_comment_id,
            )
        )

    def touch(self, model: type[Model], pk: int) -> None:
        """Move the row's ``updated`` date to now (never back)."""
        self.stamps[(model, pk)] = timezone.now()

    def extend(self, other: "EventLog") -> None:
        self.pending.extend(other.pending)
        merge_stamps(self.stamps, other.stamps)
        other.pending, other.stamps = [], {}

    def write(self) -> None:
        pending, stamps = dated(self.pending), self.stamps
        self.pending, self.stamps = [], {}
        if self.batch is not None:
            self.batch.queue(pending, stamps)
        else:
            write_event_rows(pending)
            write_stamps(stamps)

    def write_queued(self) -> None:
        """Write the events earlier mails of the batch queued: the next statements change
        stored events."""
        if self.batch is not None:
            self.batch.write_events()


DATE_INDEX = COLUMNS.index("date")
ONE_MICROSECOND = datetime.timedelta(microseconds=1)
_last_event_date: datetime.datetime | None = None


def next_event_date() -> datetime.datetime:
    """Now, but always later than the date given before (in this process)."""
    global _last_event_date
    now = timezone.now()
    if _last_event_date is not None and now <= _last_event_date:
        now = _last_event_date + ONE_MICROSECOND
    _last_event_date = now
    return now


def dated(rows: list[tuple]) -> list[tuple]:
    """The event rows, each given its own increasing date in their order, so that the
    events of a mail list as Patchwork's signals create them (patch-created,
    series-created, patch-completed, series-completed), even ordered by date alone."""
    return [
        (*row[:DATE_INDEX], next_event_date(), *row[DATE_INDEX + 1 :])
        if row[DATE_INDEX] is None
        else row
        for row in rows
    ]


def merge_stamps(into: Stamps, stamps: Stamps) -> None:
    for key, when in stamps.items():
        if key not in into or into[key] < when:
            into[key] = when


def write_event_rows(rows: Sequence[tuple]) -> None:
    """One INSERT run for many rows (psycopg sends them in a single exchange).

    When a webhook wants events of these projects, the rows are inserted one by one
    instead, to learn their ids, and their deliveries are written with them.
    """
    if not rows:
        return
    quote = database().ops.quote_name
    columns = ", ".join(quote(column) for column in COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {quote(Event._meta.db_table)} ({columns}) VALUES ({marks})"
    hooks = interested_hooks({row[0] for row in rows})
    if hooks:
        returning = f"{sql} RETURNING {quote(Event._meta.pk.column)}"
        events = [NewEvent(run(returning, row).fetchone()[0], row[0], row[1]) for row in rows]
        enqueue(events, hooks)
    elif len(rows) == 1:
        run(sql, rows[0])
    else:
        cursor().executemany(sql, rows)


def write_stamps(stamps: Stamps) -> None:
    """Move ``updated`` dates forward (a later change may have moved them further)."""
    by_model: dict[type[Model], list[tuple]] = {}
    for (model, pk), when in stamps.items():
        by_model.setdefault(model, []).append((when, pk, when))
    db = database()
    quote = db.ops.quote_name
    for model, updates in by_model.items():
        field = model._meta.get_field("updated")
        column = quote(field.column)
        sql = (
            f"UPDATE {quote(model._meta.db_table)} SET {column} = %s "
            f"WHERE {quote(model._meta.pk.column)} = %s AND {column} < %s"
        )
        parameters = [
            (field.get_db_prep_save(when, db), pk, field.get_db_prep_save(when, db))
            for when, pk, _ in updates
        ]
        if len(parameters) == 1:
            run(sql, parameters[0])
        else:
            cursor().executemany(sql, parameters)
