"""Patchwork's diff hash: SHA-1 over a normalised diff, so a patch is found again by content.

The normalisation (Patchwork's ``hash_diff``): carriage returns are dropped and the diff is
trimmed; of each non-empty line only these count, each followed by a newline —

- ``--- X`` / ``+++ X`` file lines become ``--- a/<X without its first path component>``
  (``+++ b/...``), whatever the original prefix, and anything after the path is dropped;
- hunk headers become ``@@ -<old count> +<new count> @@`` (positions and the section
  heading dropped, an omitted count is 1);
- lines starting with ``-``, ``+`` or a space are kept as they are;
- everything else (``diff --git``, ``index``, mode and rename lines, ``\\ No newline``,
  binary data) is left out.
"""

import hashlib
import re

from ingest.parsing.diff import decimal_text

_hunk_header = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
_file_header = re.compile(r"^(---|\+\+\+) (\S+)")
HASHED_LINE_STARTS = ("-", "+", " ")


def _normalised_line(line: str) -> str | None:
    file_header = _file_header.match(line)
    if file_header:
        marker, path = file_header.groups()
        side = "a/" if marker == "---" else "b/"
        return f"{marker} {side}{'/'.join(path.split('/')[1:])}"
    hunk_header = _hunk_header.match(line)
    if hunk_header:
        old_count, new_count = (
            decimal_text(count) if count else "1" for count in hunk_header.groups()
        )
        return f"@@ -{old_count} +{new_count} @@"
    if line.startswith(HASHED_LINE_STARTS):
        return line
    return None


def hash_diff(diff: str) -> str:
    """The 40-character hex SHA-1 Patchwork stores as a patch's ``hash``."""
    digest = hashlib.sha1(usedforsecurity=False)
    for line in diff.replace("\r", "").strip().split("\n"):
        if not line:
            continue
        normalised = _normalised_line(line)
        if normalised is not None:
            digest.update((normalised + "\n").encode("utf-8", errors="surrogatepass"))
    return digest.hexdigest()
