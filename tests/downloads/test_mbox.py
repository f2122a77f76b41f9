"""Tests of the mbox renderer: headers, encodings, collected trailers, series selection."""

import base64
import datetime
import email
import email.policy
import email.utils

import pytest

from downloads import mbox
from tests.factories import (
    CoverCommentFactory,
    CoverFactory,
    PatchCommentFactory,
    PatchFactory,
    PersonFactory,
    ProjectFactory,
    SeriesFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def parse(text: str) -> email.message.EmailMessage:
    """A rendered mbox message, parsed as a mail reader would (headers decoded)."""
    return email.message_from_bytes(text.encode("utf-8"), policy=email.policy.default)


def header_block(text: str) -> str:
    return text.split("\n\n", 1)[0]


def body_of(text: str) -> str:
    return text.split("\n\n", 1)[1]


# Trailers.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acked-by: A <a@x>\n", ["Acked-by: A <a@x>"]),
        (
            "ok\nreviewed-BY: R <r@x>   \nTested-by: T <t@x>",
            ["reviewed-BY: R <r@x>   ", "Tested-by: T <t@x>"],
        ),
        ("> Reviewed-by: quoted <q@x>\n", []),
        (
            "Signed-off-by: S <s@x>\nNacked-by: N <n@x>\nReported-by: P <p@x>",
            [
                "Signed-off-by: S <s@x>",
                "Nacked-by: N <n@x>",
                "Reported-by: P <p@x>",
            ],
        ),
        ("Suggested-by: not collected <s@x>\n", []),
        (None, []),
    ],
)
def test_find_trailers(text, expected):
    """Trailers are Patchwork's list, at the start of a line, case-insensitive."""
    assert mbox.find_trailers(text) == expected


def test_collect_trailers_keeps_every_line_in_order_repeats_included():
    """Patchwork copies each reply's trailer lines as they are, even one already there."""
    collected = mbox.collect_trailers(
        ["Reviewed-by: A <a@x>\nAcked-by: B <b@x>", "Acked-by: B <b@x>\nTested-by: C <c@x>"]
    )
    assert collected == [
        "Reviewed-by: A <a@x>",
        "Acked-by: B <b@x>",
        "Acked-by: B <b@x>",
        "Tested-by: C <c@x>",
    ]


def test_a_trailer_the_patch_already_carries_is_added_again():
    patch = PatchFactory(content="msg\n\nSigned-off-by: S <s@x>\n", diff="")
    PatchCommentFactory(patch=patch, content="Signed-off-by: S <s@x>\n")
    assert body_of(mbox.patch_to_mbox(patch)) == (
        "msg\n\nSigned-off-by: S <s@x>\nSigned-off-by: S <s@x>\n"
    )


def test_trailers_from_comments_join_the_trailer_block():
    """Patchwork: tags from a comment follow the patch's own tags."""
    patch = PatchFactory(content="comment 1 text\nAcked-by: 1\n")
    PatchCommentFactory(patch=patch, content="comment 2 text\nAcked-by: 2\n")
    assert "Acked-by: 1\nAcked-by: 2\n" in mbox.patch_to_mbox(patch)


def test_trailers_go_before_the_postscript():
    patch = PatchFactory(content="comment 1 text\nAcked-by: 1\n---\nupdate\n", diff="")
    PatchCommentFactory(patch=patch, content="comment 2 text\nAcked-by: 2\n")
    assert "Acked-by: 1\nAcked-by: 2\n---\nupdate\n" in mbox.patch_to_mbox(patch)


def test_trailers_follow_plain_text_without_a_blank_line():
    """Patchwork places trailers right after the commit message, with no blank line."""
    patch = PatchFactory(content="Fix the frobnicator.\n")
    PatchCommentFactory(patch=patch, content="Nice.\n\nReviewed-by: R <r@example.org>\n")
    body = body_of(mbox.patch_to_mbox(patch))
    assert body.startswith("Fix the frobnicator.\nReviewed-by: R <r@example.org>\n\ndiff --git")


