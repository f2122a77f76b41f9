"""Hypothesis strategies for hostile list mail: what a spammer, a broken mailer or an
attacker sends to a list that Patchwork reads.

A mail is built from parts that each go wrong in their own way: Message-IDs (missing,
empty, unbracketed, huge, non-ASCII), subjects (series markers and versions with numbers
no column holds, digits of other scripts, encoded words in unknown charsets), senders,
threading headers (long References, loops), Patchwork's hints, bodies (diffs with absurd
hunk counts, truncated diffs, pull requests, NULs and undecodable bytes), transfer
encodings and charsets that lie, MIME nested deeply, and CRLF or LF line ends.
"""

import base64
import quopri

from hypothesis import strategies as st

LIST_ID = "fuzz.example.org"
# Numbers as they appear in subjects and hunk headers: small, at column limits, beyond
# them, thousands of digits, and digits Python converts or refuses.
NUMBERS = st.one_of(
    st.integers(0, 40).map(str),
    st.sampled_from(["32767", "32768", "2147483647", "2147483648", "9223372036854775808"]),
    st.integers(1, 6000).map(lambda length: "9" * length),
    st.sampled_from(["²", "①", "٣", "١٢", "\U0001d7d7", "0x10", "-1", "+3", "1_000", ""]),
)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=60)
WORDS = st.text(alphabet="abcdefghij -_./:;<>@[](){}", min_size=0, max_size=40)
CHARSETS = st.sampled_from(
    [
        "utf-8",
        "us-ascii",
        "iso-8859-1",
        "windows-1252",
        "utf-16",
        "utf-7",
        "x-unknown",
        "koi8-r",
        "shift_jis",
        "",
        "utf-8\x00",
    ]
)


@st.composite
def message_ids(draw) -> str:
    kind = draw(st.sampled_from(["normal", "normal", "normal", "bare", "odd", "empty", "huge"]))
    serial = draw(st.integers(0, 10**9))
    if kind == "normal":
        return f"<fuzz-{serial}@example.org>"
    if kind == "bare":
        return f"fuzz-{serial}@example.org"
    if kind == "empty":
        return draw(st.sampled_from(["", "<>", " ", "<"]))
    if kind == "huge":
        return f"<{'x' * draw(st.integers(200, 5000))}@example.org>"
    return f"<{draw(TEXT)}-{serial}@{draw(WORDS)}>"


@st.composite
def subjects(draw) -> str:
    prefixes = draw(
        st.lists(
            st.one_of(
                st.just("PATCH"),
                st.just("RFC"),
                st.builds(lambda n: f"v{n}", NUMBERS),
                st.builds(lambda k, n: f"{k}/{n}", NUMBERS, NUMBERS),
                st.builds(lambda k, n: f"{k} of {n}", NUMBERS, NUMBERS),
                WORDS,
            ),
            max_size=5,
        )
    )
    reply = draw(st.sampled_from(["", "", "Re: ", "RE: re: ", "Fwd: "]))
    brackets = (
        "".join(f"[{prefix}]" for prefix in prefixes)
        if draw(st.booleans())
        else (f"[{' '.join(prefixes)}]" if prefixes else "")
    )
    return f"{reply}{brackets} {draw(TEXT)}"


def encoded_word(text: str, charset: str) -> str:
    """``text`` as an RFC 2047 encoded word, in a charset that may not be able to hold it
    (then its UTF-8 bytes are sent under that charset's name, as broken mailers do)."""
    try:
        data = text.encode(charset or "utf-8")
    except (LookupError, UnicodeError, ValueError):
        data = text.encode("utf-8", "surrogatepass")
    return f"=?{charset}?b?{base64.b64encode(data).decode()}?="


@st.composite
def header_values(draw, text: str) -> str:
    style = draw(st.sampled_from(["plain", "plain", "encoded", "folded"]))
    if style == "encoded":
        return encoded_word(text, draw(CHARSETS))
    if style == "folded":
        return "\n ".join(text[index : index + 20] for index in range(0, len(text), 20)) or text
    return text


@st.composite
def diffs(draw) -> str:
    kind = draw(st.sampled_from(["valid", "valid", "counts", "truncated", "binary", "none"]))
    if kind == "none":
        return ""
    path = draw(st.sampled_from(["README", "a b/c.txt", "../../etc/passwd", "ünï.c", ""]))
    header = f"diff --git a/{path} b/{path}\nindex 1111111..2222222 100644\n"
    header += f"--- a/{path}\n+++ b/{path}\n"
    if kind == "valid":
        return header + "@@ -1 +1,2 @@\n hello\n+world\n"
    if kind == "counts":
        old, new = draw(NUMBERS), draw(NUMBERS)
        return header + f"@@ -{old},{old} +{new},{new} @@\n+x\n-y\n z\n"
    if kind == "binary":
        return header.replace("index", "new file mode 100644\nindex") + (
            "GIT binary patch\nliteral 5\nMcmZ?b0ssIY00000\n\nliteral 0\nHcmV?d00001\n"
        )
    return header + "@@ -1,3 +1,3 @@\n"


