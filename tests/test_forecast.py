"""Chance of hitting target: exact small books by hand, simulation against exact, calibration, CLI JSON."""

from __future__ import annotations

import json
from datetime import date, datetime

import numpy as np
import pytest

from planning import forecast
from planning.cli import main
from planning.errors import InvalidInput, NotFound
from tests.test_kpis import make_account, make_opportunity, make_plan


def history(con, opportunity_id: int, *stages: str) -> None:
    """Stage changes in order: stages[0] → stages[1] → …"""
    for i, (old, new) in enumerate(zip(stages, stages[1:])):
        con.execute("INSERT INTO opportunity_history (opportunity_id, changed_at, field, old_value, new_value)"
                    " VALUES (?, ?, 'stage', ?, ?)", [opportunity_id, datetime(2024, 1, 1 + i), old, new])


def segment_account(con, name: str, segment: str | None) -> int:
    account = make_account(con, name)
    con.execute("UPDATE account SET current_segment = ? WHERE id = ?", [segment, account])
    return account


@pytest.fixture
def book(fresh_db):
    """Plan "two": won $30k + $50k at 50 % + $40k at 25 % (file probabilities); a closed history on two accounts."""
    with fresh_db.transaction() as con:
        grow = segment_account(con, "Grow Co", "Grow")
        other = segment_account(con, "Other Co", None)
        deal = lambda **kw: make_opportunity(con, **{"account_id": grow, **kw})  # noqa: E731
        deal(stage="Closed Won", amount=30_000)
        deal(stage="Qualification", amount=50_000, probability=0.5)
        deal(stage="Qualification", amount=40_000, probability=0.25)
        deal(stage="Closed Lost", amount=99_000)  # closed, not won: not in the distribution
        plans = {"two": make_plan(con, account_id=grow, sales_target=100_000)}
        # The calibration history (closed in 2024, outside the plan): 4 closed deals.
        old = lambda stage, account=grow: deal(stage=stage, account_id=account, close_date=date(2024, 6, 1))  # noqa: E731
        history(con, old("Closed Won"), "Prospecting", "Negotiation", "Closed Won")
        history(con, old("Closed Lost"), "Prospecting", "Closed Lost")
        history(con, old("Closed Won"), "Negotiation", "Closed Won")
        history(con, old("Closed Lost", other), "Prospecting", "Negotiation", "Closed Lost")
        # Plan "calibrate": one open deal at Prospecting (stage 10 %), one at Negotiation (stage 90 %).
        account = segment_account(con, "Calibrated Co", "Grow")
        make_opportunity(con, account_id=account, stage="Prospecting", amount=10_000)
        make_opportunity(con, account_id=account, stage="Negotiation", amount=20_000)
        plans["calibrate"] = make_plan(con, account_id=account, sales_target=25_000)
        plans["empty"] = make_plan(con, account_id=other, period_start=date(2030, 1, 1), period_end=date(2030, 12, 31),
                                   sales_target=0)
    fresh_db.plans = plans
    return fresh_db


# Outcomes of "two": 30k (.5 × .75 = .375), 70k (.5 × .25 = .125), 80k (.375), 120k (.125).
def test_two_open_deals_by_hand(book):
    found = forecast.plan_forecast(book, book.plans["two"], "crm")
    assert found["method"] == "exact"
    assert found["p_hit_target"] == pytest.approx(0.125)  # only 120k reaches 100k
    assert (found["p10"], found["p50"], found["p90"]) == (30_000, 70_000, 120_000)  # cumulative .375, .5, .875, 1
    assert found["won"] == 30_000 and found["open_deals"] == 2
    assert [d["probability"] for d in found["deals"]] == [0.5, 0.25]
    assert sum(b["probability"] for b in found["distribution"]) == pytest.approx(1)