def test_trailers_without_description():
    """Patchwork bug 516: trailers are added when the patch has no description."""
    patch = PatchFactory(
        content="---\n manual/string.texi | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)"
    )
    PatchCommentFactory(patch=patch, content="Acked-by: 2\n")
    assert (
        "Acked-by: 2\n---\n manual/string.texi | 2 +-\n"
        " 1 file changed, 1 insertion(+), 1 deletion(-)\n"
    ) in mbox.patch_to_mbox(patch)


def test_postscript_is_unchanged():
    """Patchwork: the part after '---' is kept as it was, with no extra blank line."""
    content = "some comment\n---\n some/file | 1 +\n"
    rendered = mbox.patch_to_mbox(PatchFactory(content=content, diff=""))
    assert content in rendered
    assert content + "\n" not in rendered


def test_utf8_nbsp_in_trailers():
    patch = PatchFactory(content="patch text\n")
    PatchCommentFactory(patch=patch, content="comment\nAcked-by:\u00a0 foo")
    assert "\u00a0 foo\n" in mbox.patch_to_mbox(patch)


def test_explicit_trailers_replace_the_comment_lookup(django_assert_num_queries):
    patch = PatchFactory(content="msg\n\nSigned-off-by: S <s@x>\n")
    PatchCommentFactory(patch=patch, content="Acked-by: ignored <i@x>\n")
    patch = type(patch).objects.select_related("project", "submitter").get(pk=patch.pk)
    with django_assert_num_queries(0):
        rendered = mbox.patch_to_mbox(patch, trailers=["Tested-by: T <t@x>"])
    assert "Signed-off-by: S <s@x>\nTested-by: T <t@x>\n" in rendered
    assert "ignored" not in rendered


# Headers.


def test_starts_with_a_from_line_and_patchwork_headers():
    delegate = UserFactory(email="maintainer@example.org")
    patch = PatchFactory(delegate=delegate)
    rendered = mbox.patch_to_mbox(patch)
    assert rendered.startswith(f"From patchwork {patch.date.ctime()}\n")
    mail = parse(rendered)
    assert mail["X-Patchwork-Id"] == str(patch.id)
    assert mail["X-Patchwork-Delegate"] == "maintainer@example.org"
    assert mail["X-Patchwork-Submitter"] == f"{patch.submitter.name} <{patch.submitter.email}>"
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"


def test_no_delegate_header_without_delegate():
    assert "X-Patchwork-Delegate" not in mbox.patch_to_mbox(PatchFactory())


@pytest.mark.parametrize(
    "header",
    [
        "Cc: CC Person <cc@example.com>",
        "To: To Person <to@example.com>",
        "Date: Fri, 7 Jun 2013 15:42:54 +1000",
        "From: John Doe <john@doe.com>",
        "MIME-Version: 1.0",
        "X-Patchwork-Delegate: someone@example.org",
        "Subject: trailing spaces kept   ",
        "List-Id: Patchwork development <patchwork.lists.ozlabs.org>",
        "In-Reply-To: <cover@example.org>",
        "References: <cover@example.org>",
        "Subject: [PATCH v2 3/7] net: fix the thing",
    ],
)
def test_original_headers_pass_through(header):
    block = header_block(mbox.patch_to_mbox(PatchFactory(headers=header + "\n")))
    assert f"\n{header}\n" in block + "\n"


def test_headers_are_copied_in_their_stored_order_after_patchworks():
    patch = PatchFactory(headers="Subject: s\nMIME-Version: 1.0\nFrom: F <f@x>\nDate: d\n")
    lines = header_block(mbox.patch_to_mbox(patch)).split("\n")
    assert lines[1:4] == [
        'Content-Type: text/plain; charset="utf-8"',
        "MIME-Version: 1.0",
        "Content-Transfer-Encoding: 7bit",
    ]
    assert lines[4].startswith("X-Patchwork-Submitter: ")
    assert lines[5] == f"X-Patchwork-Id: {patch.id}"
    assert lines[6:] == ["Subject: s", "MIME-Version: 1.0", "From: F <f@x>", "Date: d"]


@pytest.mark.parametrize(
    "header",
    [
        "Content-Transfer-Encoding: quoted-printable",
        "Content-Type: multipart/signed",
    ],
)
def test_headers_set_by_the_renderer_are_not_copied(header):
    assert header not in mbox.patch_to_mbox(PatchFactory(headers=header + "\n"))


