"""Splitting a message text into its comment and its diff, and the files a diff touches.

The splitter is Patchwork's ``parse_patch`` state machine, line for line, so that the stored
diff (and hence its hash) is the one Patchwork stores: a diff starts at ``diff ``,
``Index: `` or ``--- `` and is kept only once a ``+++ `` line and a hunk header follow;
hunks are consumed by their line counts; git's extended header lines (modes, renames,
copies, similarity, index) join the diff; ``\\ No newline at end of file`` stays with its
hunk.  Text between and after hunks that is not part of a diff goes back to the comment.

Binary content is split as Patchwork 644cef7c splits it, because the diff's hash is what
``pwclient update -h`` and post-receive hooks find a patch by: after an extended header line,
``GIT binary patch`` starts a binary section, and every line up to the next line starting
with ``diff`` (the signature of a last binary file included) belongs to the diff; that
``diff`` line opens the next file *as text*, so git's ``index`` line after it goes to the
comment.  A ``Binary files A and B differ`` line is kept only when a later header line
turns the pending lines into diff.
"""

import re
import unicodedata

# More lines than any mail can hold: a hunk count beyond it is as good as infinite.
HUNK_COUNT_CEILING = 10**9

_hunk_header = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
_file_header = re.compile(r"^(---|\+\+\+) (\S+)")

# git's extended header lines, see git-diff(1) "Generating patches with -p".
EXTENDED_HEADER_PREFIXES = (
    "old mode ",
    "new mode ",
    "deleted file mode ",
    "new file mode ",
    "copy from ",
    "copy to ",
    "rename from ",
    "rename to ",
    "similarity index ",
    "dissimilarity index ",
    "index ",
)
BINARY_PATCH_MARKER = "GIT binary patch"
NO_NEWLINE_MARKER = "\\ No newline at end of file"

# Parser states: what the previous line was and what may come next.
TEXT = "text"  # message text
FILE_SECTION = "file-section"  # after "diff "/"Index: " or after a hunk: header lines
OLD_FILE = "old-file"  # after "--- "
NEW_FILE = "new-file"  # after "+++ " or after a complete hunk
HUNK = "hunk"  # inside a hunk, counting its lines
EXTENDED_HEADER = "extended-header"  # after a git extended header line
BINARY = "binary"  # after "GIT binary patch": everything up to a "diff" line


def decimal_text(digits: str) -> str:
    """A run of decimal digits (``\\d`` matches every script's) as ASCII without leading
    zeros: what ``str(int(digits))`` gives, without converting the number (Python refuses
    runs of more than 4,300 digits, a ValueError that sent the mail to the quarantine)."""
    ascii_digits = (
        digits
        if digits.isascii()
        else "".join(str(unicodedata.decimal(character)) for character in digits)
    )
    return ascii_digits.lstrip("0") or "0"


def hunk_count(digits: str | None) -> int:
    """A hunk header's line count (an omitted count means 1), at most HUNK_COUNT_CEILING."""
    if not digits:
        return 1
    text = decimal_text(digits)
    return HUNK_COUNT_CEILING if len(text) > 9 else min(int(text), HUNK_COUNT_CEILING)


def _hunk_line_counts(match: re.Match[str]) -> list[int]:
    """Old and new line counts of a hunk header; an omitted count means 1."""
    return [hunk_count(count) for count in match.groups()]


