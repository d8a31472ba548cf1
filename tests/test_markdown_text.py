"""ui.text.md: people's text joins our Markdown as text — no link, image, emphasis or directive."""

from __future__ import annotations

import pytest

from ui.text import WORD_JOINER as WJ
from ui.text import md


@pytest.mark.parametrize("text, markdown", [
    ("Priya Nair", "Priya Nair"),
    ("Tom (rep) · AT&T Q4. plan", "Tom (rep) · AT&T Q4. plan"),
    ("[Session expired](http://evil.invalid)", f"\\[Session expired\\](http{WJ}\\://evil.invalid)"),
    ("![x](https://evil.invalid/p.png)", f"!\\[x\\](https{WJ}\\://evil.invalid/p.png)"),
    ("see www.evil.invalid", f"see www{WJ}.evil.invalid"),
    ("ada@example.com", f"ada{WJ}@example.com"),
    (":red[alarm] :material/home:", "\\:red\\[alarm\\] \\:material/home:"),
    ("**bold** _it_ `code` ~~gone~~ $x$ a|b", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~gone\\~\\~ \\$x\\$ a\\|b"),
    ("# Heading", "\\# Heading"),
    ("Initiative #24", "Initiative #24"),
    ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)>"),
    ("&lt;b&gt;", "\\&lt;b\\&gt;"),
    ("line one\n# line two\n\n- three", "line one # line two - three"),
    (None, ""),
])
def test_md_escapes_only_what_markdown_would_interpret(text, markdown):
    assert md(text) == markdown