def test_folded_headers_stay_folded():
    headers = "References: <a@example.org>\n <b@example.org>\nSubject: x\n"
    block = header_block(mbox.patch_to_mbox(PatchFactory(headers=headers)))
    assert "\nReferences: <a@example.org>\n <b@example.org>\n" in block


def test_the_mails_own_mime_version_follows_the_generated_one():
    """Patchwork replaces Content-Type and Content-Transfer-Encoding, not MIME-Version."""
    headers = "MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-8859-1\n"
    block = header_block(mbox.patch_to_mbox(PatchFactory(headers=headers)))
    assert block.count("MIME-Version: 1.0\n") == 2
    assert block.count("Content-Type:") == 1
    assert 'Content-Type: text/plain; charset="utf-8"' in block


def test_only_exactly_named_content_headers_are_replaced():
    """Patchwork compares header names as stored: ``Content-type`` is copied."""
    block = header_block(mbox.patch_to_mbox(PatchFactory(headers="Content-type: text/x\n")))
    assert "\nContent-type: text/x" in block


def test_long_headers_are_refolded_at_78_characters():
    references = " ".join(f"<message-{number}@example.org>" for number in range(6))
    block = header_block(mbox.patch_to_mbox(PatchFactory(headers=f"References: {references}\n")))
    assert "\nReferences: <message-0@example.org> <message-1@example.org>\n <message-2@" in block


def test_only_a_missing_date_is_added_in_utc():
    person = PersonFactory(name="Jane Doe", email="jane@example.org")
    patch = PatchFactory(
        headers="", submitter=person, date=datetime.datetime(2018, 3, 13, 18, 30, 40)
    )
    block = header_block(mbox.patch_to_mbox(patch))
    assert block.endswith("\nDate: Tue, 13 Mar 2018 18:30:40 -0000")
    assert "\nFrom:" not in block
    assert "\nSubject:" not in block
    assert block.startswith("From patchwork Tue Mar 13 18:30:40 2018\n")


def test_supplied_date_header_is_kept():
    patch = PatchFactory(headers="Date: Tue, 02 Jan 2024 10:00:00 +0300\n")
    assert parse(mbox.patch_to_mbox(patch))["Date"] == "Tue, 02 Jan 2024 10:00:00 +0300"


def test_dmarc_munged_from_is_replaced_by_the_submitter():
    """Patchwork: a From of the list address is the submitter's, the original kept aside."""
    project = ProjectFactory(listemail="list@example.com")
    person = PersonFactory(name="Person", email="person@example.com")
    patch = PatchFactory(
        project=project, submitter=person, headers="From: Person via List <list@example.com>\n"
    )
    mail = parse(mbox.patch_to_mbox(patch))
    assert mail["From"] == "Person <person@example.com>"
    assert mail["X-Patchwork-Original-From"] == "Person via List <list@example.com>"


def test_header_values_cannot_inject_headers():
    person = PersonFactory(name="Evil\nX-Injected: yes", email="evil@example.org")
    patch = PatchFactory(submitter=person, headers="", name="name\nX-Other: 1")
    block = header_block(mbox.patch_to_mbox(patch))
    assert "\nX-Injected" not in block
    assert "\nX-Other" not in block


# Non-ASCII text.

NON_ASCII_HEADERS = (
    "From: Zoë Ångström <zoe@example.org>\n"
    "To: Ведущий разработчик <lead@example.org>, plain@example.org\n"
    "Subject: [PATCH] café: gérer les «guillemets» correctement\n"
)


