"""Two sessions edit the same record: the second save is refused (StaleEdit naming what changed), never silent.

Each form keeps the version it was opened with in session state; a save is
`UPDATE … WHERE id = ? AND version = ?` with a row-count check (planning.audit.saved_one).
"""

from __future__ import annotations

import pytest

from planning import objectives, plans, stakeholders, users, whitespace
from planning.errors import StaleEdit

PAGE = "pages/plan.py"


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def unkeyed(elements, label: str):
    return next(e for e in elements if e.label == label and not e.key)


@pytest.fixture
def plan_id(app_test):
    return app_test.db.value("SELECT id FROM plan WHERE name = 'Summit Logistics FY2026'")


def two_sessions(app_test, plan_id, tab: str):
    """Two people on the same plan with the same tab open (only the open tab renders)."""
    return [app_test(PAGE, query={"plan": str(plan_id), "tab": tab}) for _ in range(2)]


def test_a_concurrent_rename_is_not_overwritten_by_the_plan_fields_form(app_test, plan_id):
    target = float(plans.get_plan(app_test.db, plan_id)["sales_target"])
    first, second = two_sessions(app_test, plan_id, "Plan & strategy")
    unkeyed(first.text_input, "Name").input("Summit FY2026 (renamed)")
    button(first, "Save plan").click().run()
    assert [s.value for s in first.success] == ["Plan saved."]
    second.run()  # any rerun (a click elsewhere) must not refresh the version the form was opened with
    unkeyed(second.number_input, "Sales target").set_value(999_000.0)
    button(second, "Save plan").click().run()
    assert not second.success
    assert second.error[0].value.startswith("Someone saved this plan after you opened it (changed: name).")
    plan = plans.get_plan(app_test.db, plan_id)
    assert (plan["name"], float(plan["sales_target"])) == ("Summit FY2026 (renamed)", target)


def test_a_concurrent_strategy_edit_is_not_overwritten(app_test, plan_id):
    first, second = two_sessions(app_test, plan_id, "Plan & strategy")
    unkeyed(first.text_area, "Vision").input("First vision")
    button(first, "Save strategy").click().run()
    unkeyed(second.text_area, "Goals").input("Second goals")
    button(second, "Save strategy").click().run()
    assert "changed: vision" in second.error[0].value
    assert plans.get_plan(app_test.db, plan_id)["vision"] == "First vision"
    assert plans.get_plan(app_test.db, plan_id)["goals"] != "Second goals"


def objective_status(at, objective_id: int):
    """The status box of the objective form (keyed by objective and version, so it opens on the real status)."""
    return next(s for s in at.selectbox if s.key and s.key.startswith(f"edit_objective_status_{objective_id}_"))


def test_the_second_objective_save_is_refused_not_silently_applied(app_test, plan_id):
    first, second = two_sessions(app_test, plan_id, "Objectives & actions")
    chosen = first.selectbox(key="edit_objective_id").value
    current = app_test.db.value("SELECT status FROM objective WHERE id = ?", [chosen])
    mine, theirs = [s for s in ("Achieved", "Deferred", "Cancelled") if s != current][:2]
    objective_status(first, chosen).select(mine)
    button(first, "Save objective").click().run()
    assert [s.value for s in first.success] == ["Objective saved."]
    second.run()  # a rerun must not pick up the new version
    objective_status(second, chosen).select(theirs)
    button(second, "Save objective").click().run()
    assert not second.success
    assert "(changed: status)" in second.error[0].value
    assert app_test.db.value("SELECT status FROM objective WHERE id = ?", [chosen]) == mine


# The domain functions themselves, for every versioned entity: a save made against an old version
# is refused even when the caller skips the page (a second process, a script).

