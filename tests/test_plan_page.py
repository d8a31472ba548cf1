"""Plan page under AppTest: create through the form, deep links, charts, every form persists."""

from __future__ import annotations

import json

import pytest

from planning import forecast, kpis, plans
from planning.formatting import money, percent
from tests.conftest import ROOT

PAGE = "pages/plan.py"


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def widget(elements, label: str):
    return next(e for e in elements if e.label == label)


def current_plan(db, name: str) -> int:
    return db.value("SELECT id FROM plan WHERE name = ?", [name])


@pytest.fixture
def summit(app_test):
    """The demo's FY2026 plan of a chain that has a parent (FY2025)."""
    return app_test.db.value(
        "SELECT c.id FROM plan c JOIN plan p ON p.id = c.parent_plan_id WHERE c.name LIKE '%FY2026' ORDER BY c.id LIMIT 1"
    )


def open_as(user: str, query: dict | None = None, opened: tuple[str, ...] = ()):
    """The Plan page signed in as `user` (the sidebar picker keeps its value only when set before the first run)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["current_user_name"] = user
    for key in opened:  # lazy expanders (ui.widgets.lazy_expander), opened as a click would
        at.session_state[key] = True
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert at.session_state["current_user"]["name"] == user
    return at


def open_plan(app_test, plan_id: int, user: str | None = None, tab: str | None = None, opened: tuple[str, ...] = ()):
    """The Plan page on `plan_id`, with `tab` open (?tab=…): only the open tab renders."""
    query = {"plan": str(plan_id), **({"tab": tab} if tab else {})}
    at = open_as(user, query, opened) if user else app_test(PAGE, query=query, opened=opened)
    assert not at.exception, at.exception
    return at


def test_create_a_plan_through_the_form_and_see_its_kpis(app_test):
    at = app_test(PAGE)
    assert not [s for s in at.selectbox if s.key == "new_account"]  # closed: the form is not built at all
    at.session_state["new_plan_open"] = True  # what a click on "New plan" does
    at.run()
    account = app_test.db.one("SELECT id, name FROM account ORDER BY name LIMIT 1")
    at.selectbox(key="new_account").select(account["id"]).run()
    at.radio(key="new_kind").set_value("quarter").run()
    at.number_input(key="new_year").set_value(2027)
    at.selectbox(key="new_number").select(2)
    at.number_input(key="new_target").set_value(50_000)
    button(at, "Create plan").click().run()
    assert not at.exception, at.exception
    name = f"{account['name']} Q2 2027"
    assert [s.value for s in at.success] == [f"Plan “{name}” created."]
    assert at.subheader[0].value == name
    plan_id = current_plan(app_test.db, name)
    assert at.selectbox(key="plan_picker").value == plan_id
    metrics = {m.label: m.value for m in at.metric}
    figures = kpis.kpis_for_plan(app_test.db, plan_id)
    expected = ("$50k", money(figures["won"], short=True), money(figures["expected"], short=True))
    assert (metrics["Target"], metrics["Won"], metrics["Expected"]) == expected


def test_create_refusal_is_shown_and_nothing_written(app_test):
    at = open_as("Omar Ops", opened=("new_plan_open",))
    before = app_test.db.value("SELECT count(*) FROM plan")
    button(at, "Create plan").click().run()
    assert [e.value for e in at.error] == ["Omar Ops (ops) cannot create plans: reps, leaders and admins can."]
    assert app_test.db.value("SELECT count(*) FROM plan") == before


def test_plan_opens_from_the_url_with_kpis_deltas_and_charts(app_test, summit):
    at = open_plan(app_test, summit)
    plan = plans.get_plan(app_test.db, summit)
    assert at.subheader[0].value == plan["name"]
    assert at.selectbox(key="plan_picker").value == summit
    figures = kpis.kpis_for_plan(app_test.db, summit)
    metrics = {m.label: m for m in at.metric}
    assert len(metrics) == 9  # eight KPIs and the chance of target
    assert metrics["Target"].value.startswith("$")
    assert metrics["Won"].delta not in (None, "")  # the chain has a parent: deltas are shown
    assert any("Follow-up chain:" in m.value and f"?plan={plan['parent_plan_id']}" in m.value for m in at.markdown)
    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    titles = [c.get("title") or c.get("layer", [{}])[0].get("title") for c in charts]
    titles = [t["text"] if isinstance(t, dict) else t for t in titles]  # a title with a subtitle is an object
    verdict = "ahead of" if figures["variance"] >= 0 else "behind"
    assert any(isinstance(t, str) and t.endswith(f"{verdict} target") for t in titles)
    assert "Cumulative won and expected vs target" in titles
    assert figures["open_count"] > 0 and {"Pipeline by stage", "Pipeline by product"} <= set(titles)


def test_chance_of_target_beside_the_kpis_with_its_distribution(app_test, summit):
    at = open_plan(app_test, summit)
    found = forecast.plan_forecast(app_test.db, summit)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Chance of target"] == percent(found["p_hit_target"])
    assert any("open deals" in c.value and "p50" in c.value for c in at.caption)
    chart = next(s for s in (json.loads(c.proto.spec) for c in at.get("vega_lite_chart"))
                 if s.get("title", {}).get("text") == "Revenue at period end")
    assert "dashed red line: the target" in chart["title"]["subtitle"]
    rule = chart["layer"][1]
    assert rule["mark"]["type"] == "rule" and rule["mark"]["strokeDash"] == [4, 3]


def test_opportunities_behind_the_figures_are_listed_and_downloadable(app_test, summit):
    at = open_plan(app_test, summit, tab="Opportunities")
    deals = plans.plan_opportunities(app_test.db, summit)
    frames = [d.value for d in at.dataframe if "close_date" in d.value.columns]
    assert len(frames[0]) == len(deals)
    at.multiselect(key="opp_status").set_value(["Won"]).run()
    frames = [d.value for d in at.dataframe if "close_date" in d.value.columns]
    assert set(frames[0]["status"]) == {"Won"} and len(frames[0]) == (deals["status"] == "Won").sum()
    assert any(b.proto.label == "Download CSV" for b in at.get("download_button"))


def test_strategy_form_saves_swot_and_confirms(app_test, summit):
    at = open_plan(app_test, summit, tab="Plan & strategy")
    widget(at.text_area, "Strengths").input("They love our support desk")
    widget(at.selectbox, "Relationship desired").select("Trusted Advisor")
    button(at, "Save strategy").click().run()
    assert [s.value for s in at.success] == ["Strategy saved."]
    plan = plans.get_plan(app_test.db, summit)
    assert (plan["strengths"], plan["relationship_desired"]) == ("They love our support desk", "Trusted Advisor")


def test_wrong_user_sees_the_refusal(app_test, summit):
    owner = plans.get_plan(app_test.db, summit)["owner"]
    outsider = app_test.db.value(
        "SELECT name FROM app_user WHERE role = 'rep' AND name <> ? AND id NOT IN"
        " (SELECT user_id FROM team_member WHERE plan_id = ?) ORDER BY name LIMIT 1", [owner, summit])
    at = open_plan(app_test, summit, user=outsider, tab="Plan & strategy")
    widget(at.text_area, "Goals").input("Mine now")
    button(at, "Save strategy").click().run()
    assert at.error[0].value.startswith(f"{outsider} (rep) cannot change plan {summit}")
    assert plans.get_plan(app_test.db, summit)["goals"] != "Mine now"


def test_add_objective_with_a_measure_and_an_action(app_test, summit):
    at = open_plan(app_test, summit, tab="Objectives & actions")
    at.text_input(key="objective_name").input("Win two renewals")
    at.selectbox(key="objective_measure").select("count")
    at.number_input(key="objective_target").set_value(2)
    at.multiselect(key="objective_types").set_value(["renewal"])
    button(at, "Add objective").click().run()
    assert [s.value for s in at.success] == ["Objective “Win two renewals” added."]
    row = app_test.db.one("SELECT * FROM objective WHERE plan_id = ? AND name = 'Win two renewals'", [summit])
    assert (row["measure_kind"], row["measure_target"], json.loads(row["measure_filter"])) == ("count", 2, {"type": ["renewal"]})
    at.text_input(key="action_title").input("Call procurement")
    at.selectbox(key="action_objective").select(row["id"])
    button(at, "Add action").click().run()
    assert app_test.db.value("SELECT objective_id FROM action WHERE title = 'Call procurement'") == row["id"]
    assert [s.value for s in at.success] == ["Action “Call procurement” added."]  # flashed inside the tab's fragment
    action = app_test.db.one("SELECT id, version FROM action WHERE title = 'Call procurement'")
    at.selectbox(key="action_pick").select(action["id"])
    at.selectbox(key="action_status_value").select("Done")
    button(at, "Save action").click().run()
    assert [s.value for s in at.success] == ["Action saved."], [e.value for e in at.error]
    assert app_test.db.one("SELECT status, version FROM action WHERE id = ?", [action["id"]]) == {
        "status": "Done", "version": action["version"] + 1}


def test_comment_and_file_link_are_posted(app_test, summit):
    at = open_plan(app_test, summit, tab="Discussion & files")
    widget(at.text_area, "Comment or file description").input("Pricing sheet")
    widget(at.text_input, "File link (optional)").input("https://files.example.com/pricing.xlsx")
    button(at, "Post").click().run()
    assert [s.value for s in at.success] == ["Posted."], (at.exception, [e.value for e in at.error])
    assert app_test.db.value("SELECT url FROM comment WHERE plan_id = ? AND body = 'Pricing sheet'", [summit]) == "https://files.example.com/pricing.xlsx"
    # The tab is a fragment (a post reruns only it): the thread it shows already has the post.
    assert "Pricing sheet" in [e.proto.label for e in at.get("link_button")]
    widget(at.text_area, "Comment or file description").input("Call them Monday")
    button(at, "Post").click().run()
    assert [s.value for s in at.success] == ["Posted."]
    assert "Call them Monday" in [t.value for t in at.text]


def test_delete_inside_a_chain_shows_why_and_what_to_do(app_test):
    middle = app_test.db.value(
        "SELECT p.id FROM plan p WHERE p.parent_plan_id IS NOT NULL AND EXISTS (SELECT 1 FROM plan c WHERE c.parent_plan_id = p.id) LIMIT 1")
    at = open_plan(app_test, middle, opened=("plan_actions_open",))
    at.checkbox(key="delete_sure").check().run()
    at.button(key="delete").click().run()
    assert "only a standalone plan or the last plan of a chain can be deleted" in at.error[0].value
    assert app_test.db.value("SELECT count(*) FROM plan WHERE id = ?", [middle]) == 1


def test_follow_up_from_the_page_opens_the_new_plan(app_test, summit):
    last = app_test.db.value("SELECT id FROM plan WHERE parent_plan_id = ?", [summit]) or summit
    at = open_plan(app_test, last, opened=("plan_actions_open",))
    button(at, "Create follow-up").click().run()
    assert not at.exception, at.exception
    child = app_test.db.value("SELECT max(id) FROM plan WHERE parent_plan_id = ?", [last])
    assert [s.value for s in at.success] == ["Follow-up created."]
    assert at.subheader[0].value == plans.get_plan(app_test.db, child)["name"]


def test_history_tab_shows_the_audit(app_test):
    plan_id = app_test.db.value("SELECT min(id) FROM plan WHERE NOT is_primary AND business_unit_id IS NOT NULL")
    plans.set_primary(app_test.db, {"id": 1, "name": "Ada Admin", "role": "admin"}, plan_id)
    at = open_plan(app_test, plan_id, tab="History")
    history = next(d.value for d in at.dataframe if "old_value" in d.value.columns)
    assert history[["field", "old_value", "new_value", "user"]].values.tolist()[0] == ["Is primary", "False", "True", "Ada Admin"]


def test_history_tab_shows_scorecard_whitespace_and_stakeholder_saves(app_test):
    from planning import scorecards, stakeholders, users, whitespace

    plan_id = 3  # Summit Logistics FY2026: stakeholder 3 (Ines Silva) is on it
    owner = users.get_user(app_test.db, app_test.db.value("SELECT owner_id FROM plan WHERE id = ?", [plan_id]))
    form = scorecards.scorecard_form(app_test.db, plan_id)
    answers = {q["question_id"]: {"value": q["value"], "note": q["note"]} for q in form["questions"]}
    answers[form["questions"][0]["question_id"]]["value"] = "2"
    scorecards.save_answers(app_test.db, owner, plan_id, answers, form["loaded_submission_id"])
    whitespace.set_cell(app_test.db, owner, plan_id, 2, 2, "Open", estimated_value=5000)
    stakeholders.update_stakeholder(app_test.db, owner, 3, 1, {"influence": 2})
    at = open_plan(app_test, plan_id, tab="History")
    assert not [i.value for i in at.info if "No recorded changes" in i.value]
    history = at.dataframe[0].value
    assert history["section"].drop_duplicates().tolist() == ["Stakeholders", "Whitespace", "Scorecard"]
    assert ["Ines Silva", "Influence", "2"] in history[["record", "field", "new_value"]].values.tolist()


def test_since_parent_plan_reads_as_a_diff(app_test, summit):
    from planning.formatting import money

    at = open_plan(app_test, summit, tab="Since parent plan")
    diff = at.dataframe[0].value
    assert diff.columns.tolist() == ["KPI", "Parent", "This plan", "Change"]
    plan = plans.get_plan(app_test.db, summit)
    this, parent = kpis.kpis_for_plan(app_test.db, summit), kpis.kpis_for_plan(app_test.db, plan["parent_plan_id"])
    target = diff.set_index("KPI").loc["Sales target"].tolist()
    arrow = "▲" if this["target"] > parent["target"] else "▼"
    assert target == [money(parent["target"]), money(this["target"]), f"{arrow} {money(abs(this['target'] - parent['target']))}"]
    shown = {c for d in at.dataframe for c, cfg in json.loads(d.proto.columns).items() if not cfg.get("hidden")}
    assert not shown & {"plan_id", "coverage_colour", "alert_rules", "coverage_status"}


def test_header_shows_scorecard_band_coverage_and_whitespace(app_test):
    from planning import plans as plan_domain

    plan_id = app_test.db.value("SELECT min(id) FROM plan WHERE name LIKE '%FY2026' AND business_unit_id IS NULL")
    health = plan_domain.plan_health(app_test.db, plan_id)
    at = app_test("pages/plan.py", query={"plan": str(plan_id)})
    header = " ".join(m.value for m in at.markdown)
    assert f"Scorecard {health['score']:.0f} · {health['band']}" in header
    assert f"Coverage {health['coverage_status']}/3" in header


def test_objective_update_form_shows_the_objectives_real_status(app_test, demo_db):
    achieved = demo_db.rows("SELECT id, plan_id FROM objective WHERE status = 'Achieved' ORDER BY id LIMIT 1")[0]
    at = app_test(PAGE, query={"plan": str(achieved["plan_id"]), "tab": "Objectives & actions"})
    at.selectbox(key="edit_objective_id").select(achieved["id"]).run()
    status = next(s for s in at.selectbox if s.key and s.key.startswith(f"edit_objective_status_{achieved['id']}_"))
    assert status.value == "Achieved"