@pytest.mark.parametrize(
    "stored_headers",
    [
        pytest.param(NON_ASCII_HEADERS, id="decoded"),
        pytest.param(
            "From: =?utf-8?q?Zo=C3=AB_=C3=85ngstr=C3=B6m?= <zoe@example.org>\n"
            "To: =?utf-8?b?0JLQtdC00YPRidC40Lkg0YDQsNC30YDQsNCx0L7RgtGH0LjQug==?="
            " <lead@example.org>, plain@example.org\n"
            "Subject: =?utf-8?q?=5BPATCH=5D_caf=C3=A9=3A_g=C3=A9rer_les_=C2=ABguillemets?=\n"
            " =?utf-8?q?=C2=BB_correctement?=\n",
            id="encoded",
        ),
    ],
)
def test_non_ascii_headers_are_rfc2047_encoded(stored_headers):
    person = PersonFactory(name="Zoë Ångström", email="zoe@example.org")
    patch = PatchFactory(submitter=person, headers=stored_headers)
    rendered = mbox.patch_to_mbox(patch)
    assert header_block(rendered).isascii()
    mail = parse(rendered)
    assert mail["From"] == "Zoë Ångström <zoe@example.org>"
    assert mail["X-Patchwork-Submitter"] == "Zoë Ångström <zoe@example.org>"
    assert mail["Subject"] == "[PATCH] café: gérer les «guillemets» correctement"
    assert [address.addr_spec for address in mail["To"].addresses] == [
        "lead@example.org",
        "plain@example.org",
    ]
    assert mail["To"].addresses[0].display_name == "Ведущий разработчик"


def test_non_ascii_address_is_encoded_whole():
    """An address that is itself non-ASCII is encoded with its name, not a 500."""
    patch = PatchFactory(headers="From: Zoë <zoë@exämple.org>\n")
    rendered = mbox.patch_to_mbox(patch)
    assert header_block(rendered).isascii()
    assert (
        str(
            email.header.make_header(
                email.header.decode_header(email.message_from_string(rendered)["From"])
            )
        )
        == "Zoë <zoë@exämple.org>"
    )


def test_non_ascii_body_is_8bit_utf8():
    patch = PatchFactory(content="Corrige l'été.\n\nSigned-off-by: Zoë <z@x.org>\n")
    rendered = mbox.patch_to_mbox(patch)
    mail = parse(rendered)
    assert mail["Content-Transfer-Encoding"] == "8bit"
    assert "Corrige l'été." in mail.get_content()


def test_ascii_body_is_7bit():
    assert parse(mbox.patch_to_mbox(PatchFactory()))["Content-Transfer-Encoding"] == "7bit"


def test_lone_surrogates_do_not_break_rendering():
    patch = PatchFactory.build(id=1, content="bad \udcff byte\n", headers="Subject: x\udcff\n")
    rendered = mbox.patch_to_mbox(patch, trailers=[])
    assert "bad ? byte" in rendered.encode("utf-8").decode("utf-8")


# Body layout.


def test_from_lines_in_the_body_are_not_escaped():
    """Patchwork writes the body as it is: git am keeps the commit message unchanged."""
    patch = PatchFactory(content="From the start\nthe text.\nFrom here\n", diff="")
    assert body_of(mbox.patch_to_mbox(patch)) == "From the start\nthe text.\nFrom here\n"


def test_body_is_message_then_diff():
    patch = PatchFactory(content="Subject line body.\n\nSigned-off-by: S <s@x>\n")
    body = body_of(mbox.patch_to_mbox(patch))
    assert body == f"Subject line body.\n\nSigned-off-by: S <s@x>\n\n{patch.diff}"


def test_diff_is_appended_as_stored():
    assert mbox.build_body("msg", [], "diff --git a/x b/x\n+x") == "msg\n\ndiff --git a/x b/x\n+x"


def test_cover_mbox_has_no_delegate_and_collects_trailers():
    cover = CoverFactory(content="The series.\n")
    CoverCommentFactory(cover=cover, content="For the series:\nAcked-by: A <a@x>\n")
    rendered = mbox.cover_to_mbox(cover)
    mail = parse(rendered)
    assert mail["X-Patchwork-Id"] == str(cover.id)
    assert "X-Patchwork-Delegate" not in rendered
    assert body_of(rendered) == "The series.\nAcked-by: A <a@x>\n"


def test_several_patches_are_separated_by_a_blank_line():
    first, second = PatchFactory(), PatchFactory()
    text = mbox.patches_to_mbox([first, second])
    assert text.count("\nFrom patchwork ") == 1
    assert f"\n\nFrom patchwork {second.date.ctime()}\n" in text


# Series selection and dependencies.


