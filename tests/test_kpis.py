"""KPI engine: every figure pinned on a hand-built book with the edges that go wrong."""

from __future__ import annotations

from datetime import date

import pytest

from planning import kpis
from planning.errors import NotFound


def make_account(con, name: str) -> int:
    return con.execute("INSERT INTO account (name) VALUES (?) RETURNING id", [name]).fetchall()[0][0]


def make_unit(con, account_id: int, name: str) -> int:
    return con.execute(
        "INSERT INTO business_unit (account_id, name) VALUES (?, ?) RETURNING id", [account_id, name]
    ).fetchall()[0][0]


def make_plan(con, **overrides) -> int:
    values = {
        "name": "Plan", "period_start": date(2025, 1, 1), "period_end": date(2025, 12, 31),
        "sales_target": 100_000, **overrides,
    }
    return con.execute(
        f"INSERT INTO plan ({', '.join(values)}) VALUES ({', '.join('?' * len(values))}) RETURNING id",
        list(values.values()),
    ).fetchall()[0][0]


def make_opportunity(con, **overrides) -> int:
    values = {"name": "Deal", "stage": "Prospecting", "amount": 1_000, "close_date": date(2025, 6, 1), **overrides}
    return con.execute(
        f"INSERT INTO opportunity ({', '.join(values)}) VALUES ({', '.join('?' * len(values))}) RETURNING id",
        list(values.values()),
    ).fetchall()[0][0]


@pytest.fixture
def book(fresh_db):
    """Account A with ten deals around FY2025, four plans (two overlapping, one scoped, one empty)."""
    with fresh_db.transaction() as con:
        a = make_account(con, "Acme")
        b = make_account(con, "Other")
        north, south = make_unit(con, a, "North"), make_unit(con, a, "South")
        deal = lambda **kw: make_opportunity(con, account_id=kw.pop("account_id", a), **kw)  # noqa: E731
        # Won on the period's first day (created 60 days before) and last day (created 91 days before).
        deal(stage="Closed Won", amount=10_000, close_date=date(2025, 1, 1), created_date=date(2024, 11, 2))
        deal(stage="Closed Won", amount=20_000, close_date=date(2025, 12, 31), created_date=date(2025, 10, 1), business_unit_id=north)
        deal(stage="Won", amount=None, close_date=date(2025, 8, 8))  # blank amount: counts, adds 0; no created date
        deal(stage="Closed Lost", amount=5_000, close_date=date(2025, 6, 1))
        # The file's own flags beat the stage's: an open stage marked lost in the CRM.
        deal(stage="Negotiation", amount=3_000, close_date=date(2025, 3, 15), is_closed=True, is_won=False)
        deal(stage="Proposal/Price Quote", amount=40_000, close_date=date(2025, 9, 30), business_unit_id=south)  # stage 0.75
        deal(stage="Prospecting", amount=10_000, probability=0.5, close_date=date(2025, 5, 15), business_unit_id=north)  # file 0.5 beats 0.10
        deal(stage="Negotiation/Review", amount=None, close_date=date(2025, 11, 1))  # open, blank amount
        # Outside: a day before, a day after, another account, no close date.
        deal(stage="Closed Won", amount=99_999, close_date=date(2024, 12, 31))
        deal(stage="Prospecting", amount=77_777, close_date=date(2026, 1, 1))
        deal(stage="Closed Won", amount=55_555, close_date=date(2025, 6, 1), account_id=b)
        deal(stage="Prospecting", amount=44_444, close_date=None)
        plans = {
            "year": make_plan(con, account_id=a, sales_target=100_000),
            "north": make_plan(con, account_id=a, business_unit_id=north, sales_target=0),
            "h1": make_plan(con, account_id=a, period_end=date(2025, 6, 30), sales_target=50_000),
            "empty": make_plan(con, account_id=b, period_start=date(2023, 1, 1), period_end=date(2023, 12, 31), sales_target=1_000),
        }
    fresh_db.plans = plans
    return fresh_db


EXPECTED = {
    "year": dict(
        target=100_000, won=30_000, lost=8_000, pipeline=50_000, weighted_pipeline=35_000, expected=65_000,
        variance=-35_000, pct_achieved=0.3, expected_pct=0.65, coverage=50_000 / 70_000,
        won_count=3, lost_count=2, open_count=3, win_rate_count=0.6, win_rate_value=30_000 / 38_000,
        avg_cycle_days=75.5,
    ),
    # Target 0: every ratio over the target is NULL, and coverage too (target ≤ won).
    "north": dict(
        target=0, won=20_000, lost=0, pipeline=10_000, weighted_pipeline=5_000, expected=25_000,
        variance=25_000, pct_achieved=None, expected_pct=None, coverage=None,
        won_count=1, lost_count=0, open_count=1, win_rate_count=1.0, win_rate_value=1.0, avg_cycle_days=91,
    ),
    "h1": dict(
        target=50_000, won=10_000, lost=8_000, pipeline=10_000, weighted_pipeline=5_000, expected=15_000,
        variance=-35_000, pct_achieved=0.2, expected_pct=0.3, coverage=0.25,
        won_count=1, lost_count=2, open_count=1, win_rate_count=1 / 3, win_rate_value=10_000 / 18_000,
        avg_cycle_days=60,
    ),
    # No deals: zero sums, no win rate, no cycle.
    "empty": dict(
        target=1_000, won=0, lost=0, pipeline=0, weighted_pipeline=0, expected=0, variance=-1_000,
        pct_achieved=0.0, expected_pct=0.0, coverage=0.0, won_count=0, lost_count=0, open_count=0,
        win_rate_count=None, win_rate_value=None, avg_cycle_days=None,
    ),
}