@pytest.mark.parametrize(("target", "chance"), [(30_000, 1.0), (70_000, 0.625), (80_000, 0.5), (80_000.01, 0.125), (120_001, 0.0)])
def test_p_hit_target_counts_revenue_at_least_the_target(target, chance):
    values, weights, method = forecast.distribution(3_000_000, np.array([5_000_000, 4_000_000]), np.array([0.5, 0.25]), seed=(1,))
    assert method == "exact"
    assert forecast.summary(values, weights, round(target * 100))["p_hit_target"] == pytest.approx(chance)


def test_certain_and_impossible_deals_and_no_target():
    values, weights, _ = forecast.distribution(0, np.array([100, 200, 300, 0]), np.array([1.0, 0.0, 0.5, 0.5]), seed=(1,))
    assert values.tolist() == [100, 400] and weights.tolist() == [0.5, 0.5]
    assert forecast.summary(values, weights, None)["p_hit_target"] is None
    assert forecast.summary(values, weights, 0)["p_hit_target"] is None
    assert forecast.summary(values, weights, 400) == {"p_hit_target": 0.5, "p10": 1.0, "p50": 1.0, "p90": 4.0}


def test_equal_amounts_stay_exact_beyond_sixteen_deals():
    values, weights, method = forecast.distribution(0, np.full(200, 1_000), np.full(200, 0.3), seed=(1,))
    assert method == "exact" and len(values) == 201
    assert float(weights @ values) == pytest.approx(200 * 0.3 * 1_000)


@pytest.mark.parametrize(("deals", "method"), [(16, "exact"), (17, "simulated")])
def test_sixteen_distinct_deals_are_exact_seventeen_simulated(deals, method):
    amounts = np.arange(1, deals + 1) * 1_000_00
    assert forecast.distribution(0, amounts, np.full(deals, 0.5), seed=(1,))[2] == method


def test_simulation_agrees_with_exact(monkeypatch):
    rng = np.random.default_rng(7)
    amounts = rng.integers(1_000_00, 90_000_00, size=20)
    probs = rng.uniform(0.05, 0.95, size=20)
    target = int(amounts @ probs)
    values, weights, method = forecast.distribution(0, amounts, probs, seed=(19, 1))
    assert method == "simulated"
    again = forecast.distribution(0, amounts, probs, seed=(19, 1))
    assert np.array_equal(values, again[0]) and np.array_equal(weights, again[1])  # seeded: reproducible
    monkeypatch.setattr(forecast, "EXACT_SUPPORT", 2 ** 21)
    exact = forecast.distribution(0, amounts, probs, seed=(19, 1))
    assert exact[2] == "exact"
    simulated, truth = forecast.summary(values, weights, target), forecast.summary(exact[0], exact[1], target)
    assert simulated["p_hit_target"] == pytest.approx(truth["p_hit_target"], abs=0.02)
    for key in forecast.QUANTILES:
        assert simulated[key] == pytest.approx(truth[key], rel=0.03)


def test_calibration_counts_every_stage_a_closed_deal_was_at(book):
    found = forecast.calibration(book)
    assert found["book"]["Prospecting"] == (3, 1)
    assert found["book"]["Negotiation"] == (3, 2)
    assert found["book"]["Closed Won"] == (3, 3)  # two won in 2024, one in the plan's year
    assert found["book"]["Closed Lost"] == (3, 0)  # two lost in 2024, one in the plan's year
    assert found["segment"][("Grow", "Prospecting")] == (2, 1)
    assert ("Other", "Prospecting") not in found["segment"]  # no segment: counted in the book only


def test_calibrated_probabilities_shrink_toward_the_crm(book):
    found = forecast.plan_forecast(book, book.plans["calibrate"])
    deals = {d["stage"]: d for d in found["deals"]}
    # (wins + 10 × p_crm) / (n + 10): the segment has only 2 deals per stage, so the book's history is used.
    assert deals["Prospecting"]["probability"] == pytest.approx((1 + 10 * 0.10) / 13)
    assert deals["Negotiation"]["probability"] == pytest.approx((2 + 10 * 0.90) / 13)
    assert (deals["Prospecting"]["history"], deals["Prospecting"]["history_from"]) == (3, "book")
    assert found["probabilities"]["source"] == "calibrated" and found["probabilities"]["shrinkage_k"] == 10
    assert {s["stage"]: s["history"] for s in found["probabilities"]["stages"]} == {"Prospecting": 3, "Negotiation": 3}
    # Revenue ≥ 25k needs both deals (10k + 20k): 2/13 × 11/13.
    assert found["p_hit_target"] == pytest.approx(2 / 13 * 11 / 13)


