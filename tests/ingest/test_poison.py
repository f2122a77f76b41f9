"""Poison mail: absurd numbers, nesting and lists, each stored with clamped values or its
excess ignored, in bounded work (patchwork_api.limits), answered 0 on the first delivery.

Time is measured by the benchmark, not here; what these tests pin is what makes the
work bounded: the parser's output is clamped, the store's queries do not grow with the
mail, and the parser's memory stays within a fixed bound.
"""

import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest.message import ParsedMail
from ingest.models import FailedMail
from ingest.parser import parse_mail
from patches.models import Patch
from patchwork_api.limits import (
    MAIL_MAX_DEPENDS_ON,
    MAIL_MAX_HEADERS,
    MAIL_MAX_MIME_DEPTH,
    MAIL_MAX_REFERENCES,
    SERIES_MAX_PATCHES,
    SERIES_MAX_VERSION,
    clamp_digits,
)
from series.models import Series
from tests.factories import SAMPLE_DIFF, ProjectFactory
from tests.ingest.test_commands import LIST_ID, parsemail

# Parsing any of these mails (a few MB at most) must stay far below this.
PARSER_PEAK_BYTES = 64 * 1024 * 1024
# What storing one patch costs in queries, whatever its references or dependencies.
STORE_QUERIES = 40


def mail(subject="[PATCH] x", headers="", body=None, msgid="<poison@example.org>") -> bytes:
    text = body if body is not None else f"Fix.\n---\n{SAMPLE_DIFF}"
    return (
        f"From: Jo <jo@example.org>\nSubject: {subject}\nMessage-Id: {msgid}\n"
        f"Date: Mon, 01 Jan 2024 12:00:00 +0000\nList-Id: <{LIST_ID}>\n{headers}\n{text}"
    ).encode()


def nested_mime(levels: int) -> bytes:
    opening = "".join(
        f'--b{level}\nContent-Type: multipart/mixed; boundary="b{level + 1}"\n\n'
        for level in range(levels)
    )
    closing = "".join(f"\n--b{level}--\n" for level in reversed(range(levels + 1)))
    body = f"{opening}--b{levels}\nContent-Type: text/plain\n\nFix.\n---\n{SAMPLE_DIFF}{closing}"
    return mail(
        headers='MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b0"\n', body=body
    )


def parsed_within_bounded_memory(raw: bytes) -> ParsedMail:
    tracemalloc.start()
    try:
        parsed = parse_mail(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PARSER_PEAK_BYTES
    return parsed


@pytest.mark.parametrize(
    ("digits", "expected"),
    [("7", 7), ("0007", 7), ("32767", 32767), ("32768", 32767), ("4294967296", 32767),
     ("9" * 5000, 32767), ("0" * 5000, 0)],
)  # fmt: skip
def test_digits_are_clamped_without_converting_a_huge_number(digits, expected):
    assert clamp_digits(digits, 32767) == expected


@pytest.mark.parametrize(
    ("subject", "number", "total", "version"),
    [
        ("[PATCH 1/4294967296] x", 1, SERIES_MAX_PATCHES, 1),
        ("[PATCH 4294967296/4294967296] x", SERIES_MAX_PATCHES, SERIES_MAX_PATCHES, 1),
        (f"[PATCH 1/{'9' * 5000}] x", 1, SERIES_MAX_PATCHES, 1),
        ("[PATCH v2147483648] x", None, None, SERIES_MAX_VERSION),
        (f"[PATCH v{'9' * 5000} 2/3] x", 2, 3, SERIES_MAX_VERSION),
        ("[PATCH (v99999999999) 1/2] x", 1, 2, SERIES_MAX_VERSION),
        (f"[PATCH {'1' * 100_000}] x", None, None, 1),
    ],
)
def test_absurd_series_markers_are_clamped(subject, number, total, version):
    info = parse_mail(mail(subject)).subject_info

    assert (info.series_number, info.series_total, info.version) == (number, total, version)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "subject", ["[PATCH 1/4294967296] x", "[PATCH v2147483648] x", "[PATCH 40000/40000] x"]
)
def test_a_clamped_series_is_stored_on_the_first_delivery(subject):
    """On PostgreSQL these numbers overflowed their columns: every retry failed."""
    ProjectFactory(listid=LIST_ID)

    parsemail(stdin=mail(subject))

    patch = Patch.objects.get()
    series = Series.objects.get()
    assert patch.number <= SERIES_MAX_PATCHES
    assert series.total <= SERIES_MAX_PATCHES
    assert series.version <= SERIES_MAX_VERSION
    assert not FailedMail.objects.exists()


