"""Server-side colouring of diffs and mail bodies: each line escaped, then wrapped in a span
whose class says what it is (added, removed, hunk header, quote, trailer...).

Lines are classified one by one rather than by regular expressions over the whole escaped
text, so no markup can ever come from the mail itself: every character of it goes through
``escape`` before the spans are added.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

DIFF_HEADER = re.compile(
    r"^(diff |index |Index:|--- |\+\+\+ |\*\*\* |new file|deleted file|similarity |rename "
    r"|old mode|new mode|Binary files)"
)
HUNK_HEADER = re.compile(r"^(@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@)(.*)$")
TRAILER = re.compile(
    r"^\s*(Signed-off-by|Acked-by|Nacked-by|Tested-by|Reviewed-by|Reported-by|Suggested-by"
    r"|Co-developed-by|Fixes|Cc|Link|Closes):",
    re.IGNORECASE,
)
# On escaped text: a URL ends before whitespace or an escaped <, >, " or ' (``&lt;``...),
# and trailing punctuation is left out of it.
WEB_LINK = re.compile(r"\bhttps?://(?:(?!&(?:lt|gt|quot|#x27);)[^\s<>\"'])+")
TRAILING_PUNCTUATION = ".,;:!?)]}"


def _span(css_class: str, html: str) -> str:
    return f'<span class="{css_class}">{html}</span>'


def diff_line_class(line: str) -> str | None:
    """The class of one line of a unified diff, None for context lines."""
    if DIFF_HEADER.match(line):
        return "diff-header"
    if line.startswith("+"):
        return "diff-add"
    if line.startswith("-"):
        return "diff-del"
    if line.startswith("!"):
        return "diff-mod"
    return None


def highlight_diff(diff: str | None) -> SafeString:
    """A diff as HTML: file headers, hunk headers, added and removed lines in spans."""
    rendered = []
    for line in (diff or "").replace("\r\n", "\n").split("\n"):
        hunk = HUNK_HEADER.match(line)
        if hunk:
            rendered.append(
                _span("diff-hunk", escape(hunk.group(1)))
                + _span("diff-function", escape(hunk.group(2)))
            )
            continue
        css_class = diff_line_class(line)
        rendered.append(_span(css_class, escape(line)) if css_class else escape(line))
    return mark_safe("\n".join(rendered))


def _linkify(escaped_line: str) -> str:
    """Turn http(s) URLs of an already escaped line into links."""

    def link(match: re.Match) -> str:
        url = match.group(0).rstrip(TRAILING_PUNCTUATION)
        rest = match.group(0)[len(url) :]
        return f'<a href="{url}" rel="nofollow noopener">{url}</a>{rest}'

    return WEB_LINK.sub(link, escaped_line)


def message_line_class(line: str) -> str | None:
    """The class of one line of a mail body: a quote, a trailer or None."""
    if line.lstrip().startswith(">"):
        return "quote"
    if TRAILER.match(line):
        return "trailer"
    return None


def highlight_message(content: str | None) -> SafeString:
    """A mail body as HTML: quoted lines and trailers in spans, web links clickable."""
    rendered = []
    for line in (content or "").replace("\r\n", "\n").split("\n"):
        html = _linkify(escape(line))
        css_class = message_line_class(line)
        rendered.append(_span(css_class, html) if css_class else html)
    return mark_safe("\n".join(rendered))
