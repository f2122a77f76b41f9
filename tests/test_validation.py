"""The shared validation layer (patchwork_api.validation): plain inputs and outputs."""

import pytest

from patchwork_api import limits
from patchwork_api.validation import (
    InvalidValue,
    LimitExceeded,
    check_json,
    check_text,
    fill_url_format,
    is_id,
    parse_id,
    parse_int,
    search_words,
    url_format_problem,
)


@pytest.mark.parametrize(
    ("value", "expected"), [("0", 0), ("42", 42), (" 7 ", 7), (12, 12), ("0042", 42)]
)
def test_parse_id_accepts_ascii_digits_and_ints(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "²",
        "①",
        "٣",
        "12²",
        "-1",
        "+1",
        "1_000",
        "1.0",
        "",
        " ",
        True,
        -3,
        None,
        1.5,
        str(limits.MAX_ID + 1),
        "9" * 5000,
        limits.MAX_ID + 1,
    ],
)
def test_parse_id_refuses_everything_else(value):
    """Other scripts' digits (``int()`` refuses some, converts others), signs, underscores,
    booleans and numbers past the biggest id are not ids."""
    with pytest.raises(InvalidValue):
        parse_id(value)
    assert not is_id(value)


def test_parse_id_upper_bound_can_be_narrowed():
    assert parse_id("2147483647", maximum=2**31 - 1) == 2**31 - 1
    with pytest.raises(InvalidValue):
        parse_id("2147483648", maximum=2**31 - 1)


@pytest.mark.parametrize(("value", "expected"), [("-5", -5), ("+5", 5), (3, 3), (" 10 ", 10)])
def test_parse_int_in_range(value, expected):
    assert parse_int(value, minimum=-10, maximum=10) == expected


@pytest.mark.parametrize("value", ["11", "-11", "²", "9" * 5000, "", True, 2.0])
def test_parse_int_refuses_out_of_range_or_not_numbers(value):
    with pytest.raises(InvalidValue):
        parse_int(value, minimum=-10, maximum=10)


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "x\udfffy"])
def test_check_text_refuses_nul_and_lone_surrogates(text):
    with pytest.raises(InvalidValue):
        check_text(text)


def test_check_text_length():
    assert check_text("abc", max_length=3) == "abc"
    with pytest.raises(InvalidValue, match="at most 3"):
        check_text("abcd", max_length=3)


def test_search_words_limit():
    words = ["w"] * limits.MAX_SEARCH_WORDS
    assert search_words(" ".join(words)) == words
    with pytest.raises(LimitExceeded):
        search_words(" ".join([*words, "one-more"]))


def test_check_json_depth_and_surrogates():
    check_json({"a": [[{"b": "c"}]]})
    deep: list = []
    for _ in range(limits.MAX_JSON_DEPTH + 1):
        deep = [deep]
    with pytest.raises(InvalidValue, match="nested"):
        check_json(deep)
    with pytest.raises(InvalidValue, match="surrogate"):
        check_json({"a": ["ok", "\ud800"]})
    with pytest.raises(InvalidValue, match="surrogate"):
        check_json({"\udc00": 1})


def test_check_json_of_a_very_deep_value_does_not_recurse():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(InvalidValue):
        check_json(deep)


@pytest.mark.parametrize(
    "url_format",
    ["https://x/{}", "https://x/{}?a={{b}}", "{}", "https://x/{}#}}"],
)
def test_url_formats_with_one_placeholder(url_format):
    assert url_format_problem(url_format) is None


@pytest.mark.parametrize(
    "url_format",
    [
        "https://x/",
        "https://x/{}{",
        "https://x/{:>2000000}",
        "https://x/{0}",
        "{x}",
        "{}{}",
        "{!r}",
        "}",
        "{",
        "{}{0}",
        "{[0]}",
    ],
)
def test_url_formats_refused(url_format):
    assert url_format_problem(url_format) is not None
    assert fill_url_format(url_format, "id") is None


def test_fill_url_format():
    assert fill_url_format("https://x/{}/{{raw}}", "a@b") == "https://x/a@b/{raw}"
    assert fill_url_format("", "a@b") is None
