"""Forecast accuracy: expected at 90/60/30 days before an ended plan's end against its final won, per plan and owner."""

from __future__ import annotations

import json
from datetime import date

import pytest

from planning import forecast_accuracy, kpis, portfolio
from planning.cli import main
from planning.formatting import json_rows
from planning.portfolio import Filters
from tests.test_kpis import make_account, make_opportunity, make_plan
from tests.test_presentation import visible_problems

TODAY = date(2026, 3, 1)
PAGE = "pages/portfolio.py"


def make_user(con, name: str) -> int:
    return con.execute("INSERT INTO app_user (name, email) VALUES (?, ?) RETURNING id",
                       [name, f"{name.lower()}@example.com"]).fetchall()[0][0]


def snapshot(con, plan_id: int, day: date, expected: float) -> None:
    con.execute("INSERT INTO kpi_snapshot (plan_id, snapshot_date, target, won, pipeline, weighted_pipeline, expected)"
                " VALUES (?, ?, 100000, 0, 0, ?, ?)", [plan_id, day, expected, expected])


@pytest.fixture
def book(fresh_db):
    """Four FY2025 plans (ended by TODAY) with snapshots at known dates, and one FY2026 plan (not ended).

    Acme (Ada's account, no plan owner): won $100k; expected $80k on 1 Sep, $120k on 2 Oct (the 90-day day itself),
    $130k on 3 Oct, $95k on 15 Nov, $101k on 20 Dec. Beta (Ada's account, plan owned by Ben): won $50k, snapshots only
    from 20 Nov ($40k). Gamma (Ben): won nothing, $10k expected. Delta (Ben): won $200k, $260k expected since January.
    """
    with fresh_db.transaction() as con:
        ada, ben = make_user(con, "Ada"), make_user(con, "Ben")
        accounts = {name: make_account(con, name) for name in ("Acme", "Beta", "Gamma", "Delta")}
        for name, owner in (("Acme", ada), ("Beta", ada), ("Gamma", ben), ("Delta", ben)):
            con.execute("UPDATE account SET owner_id = ? WHERE id = ?", [owner, accounts[name]])
        won = lambda account, amount, day=date(2025, 6, 1): make_opportunity(  # noqa: E731
            con, account_id=accounts[account], stage="Closed Won", amount=amount, close_date=day)
        won("Acme", 60_000), won("Acme", 40_000), won("Acme", 999, date(2026, 1, 10))  # the last is outside FY2025
        won("Beta", 50_000), won("Delta", 200_000)
        make_opportunity(con, account_id=accounts["Gamma"], stage="Prospecting", amount=10_000)
        plans = {name: make_plan(con, account_id=accounts[name], name=f"{name} FY2025") for name in accounts}
        con.execute("UPDATE plan SET owner_id = ? WHERE id = ?", [ben, plans["Beta"]])
        plans["Acme 2026"] = make_plan(con, account_id=accounts["Acme"], name="Acme FY2026",
                                       period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))
        for day, expected in ((date(2025, 9, 1), 80_000), (date(2025, 10, 2), 120_000), (date(2025, 10, 3), 130_000),
                              (date(2025, 11, 15), 95_000), (date(2025, 12, 20), 101_000)):
            snapshot(con, plans["Acme"], day, expected)
        snapshot(con, plans["Beta"], date(2025, 11, 20), 40_000)
        snapshot(con, plans["Gamma"], date(2025, 6, 1), 10_000)
        snapshot(con, plans["Delta"], date(2025, 1, 15), 260_000)
        snapshot(con, plans["Acme 2026"], date(2026, 1, 5), 50_000)
    fresh_db.plans = plans
    return fresh_db


rows = json_rows  # plain values to compare: NaN/NaT → None, dates as ISO text


def by_plan(book) -> dict[tuple[str, int], dict]:
    frame = forecast_accuracy.plan_accuracy(book, book.plans.values(), today=TODAY)
    return {(r["plan"], r["horizon_days"]): r for r in rows(frame)}


