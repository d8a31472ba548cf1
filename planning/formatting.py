"""How figures read, everywhere: pages, exports and the CLI format money, percentages, dates and counts here.

One convention: money is whole dollars with separators ("$1,234,567", "-$20,000"), or compact with
`short=True` ("$1.25M", "$50k", "$950") where room is tight (metrics, chart labels); percentages are
whole by default ("90%"); dates read "01 Feb 2025"; a missing value (None or NaN) is "—" in every one.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd

MISSING = "—"
_COMPACT = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


def is_missing(value: Any) -> bool:
    """None, NaN and pandas' NA/NaT are all 'no value'."""
    return value is None or bool(pd.isna(value))


def money(value: float | None, *, short: bool = False) -> str:
    """Whole dollars ("$1,234,567"); `short`: two significant decimals at most ("$1.25M", "$50k")."""
    if value is None or is_missing(value):
        return MISSING
    sign, amount = ("-" if value < 0 else ""), abs(float(value))
    if short:
        for limit, suffix in _COMPACT:
            if amount >= limit:
                return f"{sign}${amount / limit:,.2f}".rstrip("0").rstrip(".") + suffix
    return f"{sign}${amount:,.0f}"


def percent(value: float | None, digits: int = 0) -> str:
    """A share as a percentage: 0.9 → "90%"."""
    return MISSING if is_missing(value) else f"{value:.{digits}%}"


def points(value: float | None) -> str:
    """A change of a share in percentage points: 0.05 → "+5 pts"."""
    return MISSING if value is None or is_missing(value) else f"{value * 100:+.0f} pts"


def multiple(value: float | None, digits: int = 2) -> str:
    """A ratio as a multiple: 1.5 → "1.50×"."""
    return MISSING if is_missing(value) else f"{value:.{digits}f}×"


def count(value: int | float | None) -> str:
    """A whole number with separators: 12345 → "12,345"."""
    return MISSING if is_missing(value) else f"{value:,.0f}"


def date_text(value: date | None) -> str:
    """A date (or timestamp) as "01 Feb 2025"."""
    return MISSING if is_missing(value) else f"{value:%d %b %Y}"


def json_rows(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as JSON values: NaN/NaT → None, dates as ISO text, numpy numbers as Python's."""
    out = []
    for row in frame.to_dict("records"):
        clean: dict = {}
        for key, value in row.items():
            if value is None or value != value or str(value) == "NaT":
                clean[key] = None
            elif hasattr(value, "date"):
                clean[key] = value.date().isoformat()
            else:
                clean[key] = value.item() if hasattr(value, "item") else value
        out.append(clean)
    return out


def amount(value: float | None) -> float | None:
    """Money as a JSON number: rounded to cents, None for a missing value."""
    return None if value is None or is_missing(value) or (isinstance(value, float) and math.isinf(value)) else round(float(value), 2)


def days(value: float | None) -> str:
    """A duration in whole days: 41.6 → "42 days"."""
    return MISSING if is_missing(value) else f"{value:.0f} days"


# How a table column reads, from its name (ui/tables.py applies it to every table on every page).
HIDDEN_COLUMNS = frozenset({"id", "version", "colour", "coverage_colour", "coverage_status", "alert_rules"})
MONEY_COLUMNS = frozenset({
    "amount", "target", "sales_target", "won", "weighted", "expected", "variance", "sold", "in_progress", "whitespace",
    "estimated_value", "peer_estimate", "value",
})
MONEY_SUFFIXES = ("_value", "_revenue", "_pipeline", "_whitespace", "_potential", "_amount", "_target")
PERCENT_COLUMNS = frozenset({"probability", "win_rate", "won_vs_target", "expected_pct", "share"})
COLUMN_LABELS = {
    "expected_pct": "Expected % of target", "is_active": "Active", "kpi": "KPI", "url": "Link", "avg_score": "Average score",
    "rows_read": "Rows read", "call_frequency_days": "Call every (days)", "steps": "Segments to climb",
}
_LABEL_SUFFIXES = (("_at", ""), ("_pct", " %"), ("_id", ""))


def column_label(name: str) -> str:
    """A column name as a header: "weighted_pipeline" → "Weighted pipeline", "finished_at" → "Finished"."""
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    for suffix, replacement in _LABEL_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)] + replacement
            break
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def column_kind(name: str) -> str:
    """"hidden" (internal keys), "money", "percent" (a share 0–1) or "plain", from the column's name."""
    if name in HIDDEN_COLUMNS or name.endswith("_id"):
        return "hidden"
    if name in MONEY_COLUMNS or name.endswith(MONEY_SUFFIXES):
        return "money"
    return "percent" if name in PERCENT_COLUMNS else "plain"


def figure(value: Any, kind: str) -> str:
    """A figure as its kind reads: "money", "share", "multiple", "count" or "days"."""
    return {"money": money, "share": percent, "multiple": multiple, "count": count, "days": days}[kind](value)


def change(delta: Any, kind: str) -> str:
    """A change with its direction: "▲ $5,000", "▼ 3 pts", "No change"; "—" when unknown."""
    if is_missing(delta):
        return MISSING
    if delta == 0:
        return "No change"
    size = abs(delta)
    text = f"{size * 100:.0f} pts" if kind == "share" else figure(size, kind)
    return f"{'▲' if delta > 0 else '▼'} {text}"
