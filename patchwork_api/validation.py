"""Checks of untrusted values shared by every entry point: ids, numbers, text and nesting.

The REST API's filters and serializers, XML-RPC and the web pages take ids, names and
bodies from anyone. What they are sent can be a number no column holds, a digit Python
cannot convert (``²``), a NUL byte PostgreSQL refuses, a lone surrogate no encoder
writes, or a body nested deeper than Python recurses. Each entry point turns the
exceptions raised here into its own answer (an empty list, a 400, a fault, a 404).
"""

import functools
import re
import string
from typing import Any

from patchwork_api import limits

# ``str.isdigit()`` and ``\d`` accept digits of every script (``²``, ``①``, ``٣``), some of
# which ``int()`` refuses: ids and numbers are ASCII digits only.
ASCII_DIGITS = re.compile(r"[0-9]+")
SURROGATES = re.compile("[\ud800-\udfff]")
# Digits of the largest id, so ``int()`` never converts an absurdly long string.
MAX_ID_DIGITS = len(str(limits.MAX_ID))


class InvalidValue(ValueError):
    """A value that can name or match nothing; the message says what is wrong."""


class LimitExceeded(ValueError):
    """A value beyond one of the bounds of ``patchwork_api.limits``."""


def parse_id(value: Any, *, maximum: int = limits.MAX_ID) -> int:
    """A row id from an int or a string of ASCII digits (surrounding spaces allowed).

    Raises InvalidValue for anything else: booleans, negative numbers, other scripts'
    digits, numbers above ``maximum``.
    """
    if isinstance(value, bool):
        raise InvalidValue(f"not an id: {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and ASCII_DIGITS.fullmatch(text := value.strip()):
        if len(text.lstrip("0")) > MAX_ID_DIGITS:
            raise InvalidValue("id out of range")
        number = int(text)
    else:
        raise InvalidValue("not an id")
    if not 0 <= number <= maximum:
        raise InvalidValue("id out of range")
    return number


def is_id(value: Any, *, maximum: int = limits.MAX_ID) -> bool:
    """Whether ``parse_id`` accepts the value."""
    try:
        parse_id(value, maximum=maximum)
    except InvalidValue:
        return False
    return True


def parse_int(value: Any, *, minimum: int, maximum: int) -> int:
    """A whole number in [minimum, maximum] from an int or an optionally signed string of
    ASCII digits; InvalidValue otherwise."""
    if isinstance(value, bool):
        raise InvalidValue(f"not a number: {value!r}")
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not ASCII_DIGITS.fullmatch(digits) or len(digits.lstrip("0")) > MAX_ID_DIGITS:
            raise InvalidValue("not a number in range")
        value = int(text)
    if not isinstance(value, int) or not minimum <= value <= maximum:
        raise InvalidValue("not a number in range")
    return value


def text_problem(text: str) -> str | None:
    """Why a string cannot be stored or compared with stored text (None when it can):
    PostgreSQL refuses NUL characters, and lone surrogates cannot be encoded."""
    if "\x00" in text:
        return "Null characters are not allowed."
    if SURROGATES.search(text):
        return "Unpaired surrogate characters are not allowed."
    return None


def is_storable_text(text: str) -> bool:
    return text_problem(text) is None


def check_text(text: str, *, max_length: int | None = None) -> str:
    """The string itself, or InvalidValue when it holds NUL, a lone surrogate or more than
    ``max_length`` characters."""
    problem = text_problem(text)
    if problem is not None:
        raise InvalidValue(problem)
    if max_length is not None and len(text) > max_length:
        raise InvalidValue(f"Ensure this value has at most {max_length} characters.")
    return text


def search_words(value: str) -> list[str]:
    """The whitespace-separated words of a search; LimitExceeded past
    ``MAX_SEARCH_WORDS`` words."""
    words = value.split()
    if len(words) > limits.MAX_SEARCH_WORDS:
        raise LimitExceeded(
            f"A search may have at most {limits.MAX_SEARCH_WORDS} words, got {len(words)}."
        )
    return words


def filter_values(values: list[str]) -> list[str]:
    """The values of a repeated filter parameter; LimitExceeded past ``MAX_FILTER_VALUES``."""
    if len(values) > limits.MAX_FILTER_VALUES:
        raise LimitExceeded(
            f"A filter may be given at most {limits.MAX_FILTER_VALUES} values, got {len(values)}."
        )
    return values


def check_list_length(items: Any) -> None:
    """LimitExceeded when a list sent in a request body has more than
    ``MAX_BODY_LIST_ITEMS`` items."""
    if len(items) > limits.MAX_BODY_LIST_ITEMS:
        raise LimitExceeded(
            f"A list may have at most {limits.MAX_BODY_LIST_ITEMS} items, got {len(items)}."
        )


def check_json(data: Any, *, max_depth: int = limits.MAX_JSON_DEPTH) -> None:
    """InvalidValue when parsed JSON nests deeper than ``max_depth`` or holds a string
    (or key) with a lone surrogate (``"\\ud800"`` decodes to one). Iterative: the check
    itself cannot overflow the stack."""
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if SURROGATES.search(value):
                raise InvalidValue("Unpaired surrogate characters are not allowed.")
        elif isinstance(value, dict | list):
            if depth >= max_depth:
                raise InvalidValue(f"JSON nested deeper than {max_depth} levels.")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                pending.append((key, depth + 1))
                pending.append((item, depth + 1))


@functools.lru_cache(maxsize=256)
def url_format_problem(value: str) -> str | None:
    """Why a URL format (``list_archive_url_format``, ``commit_url_format``) is not one
    ``{}`` placeholder in text (None when it is). ``{{`` and ``}}`` stand for braces.

    Anything else (``{0}``, ``{x}``, ``{:>2000000}``, a lone ``{``) would fail or expand
    without bound each time a link is built with it.
    """
    try:
        fields = [
            (name, spec, conversion)
            for _literal, name, spec, conversion in string.Formatter().parse(value)
            if name is not None
        ]
    except ValueError as error:
        return f"not a valid format ({error}): {value!r}"
    if fields != [("", "", None)]:
        return f"must contain {{}} exactly once where the identifier goes: {value!r}"
    return None


def fill_url_format(url_format: str, value: str) -> str | None:
    """``url_format`` with ``{}`` replaced by ``value``, or None when the format is unset
    or invalid (a format stored before it was validated must not break every list)."""
    if not url_format or url_format_problem(url_format) is not None:
        return None
    return url_format.format(value)