def _check(actual: dict, expected: dict) -> None:
    for key, value in expected.items():
        if value is None:
            assert actual[key] is None, key
        else:
            assert actual[key] == pytest.approx(value, abs=1e-9), key


@pytest.mark.parametrize("plan", list(EXPECTED))
def test_kpis_for_plan_pins_every_figure(book, plan):
    figures = kpis.kpis_for_plan(book, book.plans[plan])
    assert list(figures) == kpis.KPI_KEYS
    _check(figures, EXPECTED[plan])


def test_all_plans_in_one_query_match_one_plan_at_a_time(book):
    frame = kpis.plan_kpis(book)
    assert list(frame.columns) == ["plan_id", *kpis.KPI_KEYS]
    by_id = {row["plan_id"]: row for row in kpis.records(frame)}
    for name, plan_id in book.plans.items():
        _check(by_id[plan_id], EXPECTED[name])


def test_plan_kpis_for_a_subset_returns_only_those_plans(book):
    frame = kpis.plan_kpis(book, [book.plans["h1"], book.plans["north"]])
    assert sorted(frame["plan_id"]) == sorted([book.plans["h1"], book.plans["north"]])


def test_counts_are_integers_and_money_is_exact(book):
    figures = kpis.kpis_for_plan(book, book.plans["year"])
    assert figures["won_count"] == 3 and isinstance(figures["won_count"], int)
    assert figures["won"] == 30_000.0


def test_portfolio_totals_count_an_opportunity_seen_by_overlapping_plans_once(book):
    plans = [book.plans["year"], book.plans["north"], book.plans["h1"]]
    totals = kpis.portfolio_totals(book, plans)
    # Summing the three plans would give won 60,000; each deal counts once: 30,000.
    assert sum(kpis.kpis_for_plan(book, p)["won"] for p in plans) == 60_000
    _check(totals, dict(
        plans=3, target=150_000, won=30_000, lost=8_000, pipeline=50_000, weighted_pipeline=35_000,
        expected=65_000, variance=-85_000, pct_achieved=0.2, won_count=3, lost_count=2, open_count=3,
    ))


def test_portfolio_totals_of_no_plans_are_zero(book):
    totals = kpis.portfolio_totals(book, [])
    assert (totals["plans"], totals["target"], totals["won"], totals["pct_achieved"]) == (0, 0, 0, None)


def test_unknown_plan_is_not_found(book):
    with pytest.raises(NotFound, match="There is no plan with id 999."):
        kpis.kpis_for_plan(book, 999)


def test_kpi_deltas_against_the_parent():
    current = dict.fromkeys(kpis.KPI_KEYS, 10.0) | {"coverage": None}
    parent = dict.fromkeys(kpis.KPI_KEYS, 4.0)
    deltas = kpis.kpi_deltas(current, parent)
    assert deltas["won"] == 6.0 and deltas["coverage"] is None
    assert kpis.kpi_deltas(current, None)["won"] is None


def test_snapshots_one_row_per_plan_per_day_only_when_figures_change(book):
    year = book.plans["year"]
    with book.transaction() as con:
        assert kpis.take_snapshots(con, [year], day=date(2025, 3, 1)) == 1
        assert kpis.take_snapshots(con, [year], day=date(2025, 3, 2)) == 0  # nothing changed
        con.execute("UPDATE plan SET sales_target = 120000 WHERE id = ?", [year])
        assert kpis.take_snapshots(con, [year], day=date(2025, 3, 3)) == 1
        con.execute("UPDATE plan SET sales_target = 130000 WHERE id = ?", [year])
        assert kpis.take_snapshots(con, [year], day=date(2025, 3, 3)) == 1  # same day: replaced
    trend = kpis.snapshots(book, year)
    assert [str(d)[:10] for d in trend["snapshot_date"]] == ["2025-03-01", "2025-03-03"]
    assert list(trend["target"]) == [100_000, 130_000]
    assert list(trend["expected"]) == [65_000, 65_000]


def test_snapshots_for_every_plan_at_once(book):
    with book.transaction() as con:
        assert kpis.take_snapshots(con, day=date(2025, 3, 1)) == 4


def test_kpi_diff_reads_as_a_diff_with_human_names():
    parent = {key: None for key in kpis.KPI_KEYS} | {"target": 601_000.0, "won": 500_000.0, "pct_achieved": 0.8235, "won_count": 7}
    current = parent | {"target": 490_000.0, "won": 546_000.0, "pct_achieved": 0.9, "won_count": 7}
    rows = {row["KPI"]: row for row in kpis.kpi_diff(current, parent)}
    assert len(rows) == len(kpis.KPI_KEYS) == len(kpis.KPI_NAMES)
    assert rows["Sales target"] == {"KPI": "Sales target", "Parent": "$601,000", "This plan": "$490,000", "Change": "▼ $111,000"}
    assert rows["Won"]["Change"] == "▲ $46,000"
    assert (rows["% achieved"]["Parent"], rows["% achieved"]["Change"]) == ("82%", "▲ 8 pts")
    assert rows["Deals won"]["Change"] == "No change"
    assert rows["Pipeline"] == {"KPI": "Pipeline", "Parent": "—", "This plan": "—", "Change": "—"}
