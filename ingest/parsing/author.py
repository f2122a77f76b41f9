"""The sender: name and address from From, and the original sender behind a list's rewrite.

Follows Patchwork's ``split_from_header``, ``get_original_sender`` and
``get_or_create_author``: a From that cannot be decoded or has no address makes the mail
unusable; names and addresses are trimmed and cut to 255 characters; the address keeps its
case (Patchwork matches people case-insensitively).

Mailing lists that rewrite From for DMARC (``"Jane Doe via Dev" <dev@example.org>``) keep
the real sender in X-Original-From (Google Groups) or in Reply-To/Cc (Mailman); Patchwork
takes the address from there when From is the project's list address.
"""

import re
from collections.abc import Callable
from email.message import Message

from ingest.message import Author

from .headers import DB_CHARFIELD_LENGTH, decode_value

NameAndAddress = tuple[str | None, str | None]

# (pattern, how to turn its groups into (name, address)), tried in order.
_FROM_FORMS: list[tuple[re.Pattern[str], Callable[[tuple[str, ...]], NameAndAddress]]] = [
    # "Jane Doe" <jane@example.com>
    (re.compile(r'"?(.*?)"?\s*<([^>]+)>'), lambda groups: (groups[0], groups[1])),
    # jane at example.com (Jane Doe)
    (
        re.compile(r"(.*?)\sat\s(.*?)\s*\(([^\)]+)\)"),
        lambda groups: (groups[2], f"{groups[0]}@{groups[1]}"),
    ),
    # jane@example.com (Jane Doe)
    (re.compile(r'"?(.*?)"?\s*\(([^\)]+)\)'), lambda groups: (groups[1], groups[0])),
    # anything else is taken as the address
    (re.compile(r"(.*)"), lambda groups: (None, groups[0])),
]


def split_address(value: str) -> NameAndAddress:
    """(name, address) of one decoded address; name is None when the form has none."""
    for pattern, to_parts in _FROM_FORMS:
        match = pattern.match(value)
        if match:
            return to_parts(match.groups())
    return None, None


def _trimmed(value: str | None) -> str | None:
    return value.strip()[:DB_CHARFIELD_LENGTH] if value is not None else None


def find_from_author(mail: Message) -> Author | None:
    """The From header's sender, None when it has no usable address."""
    decoded = decode_value(mail.get("From"))
    if not decoded:
        return None
    name, address = split_address(decoded)
    address = _trimmed(address)
    if not address:
        return None
    return Author(name=_trimmed(name), email=address)


def _name_before_via(name: str | None) -> str | None:
    """ "Jane Doe via Dev" -> "Jane Doe" ("'Jane Doe' via Dev" for Google Groups)."""
    if not name:
        return None
    if " via " in name:
        return name[: name.rfind(" via ")].strip().strip("'")
    if name.endswith(" via"):
        return name[: name.rfind(" via")].strip().strip("'")
    return None


def find_unmunged_author(mail: Message, written: Author) -> Author | None:
    """Who sent a mail whose From a list rewrote, as Patchwork finds out; None if unknown.

    X-Original-From wins; otherwise the first Reply-To or Cc address whose name equals the
    name before " via " (an address without a name matches a From name without " via ").
    """
    real_name = _name_before_via(written.name)
    original_from = decode_value(mail.get("X-Original-From"))
    if original_from:
        address = _trimmed(split_address(original_from)[1])
        return Author(name=real_name, email=address) if address else None
    for value in (mail.get_all("Reply-To") or []) + (mail.get_all("Cc") or []):
        decoded = decode_value(value)
        if not decoded:
            continue
        for candidate in decoded.split(","):
            name, address = split_address(candidate)
            name = _trimmed(name) if name else name
            address = _trimmed(address)
            if name == real_name and address:
                return Author(name=real_name, email=address)
    return None
