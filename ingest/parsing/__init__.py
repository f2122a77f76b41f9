"""The pieces of the pure mail parser; ``ingest.parser.parse_mail`` puts them together.

- ``headers``: header decoding, the stored header block, Message-Id, list ids, references,
  dates;
- ``subject``: patch name, prefixes, series marker and version;
- ``author``: the sender and the original sender behind a list's From rewrite;
- ``body``: text parts, charsets, comment/diff split, trailers, ``Depends-on:``;
- ``diff``: Patchwork's comment/diff state machine and the files a diff touches;
- ``hashing``: Patchwork's diff hash;
- ``pull``: ``git request-pull`` URLs.

Nothing here touches the database.
"""

from .diff import find_filenames, split_patch
from .hashing import hash_diff
from .pull import find_pull_url
from .subject import clean_subject, parse_series_marker, parse_subject, parse_version

__all__ = [
    "clean_subject",
    "find_filenames",
    "find_pull_url",
    "hash_diff",
    "parse_series_marker",
    "parse_subject",
    "parse_version",
    "split_patch",
]
