"""Tests of the pure mail parser (``ingest.parser``): plain bytes in, ParsedMail out, no DB.

Expected values follow Patchwork's documented and tested behaviour (its
``patchwork/tests/test_parser.py``); hashes are literal values worked out by hand from
Patchwork's normalisation rules and checked with ``sha1sum``.
"""

import datetime
import email.utils
import json
import lzma
import mailbox
import time
import zoneinfo
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest

from ingest.message import MailParseError, ParsedMail
from ingest.parser import (
    has_body,
    is_comment_candidate,
    is_cover_candidate,
    is_patch_candidate,
    parse_mail,
)
from ingest.parsing import (
    clean_subject,
    find_filenames,
    find_pull_url,
    hash_diff,
    parse_series_marker,
    parse_subject,
    parse_version,
    split_patch,
)
from ingest.parsing.headers import server_now
from tests.conftest import SHARED_DIR, shared_path

TESTDATA = "corpus/patchwork-testdata"
ADD_LINE_DIFF = (
    "diff --git a/meep.text b/meep.text\n"
    "index 3d75d48..a57f4dd 100644\n"
    "--- a/meep.text\n"
    "+++ b/meep.text\n"
    "@@ -1,1 +1,2 @@\n"
    " meep\n"
    "+meep\n"
)


def build_mail(
    body: str = "",
    *,
    subject: str = "Test subject",
    msgid: str | None = "<test-1@example.com>",
    sender: str = "Test Author <test-author@example.com>",
    headers: dict[str, str] | None = None,
    charset: str = "us-ascii",
) -> bytes:
    """A single-part mail like Patchwork's ``create_email`` test helper builds."""
    message = MIMEText(body, _charset=charset)
    return _finish(message, subject=subject, msgid=msgid, sender=sender, headers=headers)


def _finish(message, *, subject, msgid, sender, headers=None) -> bytes:
    if msgid is not None:
        message["Message-Id"] = msgid
    if subject is not None:
        message["Subject"] = subject
    if sender is not None:
        message["From"] = sender
    message["List-Id"] = "<test.example.com>"
    for name, value in (headers or {}).items():
        message[name] = value
    return message.as_bytes()


def raw_mail(header_lines: str, body: str = "test\n") -> bytes:
    """A mail from literal header lines (kept as written, no re-encoding)."""
    return (header_lines.strip("\n") + "\n\n" + body).encode("utf-8")


def corpus_file(*parts: str) -> Path:
    return shared_path(TESTDATA, *parts)


def read_testdata_mail(name: str) -> bytes:
    """A Patchwork test mail; like Patchwork's ``read_mail`` it gets a Message-Id if none."""
    raw = corpus_file("mail", name).read_bytes()
    if b"\nmessage-id:" not in raw.lower() and not raw.lower().startswith(b"message-id:"):
        raw = b"Message-Id: <testdata@example.com>\n" + raw
    return raw


# --- Subjects -------------------------------------------------------------------------

SUBJECT_CASES = [
    # subject, name, prefixes, is_reply, (number, total), version
    ("meep", "meep", (), False, (None, None), 1),
    ("Re: meep", "meep", (), True, (None, None), 1),
    ("RE: meep", "meep", (), True, (None, None), 1),
    ("re meep", "meep", (), True, (None, None), 1),
    ("Fwd: meep", "meep", (), False, (None, None), 1),
    ("Fw: [PATCH] meep", "meep", (), False, (None, None), 1),
    ("Aw: meep", "Aw: meep", (), False, (None, None), 1),
    ("Re: Re: meep", "Re: meep", (), True, (None, None), 1),
    ("[PATCH] meep", "meep", (), False, (None, None), 1),
    ("[PATCH] meep \n meep", "meep meep", (), False, (None, None), 1),
    ("[PATCH] meep,\n meep", "meep, meep", (), False, (None, None), 1),
    ("Re: [PATCH] meep", "meep", (), True, (None, None), 1),
    ("[PATCH RFC] meep", "[RFC] meep", ("RFC",), False, (None, None), 1),
    ("[PATCH,RFC] meep", "[RFC] meep", ("RFC",), False, (None, None), 1),
    ("[PATCH,1/2] meep", "[1/2] meep", ("1/2",), False, (1, 2), 1),
    ("[PATCH RFC 1/2] meep", "[RFC,1/2] meep", ("RFC", "1/2"), False, (1, 2), 1),
    ("[PATCH] [RFC] [1/2] meep", "[RFC,1/2] meep", ("RFC", "1/2"), False, (1, 2), 1),
    ("[PATCH] rewrite [a-z] regexes", "rewrite [a-z] regexes", (), False, (None, None), 1),
    ("[PATCH v2 1/3] foo", "[v2,1/3] foo", ("v2", "1/3"), False, (1, 3), 2),
    ("[PATCH v2 03/10] foo", "[v2,03/10] foo", ("v2", "03/10"), False, (3, 10), 2),
    ("[PATCH V6 0/14] foo", "[V6,0/14] foo", ("V6", "0/14"), False, (0, 14), 6),
    (
        "[RFC PATCH net-next v3 1/2] foo",
        "[RFC,net-next,v3,1/2] foo",
        ("RFC", "net-next", "v3", "1/2"),
        False,
        (1, 2),
        3,
    ),
    ("[PATCH RESEND] foo", "[RESEND] foo", ("RESEND",), False, (None, None), 1),
    (
        "[RESEND PATCH 01/14] foo",
        "[RESEND,01/14] foo",
        ("RESEND", "01/14"),
        False,
        (1, 14),
        1,
    ),
    # Patchwork only takes a prefix that is exactly vN as the version.
    ("[PATCHv2] foo", "[PATCHv2] foo", ("PATCHv2",), False, (None, None), 1),
    ("[PATCHv2 2/4] foo", "[PATCHv2,2/4] foo", ("PATCHv2", "2/4"), False, (2, 4), 1),
    ("[PATCH1/8] foo", "[PATCH1/8] foo", ("PATCH1/8",), False, (1, 8), 1),
    ("[PATCH] foo (v3)", "foo (v3)", (), False, (None, None), 3),
    ("[PATCH 1 of 3] hg patch", "[1 of 3] hg patch", ("1 of 3",), False, (1, 3), 1),
    ("[PATCH 0 of 2] hg cover", "[0 of 2] hg cover", ("0 of 2",), False, (0, 2), 1),
    (
        "[PATCH RESEND git-pw 0/9] foo",
        "[RESEND,git-pw,0/9] foo",
        ("RESEND", "git-pw", "0/9"),
        False,
        (0, 9),
        1,
    ),
    ("[PATCH patchew V2] foo", "[patchew,V2] foo", ("patchew", "V2"), False, (None, None), 2),
    ("[PATCH 0/3]", "[0/3] ", ("0/3",), False, (0, 3), 1),
    ("", "", (), False, (None, None), 1),
    ("[PATCH] fix für Ümlaute", "fix für Ümlaute", (), False, (None, None), 1),
    ("[GIT PULL] net fixes", "[GIT,PULL] net fixes", ("GIT", "PULL"), False, (None, None), 1),
]


