"""Collecting the events of one mail and writing them in one query."""

from django.utils import timezone

from events.models import Event


class EventLog:
    """The events a mail causes, in the order Patchwork's signals would create them."""

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        self.pending: list[Event] = []

    def add(self, category: Event.Category, **objects: object) -> None:
        self.pending.append(
            Event(project_id=self.project_id, category=category, date=timezone.now(), **objects)
        )

    def write(self) -> None:
        if self.pending:
            Event.objects.bulk_create(self.pending)
            self.pending = []