def test_every_versioned_save_refuses_an_old_version(demo_db):
    ada = users.find_user(demo_db, "Ada Admin")
    plan_id = demo_db.value("SELECT id FROM plan WHERE name = 'Summit Logistics FY2026'")
    old_plan = plans.get_plan(demo_db, plan_id)
    plans.update_plan(demo_db, ada, plan_id, {"vision": "one"}, loaded=old_plan)
    with pytest.raises(StaleEdit, match=r"changed: vision"):
        plans.update_plan(demo_db, ada, plan_id, {"goals": "two"}, loaded=old_plan)

    objective = demo_db.one("SELECT id, version FROM objective WHERE plan_id = ? ORDER BY id LIMIT 1", [plan_id])
    objectives.update_objective(demo_db, ada, objective["id"], objective["version"], {"outcome": "one"})
    with pytest.raises(StaleEdit, match="outcome"):
        objectives.update_objective(demo_db, ada, objective["id"], objective["version"], {"outcome": "two"})

    holder = demo_db.one("SELECT id, version FROM stakeholder WHERE plan_id = ? ORDER BY id LIMIT 1", [plan_id])
    stakeholders.update_stakeholder(demo_db, ada, holder["id"], holder["version"], {"note": "one"})
    with pytest.raises(StaleEdit):
        stakeholders.update_stakeholder(demo_db, ada, holder["id"], holder["version"], {"note": "two"})

    cell = whitespace.plan_matrix(demo_db, plan_id).iloc[0]
    unit = None if cell["business_unit_id"] != cell["business_unit_id"] else int(cell["business_unit_id"])
    version = int(cell["version"])
    whitespace.set_cell(demo_db, ada, plan_id, unit, int(cell["product_id"]), "Not a Fit / Blocked", note="one",
                        expected_version=version)
    with pytest.raises(StaleEdit):
        whitespace.set_cell(demo_db, ada, plan_id, unit, int(cell["product_id"]), "Competitor", competitor="X",
                            expected_version=version)

    priya = users.user_record(demo_db, users.find_user(demo_db, "Priya Nair")["id"])
    users.update_user(demo_db, ada, priya, region="North")
    with pytest.raises(StaleEdit):
        users.update_user(demo_db, ada, priya, region="South")


def test_the_database_refuses_an_update_whose_version_moved_even_past_the_check(demo_db, monkeypatch):
    # The version compare and the UPDATE are one unit of work; saved_one is what the database says.
    ada = users.find_user(demo_db, "Ada Admin")
    plan_id = demo_db.value("SELECT id FROM plan WHERE name = 'Summit Logistics FY2026'")
    loaded = plans.get_plan(demo_db, plan_id)
    real = plans._plan_row

    def moved_on(con, pid):
        row = real(con, pid)
        con.execute("UPDATE plan SET version = version + 1 WHERE id = ?", [pid])  # another writer, just now
        return row

    monkeypatch.setattr(plans, "_plan_row", moved_on)
    with pytest.raises(StaleEdit, match="Someone saved this plan after you opened it. Reload it"):
        plans.update_plan(demo_db, ada, plan_id, {"goals": "mine"}, loaded=loaded)


def test_the_second_action_status_save_is_refused(app_test, plan_id):
    first, second = two_sessions(app_test, plan_id, "Objectives & actions")
    chosen = first.selectbox(key="action_pick").value
    current = app_test.db.value("SELECT status FROM action WHERE id = ?", [chosen])
    mine, theirs = [s for s in ("Done", "Cancelled", "In Progress") if s != current][:2]
    first.selectbox(key="action_status_value").select(mine)
    button(first, "Save action").click().run()
    assert [s.value for s in first.success] == ["Action saved."]
    second.run()
    second.selectbox(key="action_status_value").select(theirs)
    button(second, "Save action").click().run()
    assert not second.success
    assert "(changed: status, now" in second.error[0].value
    assert app_test.db.value("SELECT status FROM action WHERE id = ?", [chosen]) == mine


def test_the_second_contact_save_is_refused(app_test):
    plan_id = app_test.db.value("SELECT id FROM plan WHERE name = 'Tidewater Foods FY2026'")
    first, second = [app_test("pages/stakeholders.py", query={"plan": str(plan_id), "stakeholders_change": "Add or edit contact"})
                     for _ in range(2)]
    chosen = first.selectbox(key="edit_contact_pick").value
    first.text_input(key=f"c{chosen}_title").input("Chief Everything Officer")
    button(first, "Save contact").click().run()
    second.run()
    second.text_input(key=f"c{chosen}_department").input("Somewhere Else")
    button(second, "Save contact").click().run()
    assert "(changed: title)" in second.error[0].value
    row = app_test.db.one("SELECT title, department FROM contact WHERE id = ?", [chosen])
    assert row["title"] == "Chief Everything Officer" and row["department"] != "Somewhere Else"


