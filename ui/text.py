"""People's text on the page: the one escaping helper for every Markdown-rendering element.

st.markdown, st.caption, st.info/warning/error/success, st.subheader, expander, tab, button and
widget labels all render Markdown: `[x](http://…)` becomes a live link, `![x](http://…)` makes
the browser fetch an image, `:red[…]` and `:material/…:` are Streamlit directives, and a bare
`www.x.com`, `http://x` or `a@b.com` is linked. Every string a person (or a CRM file, or a file name) supplied goes
through `md()` before it joins our own Markdown; a PlanningError message is user text too,
because it quotes names: `st.error(md(exc))`.
"""

from __future__ import annotations

import re

# What Markdown and Streamlit give a meaning to, escaped only where it has one, so everyday text
# (names, "(rep)", "AT&T", "Q4.") reads the same in the page source as on the screen:
# emphasis, code, links, images, HTML/autolinks, tables, strikethrough and LaTeX always, a heading's
# leading `#`, `:` when it can start a directive or emoji (`:red[`, `:material/x:`), and `&` when
# it spells an entity.
_ALWAYS = re.compile(r"([\\`*_\[\]<|~$]|^\s*#)")
_CONTEXT = re.compile(r"(:(?=\S)|&(?=#?\w+;))")
# GFM's bare-link finder runs on the text *after* escapes are resolved, so `http\://x`, `www\.x`
# and `a\@b.c` are still linked (seen in Chromium). An invisible WORD JOINER (U+2060) after
# `http`/`https`/`www` and before `@` breaks its patterns; the text reads the same.
WORD_JOINER = "\u2060"
_BARE_LINK = re.compile(r"(?i)(https?(?=:)|www(?=\.))|(?=@)")
# A list item or quote at the very start ("- x", "+ x", "> x", "1. x") would render as a block.
_LEADING_MARK = re.compile(r"^(\s*)([-+>])|^(\s*\d+)([.)])")


def md(value: object) -> str:
    """`value` as Markdown that displays exactly as the text (no link, image, emphasis, directive)."""
    text = "" if value is None else str(value)
    # Newlines would start headings, lists or tables on the next line: show them as spaces.
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    text = _ALWAYS.sub(r"\\\1", text)
    text = _BARE_LINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, text)
    text = _LEADING_MARK.sub(lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}", text)
    return _CONTEXT.sub(r"\\\1", text)
