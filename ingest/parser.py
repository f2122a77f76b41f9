"""The pure mail parser: raw bytes in, a ``ParsedMail`` out, no database involved.

``parse_mail`` reads a mail the way Patchwork's ``parse_mail`` does before it queries
anything; the ``is_*_candidate`` helpers state Patchwork's classification rules so the store
step can apply them with the database.  The pieces live in ``ingest.parsing``.
"""

import email.errors
from email.feedparser import BytesFeedParser
from email.message import Message

from ingest.message import Author, MailParseError, ParsedMail, SubjectInfo
from ingest.parsing.author import find_from_author, find_unmunged_author
from ingest.parsing.body import find_depends_on, find_trailers, patch_body, reply_body
from ingest.parsing.diff import find_filenames
from ingest.parsing.hashing import hash_diff
from ingest.parsing.headers import (
    decode_value,
    find_date,
    find_header,
    find_list_address,
    find_list_ids,
    find_msgid,
    find_references,
    header_block,
)
from ingest.parsing.pull import find_pull_url
from ingest.parsing.subject import parse_subject
from patchwork_api.limits import MAIL_MAX_MIME_DEPTH

REQUIRED_HEADERS = ("From", "Subject", "Message-Id")


def parse_mail(
    raw: bytes, *, list_id_override: str | None = None, list_email: str | None = None
) -> ParsedMail:
    """Parse one mail (RFC 5322 bytes, an mbox ``From `` line allowed first).

    ``list_id_override`` replaces the list id found in the headers (``parsemail
    --list-id``).  ``list_email`` is the project's list address when the caller knows it:
    a From rewritten to that address is traced back to the original sender, as Patchwork
    does; without it the List-Post address plays that part.

    Raises MailParseError for mail Patchwork drops before looking at it: no From, Subject or
    Message-Id header, an empty Message-Id, a Subject that cannot be decoded, or a From
    without an address.
    """
    mail = _read_message(raw)
    msgid, subject, from_author = _identity(mail)
    subject_info = parse_subject(subject)
    body = reply_body(mail) if subject_info.is_reply else patch_body(mail)
    # Patchwork stores comment text with Unix line ends (EmailMixin.save); diffs as sent.
    body.content = body.content.replace("\r\n", "\n")
    list_ids = [list_id_override] if list_id_override else find_list_ids(mail)
    in_reply_to, references = find_references(mail)
    unmunged_author = find_unmunged_author(mail, from_author)
    return ParsedMail(
        msgid=msgid,
        list_id=list_ids[0] if list_ids else None,
        subject=subject,
        subject_info=subject_info,
        author=_submitter(from_author, unmunged_author, list_email or find_list_address(mail)),
        date=find_date(mail),
        headers=header_block(mail),
        content=body.content,
        diff=body.diff,
        pull_url=None if subject_info.is_reply else find_pull_url(body.content),
        hash=hash_diff(body.diff) if body.diff else None,
        in_reply_to=in_reply_to,
        references=references,
        hint=(find_header(mail, "X-Patchwork-Hint") or "").lower() or None,
        state=find_header(mail, "X-Patchwork-State"),
        delegate=find_header(mail, "X-Patchwork-Delegate"),
        action_required="X-Patchwork-Action-Required" in mail,
        depends_on=find_depends_on(body.content),
        files=find_filenames(body.diff) if body.diff else [],
        trailers=find_trailers(body.content),
        list_ids=list_ids,
        from_author=from_author,
        unmunged_author=unmunged_author,
    )


def _read_message(raw: bytes) -> Message:
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise MailParseError("A mail must be given as bytes")
    try:
        parser = DepthLimitedParser()
        parser.feed(bytes(raw))
        return parser.close()
    except (email.errors.MessageError, ValueError, TypeError, AttributeError, IndexError) as error:
        raise MailParseError(f"Not a mail: {error}") from error


class DepthLimitedParser(BytesFeedParser):
    """``email.message_from_bytes``'s parser, opening no part deeper than the limit.

    The standard parser recurses once per nesting level, so a mail of a thousand nested
    multiparts raises RecursionError (on every delivery). A part below
    ``MAIL_MAX_MIME_DEPTH`` levels is kept as one opaque part instead: its headers say
    ``application/octet-stream``, its body is what it held, and the body parser ignores it.
    """

    def _parse_headers(self, lines: list[str]) -> None:
        super()._parse_headers(lines)
        part = self._cur
        too_deep = len(self._msgstack) > MAIL_MAX_MIME_DEPTH
        if too_deep and part.get_content_maintype() in ("multipart", "message"):
            del part["Content-Type"]
            part["Content-Type"] = "application/octet-stream"


def _identity(mail: Message) -> tuple[str, str, Author]:
    """Message-Id, decoded Subject and From sender; MailParseError when one is unusable."""
    for name in REQUIRED_HEADERS:
        if name not in mail:
            raise MailParseError(f"Missing '{name}' header")
    msgid = find_msgid(mail)
    if not msgid:
        raise MailParseError("Broken 'Message-Id' header")
    subject = decode_value(mail.get("Subject"))
    if subject is None:
        raise MailParseError("Invalid 'Subject' header")
    from_author = find_from_author(mail)
    if from_author is None:
        raise MailParseError("Invalid 'From' header")
    return msgid, subject, from_author


def _submitter(written: Author, unmunged: Author | None, list_address: str | None) -> Author:
    """The From sender, or the original sender when From is the list's own address."""
    if list_address and unmunged and written.email.lower() == list_address.lower():
        return unmunged
    return written


def has_body(parsed: ParsedMail) -> bool:
    """Whether there is anything to store: Patchwork ignores mail with neither text nor diff."""
    return bool(parsed.diff or parsed.content)


def is_patch_candidate(parsed: ParsedMail) -> bool:
    """A patch or pull request: not a reply, and a diff or a pull URL (Patchwork's rule)."""
    return not parsed.subject_info.is_reply and parsed.has_patch


def is_cover_candidate(parsed: ParsedMail) -> bool:
    """A possible cover letter: marker ``0/N``, not a reply, no diff and no pull URL.

    Patchwork then takes it as a cover letter when it has no In-Reply-To/References, or when
    no cover letter with the same name exists yet (the store step checks that); otherwise
    it is handled as a comment.
    """
    return (
        has_body(parsed)
        and not parsed.subject_info.is_reply
        and not parsed.has_patch
        and parsed.subject_info.series_number == 0
    )


def is_comment_candidate(parsed: ParsedMail) -> bool:
    """Anything else with a body; it is stored only if a referenced mail is known."""
    return has_body(parsed) and not is_patch_candidate(parsed)


__all__ = [
    "MailParseError",
    "ParsedMail",
    "SubjectInfo",
    "has_body",
    "is_comment_candidate",
    "is_cover_candidate",
    "is_patch_candidate",
    "parse_mail",
]