@pytest.mark.parametrize(
    ("subject", "name", "prefixes", "is_reply", "marker", "version"), SUBJECT_CASES
)
def test_subject_is_parsed_as_patchwork_does(subject, name, prefixes, is_reply, marker, version):
    info = parse_subject(subject)
    assert info.name == name
    assert info.prefixes == prefixes
    assert info.is_reply is is_reply
    assert (info.series_number, info.series_total) == marker
    assert info.version == version


@pytest.mark.parametrize(
    ("subject", "name"),
    [
        ("=?utf-8?q?test=20s=c3=bcbject?=", "test s\xfcbject"),
        ("test =?utf-8?q?s=c3=bcbject?=", "test s\xfcbject"),
        ("[PATCH] =?UTF-8?q?Fix=20caf=C3=A9?=\n  menu", "Fix caf\xe9 menu"),
    ],
)
def test_encoded_subject_is_decoded_and_unfolded(subject, name):
    parsed = parse_mail(raw_mail(f"Message-Id: <a@b>\nFrom: a@b\nSubject: {subject}"))
    assert parsed.subject_info.name == name


def test_unencoded_utf8_subject_and_sender_are_read_as_utf8():
    """Raw UTF-8 in headers is decoded, where Patchwork leaves replacement characters."""
    parsed = parse_mail(read_testdata_mail("0014-with-unencoded-utf8-headers.mbox"))
    assert parsed.subject.endswith("to include Rafał Miłecki")
    assert parsed.author.name == "Rafał Miłecki"


def test_invalid_encoded_bytes_become_replacement_characters():
    parsed = parse_mail(read_testdata_mail("0015-with-invalid-utf8-headers.mbox"))
    cc_line = next(line for line in parsed.headers.split("\n") if line.startswith("Cc:"))
    assert cc_line.isascii()
    assert parsed.author.name == "Rafał Miłecki"


def test_subject_name_drops_the_project_linkname_prefix():
    info = parse_subject("[PATCH git-pw v2 1/3] foo")
    assert info.name == "[git-pw,v2,1/3] foo"
    assert info.name_for_project("git-pw") == "[v2,1/3] foo"
    assert info.name_for_project("GIT-PW") == "[v2,1/3] foo"
    assert info.name_for_project(None) == info.name
    assert clean_subject("[FOO] [bar] meep", ("foo",))[0] == "[bar] meep"


def test_long_subject_name_is_cut_to_the_column():
    info = parse_subject("[PATCH] " + "x" * 300)
    assert len(info.name) == 255
    assert info.title == "x" * 300


@pytest.mark.parametrize(
    ("prefixes", "marker"),
    [
        ([], (None, None)),
        (["bar"], (None, None)),
        (["bar", "1/2"], (1, 2)),
        (["bar", "0/12"], (0, 12)),
        (["bar", "1 of 2"], (1, 2)),
        (["PATCH1 of 8"], (1, 8)),
        (["PATCH100/123"], (100, 123)),
        (["v2PATCH1/4"], (1, 4)),
        (["v2.3PATCH1/4"], (1, 4)),
    ],
)
def test_series_marker(prefixes, marker):
    assert parse_series_marker(prefixes) == marker


@pytest.mark.parametrize(
    ("name", "prefixes", "version"),
    [
        ("", [], 1),
        ("Hello, world", ["version"], 1),
        ("Hello, world", ["v2"], 2),
        ("Hello, world", ["V6"], 6),
        ("Hello, world", ["v10"], 10),
        ("Hello, world (v2)", [], 2),
        ("Hello, world (V6)", [], 6),
    ],
)
def test_version(name, prefixes, version):
    assert parse_version(name, prefixes) == version


def test_empty_subject_gives_an_empty_name():
    parsed = parse_mail(read_testdata_mail("0016-no-subject.mbox"))
    assert parsed.subject == ""
    assert parsed.subject_info.name == ""
    assert parsed.diff is not None


# --- Required headers, Message-Id, List-Id ----------------------------------------------


@pytest.mark.parametrize("missing", ["From", "Subject", "Message-Id"])
def test_mail_without_a_required_header_is_dropped(missing):
    lines = {"Message-Id": "<a@b>", "From": "a@example.com", "Subject": "x"}
    del lines[missing]
    with pytest.raises(MailParseError):
        parse_mail(raw_mail("\n".join(f"{key}: {value}" for key, value in lines.items())))


@pytest.mark.parametrize("msgid", ["", "   "])
def test_empty_message_id_is_dropped(msgid):
    with pytest.raises(MailParseError):
        parse_mail(raw_mail(f"Message-Id: {msgid}\nFrom: a@example.com\nSubject: x"))


def test_message_id_keeps_its_brackets_and_is_cut_to_the_column():
    assert parse_mail(build_mail("x", msgid="<abc@example.com>")).msgid == "<abc@example.com>"
    long_id = "<" + "a" * 300 + "@example.com>"
    assert parse_mail(build_mail("x", msgid=long_id)).msgid == long_id[:255]