def test_the_second_stakeholder_save_is_refused(app_test):
    plan_id = app_test.db.value("SELECT id FROM plan WHERE name = 'Tidewater Foods FY2026'")
    first, second = [app_test("pages/stakeholders.py", query={"plan": str(plan_id)}) for _ in range(2)]
    chosen = first.selectbox(key="stakeholder_pick").value
    first.text_area(key=f"sh{chosen}_note").input("Met at the QBR")
    button(first, "Save stakeholder").click().run()
    assert any(s.value.endswith("note.") for s in first.success)
    second.run()  # a rerun keeps the version the form was opened with
    second.text_area(key=f"sh{chosen}_note").input("Never met")
    button(second, "Save stakeholder").click().run()
    assert not second.success
    assert second.error and "note" in second.error[0].value
    assert app_test.db.value("SELECT note FROM stakeholder WHERE id = ?", [chosen]) == "Met at the QBR"


def test_the_second_whitespace_cell_save_is_refused(app_test, plan_id):
    first, second = [app_test("pages/whitespace.py", query={"plan": str(plan_id)}) for _ in range(2)]
    unit, product = first.selectbox(key="ws_unit").value, first.selectbox(key="ws_product").value
    note_key = next(t.key for t in first.text_area if t.key.startswith("ws_note_"))
    first.text_area(key=note_key).input("Budget frozen until Q3")
    first.selectbox(key=note_key.replace("ws_note_", "ws_status_")).select("Not a Fit / Blocked")
    button(first, "Save cell").click().run()
    assert first.success and first.success[0].value.startswith("Saved ")
    second.run()
    second.text_area(key=note_key).input("They want it now")
    second.selectbox(key=note_key.replace("ws_note_", "ws_status_")).select("Not a Fit / Blocked")
    button(second, "Save cell").click().run()
    assert not second.success
    assert second.error and "saved this cell after you opened it (changed: note" in second.error[0].value
    unit_match = "business_unit_id IS NULL" if unit == 0 else f"business_unit_id = {int(unit)}"
    saved = app_test.db.value(f"SELECT note FROM whitespace_cell WHERE plan_id = ? AND product_id = ? AND {unit_match}",
                              [plan_id, product])
    assert saved == "Budget frozen until Q3"


def test_the_second_user_save_is_refused(app_test):
    first, second = [app_test("pages/admin.py") for _ in range(2)]
    priya = app_test.db.value("SELECT id FROM app_user WHERE name = 'Priya Nair'")
    for at in (first, second):
        at.selectbox(key="admin_edit_user").select(priya).run()
    first.text_input(key=f"edit_region_{priya}").input("North")
    button(first, "Save user").click().run()
    assert [s.value for s in first.success] == ["Saved Priya Nair."]
    second.run()
    second.text_input(key=f"edit_region_{priya}").input("South")
    button(second, "Save user").click().run()
    assert not second.success
    assert second.error and "region" in second.error[0].value
    assert app_test.db.value("SELECT region FROM app_user WHERE id = ?", [priya]) == "North"


def test_the_second_business_unit_rename_is_refused(app_test):
    plan_id = app_test.db.value("SELECT min(p.id) FROM plan p JOIN business_unit b ON b.account_id = p.account_id")
    first, second = [app_test("pages/whitespace.py", query={"plan": str(plan_id), "whitespace_tab": "Business units"})
                     for _ in range(2)]
    unit = first.selectbox(key="ws_unit_rename_id").value
    original = app_test.db.value("SELECT name FROM business_unit WHERE id = ?", [unit])
    first.text_input(key="ws_unit_rename_name").input("Renamed by the first")
    button(first, "Rename").click().run()
    assert [s.value for s in first.success] == ["Renamed."]
    second.text_input(key="ws_unit_rename_name").input("Renamed by the second")
    button(second, "Rename").click().run()
    assert not second.success
    assert second.error[0].value.startswith(f"Someone renamed '{original}' to 'Renamed by the first'")
    assert app_test.db.value("SELECT name FROM business_unit WHERE id = ?", [unit]) == "Renamed by the first"
