"""Serialising the writers of one project, and retrying a mail when a race is lost.

Every mail of a project is stored under one per-project lock held to the end of its
transaction: series assembly, duplicate detection and the settling of waiting replies
then see a consistent state whatever the number of ``parsemail`` processes. On
PostgreSQL the lock is a transaction-level advisory lock (it does not block edits of the
project row); on SQLite the first statement of the transaction is a write, which takes
the database write lock at once instead of upgrading a read lock later (an upgrade can
fail at once with "database is locked" instead of waiting).
"""

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, OperationalError, connection

from projects.models import Project

logger = logging.getLogger("patchwork.ingest")

Result = TypeVar("Result")

# Two 32-bit keys per advisory lock: a namespace ("PW" + 1/2) and the object's key.
PROJECT_LOCK_NAMESPACE = 0x50570001
PERSON_LOCK_NAMESPACE = 0x50570002

RETRY_ATTEMPTS = 8
RETRYABLE_MESSAGES = (
    "database is locked",
    "database table is locked",
    "deadlock detected",
    "could not serialize access",
)


def lock_project(project_id: int) -> None:
    """Take the project's ingest lock until the end of the current transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [PROJECT_LOCK_NAMESPACE, project_id]
            )
        elif connection.vendor == "sqlite":
            table = connection.ops.quote_name(Project._meta.db_table)
            cursor.execute(f"UPDATE {table} SET id = id WHERE id = %s", [project_id])
        else:
            cursor.execute(
                f"SELECT id FROM {Project._meta.db_table} WHERE id = %s FOR UPDATE",
                [project_id],
            )


def lock_person_email(email: str) -> None:
    """Serialise the creation of one person across projects (PostgreSQL only).

    Person e-mails are matched case-insensitively but the unique index is exact, so two
    processes could otherwise create "Jo@x.org" and "jo@x.org" side by side.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            [PERSON_LOCK_NAMESPACE, email.lower()],
        )


def is_retryable(error: Exception) -> bool:
    if isinstance(error, IntegrityError):
        return True
    message = str(error).lower()
    return isinstance(error, OperationalError) and any(
        text in message for text in RETRYABLE_MESSAGES
    )


def with_retries(
    operation: Callable[[], Result], *, on_retry: Callable[[], None] | None = None
) -> Result:
    """Run ``operation`` (one whole transaction), again when it lost a race.

    A lost race shows as an IntegrityError (a row another process inserted first) or as
    a lock error; the transaction was rolled back, so running it again is safe.
    """
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            return operation()
        except (IntegrityError, OperationalError) as error:
            if attempt == RETRY_ATTEMPTS or not is_retryable(error):
                raise
            logger.warning("retrying mail after %s (attempt %d)", error, attempt)
            if on_retry is not None:
                on_retry()
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")
