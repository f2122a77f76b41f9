"""URL templates: reverse a route once with placeholders, then fill in each object's values.

Lists embed several links per row; a full ``reverse()`` per link (and an
``ALLOWED_HOSTS`` check per ``build_absolute_uri()``) cost more than rendering the row.
"""

from collections.abc import Callable
from urllib.parse import quote

# What Django's reverse() leaves unquoted in a path (RFC 3986 sub-delimiters and /~:@).
SAFE_PATH_CHARACTERS = "!$&'()*+,;=/~:@"
# Numeric placeholders satisfy both int and str route converters.
PLACEHOLDER_BASE = 918273645500


def placeholder(index: int) -> str:
    return str(PLACEHOLDER_BASE + index)


class UrlTemplate:
    """A reversed URL with numbered holes, filled per object with quoted values."""

    def __init__(self, reversed_url: str, names: list[str]):
        self.parts: list[str | int] = []
        rest = reversed_url
        positions = sorted((rest.find(placeholder(index)), index) for index in range(len(names)))
        cursor = 0
        for position, index in positions:
            if position < 0:
                raise ValueError(f"placeholder for {names[index]!r} not found in {reversed_url}")
            self.parts.append(rest[cursor:position])
            self.parts.append(index)
            cursor = position + len(placeholder(index))
        self.parts.append(rest[cursor:])

    def fill(self, values: list) -> str:
        return "".join(
            part if isinstance(part, str) else quote(str(values[part]), safe=SAFE_PATH_CHARACTERS)
            for part in self.parts
        )


def build_template(reverse_function: Callable[[dict], str], names: list[str]) -> UrlTemplate:
    """``reverse_function(kwargs)`` reverses the route; ``names`` are its URL kwargs."""
    reversed_url = reverse_function({name: placeholder(i) for i, name in enumerate(names)})
    return UrlTemplate(reversed_url, names)