def test_expected_is_the_latest_snapshot_on_or_before_each_horizon(book):
    found = by_plan(book)
    picked = {h: (found[("Acme FY2025", h)]["snapshot_date"], found[("Acme FY2025", h)]["expected"]) for h in (90, 60, 30)}
    # 90 days before 31 Dec = 2 Oct (a snapshot that day counts); 60 → 1 Nov (3 Oct's); 30 → 1 Dec (15 Nov's).
    assert picked == {90: ("2025-10-02", 120_000), 60: ("2025-10-03", 130_000), 30: ("2025-11-15", 95_000)}


def test_error_is_expected_minus_the_final_won_kpi(book):
    acme = [(r["final_won"], r["error"], r["pct_error"], r["abs_pct_error"])
            for (plan, _), r in by_plan(book).items() if plan == "Acme FY2025"]
    assert acme == [(100_000, 20_000, 0.2, 0.2), (100_000, 30_000, 0.3, 0.3), (100_000, -5_000, -0.05, 0.05)]
    won_now = kpis.plan_kpis(book, [book.plans["Acme"]])["won"].iloc[0]
    assert won_now == 100_000  # the KPI's membership: the $999 won in 2026 is not FY2025's


def test_a_horizon_without_a_snapshot_by_then_has_no_forecast(book):
    found = by_plan(book)
    assert [(found[("Beta FY2025", h)]["expected"], found[("Beta FY2025", h)]["error"]) for h in (90, 60, 30)] == [
        (None, None), (None, None), (40_000, -10_000)]
    assert found[("Beta FY2025", 90)]["snapshot_date"] is None and found[("Beta FY2025", 30)]["pct_error"] == -0.2


def test_nothing_won_gives_a_money_error_but_no_percentage(book):
    gamma = by_plan(book)[("Gamma FY2025", 30)]
    assert (gamma["expected"], gamma["final_won"], gamma["error"], gamma["pct_error"], gamma["abs_pct_error"]) == (
        10_000, 0, 10_000, None, None)


def test_only_ended_plans_of_the_given_ids_one_row_per_horizon_in_order(book):
    frame = forecast_accuracy.plan_accuracy(book, book.plans.values(), today=TODAY)
    assert list(frame.columns) == forecast_accuracy.PLAN_COLUMNS
    assert [(r["plan"], r["owner"], r["horizon_days"]) for r in rows(frame)] == [
        (plan, owner, h) for plan, owner in (("Acme FY2025", "Ada"), ("Beta FY2025", "Ben"), ("Delta FY2025", "Ben"),
                                             ("Gamma FY2025", "Ben")) for h in (90, 60, 30)]
    assert forecast_accuracy.plan_accuracy(book, [book.plans["Acme 2026"]], today=TODAY).empty  # ends 31 Dec 2026
    assert forecast_accuracy.plan_accuracy(book, [], today=TODAY).empty
    # The day after the period ends it is closed; on its last day it is not.
    assert forecast_accuracy.plan_accuracy(book, [book.plans["Acme"]], today=date(2025, 12, 31)).empty
    assert len(forecast_accuracy.plan_accuracy(book, [book.plans["Acme"]], today=date(2026, 1, 1))) == 3


def test_owner_means_over_the_plans_measured(book):
    found = rows(forecast_accuracy.owner_accuracy(book, book.plans.values(), today=TODAY))
    assert [list(r) for r in found][0] == forecast_accuracy.OWNER_COLUMNS
    figures = {(r["owner"], r["horizon_days"]): (r["plans"], r["plans_measured"], r["mean_abs_pct_error"], r["mean_pct_error"])
               for r in found}
    assert list(figures) == [("Ada", 90), ("Ada", 60), ("Ada", 30), ("Ben", 90), ("Ben", 60), ("Ben", 30)]
    assert figures[("Ada", 90)] == (1, 1, 0.2, 0.2)
    assert figures[("Ada", 30)] == (1, 1, 0.05, -0.05)
    # Ben: Beta (plan owner, not the account's Ada) has no 90/60-day snapshot, Gamma won nothing, Delta +30 %.
    assert figures[("Ben", 90)] == (3, 1, pytest.approx(0.3), pytest.approx(0.3))
    assert figures[("Ben", 30)] == (3, 2, pytest.approx(0.25), pytest.approx(0.05))  # (|-20 %| + 30 %) / 2, (-20 % + 30 %) / 2


