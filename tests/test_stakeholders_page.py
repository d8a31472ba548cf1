"""The Stakeholders page under AppTest (graph component, alerts, forms that persist) and the CLI."""

from __future__ import annotations

import json

import pytest

from planning import cli, stakeholders, users

PAGE = "pages/stakeholders.py"


def plan_id(db, name: str) -> int:
    return db.value("SELECT id FROM plan WHERE name = ?", [name])


def first_stakeholder(db, plan: int) -> dict:
    """The stakeholder the edit form opens on: first by name, as the page lists them."""
    return db.one(
        "SELECT s.id, s.contact_id, c.name, s.support, s.version FROM stakeholder s JOIN contact c ON c.id = s.contact_id"
        " WHERE s.plan_id = ? ORDER BY c.name, s.id LIMIT 1", [plan])


def graph_args(at) -> tuple[dict, dict]:
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    return json.loads(args["data"]), json.loads(args["config"])


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.fixture
def summit(app_test):
    """Tidewater Foods FY2026: eight stakeholders, key players none supportive, a champion never contacted."""
    return plan_id(app_test.db, "Tidewater Foods FY2026")


def test_page_draws_the_graph_with_alerts_and_coverage(app_test, summit):
    at = app_test(PAGE, query={"plan": str(summit)})
    assert not at.exception
    data, config = graph_args(at)
    mapped = app_test.db.value("SELECT count(*) FROM stakeholder WHERE plan_id = ?", [summit])
    covering = app_test.db.value("SELECT count(DISTINCT covered_by_user_id) FROM stakeholder WHERE plan_id = ?", [summit])
    assert sum(n["shape"] == "dot" for n in data["nodes"]) == mapped
    assert sum(n["shape"] == "box" for n in data["nodes"]) == covering
    assert any(e["dashes"] is False for e in data["edges"])  # reports-to lines
    assert config["layout"]["hierarchical"]["enabled"] is False
    assert [w.value for w in at.warning][0] == "Coverage status 2 of 3: Key players mapped, none supportive."
    assert "No supportive key player: none of the 2 key players is a Mentor or Supporter." in [w.value for w in at.warning]
    assert "Champion Alice Jensen not contacted in 90 days (no contact recorded)." in [w.value for w in at.warning]
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]  # the legend and the heat map
    heat_map = next(spec for spec in specs if "Relationship strength" in json.dumps(spec))
    dots = next(layer for layer in heat_map["layer"] if layer.get("mark", {}).get("type") == "circle")
    assert dots["encoding"]["y"]["field"] == "influence"
    assert dots["encoding"]["color"]["field"] == "support"
    assert dots["encoding"]["color"]["scale"]["range"][:2] == ["#1b5e20", "#66bb6a"]


def test_org_chart_layout_and_department_filter(app_test):
    plan = plan_id(app_test.db, "Lumen Health FY2026")
    at = app_test(PAGE, query={"plan": str(plan)})
    all_nodes = [n for n in graph_args(at)[0]["nodes"] if n["shape"] == "dot"]
    at.radio(key="graph_layout").set_value("Org chart").run()
    at.multiselect(key="graph_departments").set_value(["IT"]).run()
    data, config = graph_args(at)
    assert config["layout"]["hierarchical"]["enabled"] is True
    assert config["layout"]["hierarchical"]["sortMethod"] == "directed"
    it_people = app_test.db.value(
        "SELECT count(*) FROM stakeholder s JOIN contact c ON c.id = s.contact_id WHERE s.plan_id = ? AND c.department = 'IT'", [plan])
    assert 0 < sum(n["shape"] == "dot" for n in data["nodes"]) == it_people < len(all_nodes)


def test_saving_an_edited_stakeholder_persists_and_bumps_the_version(app_test, summit):
    at = app_test(PAGE, query={"plan": str(summit)})
    target = first_stakeholder(app_test.db, summit)
    assert at.selectbox(key="stakeholder_pick").value == target["id"]
    at.selectbox(key=f"sh{target['id']}_support").set_value("Supporter")
    at.selectbox(key=f"sh{target['id']}_influence").set_value(5)
    button(at, "Save stakeholder").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [], [e.value for e in at.error]
    saved = app_test.db.one("SELECT support, influence, version FROM stakeholder WHERE id = ?", [target["id"]])
    assert saved == {"support": "Supporter", "influence": 5, "version": target["version"] + 1}
    assert [s.value for s in at.success][0].startswith(f"Saved {target['name']}: ")


def test_clicking_a_node_opens_that_stakeholders_edit_form(app_test, summit, monkeypatch):
    import ui.stakeholders_graph

    last = app_test.db.one(
        "SELECT s.id, s.contact_id FROM stakeholder s JOIN contact c ON c.id = s.contact_id WHERE s.plan_id = ?"
        " ORDER BY c.name DESC LIMIT 1", [summit])
    monkeypatch.setattr(ui.stakeholders_graph, "agraph", lambda nodes, edges, config: f"contact-{last['contact_id']}")
    at = app_test(PAGE, query={"plan": str(summit)})
    assert at.selectbox(key="stakeholder_pick").value == last["id"]
    assert at.selectbox(key=f"sh{last['id']}_support") is not None