def test_non_bytes_input_is_refused():
    with pytest.raises(MailParseError):
        parse_mail("Message-Id: <a@b>\n")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("headers", "list_id", "list_ids"),
    [
        ({"List-Id": "<dev.example.org>"}, "dev.example.org", ["dev.example.org"]),
        ({"List-Id": "Dev list <dev.example.org>"}, "dev.example.org", ["dev.example.org"]),
        ({"List-Id": "dev.example.org"}, "dev.example.org", ["dev.example.org"]),
        ({"List-Id": "two words"}, None, []),
        ({"List-Id": " "}, None, []),
        ({"X-Mailing-List": "<old.example.org>"}, "old.example.org", ["old.example.org"]),
        ({"X-list": "other.example.org"}, "other.example.org", ["other.example.org"]),
        (
            {"List-Id": "<a.example.org>", "X-Mailing-List": "b.example.org"},
            "a.example.org",
            ["a.example.org", "b.example.org"],
        ),
        ({}, None, []),
    ],
)
def test_list_id(headers, list_id, list_ids):
    lines = "Message-Id: <a@b>\nFrom: a@example.com\nSubject: x\n"
    lines += "".join(f"{name}: {value}\n" for name, value in headers.items())
    parsed = parse_mail(raw_mail(lines))
    assert parsed.list_id == list_id
    assert parsed.list_ids == list_ids


def test_list_id_override_wins():
    parsed = parse_mail(build_mail("x"), list_id_override="forced.example.org")
    assert parsed.list_id == "forced.example.org"
    assert parsed.list_ids == ["forced.example.org"]


# --- From -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_header", "name", "address"),
    [
        ("example user <user@example.com>", "example user", "user@example.com"),
        ('"Doe, Jane" <Jane.Doe@Example.com>', "Doe, Jane", "Jane.Doe@Example.com"),
        (
            "=?utf-8?q?=C3=A9xample=20user?= <user@example.com>",
            "\xe9xample user",
            "user@example.com",
        ),
        (
            "=?utf-8?q?=C3=A9xample?= user <user@example.com>",
            "\xe9xample user",
            "user@example.com",
        ),
        (
            "=?utf-8?B?w6l4YW1wbGUgdXNlcg==?= <user@example.com>",
            "\xe9xample user",
            "user@example.com",
        ),
        ("user@example.com", None, "user@example.com"),
        ("<user@example.com>", "", "user@example.com"),
        ("user@example.com (Jane Doe)", "Jane Doe", "user@example.com"),
        ("user at example.com (Jane Doe)", "Jane Doe", "user@example.com"),
    ],
)
def test_sender(from_header, name, address):
    parsed = parse_mail(raw_mail(f"Message-Id: <a@b>\nFrom: {from_header}\nSubject: x"))
    assert (parsed.author.name, parsed.author.email) == (name, address)


@pytest.mark.parametrize("from_header", ["", "   ", "Jane <   >"])
def test_sender_without_address_is_dropped(from_header):
    with pytest.raises(MailParseError):
        parse_mail(raw_mail(f"Message-Id: <a@b>\nFrom: {from_header}\nSubject: x"))


def test_long_sender_is_cut_to_the_column():
    parsed = parse_mail(
        raw_mail(f"Message-Id: <a@b>\nFrom: {'n' * 300} <{'e' * 300}>\nSubject: x")
    )
    assert len(parsed.author.name) == 255
    assert len(parsed.author.email) == 255


MUNGED_HEADERS = (
    "Message-Id: <a@b>\nSubject: x\nList-Post: <mailto:dev@example.org>\nFrom: {from_}\n{extra}"
)


@pytest.mark.parametrize(
    ("from_", "extra", "expected"),
    [
        # Mailman: the real sender is in Reply-To, matched by name.
        (
            "Jane Doe via Dev <dev@example.org>",
            "Reply-To: Jane Doe <jane@example.com>\n",
            ("Jane Doe", "jane@example.com"),
        ),
        # Mailman with reply-to-list: the real sender is in Cc.
        (
            "Jane Doe via Dev <dev@example.org>",
            "Reply-To: Dev <dev@example.org>\nCc: Other <o@example.com>, "
            "Jane Doe <jane@example.com>\n",
            ("Jane Doe", "jane@example.com"),
        ),
        # Google Groups: X-Original-From.
        (
            "'Jane Doe' via Dev <dev@example.org>",
            "X-Original-From: Jane Doe <jane@example.com>\n",
            ("Jane Doe", "jane@example.com"),
        ),
        # No list name after "via".
        (
            "'Jane Doe' via <dev@example.org>",
            "X-Original-From: Jane Doe <jane@example.com>\n",
            ("Jane Doe", "jane@example.com"),
        ),
        # No "via" at all: the address still comes from X-Original-From.
        (
            "'Jane Doe' <dev@example.org>",
            "X-Original-From: Jane Doe <jane@example.com>\n",
            (None, "jane@example.com"),
        ),
        # Nothing to trace it back to: the list stays the sender.
        ("Jane Doe via Dev <dev@example.org>", "", ("Jane Doe via Dev", "dev@example.org")),
        # From is not the list address: no rewrite to undo.
        (
            "Jane Doe via Dev <jane@example.com>",
            "Reply-To: Jane Doe <other@example.com>\n",
            ("Jane Doe via Dev", "jane@example.com"),
        ),
    ],
)
def test_list_from_rewrite_is_undone(from_, extra, expected):
    parsed = parse_mail(raw_mail(MUNGED_HEADERS.format(from_=from_, extra=extra)))
    assert (parsed.author.name, parsed.author.email) == expected


def test_list_address_given_by_the_caller_decides_the_rewrite():
    raw = raw_mail(
        "Message-Id: <a@b>\nSubject: x\nFrom: Jane Doe via Dev <dev@example.org>\n"
        "Reply-To: Jane Doe <jane@example.com>"
    )
    parsed = parse_mail(raw)
    assert parsed.author.email == "dev@example.org"  # no List-Post: nothing to compare with
    assert parsed.from_author.email == "dev@example.org"
    assert parsed.unmunged_author.email == "jane@example.com"
    assert parsed.author_for_list("DEV@example.org").email == "jane@example.com"
    assert parsed.author_for_list("other@example.org").email == "dev@example.org"
    assert parse_mail(raw, list_email="dev@example.org").author.email == "jane@example.com"


# --- Dates ----------------------------------------------------------------------------


def _mail_with_date(date: str | None) -> bytes:
    date_line = f"Date: {date}\n" if date is not None else ""
    return raw_mail(f"Message-Id: <a@b>\nFrom: a@example.com\nSubject: x\n{date_line}")


