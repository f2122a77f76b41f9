"""Tests of the Link-header parsing the benchmark pages with (bench/links.py)."""

import pytest

from bench.links import last_page, page_number, parse_link_header

PATCHWORK_STYLE = (
    '<http://127.0.0.1:8000/api/patches/?page=3&per_page=30>; rel="next", '
    '<http://127.0.0.1:8000/api/patches/?page=1&per_page=30>; rel="prev", '
    '<http://127.0.0.1:8000/api/patches/?per_page=30>; rel="first", '
    '<http://127.0.0.1:8000/api/patches/?page=417&per_page=30>; rel="last"'
)


def test_parses_every_relation_of_a_patchwork_header():
    links = parse_link_header(PATCHWORK_STYLE)
    assert set(links) == {"next", "prev", "first", "last"}
    assert links["next"] == "http://127.0.0.1:8000/api/patches/?page=3&per_page=30"
    assert links["first"] == "http://127.0.0.1:8000/api/patches/?per_page=30"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, {}),
        ("", {}),
        ("<http://x/?page=2>; rel=next", {"next": "http://x/?page=2"}),
        ('<http://x/?page=2>;rel="next"', {"next": "http://x/?page=2"}),
        ('<http://x/?page=2>; title="no rel"', {}),
        ('<http://x/a>; rel="prev first"', {"prev": "http://x/a", "first": "http://x/a"}),
        ('<http://x/?q=a,b>; rel="next"', {"next": "http://x/?q=a,b"}),
    ],
)
def test_parse_link_header_variants(header, expected):
    """Unquoted rels, no spaces, entries without rel and several rels in one are handled."""
    assert parse_link_header(header) == expected


@pytest.mark.parametrize(
    ("url", "page"),
    [("http://x/?page=7", 7), ("http://x/?per_page=30", 1), ("http://x/?page=abc", 1)],
)
def test_page_number(url, page):
    assert page_number(url) == page


@pytest.mark.parametrize(
    ("header", "pages"),
    [
        (PATCHWORK_STYLE, 417),
        ('<http://x/?page=4>; rel="prev", <http://x/>; rel="first"', 5),
        (None, 1),
    ],
)
def test_last_page(header, pages):
    """The last page comes from rel=last, or is the page after rel=prev on the last page."""
    assert last_page(header) == pages
