"""People's text on the page: the one escaping helper for every Markdown-rendering element.

st.markdown, st.caption, st.info/warning/error/success, st.subheader, expander, tab, button and
widget labels all render Markdown: `[x](http://…)` becomes a live link, `![x](http://…)` makes
the browser fetch an image, `:red[…]` and `:material/…:` are Streamlit directives, and a bare
`www.x.com` is linked. Every string a person (or a CRM file, or a file name) supplied goes
through `md()` before it joins our own Markdown; a PlanningError message is user text too,
because it quotes names: `st.error(md(exc))`.
"""

from __future__ import annotations

import re

# What Markdown and Streamlit give a meaning to, escaped only where it has one, so everyday text
# (names, "(rep)", "AT&T", "Q4.") reads the same in the page source as on the screen:
# emphasis, code, links, images, HTML/autolinks, tables, strikethrough and LaTeX always, a heading's
# leading `#`;
# `:` when it can start a directive, emoji or URL scheme (`:red[`, `:material/x:`, `http://`);
# `@` (bare e-mail autolinks); `www.` (bare web autolinks); `&` when it spells an entity.
_ALWAYS = re.compile(r"([\\`*_\[\]<|~$]|^\s*#)")
_CONTEXT = re.compile(r"(:(?=\S)|@|(?<![\w.])(?i:www)\.|&(?=#?\w+;))")


def md(value: object) -> str:
    """`value` as Markdown that displays exactly as the text (no link, image, emphasis, directive)."""
    text = "" if value is None else str(value)
    # Newlines would start headings, lists or tables on the next line: show them as spaces.
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    text = _ALWAYS.sub(r"\\\1", text)
    return _CONTEXT.sub(lambda m: "\\" + m.group(0) if m.group(0)[0] in ":@&" else m.group(0)[:-1] + "\\.", text)