def test_a_segment_with_enough_history_uses_its_own(book, monkeypatch):
    monkeypatch.setattr(forecast, "SEGMENT_MIN_HISTORY", 2)
    monkeypatch.setenv("PLANNING_CACHE", "0")
    deals = {d["stage"]: d for d in forecast.plan_forecast(book, book.plans["calibrate"])["deals"]}
    assert deals["Prospecting"]["probability"] == pytest.approx((1 + 10 * 0.10) / 12)
    assert deals["Negotiation"]["probability"] == pytest.approx((2 + 10 * 0.90) / 12)
    assert deals["Negotiation"]["history_from"] == "segment"


def test_all_plans_match_one_plan_at_a_time(book):
    frame = forecast.forecast_plans(book)
    assert frame["plan_id"].tolist() == sorted(book.plans.values())
    for plan_id in frame["plan_id"]:
        one = forecast.plan_forecast(book, int(plan_id))
        row = frame[frame["plan_id"] == plan_id].iloc[0]
        for key in ["p10", "p50", "p90", "won", "open_deals"]:
            assert row[key] == one[key]
    empty = frame[frame["plan_id"] == book.plans["empty"]].iloc[0]
    assert empty["p10"] == 0 and empty["p_hit_target"] != empty["p_hit_target"]  # no target: NaN in the frame


def test_unknown_plan_and_source_are_refused(book):
    with pytest.raises(NotFound, match="There is no plan with id 999"):
        forecast.plan_forecast(book, 999)
    with pytest.raises(InvalidInput, match="Probabilities must be one of calibrated, crm"):
        forecast.plan_forecast(book, book.plans["two"], "gut")


def test_cli_json_for_one_plan(book, capsys):
    assert main(["--db", str(book.target), "forecast", "--plan", str(book.plans["two"]), "--probabilities", "crm", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {"p_hit_target", "p10", "p50", "p90", "probabilities", "deals"} <= set(found)
    assert found["p_hit_target"] == pytest.approx(0.125) and found["p50"] == 70_000
    assert found["probabilities"]["source"] == "crm" and len(found["deals"]) == 2
    assert "distribution" not in found


def test_cli_json_for_every_plan(book, capsys):
    assert main(["--db", str(book.target), "forecast", "--all", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["plan_id"] for r in rows] == sorted(book.plans.values())
    assert {"p_hit_target", "p10", "p50", "p90", "probabilities"} <= set(rows[0])
    assert rows[-1]["p_hit_target"] is None  # the plan without a target


def test_cli_text_and_errors(book, capsys):
    assert main(["--db", str(book.target), "forecast", "--plan", str(book.plans["two"])]) == 0
    assert "chance of target" in capsys.readouterr().out
    assert main(["--db", str(book.target), "forecast", "--plan", "999"]) == 1
    assert capsys.readouterr().err == "planning: There is no plan with id 999.\n"


def test_chances_sort_lowest_first_and_flag_at_risk():
    import pandas as pd

    performance = pd.DataFrame({"plan_id": [1, 2, 3], "plan": ["a", "b", "c"], "link": ["", "", ""], "account": ["", "", ""],
                                "owner": ["", "", ""], "target": [1.0, 0.0, 1.0], "expected": [1.0, 1.0, 1.0]})
    forecasts = pd.DataFrame({"plan_id": [1, 2, 3], "p_hit_target": [0.7, None, 0.2], "p10": [0] * 3, "p50": [0] * 3,
                              "p90": [0] * 3, "open_deals": [1] * 3, "method": ["exact"] * 3})
    table = forecast.chances(performance, forecasts)
    assert table["plan_id"].tolist() == [3, 1, 2]
    assert table["at_risk"].tolist() == [True, False, False]
