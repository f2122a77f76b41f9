"""Parsing mails in worker processes while the main process stores them.

Parsing is pure CPU work and needs no database, so ``parsearchive`` hands batches of
raw mails to a pool of forked workers and stores the results in archive order. Only a
bounded number of batches is in flight, so a huge archive is never held in memory.
The workers never touch the database (they inherit the parent's connection object but
do not use it, and leave through ``os._exit``).
"""

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from ingest.services import ParseOutcome, parse_raw

BATCH_SIZE = 32
BATCHES_PER_WORKER = 4


MAX_DEFAULT_JOBS = 8


def default_jobs() -> int:
    """One parsing worker per core: the main process mostly waits for the database."""
    return min(os.cpu_count() or 1, MAX_DEFAULT_JOBS)


def parse_all(
    raws: Iterable[bytes], *, list_id: str | None = None, jobs: int = 1
) -> Iterator[ParseOutcome]:
    """``parse_raw`` of every mail, in order; in ``jobs`` worker processes when jobs > 1."""
    if jobs <= 1:
        for raw in raws:
            yield parse_raw(raw, list_id)
        return
    pending: deque = deque()
    mails = iter(raws)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        while batch := list(islice(mails, BATCH_SIZE)):
            pending.append(pool.apply_async(_parse_batch, (batch, list_id)))
            while len(pending) >= jobs * BATCHES_PER_WORKER:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _parse_batch(raws: list[bytes], list_id: str | None) -> list[ParseOutcome]:
    return [parse_raw(raw, list_id) for raw in raws]