@st.composite
def bodies(draw) -> str:
    parts = [draw(TEXT), draw(st.sampled_from(["", "\nSigned-off-by: A <a@example.org>\n"]))]
    if draw(st.booleans()):
        depends = draw(
            st.lists(
                st.one_of(
                    message_ids(),
                    NUMBERS.map(lambda n: f"https://patchwork.example.org/series/{n}/"),
                ),
                max_size=3,
            )
        )
        parts += [f"Depends-on: {value}" for value in depends]
    if draw(st.integers(0, 5)) == 0:
        parts.append(
            "The following changes since commit 1234567890abcdef:\n\n  x\n\n"
            "are available in the Git repository at:\n\n"
            f"  https://git.example.org/{draw(WORDS)}.git {draw(WORDS)}\n\nfor you\n"
        )
    parts.append("---\n" + draw(diffs()))
    if draw(st.integers(0, 8)) == 0:
        parts.append("\x00" * draw(st.integers(1, 10)))
    return "\n".join(parts)


def _mime_leaf(body: str, charset: str, encoding: str) -> tuple[str, bytes]:
    data = body.encode("utf-8", "surrogatepass")
    if encoding == "base64":
        payload = base64.encodebytes(data)
    elif encoding == "quoted-printable":
        payload = quopri.encodestring(data)
    elif encoding == "garbage":
        payload = b"=ZZ=\xff\xfe" + data
    else:
        payload = data
    headers = f'Content-Type: text/plain; charset="{charset}"\n'
    if encoding:
        headers += f"Content-Transfer-Encoding: {encoding}\n"
    return headers, payload


@st.composite
def mails(draw, msgid: str | None = None) -> bytes:
    """One raw mail."""
    msgid = msgid if msgid is not None else draw(message_ids())
    headers = [
        ("Message-Id", msgid),
        ("Subject", draw(header_values(draw(subjects())))),
        (
            "From",
            draw(
                header_values(
                    draw(
                        st.sampled_from(
                            [
                                "Alice Example <alice@example.org>",
                                "bob@example.org",
                                "<>",
                                "",
                                "Ünïcode <u@x.y>",
                                '"quoted, name" <q@example.org>',
                                "no address",
                                "a@b, c@d",
                            ]
                        )
                    )
                )
            ),
        ),
        (
            "Date",
            draw(
                st.sampled_from(
                    [
                        "Mon, 1 Jan 2024 10:00:00 +0000",
                        "",
                        "yesterday",
                        "Mon, 1 Jan 0001 00:00:00 +2400",
                        "Fri, 31 Dec 9999 23:59:59 -2400",
                        "1 Jan 2024 25:61:61 +0000",
                    ]
                )
            ),
        ),
        (
            "List-Id",
            draw(st.sampled_from([f"<{LIST_ID}>", f"Fuzz <{LIST_ID}>", "<other.list>", ""])),
        ),
    ]
    for name in ("In-Reply-To", "References"):
        if draw(st.booleans()):
            ids = draw(st.lists(message_ids(), max_size=draw(st.sampled_from([3, 3, 300]))))
            headers.append((name, " ".join(ids)))
    for name, values in (
        ("X-Patchwork-Hint", ["ignore", "IGNORE", "", "x"]),
        ("X-Patchwork-State", ["accepted", "nonexistent", "Under Review", "\x00", ""]),
        ("X-Patchwork-Delegate", ["carol@example.org", "nobody@example.org", "", "²"]),
        ("X-Patchwork-Action-Required", [""]),
    ):
        if draw(st.integers(0, 4)) == 0:
            headers.append((name, draw(st.sampled_from(values))))
    if draw(st.integers(0, 6)) == 0:
        extra = draw(st.integers(1, 3000))
        headers += [(f"X-Extra-{index}", "v") for index in range(extra)]
    charset = draw(CHARSETS)
    encoding = draw(st.sampled_from(["", "", "8bit", "base64", "quoted-printable", "garbage"]))
    body = draw(bodies())
    depth = draw(st.sampled_from([0, 0, 0, 1, 2, 60]))
    line_end = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    if depth == 0:
        leaf_headers, payload = _mime_leaf(body, charset, encoding)
        head = "".join(f"{name}: {value}\n" for name, value in headers) + leaf_headers
        raw = head.encode("utf-8", "surrogatepass") + b"\n" + payload
    else:
        raw = _multipart(headers, body, charset, encoding, depth)
    if draw(st.integers(0, 10)) == 0:  # undecodable bytes anywhere
        position = draw(st.integers(0, len(raw)))
        raw = raw[:position] + b"\xff\xfe\x80\x00" + raw[position:]
    if line_end == "\r\n":
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return raw


def _multipart(
    headers: list[tuple[str, str]], body: str, charset: str, encoding: str, depth: int
) -> bytes:
    leaf_headers, payload = _mime_leaf(body, charset, encoding)
    inner = leaf_headers.encode() + b"\n" + payload
    for level in range(depth):
        boundary = f"b{level}"
        inner = (
            f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n--{boundary}\n'.encode()
            + inner
            + f"\n--{boundary}--\n".encode()
        )
    head = "".join(f"{name}: {value}\n" for name, value in headers) + "MIME-Version: 1.0\n"
    return head.encode("utf-8", "surrogatepass") + inner
