"""Portfolio page under AppTest: filters live in the URL, figures follow them; the create-plan link."""

from __future__ import annotations

import json

import pytest

from planning import forecast, portfolio
from planning.formatting import money
from planning.portfolio import Filters

PAGE = "pages/portfolio.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_metrics(db, filters: Filters) -> dict[str, str]:
    figures = portfolio.headline(db, filters)
    strategic = portfolio.strategic_accounts(db, filters)
    return {
        "Target": money(figures["target"], short=True), "Won": money(figures["won"], short=True), "Expected": money(figures["expected"], short=True),
        "Behind": str(figures["behind"]), "On track": str(figures["on_track"]), "Ahead": str(figures["ahead"]),
        "Strategic without a plan": str(int((~strategic["has_plan"]).sum())),
    }


def shown(at) -> dict[str, str]:
    found = metrics(at)
    return {key: found[key] for key in ("Target", "Won", "Expected", "Behind", "On track", "Ahead", "Strategic without a plan")}


def user_id(db, name: str) -> int:
    return db.value("SELECT id FROM app_user WHERE name = ?", [name])


STALE = "Stale plans (not reviewed in 90 days)"
TABS = ["Plans vs target", "Chance of target", "Strategic accounts", "Segments & cadence", "Account selection", "Freshness & review",
        "What moved", "Forecast accuracy"]


def test_renders_the_sidebar_year_with_only_the_first_tab_open(app_test):
    at = app_test(PAGE)
    assert not at.exception, at.exception
    year = at.session_state["period_year"]
    assert at.selectbox(key="portfolio_period").value == year
    assert at.query_params["period"] == [str(year)] or at.query_params["period"] == str(year)
    assert shown(at) == expected_metrics(app_test.db, Filters(year))
    assert [t.label for t in at.tabs] == TABS
    marks = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(marks) == 1  # the performance chart: the hidden tabs' charts are not built (issue #17)
    assert STALE not in metrics(at)  # the Freshness tab's figure is not computed either


@pytest.mark.parametrize("tab, charts, titles", [
    ("Chance of target", 0, None),
    ("Strategic accounts", 3, ["By owner", "By territory", "By segment"]),
    ("Segments & cadence", 1, None),
    ("Account selection", 1, None),
    ("Freshness & review", 0, None),
])
def test_each_tab_renders_when_opened_by_the_url(app_test, tab, charts, titles):
    at = app_test(PAGE, query={"portfolio_tab": tab})
    assert not at.exception, at.exception
    assert at.session_state["portfolio_tab"] == tab
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(specs) == charts
    if titles:
        assert [spec.get("title") for spec in specs] == titles
    assert shown(at) == expected_metrics(app_test.db, Filters(at.session_state["period_year"]))
    assert (STALE in metrics(at)) == (tab == "Freshness & review")


def test_chance_of_target_lists_plans_lowest_chance_first_and_states_the_at_risk_rule(app_test):
    at = app_test(PAGE, query={"portfolio_tab": "Chance of target"})
    assert not at.exception, at.exception
    performance = portfolio.plan_performance(app_test.db, Filters(at.session_state["period_year"]))
    chances = forecast.chances(performance, forecast.forecast_plans(app_test.db, performance["plan_id"].tolist()))
    shown_table = next(d.value for d in at.dataframe if "p_hit_target" in d.value.columns)
    assert shown_table["plan"].tolist() == chances["plan"].tolist()
    chance = shown_table["p_hit_target"].dropna()
    assert chance.is_monotonic_increasing and len(chance) > 0
    assert metrics(at)["At risk"] == str(int((chances["p_hit_target"] < 0.5).sum()))
    assert any("At risk: chance of hitting target below 50%" in c.value for c in at.caption)


def test_a_tab_link_keeps_the_filters(app_test):
    priya = user_id(app_test.db, "Priya Nair")
    at = app_test(PAGE, query={"portfolio_tab": "Freshness & review", "owner": str(priya)})
    assert not at.exception, at.exception
    assert at.session_state["portfolio_tab"] == "Freshness & review"
    assert at.selectbox(key="portfolio_owner").value == priya
    assert shown(at) == expected_metrics(app_test.db, Filters(at.session_state["period_year"], owner_id=priya))


