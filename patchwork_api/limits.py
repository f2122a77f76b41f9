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


def clamp_digits(digits: str, maximum: int) -> int:
    """A run of decimal digits as an int, at most ``maximum``, never converting a huge run.

    Python refuses to convert strings of more than 4,300 digits (and a long one costs
    quadratic time), so a run longer than ``maximum``'s own is ``maximum`` at once.
    """
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(maximum)):
        return maximum
    return min(int(significant), maximum)
