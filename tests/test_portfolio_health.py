"""Plan freshness, per-section staleness and the review-due queue on the hand-built book."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from planning import portfolio_health as health
from planning.portfolio import Filters
from tests.portfolio_book import build_book

TODAY = date(2026, 11, 15)
ALL = ["scorecard", "stakeholders", "whitespace", "objectives"]


@pytest.fixture
def book(fresh_db):
    fresh_db.ids = build_book(fresh_db)
    return fresh_db


def test_review_staleness_and_section_staleness(book):
    frame = health.plan_health(book, Filters(2026), today=TODAY).set_index("plan")
    rows = [
        [None if pd.isna(days) else int(days), bool(stale), sections]
        for days, stale, sections in zip(frame["days_since_review"], frame["review_stale"], frame["stale_sections"])
    ]
    assert rows == [
        [90, False, ["stakeholders"]],  # Alpha: reviewed exactly 90 days ago is still fresh
        [91, True, ALL],                # Alpha Unit X: 91 days
        [None, True, ALL],              # Bravo: never reviewed
        [14, False, ALL],               # Charlie
        [198, True, ALL],               # Delta
    ]


def test_health_columns_come_from_the_section_modules(book):
    frame = health.plan_health(book, Filters(2026), today=TODAY).set_index("plan")
    alpha = frame.loc["Alpha FY2026"]
    assert alpha["whitespace_value"] == 25_000.0
    assert alpha["coverage_label"]  # the stakeholder module's words, whatever they are for one mapped contact
    assert frame.loc["Bravo FY2026", "whitespace_value"] == 0.0
    assert str(alpha["scorecard_at"])[:10] == "2026-11-01"
    assert str(alpha["objectives_at"])[:10] == "2026-10-20"  # the audited change, newer than the creation


def test_review_queue_most_urgent_first(book):
    queue = health.review_queue(health.plan_health(book, Filters(2026), today=TODAY))
    assert queue["plan"].tolist() == [
        "Bravo FY2026",         # never reviewed
        "Delta FY2026",         # 108 days past due
        "Alpha Unit X FY2026",  # 1 day past due
        "Alpha FY2026",         # review fresh, stakeholders stale
        "Charlie H1 2026",      # review fresh, every section stale
    ]
    assert queue["days_overdue"].tolist()[1:] == [108, 1, 0, -76]


def test_no_plans_no_health(fresh_db):
    frame = health.plan_health(fresh_db, Filters(2026), today=TODAY)
    assert frame.empty and health.review_queue(frame).empty