@pytest.mark.parametrize(
    "query, chosen",
    [
        ({"owner": "Priya Nair"}, {"owner_id": "Priya Nair"}),
        ({"period": "2025"}, {"year": 2025}),
        ({"manager": "Marcus Chen", "tier": "1"}, {"manager_id": "Marcus Chen", "tier": 1}),
        ({"territory": "EMEA", "segment": "Strategic Customer"}, {"territory": "EMEA", "segment": "Strategic Customer"}),
    ],
)
def test_query_params_filter_the_figures(app_test, query, chosen):
    db = app_test.db
    names = {"owner", "manager"}
    url = {key: str(user_id(db, value)) if key in names else value for key, value in query.items()}
    resolved = {key: user_id(db, value) if key in ("owner_id", "manager_id") else value for key, value in chosen.items()}
    at = app_test(PAGE, query=url)
    assert not at.exception, at.exception
    filters = Filters(**({"year": at.session_state["period_year"]} | resolved))
    assert shown(at) == expected_metrics(db, filters)
    unfiltered = Filters(2026)  # the demo's newest fiscal year: the sidebar's default
    assert shown(at) != expected_metrics(db, unfiltered)  # the filter did change them


def test_changing_a_filter_writes_the_url_and_changes_the_figures(app_test):
    at = app_test(PAGE)
    year = at.session_state["period_year"]
    before = shown(at)
    priya = user_id(app_test.db, "Priya Nair")
    at.selectbox(key="portfolio_owner").select(priya).run()
    assert not at.exception, at.exception
    assert at.query_params["owner"] in (str(priya), [str(priya)])
    assert shown(at) == expected_metrics(app_test.db, Filters(year, owner_id=priya)) != before
    at.selectbox(key="portfolio_owner").select(None).run()
    assert "owner" not in at.query_params
    assert shown(at) == before


def test_period_filter_and_sidebar_move_together(app_test):
    at = app_test(PAGE)
    at.selectbox(key="portfolio_period").select(2025).run()
    assert at.session_state["period_year"] == 2025
    assert shown(at) == expected_metrics(app_test.db, Filters(2025))
    at.selectbox(key="period_year").select(2024).run()
    assert at.selectbox(key="portfolio_period").value == 2024
    assert at.query_params["period"] in ("2024", ["2024"])
    assert shown(at) == expected_metrics(app_test.db, Filters(2024))


def test_values_that_do_not_parse_are_ignored(app_test):
    at = app_test(PAGE, query={"owner": "abc", "tier": "7", "segment": "Royalty", "manager": "99999"})
    assert not at.exception, at.exception
    assert at.selectbox(key="portfolio_owner").value is None
    assert at.selectbox(key="portfolio_manager").value is None
    assert "manager" not in at.query_params
    assert shown(at) == expected_metrics(app_test.db, Filters(at.session_state["period_year"]))


def test_filters_that_match_nothing_show_an_empty_state(app_test):
    at = app_test(PAGE, query={"territory": "EMEA", "segment": "Negative Relationship", "tier": "1"})
    assert not at.exception, at.exception
    assert [i.value for i in at.info][0].startswith("No plans or strategic accounts match these filters")


def test_performance_chart_colours_by_status(app_test):
    at = app_test(PAGE)
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    colour = spec["layer"][0]["encoding"]["color"]
    assert colour["scale"] == {"domain": list(portfolio.STATUS_COLOURS), "range": list(portfolio.STATUS_COLOURS.values())}


def test_create_plan_link_prefills_the_new_plan_form(app_test):
    db = app_test.db
    year = 2026
    missing = portfolio.strategic_accounts(db, Filters(year)).query("not has_plan").iloc[0]
    link = missing["create_plan_link"]
    assert link == f"/plan?new_plan_account={int(missing['account_id'])}"
    at = app_test("pages/plan.py", query={"new_plan_account": link.split("=")[1]})
    assert not at.exception, at.exception
    assert at.selectbox(key="new_account").value == int(missing["account_id"])
    # The link chooses the account once; the person may still pick another.
    other = db.value("SELECT min(id) FROM account WHERE id <> ?", [int(missing["account_id"])])
    at.selectbox(key="new_account").select(other).run()
    assert at.selectbox(key="new_account").value == other
    at.selectbox(key="new_account").select(int(missing["account_id"])).run()
    at.number_input(key="new_year").set_value(year)
    at.checkbox(key="new_primary").check()
    next(b for b in at.button if b.label == "Create plan").click().run()
    assert not at.exception, at.exception
    assert "new_plan_account" not in at.query_params
    assert portfolio.strategic_accounts(db, Filters(year)).set_index("account_id").loc[int(missing["account_id"]), "has_plan"]


def test_unknown_prefill_account_is_ignored(app_test):
    at = app_test("pages/plan.py", query={"new_plan_account": "999999"}, opened=("new_plan_open",))
    assert not at.exception, at.exception
    first = app_test.db.value("SELECT id FROM account ORDER BY name, id LIMIT 1")
    assert at.selectbox(key="new_account").value == first
