"""Pull requests: the repository URL and branch of a ``git request-pull`` message.

As Patchwork's ``parse_pull_request``: after "The following changes since commit" and a
line "are available in the git repository at:" (any case, so git >= 2.14.3's "Git" too),
the next line holds a URL (``scheme://...`` or ``user@host:path``) and optionally, after
spaces or a backslash-newline wrap, a branch or tag.  Whitespace runs become one space:
the result is "url branch".
"""

import re

_request_pull = re.compile(
    r"""
    ^The\ following\ changes\ since\ commit .*
    ^are\ available\ in\ the\ git\ repository\ at: \s* \n
    ^\s*
    (?P<location>
        [\w+-]+ (?: :// | @ ) [\w/.@:~-]+   # git://host/repo, user@host:repo ...
        [\s\\]*                          # spaces, or a backslash where it was wrapped
        [\w/._-]*                         # the branch or tag, if any
    )
    \s*$
    """,
    re.DOTALL | re.MULTILINE | re.IGNORECASE | re.VERBOSE,
)
_whitespace_run = re.compile(r"\s+")
PULL_URL_LENGTH = 255


def find_pull_url(content: str | None) -> str | None:
    """ "url branch" of a request-pull text, None when the text is not one."""
    if not content or "following changes since commit" not in content.lower():
        return None
    match = _request_pull.search(content)
    if not match:
        return None
    return _whitespace_run.sub(" ", match.group("location")).strip()[:PULL_URL_LENGTH]
