"""The Whitespace page under AppTest: heatmap, totals, editing a cell, initiatives, business units."""

from __future__ import annotations

import json

import pytest

from planning import whitespace
from planning.formatting import money


@pytest.fixture
def opened(app_test, monkeypatch):
    """The page on the first current whole-account plan with business units, signed in as its owner."""
    import ui.context
    from planning import users

    db = app_test.db
    plan = db.one(
        "SELECT p.id, p.owner_id FROM plan p"
        " WHERE p.name LIKE '%FY2026' AND p.business_unit_id IS NULL"
        " AND EXISTS (SELECT 1 FROM business_unit b WHERE b.account_id = p.account_id) ORDER BY p.id LIMIT 1"
    )
    # The page asks ui.context who is signed in (the sidebar picker does not render after switch_page).
    monkeypatch.setattr(ui.context, "current_user", lambda: users.get_user(db, plan["owner_id"]))
    at = app_test("pages/whitespace.py", query={"plan": str(plan["id"])})
    assert at.selectbox(key="plan_picker").value == plan["id"]
    return at, db, plan


def widget(elements, prefix: str):
    found = [w for w in elements if w.key and w.key.startswith(prefix)]
    assert len(found) == 1, [w.key for w in elements]
    return found[0]


def open_cell(at, matrix, status: str):
    cell = matrix[matrix["status"] == status].iloc[0]
    unit = 0 if cell["business_unit_id"] != cell["business_unit_id"] else int(cell["business_unit_id"])
    at.selectbox(key="ws_unit").select(unit).run()
    at.selectbox(key="ws_product").select(int(cell["product_id"])).run()
    return cell


def test_page_draws_the_heatmap_with_status_colours_and_plan_totals(opened):
    at, db, plan = opened
    assert not at.exception
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["facet"]["column"]["field"] == "family"
    rect, text = spec["spec"]["layer"]
    assert rect["mark"]["type"] == "rect" and text["mark"]["type"] == "text"
    assert rect["encoding"]["color"]["scale"]["range"] == ["#2e7d32", "#1976d2", "#f9a825", "#c62828", "#455a64", "#e0e0e0"]
    assert "deals" in [t["field"] for t in rect["encoding"]["tooltip"]]
    assert [m.label for m in at.metric] == ["Sold", "In progress", "Open whitespace", "Competitor-held"]
    totals = whitespace.whitespace_totals(db, [plan["id"]]).iloc[0]
    assert at.metric[0].value == money(totals['sold'], short=True) == f"${totals['sold'] / 1_000_000:.2f}M"


def test_editing_a_cell_through_the_form_persists_it(opened):
    at, db, plan = opened
    cell = open_cell(at, whitespace.plan_matrix(db, plan["id"]), "Sold")
    widget(at.selectbox, "ws_status_").select("Competitor")
    widget(at.text_input, "ws_competitor_").input("Rivalsoft")
    widget(at.number_input, "ws_estimate_").set_value(123_000)
    at.button(key="FormSubmitter:ws_form-Save cell").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [f"Saved {cell['product']} for {cell['business_unit']}."]
    saved = whitespace.plan_matrix(db, plan["id"]).query(
        "product_id == @cell.product_id and business_unit == @cell.business_unit").iloc[0]
    assert (saved["status"], saved["manual"], saved["derived_status"]) == ("Competitor", True, "Sold")
    assert (saved["competitor"], saved["value"], saved["version"]) == ("Rivalsoft", 123_000.0, cell["version"] + 1)
    # The form reloaded with the saved version: a second save is not stale.
    widget(at.text_area, "ws_note_").input("Three-year contract")
    at.button(key="FormSubmitter:ws_form-Save cell").click().run()
    assert not at.error, [e.value for e in at.error]
    assert db.value("SELECT note FROM whitespace_cell WHERE id = ?", [int(saved["cell_id"])]) == "Three-year contract"


def test_a_refused_save_shows_the_reason_and_writes_nothing(opened):
    at, db, plan = opened
    before = db.value("SELECT count(*) FROM whitespace_cell")
    open_cell(at, whitespace.plan_matrix(db, plan["id"]), "Sold")
    widget(at.selectbox, "ws_status_").select("Not a Fit / Blocked")
    at.button(key="FormSubmitter:ws_form-Save cell").click().run()
    assert [e.value for e in at.error] == ["A Not a Fit / Blocked cell needs a reason: say why in the note."]
    assert db.value("SELECT count(*) FROM whitespace_cell") == before


def test_create_initiative_from_an_open_cell(opened):
    at, db, plan = opened
    matrix = whitespace.plan_matrix(db, plan["id"])
    cell = open_cell(at, matrix[matrix["initiative_id"].isna()], "Open")
    at.button(key="ws_initiative").click().run()
    assert not at.exception
    row = db.one("SELECT name, estimated_value::DOUBLE AS value FROM initiative WHERE plan_id = ? ORDER BY id DESC LIMIT 1",
                 [plan["id"]])
    assert row == {"name": f"{cell['product']} for {cell['business_unit']}", "value": round(cell["value"], 2)}
    assert at.success[0].value.startswith("Initiative #")


def test_business_units_can_be_added_on_the_page(opened):
    at, db, plan = opened
    assert "ws_unit_new_name" not in [w.key for w in at.text_input]  # the hidden tab's form is not built
    at.session_state["whitespace_tab"] = "Business units"  # as a click on the tab: only the open tab renders
    at.run()
    at.text_input(key="ws_unit_new_name").input("Procurement")
    at.button(key="FormSubmitter:ws_unit_add-Add business unit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "Procurement" in set(whitespace.plan_matrix(db, plan["id"])["business_unit"])
    assert at.success[0].value == "Added Procurement."


def test_someone_outside_the_plan_is_refused_on_the_page(app_test, monkeypatch):
    import ui.context
    from planning import users

    db = app_test.db
    plan_id = db.value("SELECT min(id) FROM plan WHERE name LIKE '%FY2026'")
    outsider = db.value(
        "SELECT id FROM app_user WHERE role = 'rep' AND id NOT IN (SELECT user_id FROM team_member WHERE plan_id = ?)"
        " ORDER BY name LIMIT 1", [plan_id])
    monkeypatch.setattr(ui.context, "current_user", lambda: users.get_user(db, outsider))
    at = app_test("pages/whitespace.py", query={"plan": str(plan_id)})
    before = db.value("SELECT count(*) FROM whitespace_cell")
    widget(at.selectbox, "ws_status_").select("Unknown")
    at.button(key="FormSubmitter:ws_form-Save cell").click().run()
    assert "cannot change plan" in at.error[0].value
    assert db.value("SELECT count(*) FROM whitespace_cell") == before


def test_whitespace_value_caption_reads_as_money(opened):
    at, db, plan = opened
    summary = whitespace.summarise(whitespace.plan_matrix(db, plan["id"]))
    caption = next(c.value for c in at.caption if c.value.startswith("Whitespace value"))
    assert caption.startswith(f"Whitespace value {money(summary['whitespace_value'])}, of which "
                              f"{money(summary['peer_estimated_value'])} from peer estimates")
