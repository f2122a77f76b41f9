"""Every limit the server applies to what it is sent, named in one place.

Each limit bounds the work one request (or one mail) can cause, so that no input, however
crafted, makes a request fail with a 500 or hold a worker for long. The README's
"Limits" section lists them with the answer a client gets past each one.
"""

# Ids: the largest primary key any backend can look up (SQLite refuses larger integers
# outright; PostgreSQL's bigint stops there). A bigger number names nothing.
MAX_ID = 2**63 - 1

# Search (``q=``): words per query. Each word is one LIKE condition per searched column;
# 1,000 words cost 3-7 s of CPU and, on SQLite, overflowed its expression depth (a 500).
MAX_SEARCH_WORDS = 10

# Values of one repeated filter parameter (``state=a&state=b...``).
MAX_FILTER_VALUES = 100

# Characters of one filter or search value (longer values cannot match a stored name,
# link name, e-mail address or Message-ID, and only cost time).
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

# Items of a list sent in a request body (a bundle's ``patches``, a patch's ``related``).
MAX_BODY_LIST_ITEMS = 1_000

# Nesting of a JSON request body (objects and arrays inside each other). No request of
# the API needs more than 3; deeper bodies are refused with a 400.
MAX_JSON_DEPTH = 32

# PostgreSQL statement timeout for queries made while serving a web request (seconds):
# a query that runs longer is cancelled and the request answered with a 503, so a slow
# query cannot hold a worker thread. Commands (parsemail, parsearchive, migrate) have none.
REQUEST_STATEMENT_TIMEOUT_SECONDS = 10

# --- Mail (the same names and values as the mail-delivery work, which owns them) ------

# The k and N of a [PATCH k/N] marker are clamped to this (a patch's number is a small
# integer column); a longer run of digits counts as this too.
SERIES_MAX_PATCHES = 32_767

# The N of a [PATCH vN] prefix is clamped to this.
SERIES_MAX_VERSION = 32_767


def clamp_digits(digits: str, maximum: int) -> int:
    """A run of decimal digits as an int, at most ``maximum``, never converting a huge run.

    Python refuses to convert strings of more than 4,300 digits (and a long one costs
    quadratic time), so a run longer than ``maximum``'s own is ``maximum`` at once.
    """
    significant = digits.lstrip("0") or "0"
    if len(significant) > len(str(maximum)):
        return maximum
    return min(int(significant), maximum)
