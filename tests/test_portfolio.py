"""Portfolio figures on a hand-built book with overlapping plans (tests/portfolio_book.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from planning import kpis, portfolio
from planning.portfolio import Filters
from tests.portfolio_book import build_book


@pytest.fixture
def book(fresh_db):
    fresh_db.ids = build_book(fresh_db)
    return fresh_db


def filters(book, **names) -> Filters:
    """Filters with owner/manager given by the book's names (ann, lea...)."""
    resolved = {f"{key}_id": book.ids[value] for key, value in names.items() if key in ("owner", "manager")}
    rest = {key: value for key, value in names.items() if key not in ("owner", "manager")}
    return Filters(year=rest.pop("year", 2026), **resolved, **rest)


@pytest.mark.parametrize(
    "target, expected, status",
    [
        (100_000, 89_999.99, "Behind"),
        (100_000, 90_000, "On track"),       # 90 % exactly
        (100_000, 100_000, "On track"),
        (100_000, 110_000, "On track"),      # 110 % exactly
        (100_000, 110_000.01, "Ahead"),
        (3, 2.7, "On track"),                # 0.9 × 3 is 2.7000000000000006 in floats
        (1_000, 0, "Behind"),
        (0, 0, "No target"),
        (0, 5_000, "No target"),
        (None, 5_000, "No target"),
    ],
)
def test_performance_status_edges(target, expected, status):
    assert portfolio.performance_status(target, expected) == status


def test_headline_counts_shared_opportunities_once(book):
    figures = portfolio.headline(book, filters(book))
    assert figures == {
        "plans": 5, "target": 450_000.0, "won": 349_999.99, "weighted_pipeline": 20_000.0,
        "expected": 369_999.99, "variance": pytest.approx(-80_000.01), "pipeline": 40_000.0,
        "expected_pct": pytest.approx(369_999.99 / 450_000),
        "behind": 1, "on_track": 2, "ahead": 1, "no_target": 1,
    }
    # Plan by plan the shared 60,000 won and 40,000 open deal appear twice; the headline has them once.
    per_plan = kpis.plan_kpis(book, [book.ids["p1"], book.ids["p2"]])
    assert per_plan["won"].sum() == 140_000.0


@pytest.mark.parametrize(
    "chosen, plans, target, won",
    [
        ({"owner": "ann"}, ["Alpha FY2026", "Alpha Unit X FY2026", "Delta FY2026"], 150_000.0, 80_000.0),
        ({"manager": "lea"}, ["Alpha FY2026", "Alpha Unit X FY2026", "Bravo FY2026", "Delta FY2026"], 350_000.0, 260_000.0),
        ({"manager": "max"}, ["Charlie H1 2026"], 100_000.0, 89_999.99),
        ({"territory": "West"}, ["Bravo FY2026"], 200_000.0, 180_000.0),
        ({"region": "International"}, ["Charlie H1 2026"], 100_000.0, 89_999.99),
        ({"segment": "Strategic Customer"}, ["Alpha FY2026", "Alpha Unit X FY2026", "Delta FY2026"], 150_000.0, 80_000.0),
        ({"tier": 1}, ["Bravo FY2026"], 200_000.0, 180_000.0),
        ({"year": 2025}, ["Delta FY2025"], 70_000.0, 0.0),
        ({"year": 2024}, [], 0.0, 0.0),
    ],
)
def test_filters_choose_the_plans(book, chosen, plans, target, won):
    scoped = filters(book, **chosen)
    performance = portfolio.plan_performance(book, scoped)
    assert sorted(performance["plan"]) == sorted(plans)
    figures = portfolio.headline(book, scoped, performance)
    assert (figures["plans"], figures["target"], figures["won"]) == (len(plans), target, won)


def test_plan_performance_is_sorted_by_gap_with_status_colour_and_link(book):
    frame = portfolio.plan_performance(book, filters(book))
    assert frame[["plan", "variance", "performance", "colour"]].values.tolist() == [
        ["Charlie H1 2026", pytest.approx(-10_000.01), "Behind", "#c62828"],
        ["Bravo FY2026", -20_000.0, "On track", "#f9a825"],   # a bigger gap, but within 90 %
        ["Alpha FY2026", 0.0, "On track", "#f9a825"],
        ["Alpha Unit X FY2026", 30_000.0, "Ahead", "#2e7d32"],
        ["Delta FY2026", 0.0, "No target", "#9e9e9e"],
    ]
    assert frame["link"].iloc[0] == f"/plan?plan={book.ids['p4']}"


