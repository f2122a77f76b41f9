"""Parsing of the RFC 8288 ``Link`` header the API paginates with."""

import re
from urllib.parse import parse_qs, urlsplit

LINK_ENTRY = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
REL_PARAM = re.compile(r';\s*rel\s*=\s*"?([^";,]+)"?', re.IGNORECASE)


def parse_link_header(value: str | None) -> dict[str, str]:
    """``<u1>; rel="next", <u2>; rel="last"`` -> ``{"next": "u1", "last": "u2"}``.

    Entries without a ``rel`` are left out; a ``rel`` holding several space-separated
    relation types maps each of them to the URL.
    """
    links: dict[str, str] = {}
    if not value:
        return links
    for match in LINK_ENTRY.finditer(value):
        url, params = match.group(1), match.group(2)
        rel = REL_PARAM.search(params)
        if rel is None:
            continue
        for relation in rel.group(1).split():
            links.setdefault(relation.lower(), url)
    return links


def page_number(url: str) -> int:
    """The ``page`` query parameter of a pagination URL (1 when absent)."""
    values = parse_qs(urlsplit(url).query).get("page")
    if not values:
        return 1
    try:
        return int(values[-1])
    except ValueError:
        return 1


def last_page(link_header: str | None) -> int:
    """Number of pages a list has, from its Link header (1 with no ``last`` link)."""
    links = parse_link_header(link_header)
    if "last" in links:
        return page_number(links["last"])
    if "prev" in links:
        # On the last page itself there is no "last" link: it is the one after "prev".
        return page_number(links["prev"]) + 1
    return 1