@pytest.mark.django_db
def test_a_thousand_nested_mime_levels_are_parsed_down_to_the_limit():
    """The standard parser recursed once per level: RecursionError on every retry."""
    ProjectFactory(listid=LIST_ID)
    raw = nested_mime(1000)

    parsed = parsed_within_bounded_memory(raw)
    parsemail(stdin=raw)

    assert parsed.diff is None  # the text is 1,000 levels down: not looked at
    assert not FailedMail.objects.exists()


def test_a_text_part_within_the_depth_limit_is_read():
    parsed = parse_mail(nested_mime(MAIL_MAX_MIME_DEPTH - 1))

    assert parsed.diff == SAMPLE_DIFF
    assert parse_mail(nested_mime(MAIL_MAX_MIME_DEPTH + 1)).diff is None


@pytest.mark.django_db
def test_a_hundred_thousand_references_cost_what_a_few_hundred_do(django_assert_max_num_queries):
    ProjectFactory(listid=LIST_ID)
    references = " ".join(f"<r{index}@example.org>" for index in range(100_000))
    raw = mail("Re: [PATCH] x", f"In-Reply-To: <r99999@example.org>\nReferences: {references}\n",
               body="A reply.\n")  # fmt: skip

    parsed = parsed_within_bounded_memory(raw)
    with django_assert_max_num_queries(STORE_QUERIES):
        parsemail(stdin=raw)

    assert len(parsed.references) == MAIL_MAX_REFERENCES
    assert "References:" not in parsed.headers  # 1 MB: longer than MAIL_MAX_HEADER_BYTES
    assert "In-Reply-To: <r99999@example.org>" in parsed.headers
    assert parsed.references[0] == "<r0@example.org>"  # the thread's first message
    assert parsed.references[-1] == "<r99999@example.org>"  # In-Reply-To, the nearest
    assert parsed.references[-2] == "<r99998@example.org>"


@pytest.mark.django_db
def test_twenty_thousand_depends_on_lines_resolve_the_first_ones(django_assert_max_num_queries):
    ProjectFactory(listid=LIST_ID)
    lines = "".join(f"Depends-on: <dep{index}@example.org>\n" for index in range(20_000))
    raw = mail(body=f"Fix.\n\n{lines}---\n{SAMPLE_DIFF}")

    parsed = parsed_within_bounded_memory(raw)
    with CaptureQueriesContext(connection) as queries:
        parsemail(stdin=raw)

    assert parsed.depends_on == [f"<dep{index}@example.org>" for index in range(50)]
    assert len(parsed.depends_on) == MAIL_MAX_DEPENDS_ON
    assert len(queries) <= STORE_QUERIES + 2 * MAIL_MAX_DEPENDS_ON
    assert Patch.objects.count() == 1


def test_a_hundred_thousand_headers_keep_the_first_ones_in_the_stored_block():
    headers = "".join(f"X-Header-{index}: value\n" for index in range(100_000))

    parsed = parsed_within_bounded_memory(mail(headers=headers))

    assert len(parsed.headers.splitlines()) == MAIL_MAX_HEADERS
    assert parsed.diff == SAMPLE_DIFF


@pytest.mark.django_db
def test_a_mail_larger_than_the_limit_is_dropped_with_a_log_line(settings, caplog, monkeypatch):
    monkeypatch.setattr("ingest.delivery.MAIL_MAX_BYTES", 1000)
    monkeypatch.setattr("ingest.management.commands.parsemail.MAIL_MAX_BYTES", 1000)
    ProjectFactory(listid=LIST_ID)

    parsemail(stdin=mail(body="x" * 5000))

    assert "<poison@example.org>: dropped: " in caplog.text
    assert "more than MAIL_MAX_BYTES (1000)" in caplog.text
    assert not Patch.objects.exists()
