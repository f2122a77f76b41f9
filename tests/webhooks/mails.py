"""Raw patch mails for the webhook and follow-inbox tests."""

DIFF = """\
diff --git a/README b/README
index 1111111..2222222 100644
--- a/README
+++ b/README
@@ -1 +1,2 @@
 hello
+line {number}
"""


def patch_mail(number: int, list_id: str, *, total: int = 1, series: str = "s") -> bytes:
    """``[PATCH k/N]`` number ``number`` of a series (threaded on patch 1)."""
    index = (number - 1) % total + 1
    subject = (
        f"[PATCH {index}/{total}] change {number}" if total > 1 else f"[PATCH] change {number}"
    )
    first = number - index + 1
    parent = f"<{series}-{first}@example.org>"
    threading = f"In-Reply-To: {parent}\nReferences: {parent}\n" if index > 1 else ""
    return (
        f"From: Dev Eloper <dev@example.org>\n"
        f"To: list@example.org\n"
        f"Subject: {subject}\n"
        f"Date: Mon, 1 Jan 2024 12:{number // 60 % 60:02d}:{number % 60:02d} +0000\n"
        f"Message-Id: <{series}-{number}@example.org>\n"
        f"List-Id: <{list_id}>\n"
        f"{threading}"
        f"Content-Type: text/plain; charset=utf-8\n"
        f"\n"
        f"Change number {number}.\n\n"
        f"Signed-off-by: Dev Eloper <dev@example.org>\n"
        f"---\n" + DIFF.format(number=number)
    ).encode()


def mbox(mails: list[bytes]) -> bytes:
    return b"".join(b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + mail + b"\n" for mail in mails)
