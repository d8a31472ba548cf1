"""Hostile text: markup and SQL in names and comments are stored verbatim and shown as plain text.

Values always travel as bound parameters (see test_sql_parameters.py), so `'); DROP TABLE plan; --`
is just a name; pages render people's text with st.text, widgets and tables, never as HTML
(st.markdown(..., unsafe_allow_html=True) only ever shows our own band badge).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from planning import (
    contacts,
    objectives,
    plan_content,
    plans,
    stakeholders,
    users,
    whitespace,
)
from planning.db.backup import table_fingerprints
from planning.errors import InvalidInput
from tests.conftest import ROOT
from ui.scorecard_charts import band_badge

PLAN = 3  # the demo's Summit Logistics FY2026 plan
SCRIPT = "<script>alert(1)</script>"
DROP = "'); DROP TABLE plan; --"
HOSTILE = [SCRIPT, DROP, '<img src=x onerror="alert(2)">', "Robert\"); DELETE FROM comment; --", "**bold** [x](javascript:alert(3))"]


@pytest.fixture
def owner(demo_db) -> dict:
    return users.get_user(demo_db, demo_db.value("SELECT owner_id FROM plan WHERE id = ?", [PLAN]))


def test_hostile_text_is_stored_exactly_everywhere_a_person_types(demo_db, owner):
    plan_count = demo_db.value("SELECT count(*) FROM plan")
    for text in HOSTILE:
        comment = plan_content.add_comment(demo_db, owner, PLAN, text)
        contact = contacts.add_contact(demo_db, owner, PLAN, text, title=text)
        objective = objectives.create_objective(demo_db, owner, PLAN, name=text)
        assert demo_db.value("SELECT body FROM comment WHERE id = ?", [comment]) == text
        assert contacts.get_contact(demo_db, contact)["name"] == text
        assert contacts.get_contact(demo_db, contact)["title"] == text
        assert demo_db.value("SELECT name FROM objective WHERE id = ?", [objective]) == text
        plans.update_plan(demo_db, owner, PLAN, {"vision": text}, loaded=plans.get_plan(demo_db, PLAN))
        assert plans.get_plan(demo_db, PLAN)["vision"] == text
    whitespace.set_cell(demo_db, owner, PLAN, 2, 2, "Not a Fit / Blocked", note=DROP)
    assert demo_db.value("SELECT note FROM whitespace_cell WHERE plan_id = ? AND business_unit_id = 2 AND product_id = 2",
                         [PLAN]) == DROP
    assert demo_db.value("SELECT count(*) FROM plan") == plan_count
    assert list(plan_content.list_comments(demo_db, PLAN)["body"][:len(HOSTILE)]) == HOSTILE[::-1]


FIELD = "name) VALUES ('x'); DROP TABLE plan; --"


@pytest.mark.parametrize("write, message", [
    (lambda db, u: objectives.create_objective(db, u, PLAN, **{FIELD: "x"}), f"Objectives have no field {FIELD}."),
    (lambda db, u: objectives.update_objective(db, u, 9, 1, {FIELD: "x"}), f"Objectives have no field {FIELD}."),
    (lambda db, u: plan_content.add_initiative(db, u, PLAN, name="x", **{FIELD: "x"}), f"Initiatives have no field {FIELD}."),
    (lambda db, u: stakeholders.add_stakeholder(db, u, PLAN, 2, **{FIELD: "x"}), f"Stakeholders have no field {FIELD}."),
    (lambda db, u: stakeholders.update_stakeholder(db, u, 3, 1, {FIELD: "x"}), f"Stakeholders have no field {FIELD}."),
    (lambda db, u: plans.update_plan(db, u, PLAN, {FIELD: "x"}, loaded=plans.get_plan(db, PLAN)),
     f"These plan fields cannot be edited here: {FIELD}."),
])
def test_a_hostile_field_name_is_refused_and_nothing_changes(demo_db, owner, write, message):
    with demo_db.connect() as con:
        before = table_fingerprints(con)
    with pytest.raises(InvalidInput) as refused:
        write(demo_db, owner)
    assert str(refused.value) == message
    with demo_db.connect() as con:
        assert table_fingerprints(con) == before


def _open(app_test, page: str, user: str, tab: str | None = None, tab_key: str = "tab"):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["current_user_name"] = user
    at.query_params["plan"] = str(PLAN)
    if tab:
        at.query_params[tab_key] = tab  # only the open tab renders
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _no_html_carries(at, text: str) -> None:
    assert [m.value for m in at.markdown if m.allow_html and text in m.value] == []


def test_plan_page_shows_hostile_comments_and_fields_as_plain_text(app_test, owner):
    db = app_test.db
    for text in HOSTILE:
        plan_content.add_comment(db, owner, PLAN, text)
    plans.update_plan(db, owner, PLAN, {"vision": SCRIPT, "strategy": DROP}, loaded=plans.get_plan(db, PLAN))

    at = _open(app_test, "pages/plan.py", owner["name"], tab="Discussion & files")
    shown = [t.value for t in at.text]
    assert all(text in shown for text in HOSTILE)
    for text in HOSTILE:
        _no_html_carries(at, text)

    at.query_params["tab"] = "Plan & strategy"
    at.run()
    areas = {a.label: a.value for a in at.text_area}
    assert (areas["Vision"], areas["Strategy"]) == (SCRIPT, DROP)
    for text in HOSTILE:
        _no_html_carries(at, text)


def test_stakeholders_page_shows_a_hostile_contact_name_as_plain_text(app_test, owner):
    db = app_test.db
    contact = contacts.add_contact(db, owner, PLAN, SCRIPT, title=DROP)
    stakeholders.add_stakeholder(db, owner, PLAN, contact, buying_role="Champion")

    at = _open(app_test, "pages/stakeholders.py", owner["name"], tab="Table", tab_key="stakeholders_view")

    table = at.dataframe[0].value
    row = table[table["name"] == SCRIPT]
    assert list(row["title"]) == [DROP]
    graph = at.get("component_instance")[0].proto.json_args
    assert "alert(1)" in graph  # a canvas label and a text tooltip (vis-network sets innerText)
    _no_html_carries(at, SCRIPT)


def _html_calls(path: Path) -> list[str]:
    """Source of every call that renders HTML: unsafe_allow_html=True, st.html, components.html."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        unsafe = any(k.arg == "unsafe_allow_html" and not (isinstance(k.value, ast.Constant) and not k.value.value)
                     for k in node.keywords)
        named = isinstance(node.func, ast.Attribute) and node.func.attr == "html"
        if unsafe or named:
            found.append(ast.unparse(node))
    return found


