"""KPI engine: GSP's plan figures, set-based in DuckDB for one plan or all plans at once.

Rules (docs/design.md, issue #4):
- an opportunity counts for a plan when its account is the plan's account (and its business
  unit is the plan's, if the plan is scoped) and its close date is inside the period, both ends
  inclusive — `MEMBER_RULE` is the only place that says so (plan_member is that join);
- probability, is_closed and is_won are the file's own values, else the stage table's;
- a NULL amount counts as 0; ratios are NULL when their denominator is 0; coverage is NULL when
  the target is already reached (target ≤ won).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import duckdb

from planning.db import Database, cached_read, fetch_dicts
from planning.errors import NotFound

if TYPE_CHECKING:  # pandas loads with the first DataFrame; `planning kpis --plan` never needs it
    import pandas as pd

KPI_KEYS = [
    "target", "won", "lost", "pipeline", "weighted_pipeline", "expected", "variance",
    "pct_achieved", "expected_pct", "coverage", "won_count", "lost_count", "open_count",
    "win_rate_count", "win_rate_value", "avg_cycle_days",
]
COUNT_KEYS = {"won_count", "lost_count", "open_count"}
# KPI → (what a reader calls it, how it reads: formatting.figure's kinds)
KPI_NAMES = {
    "target": ("Sales target", "money"), "won": ("Won", "money"), "lost": ("Lost", "money"),
    "pipeline": ("Pipeline", "money"), "weighted_pipeline": ("Weighted pipeline", "money"),
    "expected": ("Expected", "money"), "variance": ("Variance", "money"), "pct_achieved": ("% achieved", "share"),
    "expected_pct": ("Expected % of target", "share"), "coverage": ("Pipeline coverage", "multiple"),
    "won_count": ("Deals won", "count"), "lost_count": ("Deals lost", "count"), "open_count": ("Deals open", "count"),
    "win_rate_count": ("Win rate (count)", "share"), "win_rate_value": ("Win rate (value)", "share"),
    "avg_cycle_days": ("Average sales cycle", "days"),
}

# An opportunity `o`'s effective figures, with its stage row `s` joined: the file's value, else
# the stage's (a won deal is closed). planning.forecast reads the whole book's closed deals by them.
EFFECTIVE_PROBABILITY = "coalesce(o.probability, s.probability, 0)"
EFFECTIVE_IS_WON = "coalesce(o.is_won, s.is_won, FALSE)"
EFFECTIVE_IS_CLOSED = f"coalesce(o.is_closed, s.is_closed, FALSE) OR {EFFECTIVE_IS_WON}"

# The membership rule, the one statement of it: opportunity `o` counts for plan `p` when …
# plan_member (migration 0240) is this join with MEMBER_COLUMNS of `o`: a view on DuckDB, a table
# on PostgreSQL that triggers keep equal to it in every write transaction (there a whole-book join
# of plans to a million opportunities costs ~0.3 s, reading the members ~0.05 s). Changing the rule
# takes a migration that rebuilds both.
MEMBER_RULE = """o.account_id = p.account_id
     AND o.close_date BETWEEN p.period_start AND p.period_end
     AND (p.business_unit_id IS NULL OR o.business_unit_id = p.business_unit_id)"""
MEMBER_COLUMNS = ("amount", "probability", "is_won", "is_closed", "close_date", "created_date", "stage", "product_id",
                  "type", "business_unit_id")
MEMBER_PICKS = ", ".join(f"o.{c}" for c in MEMBER_COLUMNS)
MEMBER_PAIRS_SQL = f"SELECT p.id AS plan_id, o.id AS opportunity_id, {MEMBER_PICKS} FROM plan p JOIN opportunity o ON {MEMBER_RULE}"


def _membership(members: str) -> str:
    """(plan, opportunity) pairs of `members` (plan_member's columns, as `o`) with the effective figures."""
    return f"""
SELECT o.plan_id, o.opportunity_id,
       coalesce(o.amount, 0) AS amount,
       {EFFECTIVE_PROBABILITY} AS probability,
       {EFFECTIVE_IS_WON} AS is_won,
       {EFFECTIVE_IS_CLOSED} AS is_closed,
       o.close_date, o.created_date, o.stage, o.product_id, o.type, o.business_unit_id
FROM {members} o
LEFT JOIN stage s ON s.name = o.stage
WHERE CAST($plan_ids AS BIGINT[]) IS NULL OR list_contains(CAST($plan_ids AS BIGINT[]), o.plan_id)
"""


# Every plan's members with their effective figures; $plan_ids is a BIGINT[] or NULL (every plan).
MEMBERSHIP_SQL = _membership("plan_member")
# The same from the rule itself, over whatever `opportunity` names where it is spliced in (planning.movement
# reads the members before a change by naming its reconstructed book `opportunity`).
MEMBERSHIP_BY_RULE_SQL = _membership(f"({MEMBER_PAIRS_SQL})")

_FIGURES = """
    CAST(sum(amount) FILTER (WHERE is_won) AS DOUBLE) AS won,
    CAST(sum(amount) FILTER (WHERE is_closed AND NOT is_won) AS DOUBLE) AS lost,
    CAST(sum(amount) FILTER (WHERE NOT is_closed) AS DOUBLE) AS pipeline,
    sum(CAST(amount AS DOUBLE) * probability ORDER BY opportunity_id) FILTER (WHERE NOT is_closed) AS weighted_pipeline,
    count(*) FILTER (WHERE is_won) AS won_count,
    count(*) FILTER (WHERE is_closed AND NOT is_won) AS lost_count,
    count(*) FILTER (WHERE NOT is_closed) AS open_count,
    CAST(sum(close_date - created_date) FILTER (WHERE is_won AND created_date IS NOT NULL) AS DOUBLE)
        / nullif(count(*) FILTER (WHERE is_won AND created_date IS NOT NULL), 0) AS avg_cycle_days
"""

# Money sums are exact DECIMAL sums, then DOUBLE; the ratios follow from the base figures. The one
# DOUBLE sum (weighted) adds in opportunity order and the cycle average is one DOUBLE division, so
# every backend and every plan subset rounds alike (figures identical to the last bit, issue #18).
_DERIVED = """
    target, won, lost, pipeline, weighted_pipeline,
    won + weighted_pipeline AS expected,
    won + weighted_pipeline - target AS variance,
    won / nullif(target, 0) AS pct_achieved,
    (won + weighted_pipeline) / nullif(target, 0) AS expected_pct,
    CASE WHEN target > won THEN pipeline / (target - won) END AS coverage,
    won_count, lost_count, open_count,
    CAST(won_count AS DOUBLE) / nullif(won_count + lost_count, 0) AS win_rate_count,
    won / nullif(won + lost, 0) AS win_rate_value,
    avg_cycle_days
"""

KPI_SQL = f"""
WITH members AS ({MEMBERSHIP_SQL}),
figures AS (SELECT plan_id, {_FIGURES} FROM members GROUP BY plan_id),
base AS (
    SELECT p.id AS plan_id, CAST(p.sales_target AS DOUBLE) AS target,
           coalesce(f.won, 0) AS won, coalesce(f.lost, 0) AS lost, coalesce(f.pipeline, 0) AS pipeline,
           coalesce(f.weighted_pipeline, 0) AS weighted_pipeline,
           coalesce(f.won_count, 0) AS won_count, coalesce(f.lost_count, 0) AS lost_count,
           coalesce(f.open_count, 0) AS open_count, f.avg_cycle_days
    FROM plan p LEFT JOIN figures f ON f.plan_id = p.id
    WHERE CAST($plan_ids AS BIGINT[]) IS NULL OR list_contains(CAST($plan_ids AS BIGINT[]), p.id)
)
SELECT plan_id, {_DERIVED} FROM base ORDER BY plan_id
"""

PORTFOLIO_SQL = f"""
WITH members AS ({MEMBERSHIP_SQL}),
distinct_members AS (SELECT DISTINCT ON (opportunity_id) * FROM members),
figures AS (SELECT {_FIGURES} FROM distinct_members),
targets AS (
    SELECT coalesce(sum(CAST(sales_target AS DOUBLE)), 0) AS target, count(*) AS plans FROM plan
    WHERE CAST($plan_ids AS BIGINT[]) IS NULL OR list_contains(CAST($plan_ids AS BIGINT[]), id)
),
base AS (
    SELECT t.target, t.plans, coalesce(f.won, 0) AS won, coalesce(f.lost, 0) AS lost,
           coalesce(f.pipeline, 0) AS pipeline, coalesce(f.weighted_pipeline, 0) AS weighted_pipeline,
           f.won_count, f.lost_count, f.open_count, f.avg_cycle_days
    FROM targets t, figures f
)
SELECT plans, {_DERIVED} FROM base
"""


def _ids(plan_ids: Iterable[int] | None) -> list[int] | None:
    return None if plan_ids is None else [int(i) for i in plan_ids]


def kpi_frame(con: duckdb.DuckDBPyConnection, plan_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """plan_kpis on an open connection (for use inside a transaction)."""
    return con.execute(KPI_SQL, {"plan_ids": _ids(plan_ids)}).df()


@cached_read
def plan_kpis(db: Database, plan_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per plan (`plan_id` + KPI_KEYS); `plan_ids=None` computes every plan in one query."""
    with db.connect() as con:
        return kpi_frame(con, plan_ids)


def _clean(value):
    """JSON-friendly scalar: NaN/NA → None, numpy numbers → Python numbers."""
    if value is None or type(value).__name__ == "NAType" or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """KPI rows as plain dicts (counts as int, missing ratios as None)."""
    out = []
    for row in frame.to_dict("records"):
        clean = {k: _clean(v) for k, v in row.items()}
        for key in COUNT_KEYS | {"plan_id"}:
            if clean.get(key) is not None:
                clean[key] = int(clean[key])
        out.append(clean)
    return out


@cached_read(plan_scoped=True)
def kpis_for_plan(db: Database, plan_id: int) -> dict:
    """The KPI_KEYS of one plan; NotFound when the plan does not exist.

    Same figures as `records(plan_kpis(db, [plan_id]))` (decimals as floats, counts as ints), read
    as plain rows: the CLI's `kpis --plan` then starts without pandas.
    """
    with db.connect() as con:
        found = fetch_dicts(con, KPI_SQL, {"plan_ids": [int(plan_id)]})
    if not found:
        raise NotFound(f"There is no plan with id {plan_id}.")
    row = {key: float(v) if isinstance(v, Decimal) else v for key, v in found[0].items()}
    figures = {key: _clean(row[key]) for key in KPI_KEYS}
    for key in COUNT_KEYS:
        if figures[key] is not None:
            figures[key] = int(figures[key])
    return figures


@cached_read
def portfolio_totals(db: Database, plan_ids: Iterable[int] | None = None) -> dict:
    """KPIs of a set of plans taken together: each opportunity once, targets summed per plan."""
    with db.connect() as con:
        row = records(con.execute(PORTFOLIO_SQL, {"plan_ids": _ids(plan_ids)}).df())[0]
    row["plans"] = int(row["plans"])
    for key in COUNT_KEYS:
        row[key] = int(row[key] or 0)
    return row


def kpi_deltas(current: dict, parent: dict | None) -> dict:
    """current − parent for every numeric KPI (None where either side is None or no parent)."""
    if not parent:
        return {key: None for key in KPI_KEYS}
    return {
        key: (current[key] - parent[key]) if current.get(key) is not None and parent.get(key) is not None else None
        for key in KPI_KEYS
    }


def kpi_diff(current: dict, parent: dict) -> list[dict]:
    """This plan's KPIs against its parent's, as they read: KPI, Parent, This plan, Change (▲ up, ▼ down)."""
    from planning.formatting import change, figure  # imports pandas, which `planning kpis --plan` never needs

    deltas = kpi_deltas(current, parent)
    return [
        {"KPI": name, "Parent": figure(parent[key], kind), "This plan": figure(current[key], kind), "Change": change(deltas[key], kind)}
        for key, (name, kind) in KPI_NAMES.items()
    ]


# -- snapshots -----------------------------------------------------------------------------

SNAPSHOT_SQL = f"""
INSERT INTO kpi_snapshot (plan_id, snapshot_date, target, won, pipeline, weighted_pipeline, expected)
WITH k AS ({KPI_SQL}),
previous AS (
    SELECT DISTINCT ON (plan_id) plan_id, target, won, pipeline, expected
    FROM kpi_snapshot WHERE snapshot_date < $day ORDER BY plan_id, snapshot_date DESC
),
today AS (SELECT plan_id FROM kpi_snapshot WHERE snapshot_date = $day)
SELECT k.plan_id, $day, k.target, k.won, k.pipeline, k.weighted_pipeline, k.expected
FROM k LEFT JOIN previous p ON p.plan_id = k.plan_id
WHERE p.plan_id IS NULL
   OR k.plan_id IN (SELECT plan_id FROM today)
   OR CAST(k.target AS DECIMAL(18, 2)) IS DISTINCT FROM p.target
   OR CAST(k.won AS DECIMAL(18, 2)) IS DISTINCT FROM p.won
   OR CAST(k.pipeline AS DECIMAL(18, 2)) IS DISTINCT FROM p.pipeline
   OR round(k.expected, 2) IS DISTINCT FROM round(p.expected, 2)
ON CONFLICT (plan_id, snapshot_date) DO UPDATE SET
   target = excluded.target, won = excluded.won, pipeline = excluded.pipeline,
   weighted_pipeline = excluded.weighted_pipeline, expected = excluded.expected
"""


def take_snapshots(con: duckdb.DuckDBPyConnection, plan_ids: Iterable[int] | None = None, day: date | None = None) -> int:
    """Record `day`'s (today's) figures for plans whose figures changed since their last snapshot.

    One row per plan per day (a later call the same day replaces it); returns rows written.
    Runs on the caller's connection so edits and imports snapshot inside their own transaction.
    """
    params = {"plan_ids": _ids(plan_ids), "day": day or date.today()}
    result = con.execute(SNAPSHOT_SQL, params).fetchall()
    return int(result[0][0]) if result else 0


def snapshots(db: Database, plan_id: int) -> pd.DataFrame:
    """A plan's KPI snapshots, oldest first (for the trend chart)."""
    return db.df(
        "SELECT snapshot_date, CAST(target AS DOUBLE) AS target, CAST(won AS DOUBLE) AS won,"
        " CAST(pipeline AS DOUBLE) AS pipeline, weighted_pipeline, expected"
        " FROM kpi_snapshot WHERE plan_id = ? ORDER BY snapshot_date",
        [plan_id],
    )


# -- chart data ----------------------------------------------------------------------------

TRAJECTORY_SQL = f"""
WITH members AS ({MEMBERSHIP_SQL}),
plan_period AS (SELECT period_start, period_end, CAST(sales_target AS DOUBLE) AS target FROM plan WHERE id = $plan),
days AS (
    SELECT CAST(close_date AS DATE) AS day,
           coalesce(CAST(sum(amount) FILTER (WHERE is_won) AS DOUBLE), 0) AS won,
           coalesce(sum(CAST(amount AS DOUBLE) * probability ORDER BY opportunity_id) FILTER (WHERE NOT is_closed), 0) AS weighted
    FROM members GROUP BY close_date
    UNION ALL SELECT period_start, 0, 0 FROM plan_period
    UNION ALL SELECT period_end, 0, 0 FROM plan_period
),
daily AS (SELECT day, sum(won) AS won, sum(weighted) AS weighted FROM days GROUP BY day)
SELECT d.day,
       sum(d.won) OVER w AS cumulative_won,
       sum(d.won + d.weighted) OVER w AS cumulative_expected,
       p.target * ((d.day - p.period_start) + 1) / ((p.period_end - p.period_start) + 1) AS target_line
FROM daily d, plan_period p
WINDOW w AS (ORDER BY d.day)
ORDER BY d.day
"""


def plan_trajectory(db: Database, plan_id: int) -> pd.DataFrame:
    """Cumulative won and won + weighted by close date across the period, with a straight-line target."""
    return db.df(TRAJECTORY_SQL, {"plan_ids": [plan_id], "plan": plan_id})


def pipeline_breakdown(db: Database, plan_id: int) -> pd.DataFrame:
    """Open pipeline of a plan by stage and product: amount, weighted amount and deal count."""
    return db.df(
        f"""
        WITH members AS ({MEMBERSHIP_SQL})
        SELECT coalesce(m.stage, '(no stage)') AS stage, coalesce(pr.name, '(no product)') AS product,
               CAST(sum(m.amount) AS DOUBLE) AS amount, sum(CAST(m.amount AS DOUBLE) * m.probability ORDER BY m.opportunity_id) AS weighted,
               count(*) AS deals, min(coalesce(s.sort_order, 999)) AS stage_order
        FROM members m LEFT JOIN product pr ON pr.id = m.product_id LEFT JOIN stage s ON s.name = m.stage
        WHERE NOT m.is_closed
        GROUP BY coalesce(m.stage, '(no stage)'), coalesce(pr.name, '(no product)') ORDER BY stage_order, stage, product
        """,
        {"plan_ids": [plan_id]},
    )
