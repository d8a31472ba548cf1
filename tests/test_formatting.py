"""planning.formatting: one way figures read in pages, exports and the CLI."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from planning.formatting import (
    amount,
    change,
    column_kind,
    column_label,
    count,
    date_text,
    days,
    figure,
    json_rows,
    money,
    multiple,
    percent,
    points,
)

MISSING = [None, float("nan"), pd.NA, pd.NaT]


@pytest.mark.parametrize("value, whole, short", [
    (1_234_567, "$1,234,567", "$1.23M"),
    (1_250_000, "$1,250,000", "$1.25M"),
    (1_500_000, "$1,500,000", "$1.5M"),
    (1_000_000, "$1,000,000", "$1M"),
    (2_500_000_000, "$2,500,000,000", "$2.5B"),
    (120_000, "$120,000", "$120k"),
    (50_000, "$50,000", "$50k"),
    (950, "$950", "$950"),
    (0, "$0", "$0"),
    (-20_000, "-$20,000", "-$20k"),
    (1234.5, "$1,234", "$1.23k"),
])
def test_money_is_whole_dollars_or_compact(value, whole, short):
    assert money(value) == whole
    assert money(value, short=True) == short


@pytest.mark.parametrize("missing", MISSING)
def test_a_missing_value_reads_as_a_dash_everywhere(missing):
    shown = {money(missing), money(missing, short=True), percent(missing), points(missing),
             multiple(missing), count(missing), date_text(missing), days(missing)}
    assert shown == {"—"}
    assert amount(missing) is None


def test_shares_ratios_counts_dates_and_json_amounts():
    assert (percent(0.9), percent(1.6), percent(0.12345, digits=1)) == ("90%", "160%", "12.3%")
    assert (points(0.05), points(-0.1)) == ("+5 pts", "-10 pts")
    assert (multiple(1.5), multiple(3, digits=1)) == ("1.50×", "3.0×")
    assert (count(12345), count(0)) == ("12,345", "0")
    assert (days(41.6), days(0)) == ("42 days", "0 days")
    assert date_text(date(2025, 2, 1)) == date_text(datetime(2025, 2, 1, 13, 5)) == "01 Feb 2025"
    assert date_text(pd.Timestamp("2026-12-31")) == "31 Dec 2026"
    assert (amount(1234.5678), amount(7)) == (1234.57, 7.0)


@pytest.mark.parametrize("name, label, kind", [
    ("weighted_pipeline", "Weighted pipeline", "money"),
    ("close_date", "Close date", "plain"),
    ("finished_at", "Finished", "plain"),
    ("expected_pct", "Expected % of target", "percent"),
    ("win_rate", "Win rate", "percent"),
    ("is_active", "Active", "plain"),
    ("plan_id", "Plan", "hidden"),
    ("id", "Id", "hidden"),
    ("coverage_colour", "Coverage colour", "hidden"),
    ("whitespace_value", "Whitespace value", "money"),
    ("current_revenue", "Current revenue", "money"),
    ("owner", "Owner", "plain"),
])
def test_a_column_name_gives_its_header_and_its_kind(name, label, kind):
    assert (column_label(name), column_kind(name)) == (label, kind)


@pytest.mark.parametrize("delta, kind, text", [
    (5_000, "money", "▲ $5,000"),
    (-111_000, "money", "▼ $111,000"),
    (0.05, "share", "▲ 5 pts"),
    (-0.25, "multiple", "▼ 0.25×"),
    (3, "count", "▲ 3"),
    (-4, "days", "▼ 4 days"),
    (0, "money", "No change"),
    (None, "money", "—"),
])
def test_a_change_reads_with_its_direction(delta, kind, text):
    assert change(delta, kind) == text


def test_a_figure_reads_as_its_kind():
    assert [figure(v, k) for v, k in [(601_000, "money"), (0.8235, "share"), (1.5, "multiple"), (None, "count")]] == [
        "$601,000", "82%", "1.50×", "—"]


def test_json_rows_are_plain_values():
    frame = pd.DataFrame({"n": [1, 2], "share": [0.5, float("nan")], "day": pd.to_datetime(["2026-01-31", None])})
    assert json_rows(frame) == [{"n": 1, "share": 0.5, "day": "2026-01-31"}, {"n": 2, "share": None, "day": None}]
    assert all(type(row["n"]) is int for row in json_rows(frame))