def _series_with_patches(count: int = 3, **series_kwargs):
    series = SeriesFactory(**series_kwargs)
    patches = [
        PatchFactory(
            series=series,
            project=series.project,
            number=number,
            name=f"[PATCH {number}/{count}] p{number}",
        )
        for number in range(1, count + 1)
    ]
    return series, patches


@pytest.mark.parametrize("value", ["*", "SERIES_ID", "SERIES_ID_INT"])
def test_series_patch_mbox_prepends_earlier_patches(value):
    series, (first, second, third) = _series_with_patches()
    selection = {"*": "*", "SERIES_ID": str(series.id), "SERIES_ID_INT": series.id}[value]
    text = mbox.series_patch_to_mbox(second, selection)
    assert text.count("From patchwork ") == 2
    assert text.index(f"X-Patchwork-Id: {first.id}\n") < text.index(
        f"X-Patchwork-Id: {second.id}\n"
    )
    assert f"X-Patchwork-Id: {third.id}\n" not in text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Expected integer series value or *. Received: 'abc'"),
        ("OTHER", "Patch does not belong to series"),
    ],
)
def test_series_selection_errors(value, message):
    series, (first, *_) = _series_with_patches(2)
    if value == "OTHER":
        value = str(series.id + 1000)
    with pytest.raises(mbox.SeriesSelectionError, match=message.replace("*", r"\*")):
        mbox.series_patch_to_mbox(first, value)


def test_series_selection_without_series():
    with pytest.raises(mbox.SeriesSelectionError, match="does not have an associated series"):
        mbox.series_patch_to_mbox(PatchFactory(series=None), "*")


@pytest.mark.parametrize("show_dependencies", [True, False])
def test_series_selection_leaves_out_the_series_it_depends_on(show_dependencies):
    """Patchwork 644cef7c's ``?series=`` gives the series' earlier patches only."""
    project = ProjectFactory(show_dependencies=show_dependencies)
    base, base_patches = _series_with_patches(2, project=project)
    series, (first, second) = _series_with_patches(2, project=project)
    series.dependencies.add(base)
    text = mbox.series_patch_to_mbox(second, "*")
    ids = [line.split(": ")[1] for line in text.splitlines() if line.startswith("X-Patchwork-Id")]
    assert ids == [str(first.id), str(second.id)]
    assert not {str(patch.id) for patch in base_patches} & set(ids)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("[PATCH v2 1/3] net: fix the thing", "PATCH-v2-1-3-net-fix-the-thing"),
        ("[RFC] café «x»", "RFC-caf-x"),
        ("a.b_c-d", "a.b_c-d"),
    ],
)
def test_patch_filename(name, expected):
    assert mbox.patch_filename(PatchFactory.build(name=name, id=7)) == expected


def test_patch_filename_of_a_name_with_no_safe_character_is_empty():
    """Patchwork's file name is then ``.patch`` (patch 1476 of its test data has no name)."""
    assert mbox.patch_filename(PatchFactory.build(name="«»", id=7)) == ""


def test_unknown_8bit_encoded_words_are_reencoded_as_utf8():
    """Raw 8-bit header text is stored as ``unknown-8bit`` words, which git refuses."""
    latin1_subject = (
        "=?unknown-8bit?b?" + base64.b64encode("[PATCH] été".encode("latin-1")).decode()
    )
    utf8_from = "=?unknown-8bit?b?" + base64.b64encode("Zoë".encode()).decode() + "?= <z@x.org>"
    patch = PatchFactory(headers=f"Subject: {latin1_subject}?=\nFrom: {utf8_from}\n")
    rendered = mbox.patch_to_mbox(patch)
    assert "unknown-8bit" not in rendered
    mail = parse(rendered)
    assert mail["Subject"] == "[PATCH] été"
    assert mail["From"] == "Zoë <z@x.org>"


def test_control_characters_from_encoded_words_are_dropped():
    nul_date = "=?unknown-8bit?b?" + base64.b64encode(b"Mon, 1 Jan 2024\x00 \xff").decode() + "?="
    rendered = mbox.patch_to_mbox(PatchFactory(headers=f"Date: {nul_date}\n"))
    assert "\x00" not in rendered
    assert "=00" not in header_block(rendered)