def test_a_later_snapshot_on_the_horizon_day_is_read_after_the_write(book):
    assert by_plan(book)[("Beta FY2025", 60)]["expected"] is None
    with book.transaction() as con:
        snapshot(con, book.plans["Beta"], date(2025, 11, 1), 45_000)  # exactly 60 days before the end
    assert by_plan(book)[("Beta FY2025", 60)]["expected"] == 45_000  # the cached read saw the write


def test_cli_prints_each_owner_per_horizon_and_json_lists_both(book, capsys):
    assert main(["--db", book.target, "accuracy"]) == 0  # today is after FY2025 (and FY2026 is not over)
    assert capsys.readouterr().out.splitlines() == [
        "Ada: 90 days 20.0% (bias +20.0%, 1 of 1 plans) · 60 days 30.0% (bias +30.0%, 1 of 1 plans) · "
        "30 days 5.0% (bias -5.0%, 1 of 1 plans)",
        "Ben: 90 days 30.0% (bias +30.0%, 1 of 3 plans) · 60 days 30.0% (bias +30.0%, 1 of 3 plans) · "
        "30 days 25.0% (bias +5.0%, 2 of 3 plans)",
        "Mean absolute % error of expected vs final won (bias: mean % error, above 0 over-forecast).",
    ]
    assert main(["--db", book.target, "accuracy", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert len(found["owners"]) == 6 and len(found["plans"]) == 12
    assert found["plans"][3] == {
        "plan_id": book.plans["Beta"], "plan": "Beta FY2025", "owner": "Ben", "period_end": "2025-12-31", "horizon_days": 90,
        "snapshot_date": None, "expected": None, "final_won": 50_000, "error": None, "pct_error": None, "abs_pct_error": None}


def test_cli_says_so_when_no_plan_has_ended(fresh_db, capsys):
    assert main(["--db", fresh_db.target, "accuracy"]) == 0
    assert capsys.readouterr().out == "No plan has ended yet: forecast accuracy needs a plan whose period is over.\n"


# -- the Portfolio tab ----------------------------------------------------------------------

def test_portfolio_tab_shows_the_owner_chart_and_every_plan_horizon_for_an_ended_year(app_test):
    at = app_test(PAGE, query={"portfolio_tab": "Forecast accuracy", "period": "2025"})
    assert not at.exception, at.exception
    assert at.session_state["portfolio_tab"] == "Forecast accuracy"
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert [spec["title"]["text"] for spec in specs] == ["Forecast accuracy by owner"]
    ids = portfolio.plan_performance(app_test.db, Filters(2025))["plan_id"]
    expected = forecast_accuracy.plan_accuracy(app_test.db, ids)
    assert not expected.empty and expected["expected"].notna().any()
    plans_table = next(d.value for d in at.dataframe if "final_won" in d.value.columns)
    assert len(plans_table) == len(expected) == 3 * expected["plan_id"].nunique()
    owners_table = next(d.value for d in at.dataframe if "mean_abs_pct_error" in d.value.columns)
    assert len(owners_table) == 3 * owners_table["owner"].nunique()
    assert visible_problems(at) == []


def test_portfolio_tab_says_so_when_no_plan_in_the_filters_has_ended(app_test):
    at = app_test(PAGE, query={"portfolio_tab": "Forecast accuracy"})  # the current year: no plan has ended
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == ["No plan in these filters has ended yet; pick an earlier year."]
    assert not at.get("vega_lite_chart")
