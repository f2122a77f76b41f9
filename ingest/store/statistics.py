"""Keeping PostgreSQL's planner statistics true while a bulk import grows the tables.

Each mail is stored with a handful of index lookups by Message-ID. PostgreSQL picks
those plans from its table statistics, which autovacuum refreshes only about once a
minute: an import into a young database outruns it, and the planner, still believing a
table holds a few rows, walks a whole project's patches for every reply (ten times the
cost of storing the mail). ``parsearchive`` therefore runs ANALYZE on the tables the
store reads whenever the number of mails it stored has doubled since the last time
(after 200, 400, 800… mails): a few refreshes per import, each a few milliseconds on
small tables and bounded by ANALYZE's sample size on big ones.
"""

import logging

from django.db import DatabaseError, connection, transaction

from covers.models import Cover, CoverComment
from ingest.models import UnattachedMail
from patches.models import Patch, PatchComment
from people.models import Person
from series.models import Series, SeriesReference

logger = logging.getLogger("patchwork.ingest")

FIRST_REFRESH_AFTER = 200
READ_BY_STORE = (
    Patch,
    PatchComment,
    Cover,
    CoverComment,
    Series,
    SeriesReference,
    UnattachedMail,
    Person,
)


class PlannerStatistics:
    """Counts the mails a bulk import stored; refreshes statistics as the count doubles."""

    def __init__(self, *, first_refresh_after: int = FIRST_REFRESH_AFTER) -> None:
        self.stored = 0
        self.next_refresh = first_refresh_after

    def mail_stored(self) -> None:
        self.stored += 1
        if self.stored >= self.next_refresh:
            self.next_refresh = 2 * self.stored
            refresh_statistics()


def refresh_statistics() -> None:
    """ANALYZE the tables the store looks mail up in (PostgreSQL; elsewhere nothing)."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in READ_BY_STORE)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
    except DatabaseError as error:  # not the tables' owner, for instance: only slower
        logger.warning("could not refresh planner statistics: %s", error)