def _is_about_now(moment: datetime.datetime) -> bool:
    return abs(server_now() - moment) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Tue, 11 Jun 2024 12:08:46 -0400", datetime.datetime(2024, 6, 11, 16, 8, 46)),
        ("Wed, 20 Jun 2018 14:21:42 +0200", datetime.datetime(2018, 6, 20, 12, 21, 42)),
        ("20 Jun 2018 14:21:42 GMT", datetime.datetime(2018, 6, 20, 14, 21, 42)),
        ("Wed, 20 Jun 2018 14:21:42", datetime.datetime(2018, 6, 20, 14, 21, 42)),
        ("Sat, 1 Jan 00 00:00:00 +0000", datetime.datetime(2000, 1, 1, 0, 0, 0)),
    ],
)
def test_date_is_converted_to_naive_utc(date, expected):
    assert parse_mail(_mail_with_date(date)).date == expected


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "Australia/Canberra"])
def test_date_is_utc_whatever_the_server_time_zone(settings, zone):
    """As Patchwork (a site migrating keeps its TIME_ZONE, Patchwork's default being
    Australia/Canberra): a mail's date is stored and served as UTC, while the times the
    server makes itself (events, checks, a mail without a date) are in TIME_ZONE."""
    settings.TIME_ZONE = zone
    parsed = parse_mail(_mail_with_date("Tue, 13 Mar 2018 19:30:40 +0100"))
    assert parsed.date == datetime.datetime(2018, 3, 13, 18, 30, 40)
    assert parsed.date.tzinfo is None


def test_a_mail_without_a_date_gets_the_server_time(settings):
    settings.TIME_ZONE = "Australia/Canberra"
    now = datetime.datetime.now(zoneinfo.ZoneInfo("Australia/Canberra")).replace(tzinfo=None)
    parsed = parse_mail(_mail_with_date(None))
    assert abs(parsed.date - now) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    "date",
    [
        None,
        "",
        "not a date",
        "Wed, 4 Jun 207777777777777777777714 17:50:46 0",
        ", 11 Sep 2016 23:22:904070804030804 +0100",
        ", 11 Sep 2016 407080403080105:04 +0100",
        "Wed, 4 Jun 99999 17:50:46 +0000",
    ],
)
def test_missing_or_broken_date_falls_back_to_now(date):
    assert _is_about_now(parse_mail(_mail_with_date(date)).date)


@pytest.mark.parametrize("name", ["date.mbox", "date-too-long.mbox", "year-out-of-range.mbox"])
def test_fuzzed_dates_fall_back_to_now(name):
    parsed = parse_mail(corpus_file("fuzz", name).read_bytes())
    assert _is_about_now(parsed.date)


# --- Content and diff -----------------------------------------------------------------


def test_inline_patch_is_split_from_its_comment():
    parsed = parse_mail(build_mail("Test for attached patch\n" + ADD_LINE_DIFF))
    assert parsed.diff == ADD_LINE_DIFF
    assert parsed.content == "Test for attached patch"
    assert parsed.files == ["meep.text"]


@pytest.mark.parametrize("subtype", ["x-patch", "x-diff"])
def test_attached_patch_is_the_diff(subtype):
    message = MIMEMultipart()
    message.attach(MIMEText("Test for attached patch", _subtype="plain"))
    message.attach(MIMEText(ADD_LINE_DIFF, _subtype=subtype))
    parsed = parse_mail(_finish(message, subject="[PATCH] x", msgid="<a@b>", sender="a@b.c"))
    assert parsed.diff == ADD_LINE_DIFF
    assert parsed.content == "Test for attached patch"


def test_utf8_inline_patch():
    diff = ADD_LINE_DIFF.replace("+meep", "+meëp")
    parsed = parse_mail(build_mail("Test for attached patch\n" + diff, charset="utf-8"))
    assert parsed.diff == diff
    assert parsed.hash == "10b45755273a7d1cf3f245d7d4013a820bbaa1bc"


def test_patch_without_content_type_headers():
    raw = raw_mail(
        "Message-Id: <a@b>\nFrom: a@example.com\nSubject: [PATCH] x",
        "Test for attached patch\n" + ADD_LINE_DIFF,
    )
    parsed = parse_mail(raw)
    assert (parsed.diff, parsed.content) == (ADD_LINE_DIFF, "Test for attached patch")


@pytest.mark.parametrize(
    ("text", "content"),
    [
        # A signature before the diff is cut from the comment.
        ("Test comment\nmore comment\n-- \nsig\n", "Test comment\nmore comment"),
        # "---" notes after the commit message stay in the comment.
        (
            "Test comment\nmore comment\n---\nUpdate: test update\n",
            "Test comment\nmore comment\n---\nUpdate: test update",
        ),
        # A list footer is cut.
        (
            "Test comment\nmore comment\n____________\nLinuxppc-dev mailing list\n",
            "Test comment\nmore comment",
        ),
        # Words starting with "diff" are not a diff.
        (
            'Lines can start with words beginning in "diff"\ndifficult\nDifferent\n',
            'Lines can start with words beginning in "diff"\ndifficult\nDifferent',
        ),
    ],
)
def test_comment_around_an_inline_patch(text, content):
    parsed = parse_mail(build_mail(text + ADD_LINE_DIFF))
    assert parsed.diff == ADD_LINE_DIFF
    assert parsed.content == content


def test_signature_after_the_diff_stays_out_of_both():
    parsed = parse_mail(build_mail("Fix it.\n---\n" + ADD_LINE_DIFF + "-- \n2.45.2\n\n"))
    assert parsed.diff == ADD_LINE_DIFF
    assert parsed.content == "Fix it.\n---"


def test_crlf_mail_gives_unix_line_ends_in_the_comment():
    raw = (
        "Message-Id: <a@b>\r\nFrom: a@example.com\r\nSubject: [PATCH] x\r\n\r\n"
        "First line\r\nSecond line\r\n" + ADD_LINE_DIFF.replace("\n", "\r\n")
    ).encode()
    parsed = parse_mail(raw)
    assert parsed.content == "First line\nSecond line"
    assert parsed.hash == "f59149b3310fb8f337b1cfc845c060ed6ef85df8"


def test_reply_text_is_never_split_into_a_diff():
    parsed = parse_mail(build_mail("Looks like this:\n" + ADD_LINE_DIFF, subject="Re: [PATCH] x"))
    assert parsed.diff is None
    assert parsed.hash is None
    assert parsed.content == "Looks like this:\n" + ADD_LINE_DIFF.strip()


def test_text_that_only_looks_like_a_diff_header_stays_comment():
    text = "Some text\n--- a/foo\nnot a +++ line\nmore\n"
    assert split_patch(text) == (None, text + "\n")