def test_html_is_rendered_only_from_our_own_band_badge():
    sources = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
    calls = [call for path in sources for call in _html_calls(path)]
    assert calls == ["st.markdown(band_badge(card['band']), unsafe_allow_html=True)"]


@pytest.mark.parametrize("band, text", [("Healthy", ">Healthy<"), ("At risk", ">At risk<"), (SCRIPT, ">Not scored<"),
                                        (None, ">Not scored<")])
def test_band_badge_shows_only_band_names(band, text):
    html = band_badge(band)
    assert text in html
    assert "script" not in html


@pytest.mark.e2e
def test_in_chromium_a_script_comment_is_shown_as_text_and_never_runs(app_server, page):
    db = app_server.db
    owner = users.get_user(db, db.value("SELECT owner_id FROM plan WHERE id = ?", [PLAN]))
    marker = f"{SCRIPT} <img src=x onerror=\"alert(2)\"> e2e"
    plan_content.add_comment(db, owner, PLAN, marker)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{app_server.url}/plan?plan={PLAN}")
    page.get_by_role("tab", name="Discussion & files").click(timeout=60_000)
    page.get_by_text(marker, exact=True).wait_for()

    assert page.evaluate("() => window.document.querySelectorAll('img[src=x]').length") == 0
    assert dialogs == []
