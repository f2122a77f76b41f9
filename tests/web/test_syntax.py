"""Diff and mail colouring: lines classified, every character of the mail escaped."""

from web.syntax import highlight_diff, highlight_message


def test_diff_lines_get_classes():
    html = highlight_diff(
        "diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n"
        "@@ -1,2 +1,2 @@ int main()\n ctx\n-old\n+new\n\\ No newline at end of file"
    )
    assert html.splitlines() == [
        '<span class="diff-header">diff --git a/x b/x</span>',
        '<span class="diff-header">index 1..2 100644</span>',
        '<span class="diff-header">--- a/x</span>',
        '<span class="diff-header">+++ b/x</span>',
        '<span class="diff-hunk">@@ -1,2 +1,2 @@</span>'
        '<span class="diff-function"> int main()</span>',
        " ctx",
        '<span class="diff-del">-old</span>',
        '<span class="diff-add">+new</span>',
        "\\ No newline at end of file",
    ]


def test_diff_markup_is_escaped():
    assert highlight_diff("+<b>&</b>") == '<span class="diff-add">+&lt;b&gt;&amp;&lt;/b&gt;</span>'
    assert highlight_diff(None) == ""


def test_message_quotes_trailers_and_links():
    html = highlight_message(
        "> quoted <x>\nReviewed-by: A <a@b.org>\nsee <https://example.org/a?b=1&c=2>, ok."
    )
    assert html.splitlines() == [
        '<span class="quote">&gt; quoted &lt;x&gt;</span>',
        '<span class="trailer">Reviewed-by: A &lt;a@b.org&gt;</span>',
        'see &lt;<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener">'
        "https://example.org/a?b=1&amp;c=2</a>&gt;, ok.",
    ]


def test_only_web_links_become_links():
    assert "<a" not in highlight_message("javascript:alert(1) ftp://x data:text/html,x")
    html = highlight_message('https://x.org/"onmouseover="alert(1)')
    assert 'href="https://x.org/"' in html
    assert "onmouseover=" in html
    assert '"onmouseover' not in html
