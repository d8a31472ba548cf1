"""Calibration: plans grouped by score band against their actual outcomes (win rate, won vs target)."""

from __future__ import annotations

import math
from datetime import date

from planning import scorecards
from tests.test_scorecard_scoring import TEMPLATE, make_plan, make_template, make_user


def _opportunity(db, account_id, amount, stage, close, business_unit_id=None, is_closed=None, is_won=None):
    db.execute(
        "INSERT INTO opportunity (account_id, amount, stage, close_date, business_unit_id, is_closed, is_won)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [account_id, amount, stage, close, business_unit_id, is_closed, is_won],
    )


def _account(db, name) -> int:
    return db.value("INSERT INTO account (name) VALUES (?) RETURNING id", [name])


def test_bands_against_outcomes_with_the_plan_membership_rule(fresh_db):
    db = fresh_db
    owner = make_user(db)
    ids = make_template(db, TEMPLATE)
    acme, bolt, core = _account(db, "Acme"), _account(db, "Bolt"), _account(db, "Core")
    unit = db.value("INSERT INTO business_unit (account_id, name) VALUES (?, 'Retail') RETURNING id", [bolt])
    other_unit = db.value("INSERT INTO business_unit (account_id, name) VALUES (?, 'Wholesale') RETURNING id", [bolt])
    healthy = make_plan(db, owner, ids["template"], account_id=acme, sales_target=100_000)
    at_risk = make_plan(db, owner, ids["template"], account_id=bolt, business_unit_id=unit, sales_target=200_000)
    make_plan(db, owner, ids["template"], account_id=core, sales_target=50_000)
    scorecards.save_answers(db, owner, healthy, {ids["Rating"]: {"value": "5"}}, 0)
    scorecards.save_answers(db, owner, at_risk, {ids["Rating"]: {"value": "1"}}, 0)
    _opportunity(db, acme, 60_000, "Closed Won", date(2026, 12, 31))   # last day counts; flags from the stage
    _opportunity(db, acme, 10_000, "Closed Lost", date(2026, 1, 1))    # first day counts
    _opportunity(db, acme, 999, "Closed Won", date(2027, 1, 1))         # after the period
    _opportunity(db, acme, 5_000, "Prospecting", date(2026, 6, 1))      # open: not closed
    _opportunity(db, bolt, 30_000, "Negotiation", date(2026, 3, 1), unit, True, True)  # the file's flags win
    _opportunity(db, bolt, 70_000, "Closed Won", date(2026, 3, 1), other_unit)         # another business unit
    _opportunity(db, bolt, 20_000, "Lost", date(2026, 4, 1), unit)

    table = scorecards.calibration(db, date(2026, 1, 1), date(2026, 12, 31))
    rows = table.to_dict("records")
    assert [r["band"] for r in rows] == ["Healthy", "At risk", "Not scored"]
    summary = {r["band"]: (r["plans"], r["won_count"], r["closed_count"], r["win_rate"], float(r["won"]),
                           float(r["target"]), r["won_vs_target"]) for r in rows}
    assert summary["Healthy"] == (1, 1, 2, 0.5, 60_000.0, 100_000.0, 0.6)
    assert summary["At risk"] == (1, 1, 2, 0.5, 30_000.0, 200_000.0, 0.15)
    plans, won_count, closed, win_rate, won, target, ratio = summary["Not scored"]
    assert (plans, won_count, closed, won, target, ratio) == (1, 0, 0, 0.0, 50_000.0, 0.0)
    assert win_rate is None or math.isnan(win_rate)  # no closed deal: no win rate, not 0 %
    assert rows[0]["avg_score"] == 100.0 and rows[1]["avg_score"] == 0.0


def test_calibration_only_counts_plans_overlapping_the_period(fresh_db):
    owner = make_user(fresh_db)
    make_plan(fresh_db, owner, None)
    assert scorecards.calibration(fresh_db, date(2025, 1, 1), date(2025, 12, 31)).empty
    assert scorecards.calibration(fresh_db)["plans"].tolist() == [1]


def test_demo_book_has_every_band(demo_db):
    table = scorecards.calibration(demo_db, date(2026, 1, 1), date(2026, 12, 31))
    assert {"Healthy", "Watch", "At risk"} <= set(table["band"])


def test_demo_book_scores_track_outcomes(demo_db):
    """The demo tells a coherent story: better-scored plans win more often and reach more of target."""
    table = scorecards.calibration(demo_db, date(2026, 1, 1), date(2026, 12, 31)).set_index("band")
    assert table.loc[["Healthy", "Watch", "At risk"], "plans"].tolist() == [5, 12, 5]
    assert table.loc[["Healthy", "Watch", "At risk"], "win_rate"].tolist() == [0.541, 0.514, 0.39]
    assert table.loc[["Healthy", "Watch", "At risk"], "won_vs_target"].tolist() == [0.984, 0.755, 0.661]
