"""Collecting the events of one mail and writing them in one statement.

Every stored mail causes two to four events; they are written with one multi-row INSERT
rather than through the ORM, which costs more than the insert itself at import rates.
"""

from django.db import connection
from django.utils import timezone

from events.models import Event

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


class EventLog:
    """The events a mail causes, in the order Patchwork's signals would create them."""

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        self.pending: list[tuple] = []

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
        if not self.pending:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in COLUMNS)
        row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
        values = ", ".join([row] * len(self.pending))
        parameters = [value for event in self.pending for value in event]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(Event._meta.db_table)} ({columns}) VALUES {values}",
                parameters,
            )
        self.pending = []
