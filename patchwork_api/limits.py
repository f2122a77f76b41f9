"""Every limit the server puts on what it is given, named in this one module.

A limit bounds the work or the memory one input may cost (a mail, a request). Each is a
plain constant, grouped by the input it bounds, with a comment saying what happens past
it; the README's "Limits" table lists them all (a test checks that every name here is
there). To add one: put it in its group (or start a group), say what happens past it,
and add its row to the README. Nothing here imports Django: the mail relay reads these
before Django is loaded.
"""

# --- Mail (parsemail, ingestd, parsearchive, quarantine retry) -----------------------

# A larger mail is dropped with a log line (exit 0), without being parsed. Postfix's own
# default message_size_limit is 10,240,000 bytes.
MAIL_MAX_BYTES = 32 * 1024 * 1024

# Headers kept in the stored header block of a patch, cover letter or comment (the ones
# the API serves); the ones after are left out. Headers the parser reads (Subject,
# References...) are found wherever they are.
MAIL_MAX_HEADERS = 1_000

# A header longer than this (a References line of 100,000 ids) is left out of the stored
# header block too: folding and re-encoding it cost seconds, serving it megabytes. The
# parser still reads it (within MAIL_MAX_REFERENCES).
MAIL_MAX_HEADER_BYTES = 64 * 1024

# MIME parts nested deeper than this are not opened: their content is ignored (it is
# neither comment nor diff). Real mail nests three or four levels.
MAIL_MAX_MIME_DEPTH = 32

# Message-IDs of In-Reply-To and References looked at to thread a mail: the nearest ones
# (In-Reply-To, then References from the newest) and the thread's first message.
MAIL_MAX_REFERENCES = 200

# "Depends-on:" lines resolved to series, the first ones of the mail.
MAIL_MAX_DEPENDS_ON = 50

# The k and N of a [PATCH k/N] marker are clamped to this (a patch's number is a small
# integer column); a longer run of digits counts as this too.
SERIES_MAX_PATCHES = 32_767

# The N of a [PATCH vN] prefix is clamped to this.
SERIES_MAX_VERSION = 32_767

# --- Quarantine -------------------------------------------------------------------------

# A mail whose delivery failed this many times with an error that looked temporary is
# set aside (kept, no longer retried automatically, answered 0) instead of being deferred
# again: a mail that breaks every delivery must not hold the MTA's queue for days.
QUARANTINE_MAX_ATTEMPTS = 5

# Mails retried automatically after one successful delivery (files the database outage
# left and pending rows); ingestd also retries them once a minute.
QUARANTINE_PICKUP_BATCH = 100

# --- Requests (REST API, XML-RPC, web pages) -----------------------------------------

# Ids: the largest primary key any backend can look up (SQLite refuses larger integers
# outright; PostgreSQL's bigint stops there). A bigger number names nothing.
MAX_ID = 2**63 - 1

# Search (``q=``): words per query; more is a 400. Each word is one LIKE condition per
# searched column; 1,000 words cost 3-7 s of CPU and, on SQLite, overflowed its
# expression depth (a 500).
MAX_SEARCH_WORDS = 10

# Values of one repeated filter parameter (``state=a&state=b...``); more is a 400.
MAX_FILTER_VALUES = 100

# Characters of one filter value; a longer one matches nothing (it cannot match a stored
# name, link name, e-mail address or Message-ID, and only costs time).
MAX_FILTER_VALUE_LENGTH = 1_000

# Mail headers rendered in a patch's, cover letter's or comment's ``headers``: the rest
# are left out of the answer (a mail of 10,000 headers cost 6 s per request).
MAX_RENDERED_HEADERS = 1_000

# Rows skipped at most to reach a page of a list whose length is not counted (events):
# beyond it the page is answered as empty (404), like a page past the end.
MAX_UNCOUNTED_OFFSET = 100_000

# Rows an XML-RPC list method (patch_list, check_list, person_list...) answers at most,
# whatever its max_count: the first ones (max_count > 0 or none) or the last ones (< 0).
MAX_XMLRPC_RESULTS = 1_000

# Request bodies (JSON, forms, XML-RPC): bytes read at most; a larger body is refused
# with a 400 (Django's DATA_UPLOAD_MAX_MEMORY_SIZE).
MAX_REQUEST_BODY_BYTES = 2_621_440

# Items of a list sent in a request body (a bundle's ``patches``, a patch's ``related``);
# more is a 400.
MAX_BODY_LIST_ITEMS = 1_000

# Nesting of a JSON request body (objects and arrays inside each other); deeper is a 400.
# No request of the API needs more than 3.
MAX_JSON_DEPTH = 32

# PostgreSQL statement timeout for queries made while serving a web request (seconds):
# a query that runs longer is cancelled and the request answered with a 503, so a slow
# query cannot hold a worker thread. Commands (parsemail, parsearchive, migrate) have none.
REQUEST_STATEMENT_TIMEOUT_SECONDS = 10

# --- Webhooks (manage.py webhooks run) ---------------------------------------------------

# Failed attempts in a row after which a hook is disabled (its owner enables it again);
# WEBHOOK_MAX_CONSECUTIVE_FAILURES in the environment overrides it.
WEBHOOK_MAX_CONSECUTIVE_FAILURES = 10

# Seconds one delivery may take to connect, and to send or read each piece; past it the
# attempt fails and is retried.
WEBHOOK_TIMEOUT_SECONDS = 10

# Retries wait WEBHOOK_RETRY_BASE_SECONDS (10 s), then twice as long each time, at most
# this.
WEBHOOK_RETRY_MAX_SECONDS = 3_600

# Bytes of a receiver's answer read; the rest is ignored.
WEBHOOK_RESPONSE_MAX_BYTES = 64 * 1024


def clamp_digits(digits: str, maximum: int) -> int:
    """A run of decimal digits as an int, at most ``maximum``, never converting a huge run.

    Python refuses to convert strings of more than 4,300 digits (and a long one costs
    quadratic time), so a run longer than ``maximum``'s own is ``maximum`` at once.
    """
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(maximum)):
        return maximum
    return min(int(significant), maximum)