def test_cvs_diff():
    parsed = parse_mail(read_testdata_mail("0007-cvs-format-diff.mbox"))
    assert parsed.diff.startswith("Index")
    assert parsed.files == ["elf-bfd.h", "elflink.c", "elfxx-mips.c"]


def test_git_rename_without_content_change():
    parsed = parse_mail(read_testdata_mail("0008-git-rename.mbox"))
    assert parsed.diff.count("\nrename from ") == 2
    assert parsed.diff.count("\nrename to ") == 2
    assert parsed.diff.count("similarity index ") == 2
    assert parsed.hash == "da39a3ee5e6b4b0d3255bfef95601890afd80709"  # no hashed lines


def test_git_rename_with_diff():
    parsed = parse_mail(read_testdata_mail("0009-git-rename-with-diff.mbox"))
    assert parsed.content
    assert parsed.diff.count("\nrename from ") == 2
    assert parsed.diff.count("\nrename to ") == 2
    assert parsed.diff.count("\n-a\n+b") == 1


@pytest.mark.parametrize(
    ("name", "marker"),
    [
        ("0021-git-empty-new-file.mbox", "new file mode "),
        ("0022-git-mode-change.mbox", "new mode "),
    ],
)
def test_git_header_only_diffs(name, marker):
    parsed = parse_mail(read_testdata_mail(name))
    assert parsed.content
    assert marker in parsed.diff


def test_invalid_charset_falls_back():
    parsed = parse_mail(read_testdata_mail("0010-invalid-charset.mbox"))
    assert parsed.diff is not None
    assert parsed.content


def test_no_newline_at_end_of_file_marker_stays_in_the_diff():
    parsed = parse_mail(read_testdata_mail("0011-no-newline-at-end-of-file.mbox"))
    assert parsed.diff.startswith("diff --git a/tools/testing/selftests/powerpc/Makefile")
    assert not parsed.content.rstrip().endswith("\\ No newline at end of file")
    assert parsed.diff.rstrip().endswith("\\ No newline at end of file")
    assert parsed.diff.count("\\ No newline at end of file") == 2


@pytest.mark.parametrize("name", ["0019-multipart-patch.mbox", "0020-multipart-comment.mbox"])
def test_html_parts_are_ignored(name):
    parsed = parse_mail(read_testdata_mail(name))
    assert parsed.content
    assert "<div" not in parsed.content
    assert "<div" not in (parsed.diff or "")


def test_undecodable_body_is_still_stored():
    """Bytes invalid in the declared charset fall back (Patchwork would drop the part)."""
    raw = (
        b"Message-Id: <a@b>\nFrom: a@example.com\nSubject: [PATCH] x\n"
        b'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n'
        b"Caf\xe9 fix\n" + ADD_LINE_DIFF.encode()
    )
    parsed = parse_mail(raw)
    assert parsed.content == "Café fix"
    assert parsed.diff == ADD_LINE_DIFF


def test_quoted_printable_latin1_body():
    message = MIMEText("Gr\xfc\xdfe\n" + ADD_LINE_DIFF, _charset="iso-8859-1")
    parsed = parse_mail(_finish(message, subject="[PATCH] x", msgid="<a@b>", sender="a@b.c"))
    assert parsed.content == "Grüße"
    assert parsed.diff == ADD_LINE_DIFF


BINARY_DIFF = (
    "diff --git a/pixel.bmp b/pixel.bmp\n"
    "new file mode 100644\n"
    "index 0000000000000000000000000000000000000000..9710347a13c4336e7dbaafa69af0e44a40c21172\n"
    "GIT binary patch\n"
    "literal 142\n"
    "zcmZ?r?PGv|E+AC{#Eft(0hV9^lFE7z3>E+r{}~t{2+VVG4=P5;5yxUeQzj#`nE?RC\n"
    "Ceh3`^\n"
    "\n"
    "literal 0\n"
    "HcmV?d00001\n"
    "\n"
)


def test_git_binary_section_runs_to_the_next_diff_line_as_in_patchwork():
    # Patchwork keeps every line after "GIT binary patch" in the diff until a line starts
    # with "diff": a trailing signature of the last file included.  The hash counts the
    # "-- " line, as Patchwork's does ("pwclient update -h" finds the patch by it).
    parsed = parse_mail(build_mail("Add an image.\n---\n" + BINARY_DIFF + "-- \n2.35.3\n"))
    assert parsed.diff == BINARY_DIFF + "-- \n2.35.3\n\n"
    assert parsed.content == "Add an image.\n---"
    assert parsed.hash == "28bbf89195af1c065a2ebbfbdfaf0ee9dfe8296e"


@pytest.mark.parametrize(
    ("name", "hash_"),
    [
        # The hashes Patchwork 644cef7c stored for these mails (patches 1527-1529 of the
        # shared Patchwork database): the signature after the binary data is hashed.
        ("0025-git-add-binary-file.mbox", "28bbf89195af1c065a2ebbfbdfaf0ee9dfe8296e"),
        ("0026-git-add-mixed-binary-text-files.mbox", "729b1ccd5c3d4e3d7aa012fd7216678d9d79cd3f"),
        ("0027-git-modify-binary-file.mbox", "28bbf89195af1c065a2ebbfbdfaf0ee9dfe8296e"),
    ],
)
def test_git_binary_mails(name, hash_):
    parsed = parse_mail(read_testdata_mail(name))
    assert "GIT binary patch\nliteral " in parsed.diff
    assert "\nliteral 0\nHcmV?d00001\n" in parsed.diff
    assert parsed.hash == hash_


def test_diff_line_after_binary_data_reopens_text_so_the_index_line_is_comment():
    # After a binary section the "diff" line starts over as in the message text: the
    # next file's extended header lines go to the comment, as Patchwork stores them.
    parsed = parse_mail(read_testdata_mail("0026-git-add-mixed-binary-text-files.mbox"))
    assert parsed.diff.index("GIT binary patch") < parsed.diff.index("diff --git quit.sh")
    assert "HcmV?d00001\n\ndiff --git quit.sh quit.sh\n--- /dev/null\n" in parsed.diff
    assert parsed.diff.endswith("+exit 1\n")
    assert parsed.content.endswith("\n\nnew file mode 100644\nindex 0000000..f5f929a")