def test_a_save_after_someone_elses_is_refused_with_what_changed(app_test, summit):
    at = app_test(PAGE, query={"plan": str(summit)})
    target = first_stakeholder(app_test.db, summit)
    other = "Neutral" if target["support"] != "Neutral" else "Supporter"
    colleague = users.find_user(app_test.db, "Ada Admin")
    stakeholders.update_stakeholder(app_test.db, colleague, target["id"], target["version"], {"note": "met at the fair"})
    at.selectbox(key=f"sh{target['id']}_support").set_value(other)
    button(at, "Save stakeholder").click().run()
    assert [e.value for e in at.error][-1] == (
        f"Someone else saved {target['name']}'s stakeholder record after you opened it (changed: note). "
        "Reload to see their version, then make your change again.")
    assert app_test.db.value("SELECT support FROM stakeholder WHERE id = ?", [target["id"]]) == target["support"]
    button(at, "Reload their version").click().run()
    assert not at.error or "Someone else saved" not in at.error[-1].value
    at.selectbox(key=f"sh{target['id']}_support").set_value(other)
    button(at, "Save stakeholder").click().run()
    assert app_test.db.one("SELECT support, version FROM stakeholder WHERE id = ?", [target["id"]]) == {
        "support": other, "version": target["version"] + 2}


def test_a_user_outside_the_plan_is_refused(app_test, summit, monkeypatch):
    import ui.context

    outsider = app_test.db.value(
        "SELECT id FROM app_user u WHERE role = 'rep' AND id NOT IN (SELECT user_id FROM team_member WHERE plan_id = ?)"
        " AND id <> (SELECT owner_id FROM plan WHERE id = ?) ORDER BY name LIMIT 1", [summit, summit])
    # The page asks ui.context who is signed in; pretend it is a rep from another team.
    monkeypatch.setattr(ui.context, "current_user", lambda: users.get_user(app_test.db, outsider))
    at = app_test(PAGE, query={"plan": str(summit)})
    target = first_stakeholder(app_test.db, summit)
    at.selectbox(key=f"sh{target['id']}_support").set_value("Mentor")
    button(at, "Save stakeholder").click().run()
    assert "cannot change plan" in at.error[-1].value
    assert app_test.db.value("SELECT version FROM stakeholder WHERE id = ?", [target["id"]]) == target["version"]


def test_add_contact_then_map_them_and_link_influence(app_test):
    plan = plan_id(app_test.db, "Trident Chemicals H2 2026 push")  # nothing mapped yet
    at = app_test(PAGE, query={"plan": str(plan)})
    assert at.info[0].value == "No stakeholders mapped on this plan yet — add contacts of the account below."
    assert at.error[0].value == "Coverage status 0 of 3: No contacts mapped."
    at.session_state["stakeholders_change"] = "Add or edit contact"  # as a click on the tab
    at.run()
    at.text_input(key="new_contact_name").set_value("Nora New")
    at.text_input(key="new_contact_title").set_value("Head of Data")
    button(at, "Add contact").click().run()
    nora = app_test.db.one("SELECT c.id FROM contact c JOIN plan p ON p.account_id = c.account_id WHERE p.id = ? AND c.name = 'Nora New'", [plan])
    assert nora is not None
    boss = app_test.db.value("SELECT c.id FROM contact c JOIN plan p ON p.account_id = c.account_id WHERE p.id = ? AND c.reports_to_id IS NULL"
                             " AND c.name <> 'Nora New' LIMIT 1", [plan])
    at.session_state["stakeholders_change"] = "Add stakeholder"
    at.run()
    for contact, role in [(nora["id"], "Champion"), (boss, "Economic Buyer")]:
        at.selectbox(key="add_contact_pick").set_value(contact)
        at.selectbox(key="add_role").set_value(role)
        at.selectbox(key="add_support").set_value("Supporter")
        button(at, "Add to the map").click().run()
        assert not at.error or "Coverage" in at.error[0].value
    mapped = app_test.db.rows("SELECT contact_id, buying_role FROM stakeholder WHERE plan_id = ? ORDER BY buying_role", [plan])
    assert mapped == [{"contact_id": nora["id"], "buying_role": "Champion"}, {"contact_id": boss, "buying_role": "Economic Buyer"}]
    at.session_state["stakeholders_change"] = "Influence link"
    at.run()
    at.selectbox(key="influence_from").set_value(boss)
    at.selectbox(key="influence_to").set_value(nora["id"])
    at.text_input(key="influence_note").set_value("mentors her")
    button(at, "Add influence link").click().run()
    assert app_test.db.rows("SELECT from_contact_id, to_contact_id, note FROM influence_link WHERE plan_id = ?", [plan]) == [
        {"from_contact_id": boss, "to_contact_id": nora["id"], "note": "mentors her"}]
    data, _ = graph_args(at)
    assert [e["dashes"] for e in data["edges"]] == [True]


def test_cli_prints_nodes_edges_coverage_and_alerts_as_json(demo_db, capsys):
    plan = plan_id(demo_db, "Tidewater Foods FY2026")
    assert cli.main(["--db", demo_db.target, "stakeholders", "--plan", str(plan), "--today", "2026-11-15", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["nodes", "edges", "coverage_status", "alerts"]
    assert out["coverage_status"] == 2
    assert out["alerts"][0] == "No supportive key player: none of the 2 key players is a Mentor or Supporter."
    mapped = demo_db.value("SELECT count(*) FROM stakeholder WHERE plan_id = ?", [plan])
    assert sum(n["id"].startswith("contact-") for n in out["nodes"]) == mapped


def test_cli_refuses_an_unknown_plan_in_one_line(demo_db, capsys):
    assert cli.main(["--db", demo_db.target, "stakeholders", "--plan", "9999"]) == 1
    assert capsys.readouterr().err == "planning: There is no plan with id 9999.\n"
