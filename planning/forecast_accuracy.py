"""Forecast accuracy (issue #19): how far a closed plan's "expected" was from what it finally won.

Rules (docs/design.md §5, "Forecast accuracy"):
- a plan is closed when its period ended before today (`period_end < today`);
- final won = the plan's `won` KPI now (`kpis.KPI_SQL`, so the membership rule is the KPIs');
- expected at horizon h (`HORIZONS`) = `expected` of the plan's latest `kpi_snapshot` dated on or
  before period_end − h days (snapshots are written only when figures change, so the latest one
  on or before a day is that day's figure); NULL when there is none by then — never guessed;
- error = expected − final won; pct_error = error / final won, NULL when final won is 0;
  abs_pct_error = |pct_error|, which the per-owner means average;
- the owner is the plan's, else its account's (as in the Portfolio's scope and deal movement).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from planning import kpis
from planning.db import Database, cached_read

if TYPE_CHECKING:
    import pandas as pd

HORIZONS = (90, 60, 30)  # days before period end at which the forecast is judged
PLAN_COLUMNS = ["plan_id", "plan", "owner", "period_end", "horizon_days", "snapshot_date", "expected", "final_won",
                "error", "pct_error", "abs_pct_error"]
OWNER_COLUMNS = ["owner", "horizon_days", "plans", "plans_measured", "mean_abs_pct_error", "mean_pct_error"]

# Closed plans × horizons, each with the snapshot in force on the horizon's day (if any) and the won KPI now.
PREFIX = f"""
WITH k AS ({kpis.KPI_SQL}),
closed AS (
    SELECT p.id AS plan_id, p.name AS plan, p.period_end, coalesce(p.owner_id, a.owner_id) AS owner_id
    FROM plan p JOIN account a ON a.id = p.account_id
    WHERE (CAST($plan_ids AS BIGINT[]) IS NULL OR list_contains(CAST($plan_ids AS BIGINT[]), p.id)) AND p.period_end < $today
),
horizon AS (SELECT unnest(CAST($horizons AS INTEGER[])) AS horizon_days),
in_force AS (
    SELECT DISTINCT ON (c.plan_id, h.horizon_days) c.plan_id, h.horizon_days, s.snapshot_date, s.expected
    FROM closed c CROSS JOIN horizon h
    JOIN kpi_snapshot s ON s.plan_id = c.plan_id AND s.snapshot_date <= c.period_end - h.horizon_days
    ORDER BY c.plan_id, h.horizon_days, s.snapshot_date DESC
),
measured AS (
    SELECT c.plan_id, c.plan, c.owner_id, c.period_end, h.horizon_days, f.snapshot_date,
           CAST(f.expected AS DOUBLE) AS expected, k.won AS final_won,
           CAST(f.expected AS DOUBLE) - k.won AS error,
           (CAST(f.expected AS DOUBLE) - k.won) / nullif(k.won, 0) AS pct_error
    FROM closed c CROSS JOIN horizon h
    JOIN k ON k.plan_id = c.plan_id
    LEFT JOIN in_force f ON f.plan_id = c.plan_id AND f.horizon_days = h.horizon_days
)
"""

PLAN_SQL = PREFIX + """
SELECT m.plan_id, m.plan, coalesce(u.name, 'No owner') AS owner, m.period_end, m.horizon_days, m.snapshot_date,
       m.expected, m.final_won, m.error, m.pct_error, abs(m.pct_error) AS abs_pct_error
FROM measured m LEFT JOIN app_user u ON u.id = m.owner_id
ORDER BY m.period_end DESC, m.plan, m.plan_id, m.horizon_days DESC
"""

# Means over the plans with a pct_error, summed in plan order so both backends round alike.
OWNER_SQL = PREFIX + """,
per_owner AS (
    SELECT owner_id, horizon_days, count(*) AS plans, count(pct_error) AS plans_measured,
           sum(abs(pct_error) ORDER BY plan_id) / nullif(count(pct_error), 0) AS mean_abs_pct_error,
           sum(pct_error ORDER BY plan_id) / nullif(count(pct_error), 0) AS mean_pct_error
    FROM measured GROUP BY owner_id, horizon_days
)
SELECT coalesce(u.name, 'No owner') AS owner, o.horizon_days, o.plans, o.plans_measured,
       o.mean_abs_pct_error, o.mean_pct_error
FROM per_owner o LEFT JOIN app_user u ON u.id = o.owner_id
ORDER BY owner, o.horizon_days DESC
"""


def _ids(plan_ids: Iterable[int] | None) -> list[int] | None:
    return None if plan_ids is None else sorted({int(i) for i in plan_ids})


def _empty(columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=columns)


@cached_read
def _frame(db: Database, sql_name: str, plan_ids: list[int] | None, today: date) -> pd.DataFrame:
    sql = {"plans": PLAN_SQL, "owners": OWNER_SQL}[sql_name]
    with db.connect() as con:
        return con.execute(sql, {"plan_ids": plan_ids, "today": today, "horizons": list(HORIZONS)}).df()


def plan_accuracy(db: Database, plan_ids: Iterable[int] | None, today: date | None = None) -> pd.DataFrame:
    """One row per closed plan × horizon (PLAN_COLUMNS): expected then, final won now, and the errors.

    A horizon without a snapshot by then keeps its row with expected and the errors NULL;
    `plan_ids=None` measures every plan (the CLI).
    """
    ids = _ids(plan_ids)
    if ids == []:
        return _empty(PLAN_COLUMNS)
    return _frame(db, "plans", ids, today or date.today())


def owner_accuracy(db: Database, plan_ids: Iterable[int] | None, today: date | None = None) -> pd.DataFrame:
    """Per owner × horizon (OWNER_COLUMNS): closed plans, plans measured, mean |% error| and mean % error (bias)."""
    ids = _ids(plan_ids)
    if ids == []:
        return _empty(OWNER_COLUMNS)
    return _frame(db, "owners", ids, today or date.today())
