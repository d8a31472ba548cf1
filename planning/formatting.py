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


def amount(value: float | None) -> float | None:
    """Money as a JSON number: rounded to cents, None for a missing value."""
    return None if value is None or is_missing(value) or (isinstance(value, float) and math.isinf(value)) else round(float(value), 2)


def days(value: float | None) -> str:
    """A duration in whole days: 41.6 → "42 days"."""
    return MISSING if is_missing(value) else f"{value:.0f} days"
