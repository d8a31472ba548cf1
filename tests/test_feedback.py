"""ui.feedback: messages reach st.success / st.error as text, never as markdown."""

from __future__ import annotations

import pytest

from ui.feedback import escape_markdown, rerun_scope


@pytest.mark.parametrize("text, shown", [
    ("Plan “Summit FY2026” created.", "Plan “Summit FY2026” created."),
    ("Coverage status 0 of 3: No contacts mapped.", "Coverage status 0 of 3: No contacts mapped."),
    ("Initiative #12 created.", "Initiative #12 created."),
    ("**bold** [x](javascript:alert(3))", r"\*\*bold\*\* \[x\](javascript\:alert(3))"),
    ("<script>alert(1)</script>", r"\<script>alert(1)\</script>"),
    ("# Heading", r"\# Heading"),
    ("- item\n1. first", r"\- item 1. first"),  # one line: a newline would start a block
    ("1. first", r"1\. first"),
    ("> quote", r"\> quote"),
    ("a_b | $x$ ~y~ `c`", r"a\_b \| \$x\$ \~y\~ \`c\`"),
])
def test_escape_markdown_disarms_markup_and_keeps_plain_sentences(text, shown):
    assert escape_markdown(text) == shown


def test_a_fragment_rerun_asked_for_outside_a_fragment_run_reruns_the_app():
    # Streamlit refuses st.rerun(scope="fragment") during a full run (the first view, AppTest):
    # the save then reruns the whole page rather than failing after it was written.
    assert rerun_scope("fragment") == "app"  # no script run at all here
    assert rerun_scope("app") == "app"
