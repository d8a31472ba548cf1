"""Segment moves, call cadence and the account-selection quadrant on the hand-built book."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from planning import portfolio_accounts as accounts
from planning.portfolio import Filters
from tests.portfolio_book import build_book

TODAY = date(2026, 11, 15)


@pytest.fixture
def book(fresh_db):
    fresh_db.ids = build_book(fresh_db)
    return fresh_db


def test_segment_matrix_counts_current_by_target(book):
    assert accounts.segment_matrix(book, Filters(2026)).values.tolist() == [
        ["Strategic Customer", "Strategic Customer", 2],
        ["Steady Customer", "Strategic Customer", 1],
        ["Occasional Customer", "Steady Customer", 1],
        ["Dormant", "Steady Customer", 1],
    ]


def test_accounts_that_must_move_up_biggest_jump_first(book):
    moves = accounts.accounts_to_move(book, Filters(2026))
    assert moves[["account", "current_segment", "target_segment", "steps"]].values.tolist() == [
        ["Echo", "Dormant", "Steady Customer", 3],
        ["Bravo", "Steady Customer", "Strategic Customer", 1],
        ["Charlie", "Occasional Customer", "Steady Customer", 1],
    ]


def test_overdue_calls_use_next_due_else_last_activity_plus_frequency(book):
    overdue = accounts.overdue_calls(book, Filters(2026), today=TODAY)
    # Bravo: no next due, last activity 1 Oct + 30 days = 31 Oct; Alpha: due 14 Nov; Charlie due today is not overdue;
    # Echo: 1 Nov + 90 days is in the future; Delta has no activity data at all.
    assert overdue[["account", "due_date", "days_overdue"]].values.tolist() == [
        ["Bravo", pd.Timestamp(2026, 10, 31), 15],
        ["Alpha", pd.Timestamp(2026, 11, 14), 1],
    ]


def test_quadrant_revenue_growth_and_labels(book):
    frame = accounts.selection_quadrant(book, Filters(2026), today=TODAY).set_index("account")
    assert frame["current_revenue"].to_dict() == {
        "Alpha": 80_000.0, "Bravo": 180_000.0, "Charlie": 89_999.99, "Delta": 0.0,
        "Echo": 300_000.0,  # the 1,000,000 won in June 2025 is older than 12 months
    }
    assert frame["open_pipeline"].to_dict() == {"Alpha": 40_000.0, "Bravo": 100_000.0, "Charlie": 0.0, "Delta": 500_000.0, "Echo": 0.0}
    assert frame["open_whitespace"].to_dict() == {"Alpha": 25_000.0, "Bravo": 0.0, "Charlie": 0.0, "Delta": 0.0, "Echo": 0.0}
    # Medians: revenue 89,999.99 and growth 65,000; an account exactly at the median is "low".
    assert frame["quadrant"].to_dict() == {
        "Alpha": "Maintain", "Bravo": "Strategic", "Charlie": "Maintain", "Delta": "Land & expand", "Echo": "Retain",
    }
    assert frame["selection_score"].to_dict()["Alpha"] == 75.0
    assert frame["has_plan"].to_dict() == {"Alpha": True, "Bravo": True, "Charlie": True, "Delta": True, "Echo": False}


def test_current_revenue_counts_12_months_back_from_the_period_end_when_it_is_past(book):
    frame = accounts.selection_quadrant(book, Filters(2025), today=TODAY).set_index("account")
    # Reference 31 Dec 2025: Echo's wins of June and December 2025 both count.
    assert frame.loc["Echo", "current_revenue"] == 1_300_000.0
    assert frame.loc["Alpha", "current_revenue"] == 0.0


@pytest.mark.parametrize(
    "revenue, growth, quadrants",
    [
        ([10, 20, 30, 40], [40, 30, 20, 10], ["Land & expand", "Land & expand", "Retain", "Retain"]),
        ([10, 20, 30, 40], [10, 20, 30, 40], ["Maintain", "Maintain", "Strategic", "Strategic"]),
        ([5, 5, 5], [0, 0, 0], ["Maintain", "Maintain", "Maintain"]),  # nobody is above an all-equal median
        ([1, 2, 3], [9, 2, 1], ["Land & expand", "Maintain", "Retain"]),
    ],
)
def test_assign_quadrants_splits_at_the_median(revenue, growth, quadrants):
    frame = pd.DataFrame({"current_revenue": revenue, "growth_potential": growth})
    assert accounts.assign_quadrants(frame)["quadrant"].tolist() == quadrants


def test_no_accounts_no_quadrant(fresh_db):
    assert accounts.selection_quadrant(fresh_db, Filters(2026), today=TODAY).empty
