"""Collecting the events of one mail and writing them in one statement.

Every stored mail causes two to four events; they are written with one multi-row INSERT
rather than through the ORM, which costs more than the insert itself at import rates.
In a batch (``StoreBatch``) the events of all its mails are queued and written together
when the batch ends, in the order they happened.
"""

from collections.abc import Sequence

from django.utils import timezone

from events.models import Event
from ingest.rows import database, run

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
ROWS_PER_STATEMENT = 500  # 4,000 parameters: within SQLite's and PostgreSQL's limits


class EventQueue:
    """Event rows of several mails, written when the transaction that made them ends."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def write(self) -> None:
        rows, self.rows = self.rows, []
        write_event_rows(rows)


class EventLog:
    """The events a mail causes, in the order Patchwork's signals would create them.

    With a ``queue`` (a batch of mails), ``write`` hands them to the queue instead.
    """

    def __init__(self, project_id: int, *, queue: EventQueue | None = None) -> None:
        self.project_id = project_id
        self.queue = queue
        self.pending: list[tuple] = []

    def sibling(self) -> "EventLog":
        """Another log for the same mail (written into this one later), same queue."""
        return EventLog(self.project_id, queue=self.queue)

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
                timezone.now(),
                patch_id,
                series_id,
                cover_id,
                patch_comment_id,
                cover_comment_id,
            )
        )

    def extend(self, other: "EventLog") -> None:
        self.pending.extend(other.pending)
        other.pending = []

    def write(self) -> None:
        pending, self.pending = self.pending, []
        if self.queue is not None:
            self.queue.rows.extend(pending)
        else:
            write_event_rows(pending)

    def write_queued(self) -> None:
        """Write what earlier mails of the batch queued: the next statement reads events."""
        if self.queue is not None:
            self.queue.write()


def write_event_rows(rows: Sequence[tuple]) -> None:
    quote = database().ops.quote_name
    columns = ", ".join(quote(column) for column in COLUMNS)
    row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    table = quote(Event._meta.db_table)
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        parameters = [value for event in chunk for value in event]
        run(f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))}", parameters)