class _PatchSplitter:
    """Feeds lines through the state machine, collecting comment and diff text."""

    def __init__(self) -> None:
        self.state = TEXT
        self.diff: list[str] = []
        self.comment: list[str] = []
        self.pending: list[str] = []  # header lines kept until a hunk shows they are a diff
        self.remaining = [0, 0]  # old/new lines still expected in the current hunk
        self.hunks_seen = 0
        self.handlers = {
            TEXT: self._on_text,
            FILE_SECTION: self._on_file_section,
            OLD_FILE: self._on_old_file,
            NEW_FILE: self._on_new_file,
            HUNK: self._on_hunk,
            EXTENDED_HEADER: self._on_extended_header,
            BINARY: self._on_binary,
        }

    def keep_pending_and(self, line: str) -> None:
        self.diff.extend(self.pending)
        self.diff.append(line)
        self.pending = []

    def give_pending_back_and(self, line: str) -> None:
        self.comment.extend(self.pending)
        self.comment.append(line)
        self.pending = []

    def feed(self, line: str) -> None:
        self.handlers[self.state](line)

    def _on_text(self, line: str) -> None:
        if line.startswith(("diff ", "Index: ")):
            self.state = FILE_SECTION
            self.pending.append(line)
        elif line.startswith("--- "):
            self.state = OLD_FILE
            self.pending.append(line)
        else:
            self.comment.append(line)

    def _on_file_section(self, line: str) -> None:
        self.pending.append(line)
        if line.startswith("--- "):
            self.state = OLD_FILE
        if line.startswith(EXTENDED_HEADER_PREFIXES):
            self.state = EXTENDED_HEADER

    def _on_old_file(self, line: str) -> None:
        if line.startswith("+++ "):
            self.state = NEW_FILE
            self.pending.append(line)
        elif self.hunks_seen:
            self.state = FILE_SECTION
            self.pending.append(line)
        else:
            self.state = TEXT
            self.give_pending_back_and(line)

    def _on_new_file(self, line: str) -> None:
        hunk = _hunk_header.match(line)
        if hunk:
            self.remaining = _hunk_line_counts(hunk)
            self.state = HUNK
            self.keep_pending_and(line)
        elif line.startswith("--- "):
            self.keep_pending_and(line)
            self.state = OLD_FILE
        elif self.hunks_seen and line.startswith(NO_NEWLINE_MARKER):
            self.diff.append(line)
        elif self.hunks_seen:
            self.state = FILE_SECTION
            self.pending.append(line)
        else:
            self.state = TEXT
            self.give_pending_back_and(line)

    def _on_hunk(self, line: str) -> None:
        if line.startswith("-"):
            self.remaining[0] -= 1
        elif line.startswith("+"):
            self.remaining[1] -= 1
        elif not line.startswith(NO_NEWLINE_MARKER):
            self.remaining[0] -= 1
            self.remaining[1] -= 1
        self.diff.append(line)
        if self.remaining[0] <= 0 and self.remaining[1] <= 0:
            self.state = NEW_FILE
            self.hunks_seen += 1

    def _on_extended_header(self, line: str) -> None:
        if line.startswith(EXTENDED_HEADER_PREFIXES):
            self.keep_pending_and(line)
        elif line.startswith("--- "):
            self.keep_pending_and(line)
            self.state = OLD_FILE
        elif line.startswith(BINARY_PATCH_MARKER):
            self.keep_pending_and(line)
            self.state = BINARY
        else:
            self.pending.append(line)
            self.state = FILE_SECTION

    def _on_binary(self, line: str) -> None:
        if line.startswith("diff"):
            self.pending.append(line)
            self.state = TEXT
        else:
            self.keep_pending_and(line)

    def result(self) -> tuple[str | None, str | None]:
        self.comment.extend(self.pending)
        diff = "".join(self.diff)
        comment = "".join(self.comment)
        return diff or None, comment or None


def split_patch(text: str) -> tuple[str | None, str | None]:
    """(diff, comment) of a message text, either may be None (Patchwork's ``parse_patch``)."""
    if not _may_hold_diff(text):
        return None, text + "\n"
    splitter = _PatchSplitter()
    for line in text.split("\n"):
        splitter.handlers[splitter.state](line + "\n")
    return splitter.result()


def _may_hold_diff(text: str) -> bool:
    """Whether any line starts a diff; most replies have none, and need no line walk."""
    return any(
        text.startswith(start) or f"\n{start}" in text for start in ("diff ", "Index: ", "--- ")
    )


def find_filenames(diff: str) -> list[str]:
    """Paths named by ``---``/``+++`` lines, top directory (a/, b/) removed, sorted.

    Patchwork's ``find_filenames``, used for delegation rules: ``/dev/null`` is skipped and
    a path without a directory becomes "" (which only a ``*`` rule matches).
    """
    filenames = set()
    for line in diff.replace("\r", "").strip().split("\n"):
        match = _file_header.match(line)
        if not match:
            continue
        path = match.group(2)
        if path.startswith("/dev/null"):
            continue
        filenames.add("/".join(path.split("/")[1:]))
    return sorted(filenames)
