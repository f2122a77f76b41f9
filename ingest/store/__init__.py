"""The store step of mail ingest: a ParsedMail becomes a patch, cover letter or comment.

``store_mail`` is the one way mail enters the database (``parsemail``,
``parsearchive`` and the quarantine retry all use it); ``flush_waiting`` settles replies
that waited for a parent that never came.
"""

from ingest.store.comments import flush_waiting
from ingest.store.context import IngestContext
from ingest.store.mail import store_mail
from ingest.store.result import Outcome, Settled, StoreResult

__all__ = ["IngestContext", "Outcome", "Settled", "StoreResult", "flush_waiting", "store_mail"]