def test_strategic_accounts_with_and_without_a_plan(book):
    frame = portfolio.strategic_accounts(book, filters(book))
    rows = {r["account"]: r for r in frame.to_dict("records")}
    assert set(rows) == {"Alpha", "Bravo", "Charlie", "Delta"}  # Echo is neither segment, tier 1 nor flagged
    assert {name: (r["has_plan"], r["strategic_because"]) for name, r in rows.items()} == {
        "Alpha": (True, "Strategic Customer segment"),
        "Bravo": (True, "Tier 1"),
        "Charlie": (False, "Flagged strategic"),  # its primary plan covers H1 only
        "Delta": (False, "Strategic Customer segment"),  # its FY2026 plan is not primary
    }
    assert rows["Alpha"]["plan_id"] == book.ids["p1"]
    assert rows["Delta"]["create_plan_link"] == f"/plan?new_plan_account={book.ids['delta']}"
    # Without a plan first, the best account-selection score leading.
    assert frame["account"].tolist() == ["Delta", "Charlie", "Alpha", "Bravo"]
    assert rows["Alpha"]["selection_score"] == 75.0  # (3×5 + 1×1) / 4 = 4 of 5 → 75 / 100
    assert rows["Delta"]["selection_score"] == 0.0
    assert pd.isna(rows["Bravo"]["selection_score"])  # never scored


def test_with_a_plan_follows_the_period(book):
    frame = portfolio.strategic_accounts(book, filters(book, year=2025))
    assert dict(zip(frame["account"], frame["has_plan"])) == {"Delta": True, "Alpha": False, "Bravo": False, "Charlie": False}


def test_coverage_counts_by_owner_and_territory(book):
    frame = portfolio.strategic_accounts(book, filters(book))
    assert portfolio.coverage_counts(frame, "owner").values.tolist() == [
        ["Ann Rep", "With plan", 1], ["Ann Rep", "Without plan", 1], ["Bob Rep", "With plan", 1], ["Cai Rep", "Without plan", 1],
    ]
    assert portfolio.coverage_counts(frame, "territory").values.tolist() == [
        ["East", "With plan", 1], ["East", "Without plan", 2], ["West", "With plan", 1],
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, Filters(2026)),
        ({"period": "2025", "owner": "7", "tier": "1", "segment": "Dormant"}, Filters(2025, owner_id=7, tier=1, segment="Dormant")),
        ({"period": "soon", "owner": "x", "tier": "9", "segment": "Best"}, Filters(2026)),
        ({"territory": " West ", "region": "", "manager": "3"}, Filters(2026, manager_id=3, territory="West")),
    ],
)
def test_filters_from_the_url_ignore_what_does_not_parse(query, expected):
    assert Filters.from_query(query, default_year=2026) == expected


def test_filters_round_trip_through_the_url():
    chosen = Filters(2025, owner_id=4, manager_id=2, territory="EMEA", region="International", segment="Dormant", tier=3)
    assert chosen.to_query() == {"period": "2025", "owner": "4", "manager": "2", "territory": "EMEA",
                                 "region": "International", "segment": "Dormant", "tier": "3"}
    assert Filters.from_query(chosen.to_query(), default_year=2000) == chosen


def test_report_for_the_cli(book):
    found = portfolio.report(book, filters(book, owner="ann"))
    assert found["headline"]["plans"] == 3
    assert [a["account"] for a in found["with_plan"]] == ["Alpha"]
    assert [a["account"] for a in found["without_plan"]] == ["Delta"]
    assert [p["plan"] for p in found["plans"]] == ["Alpha FY2026", "Alpha Unit X FY2026", "Delta FY2026"]
    assert found["filters"]["owner_id"] == book.ids["ann"]


def test_filter_options_list_people_places_and_years(book):
    options = portfolio.filter_options(book)
    assert options["years"] == [2026, 2025]
    assert [name for _, name in options["owners"]] == ["Ann Rep", "Bob Rep", "Cai Rep"]
    assert [name for _, name in options["managers"]] == ["Lea Lead", "Max Manager"]
    assert options["territories"] == ["East", "West"]
    assert options["regions"] == ["International", "North America"]
