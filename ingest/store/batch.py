"""Several mails stored in one transaction, as ``parsearchive`` stores an archive.

Committing each mail costs a commit, the project's lock, an INSERT of the mail's events
and the UPDATEs of the dates it moved: round trips that weigh as much as storing the
mail itself. In a batch, the lock is taken once, and the events and dates of all its
mails are queued and written together before the commit, events in the order they
happened. Each mail is still all or nothing: if any mail fails, the whole batch is
rolled back (``services.store_batches`` then stores its mails again one transaction
each, so that only the bad one ends in the quarantine).
"""

from ingest.store.events import Stamps, merge_stamps, write_event_rows, write_stamps
from ingest.store.locking import lock_project


class StoreBatch:
    """What the mails of one open transaction share: held locks, queued writes."""

    def __init__(self) -> None:
        self.locked_projects: set[int] = set()
        self.events: list[tuple] = []
        self.stamps: Stamps = {}

    def lock_project(self, project_id: int) -> None:
        """The project's ingest lock, taken by the first mail of the batch and kept."""
        if project_id not in self.locked_projects:
            lock_project(project_id)
            self.locked_projects.add(project_id)

    def queue(self, events: list[tuple], stamps: Stamps) -> None:
        self.events.extend(events)
        merge_stamps(self.stamps, stamps)

    def write_events(self) -> None:
        events, self.events = self.events, []
        write_event_rows(events)

    def finish(self) -> None:
        """Write what the batch queued; call it last inside the transaction."""
        self.write_events()
        stamps, self.stamps = self.stamps, {}
        write_stamps(stamps)