def test_binary_files_differ_line_joins_the_diff_through_the_next_header_line():
    diff = (
        "diff --git a/logo.png b/logo.png\n"
        "index 1111111..2222222 100644\n"
        "Binary files a/logo.png and b/logo.png differ\n"
    )
    parsed = parse_mail(build_mail("New logo.\n" + diff + ADD_LINE_DIFF))
    assert parsed.diff == diff + ADD_LINE_DIFF
    assert parsed.content == "New logo."


def test_binary_files_differ_without_a_text_file_is_no_diff():
    # Two header lines only: no second extended header line or "---" confirms a diff.
    diff = (
        "diff --git a/logo.png b/logo.png\n"
        "index 1111111..2222222 100644\n"
        "Binary files a/logo.png and b/logo.png differ\n"
    )
    parsed = parse_mail(build_mail("New logo.\n" + diff))
    assert parsed.diff is None
    assert parsed.content == "New logo.\n" + diff.strip()


def test_mercurial_patches():
    messages = _mbox_messages(corpus_file("series", "mercurial-no-cover-letter.mbox"))
    parsed = parse_mail(messages[0])
    assert parsed.subject_info.prefixes == ("1 of 2",)
    assert parsed.diff.startswith("diff --git a/contrib/check-commit b/contrib/check-commit")
    assert parsed.content.startswith("# HG changeset patch")


# --- Hashes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("diff", "expected"),
    [
        # "--- a/meep.text\n+++ b/meep.text\n@@ -1 +2 @@\n meep\n+meep\n"
        (ADD_LINE_DIFF, "f59149b3310fb8f337b1cfc845c060ed6ef85df8"),
        # positions, prefixes, trailing text and CRs do not count
        (
            "diff --git x/meep.text y/meep.text\r\n"
            "--- x/meep.text\t2011-01-01\r\n"
            "+++ y/meep.text\r\n"
            "@@ -40,1 +41,2 @@ section\r\n"
            " meep\r\n"
            "+meep\r\n",
            "f59149b3310fb8f337b1cfc845c060ed6ef85df8",
        ),
        # CVS paths: "--- a/bar.c\n+++ b/bar.c\n@@ -1 +1 @@\n-old\n+new\n"
        (
            "Index: foo/bar.c\n"
            "===================================================================\n"
            "--- foo/bar.c\t17 Aug 2011 00:39:38 -0000\t1.329\n"
            "+++ foo/bar.c\t5 Dec 2011 20:15:49 -0000\n"
            "@@ -10 +10 @@\n"
            "-old\n"
            "+new\n",
            "049d86c5704c49bd9d1a745b89e0f93547a6ab9c",
        ),
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ],
)
def test_hash_matches_patchwork(diff, expected):
    assert hash_diff(diff) == expected


def test_parsed_patch_carries_its_hash():
    assert parse_mail(build_mail(ADD_LINE_DIFF)).hash == "f59149b3310fb8f337b1cfc845c060ed6ef85df8"


def test_filenames_of_a_diff():
    diff = (
        "--- a/dir/one.c\n+++ b/dir/one.c\n@@ -1 +1 @@\n-a\n+b\n"
        "--- /dev/null\n+++ b/two.c\n@@ -0,0 +1 @@\n+c\n"
    )
    assert find_filenames(diff) == ["dir/one.c", "two.c"]


# --- Pull requests --------------------------------------------------------------------

POWERPC_PULL = "git://git.kernel.org/pub/scm/linux/kernel/git/benh/powerpc.git next"


@pytest.mark.parametrize(
    ("name", "pull_url"),
    [
        ("0001-git-pull-request.mbox", POWERPC_PULL),
        ("0002-git-pull-request-wrapped.mbox", POWERPC_PULL),
        (
            "0003-git-pull-request-with-diff.mbox",
            "git://git.kernel.org/pub/scm/linux/kernel/git/tip/linux-2.6-tip.git "
            "x86-fixes-for-linus",
        ),
        ("0004-git-pull-request-git+ssh.mbox", "git+ssh" + POWERPC_PULL[3:]),
        ("0005-git-pull-request-ssh.mbox", "ssh" + POWERPC_PULL[3:]),
        ("0006-git-pull-request-http.mbox", "http" + POWERPC_PULL[3:]),
        (
            "0017-git-pull-request-git-2-14-3.mbox",
            "git://git.kernel.org/pub/scm/linux/kernel/git/davem/net",
        ),
        (
            "0023-git-pull-request-newline-in-url.mbox",
            "https://git.kernel.org/pub/scm/linux/kernel/git/matthias.bgg/"
            "linux.git/ tags/v5.4-next-soc",
        ),
        (
            "0024-git-pull-request-trailing-space.mbox",
            "git://git.kernel.org/pub/scm/linux/kernel/git/nsekhar/"
            "linux-davinci.git tags/davinci-for-v5.6/soc",
        ),
    ],
)
def test_pull_request_url(name, pull_url):
    parsed = parse_mail(read_testdata_mail(name))
    assert parsed.pull_url == pull_url
    assert is_patch_candidate(parsed)


def test_pull_request_with_diff_has_both():
    parsed = parse_mail(read_testdata_mail("0003-git-pull-request-with-diff.mbox"))
    assert parsed.diff.startswith("diff --git a/arch/x86/include/asm/smp.h")


REQUEST_PULL = (
    "The following changes since commit 1234567890abcdef1234567890abcdef12345678:\n\n"
    "  base (2024-01-01 00:00:00 +0000)\n\n"
    "are available in the Git repository at:\n\n"
    "  {location}\n\n"
    "for you to fetch changes up to abcdef1234567890abcdef1234567890abcdef12:\n"
)


@pytest.mark.parametrize(
    ("location", "pull_url"),
    [
        ("git@example.org:team/repo.git main", "git@example.org:team/repo.git main"),
        (
            "ssh://git@example.org/~user/repo.git topic",
            "ssh://git@example.org/~user/repo.git topic",
        ),
        # Patchwork only turns whitespace into one space: a wrapping backslash stays.
        (
            "https://example.org/repo.git \\\n  tags/v1.0",
            "https://example.org/repo.git \\ tags/v1.0",
        ),
        ("https://example.org/repo.git    ", "https://example.org/repo.git"),
    ],
)
def test_pull_url_forms(location, pull_url):
    assert find_pull_url(REQUEST_PULL.format(location=location)) == pull_url


def test_reply_quoting_a_pull_request_is_not_one():
    text = REQUEST_PULL.format(location="git://example.org/repo.git main")
    parsed = parse_mail(build_mail(text, subject="Re: [GIT PULL] x"))
    assert parsed.pull_url is None
    assert not is_patch_candidate(parsed)


# --- References -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "in_reply_to", "references"),
    [
        ("", None, []),
        ("In-Reply-To: <p@x>\n", "<p@x>", ["<p@x>"]),
        (
            "In-Reply-To: <c@x>\nReferences: <a@x> <b@x>\n\t<c@x>\n",
            "<c@x>",
            ["<a@x>", "<b@x>", "<c@x>"],
        ),
        # In-Reply-To missing from References still comes last.
        ("In-Reply-To: <c@x>\nReferences: <a@x> <b@x>\n", "<c@x>", ["<a@x>", "<b@x>", "<c@x>"]),
        # Comments after the id (old mailers) are dropped from In-Reply-To.
        (
            "In-Reply-To: <c@x> (Jane's message of Tue, 1 Jan 2019)\nReferences: <a@x>\n",
            "<c@x>",
            ["<a@x>", "<c@x>"],
        ),
        # Duplicate headers and ids.
        (
            "In-Reply-To: <b@x>\nReferences: <a@x> <b@x>\nReferences: <a@x> <z@x>\n",
            "<b@x>",
            ["<z@x>", "<a@x>", "<b@x>"],
        ),
    ],
)
def test_references(lines, in_reply_to, references):
    parsed = parse_mail(raw_mail("Message-Id: <m@x>\nFrom: a@example.com\nSubject: x\n" + lines))
    assert parsed.in_reply_to == in_reply_to
    assert parsed.references == references
    assert parsed.lookup_references == list(reversed(references))


def test_malformed_references_header_does_not_break_parsing():
    parsed = parse_mail(corpus_file("fuzz", "refshdr.mbox").read_bytes())
    assert parsed.in_reply_to
    assert all(len(reference) <= 255 for reference in parsed.references)


# --- Steering headers, trailers, dependencies -----------------------------------------


def test_patchwork_headers():
    parsed = parse_mail(
        build_mail(
            ADD_LINE_DIFF,
            headers={
                "X-Patchwork-Hint": "IGNORE",
                "X-Patchwork-State": "Under Review",
                "X-Patchwork-Delegate": "maintainer@example.com",
                "X-Patchwork-Action-Required": "",
            },
        )
    )
    assert parsed.hint == "ignore"
    assert parsed.state == "Under Review"
    assert parsed.delegate == "maintainer@example.com"
    assert parsed.action_required is True


def test_no_patchwork_headers():
    parsed = parse_mail(build_mail(ADD_LINE_DIFF))
    assert (parsed.hint, parsed.state, parsed.delegate) == (None, None, None)
    assert parsed.action_required is False


def test_review_trailers_outside_quotes():
    text = (
        "> Acked-by: Quoted Person <q@example.com>\n"
        "Looks good.\n\n"
        "Reviewed-by: Jane Doe <jane@example.com>\n"
        "tested-by: Bob <bob@example.com>\n"
        "  Acked-by: Indented <i@example.com>\n"
        "Reported-by: Rep <rep@example.com>\n"
    )
    parsed = parse_mail(build_mail(text, subject="Re: [PATCH] x"))
    assert parsed.trailers == [
        "Reviewed-by: Jane Doe <jane@example.com>",
        "tested-by: Bob <bob@example.com>",
        "Reported-by: Rep <rep@example.com>",
    ]


def test_patch_trailers_come_from_its_commit_message():
    text = "Fix it.\n\nSigned-off-by: Jane Doe <jane@example.com>\n---\n"
    assert parse_mail(build_mail(text + ADD_LINE_DIFF)).trailers == [
        "Signed-off-by: Jane Doe <jane@example.com>"
    ]


def test_depends_on_lines():
    text = (
        "Series text.\n\n"
        "Depends-on: <20240610210907.1-ahassick@iol.unh.edu>\n"
        "Depends-on: https://patchwork.example.org/project/dev/list/?series=42\n"
        "Depends-on: <20240610210907.1-ahassick@iol.unh.edu>\n"
        'Depends-on: series-1234 ("net: fix the thing")\n'
        "> Depends-on: <quoted@example.com>\n"
    )
    parsed = parse_mail(build_mail(text, subject="[PATCH 0/2] x"))
    assert parsed.depends_on == [
        "<20240610210907.1-ahassick@iol.unh.edu>",
        "https://patchwork.example.org/project/dev/list/?series=42",
        "series-1234",
    ]


def test_depends_on_from_patchwork_series_template():
    template = corpus_file("series", "dependency-one-cover.mbox.template").read_text()
    messages = _mbox_messages_from_text(template.replace("{depends_token}", "<base@example.com>"))
    assert parse_mail(messages[0]).depends_on == ["<base@example.com>"]


# --- Header block ---------------------------------------------------------------------


def test_header_block_is_patchwork_form():
    parsed = parse_mail(read_testdata_mail("0014-with-unencoded-utf8-headers.mbox"))
    lines = parsed.headers.split("\n")
    assert "Message-Id: <1464811283-10381-1-git-send-email-zajec5@gmail.com>" in lines
    # Raw 8-bit values are re-encoded as Patchwork does, so the block stays ASCII.
    assert any(line.startswith("From: =?unknown-8bit?") for line in lines)
    assert parsed.headers.isascii()


def test_header_block_keeps_folding():
    raw = raw_mail(
        "Message-Id: <a@b>\nFrom: a@example.com\nSubject: x\n"
        "Received: from mail.example.org (mail.example.org [192.0.2.1]) by mx.example.com "
        "(Postfix) with ESMTPS id 1234567890 for <dev@example.org>; Tue, 1 Jan 2019 00:00:00 +0000"
    )
    received = parse_mail(raw).headers.split("Received: ")[1]
    assert "\n\t" in received or "\n " in received


# --- Classification -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "body", "kind"),
    [
        ("[PATCH] x", ADD_LINE_DIFF, "patch"),
        ("[PATCH 0/2] cover", "This series ...", "cover"),
        ("[PATCH 0/2] cover", "", "nothing"),
        ("Re: [PATCH 0/2] cover", "Nice series", "comment"),
        ("Re: [PATCH] x", ADD_LINE_DIFF, "comment"),
        ("[PATCH 1/2] no diff", "Forgot the diff", "comment"),
        ("Question", "How do I ...?", "comment"),
    ],
)
def test_classification(subject, body, kind):
    parsed = parse_mail(build_mail(body, subject=subject))
    kinds = {
        "patch": is_patch_candidate(parsed),
        "cover": is_cover_candidate(parsed),
        "comment": is_comment_candidate(parsed) and not is_cover_candidate(parsed),
        "nothing": not has_body(parsed),
    }
    assert [name for name, matches in kinds.items() if matches] == [kind]


# --- Patchwork's test mails -----------------------------------------------------------


def _files(folder: str, pattern: str = "*") -> list[str]:
    directory = SHARED_DIR / TESTDATA / folder
    return sorted(path.name for path in directory.glob(pattern)) if directory.exists() else []


def _mbox_messages(path: Path) -> list[bytes]:
    box = mailbox.mbox(path, create=False)
    try:
        return [box.get_bytes(key) for key in box.iterkeys()]
    finally:
        box.close()


def _mbox_messages_from_text(text: str) -> list[bytes]:
    chunks = ("\n" + text).split("\nFrom ")[1:]
    return [chunk.split("\n", 1)[1].encode() for chunk in chunks]


def _expected_kind(name: str) -> str:
    if "pull-request" in name:
        return "pull"
    if "comment" in name:
        return "comment"
    return "patch"


@pytest.mark.parametrize("name", _files("mail", "*.mbox"))
def test_every_patchwork_test_mail(name):
    parsed = parse_mail(read_testdata_mail(name))
    kind = _expected_kind(name)
    assert isinstance(parsed, ParsedMail)
    if kind == "pull":
        assert parsed.pull_url
    elif kind == "comment":
        assert parsed.diff is None
        assert parsed.content
    else:
        assert parsed.diff
        assert len(parsed.hash) == 40
    parsed.headers.encode("utf-8")  # valid text, whatever the input bytes


@pytest.mark.parametrize("name", _files("fuzz"))
def test_fuzzed_mail_parses_or_is_refused(name):
    try:
        parsed = parse_mail(corpus_file("fuzz", name).read_bytes())
    except MailParseError:
        return
    for text in (
        parsed.msgid,
        parsed.subject,
        parsed.headers,
        parsed.content or "",
        parsed.diff or "",
    ):
        text.encode("utf-8")
        assert "\x00" not in text
    assert len(parsed.msgid) <= 255
    assert len(parsed.author.email) <= 255
    assert len(parsed.author.name or "") <= 255


@pytest.mark.parametrize("name", _files("patches"))
def test_patchwork_test_patches_inline(name):
    diff = corpus_file("patches", name).read_text(encoding="utf-8")
    parsed = parse_mail(build_mail("Test for attached patch\n" + diff, charset="utf-8"))
    assert parsed.diff == diff
    assert parsed.content == "Test for attached patch"


@pytest.mark.parametrize("name", _files("series", "*.mbox"))
def test_patchwork_series_mails(name):
    for raw in _mbox_messages(corpus_file("series", name)):
        parsed = parse_mail(raw)
        info = parsed.subject_info
        if is_patch_candidate(parsed):
            assert info.series_number != 0
        if info.series_number == 0 and not info.is_reply:
            assert is_cover_candidate(parsed)


# --- The dev-list corpus --------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_list(tmp_path_factory) -> list[tuple[bytes, dict]]:
    """Every mail of corpus/dev-list.mbox.xz with its manifest entry."""
    mbox_path = shared_path("corpus", "dev-list.mbox.xz")
    manifest_path = shared_path("corpus", "dev-list.manifest.json.xz")
    plain = tmp_path_factory.mktemp("corpus") / "dev-list.mbox"
    with lzma.open(mbox_path) as compressed:
        plain.write_bytes(compressed.read())
    with lzma.open(manifest_path, "rt") as manifest_file:
        manifest = json.load(manifest_file)["mails"]
    raws = _mbox_messages(plain)
    assert len(raws) == len(manifest)
    return list(zip(raws, manifest, strict=True))


def _check_against_manifest(parsed: ParsedMail, entry: dict) -> list[str]:
    problems = []
    kind = entry["kind"]
    if parsed.msgid != entry["msgid"]:
        problems.append("msgid")
    if parsed.subject != entry["subject"]:
        problems.append("subject")
    if parsed.in_reply_to != entry["in_reply_to"]:
        problems.append("in_reply_to")
    if parsed.list_id != entry["list_id"]:
        problems.append("list_id")
    if parsed.date != datetime.datetime.fromisoformat(entry["date"]).replace(tzinfo=None):
        problems.append("date")
    if parsed.author.email.lower() != email.utils.parseaddr(entry["from"])[1].lower():
        problems.append("author")
    if bool(parsed.diff) != (kind == "patch"):
        problems.append("diff")
    if parsed.pull_url != entry.get("pull_url"):
        problems.append("pull_url")
    if kind in ("patch", "cover"):
        info = parsed.subject_info
        marker = (info.series_number, info.series_total)
        if marker == (None, None):
            marker = (1, 1)  # Patchwork's default for a patch without k/N
        if (info.version, *marker) != (entry["version"], entry["number"], entry["total"]):
            problems.append("series marker")
        if info.prefixes != tuple(p for p in entry["prefixes"] if p.lower() != "patch"):
            problems.append("prefixes")
        if kind == "cover" and not is_cover_candidate(parsed):
            problems.append("cover")
        if kind == "patch" and not is_patch_candidate(parsed):
            problems.append("patch")
    if kind == "reply" and parsed.trailers != entry["trailers"]:
        problems.append("trailers")
    return problems


def test_dev_list_corpus_matches_manifest(dev_list, settings):
    settings.TIME_ZONE = "UTC"
    started = time.perf_counter()
    parsed_mails = [parse_mail(raw) for raw, _ in dev_list]
    elapsed = time.perf_counter() - started
    mismatches = {
        entry["msgid"]: problems
        for parsed, (_, entry) in zip(parsed_mails, dev_list, strict=True)
        if (problems := _check_against_manifest(parsed, entry))
    }
    assert mismatches == {}
    print(f"parsed {len(dev_list)} mails in {elapsed:.2f}s: {len(dev_list) / elapsed:.0f}/s")
