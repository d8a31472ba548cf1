"""Portfolio account views: segment moves, call cadence and the account-selection quadrant.

Rules:
- a segment ranks by its place in vocab.SEGMENTS (Strategic Customer highest); an account must
  move when its target segment ranks above its current one;
- a call is overdue when the next activity is due before today: `next_activity_due`, else
  `last_activity_date + call_frequency_days`; accounts with neither are not listed;
- quadrant (Prolifiq, DemandFarm): current revenue = won in the 12 months up to the period end
  (or today, if earlier); growth potential = open pipeline closing from the period start on (or
  undated) + the open whitespace (Open + Competitor) of the account's plans in scope, the largest
  one where plans overlap, so a cell is not counted twice. Each axis is "high" when strictly above
  the median of the accounts shown: high/high Strategic, low revenue/high growth Land & expand,
  high revenue/low growth Retain, low/low Maintain;
- account-selection score: criteria weights × 1–5 scores, normalised to 0–100 over the criteria
  the account was scored on (None when unscored).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from planning import vocab, whitespace
from planning.db import Database, cached_read
from planning.portfolio import SCOPE_SQL, Filters

QUADRANTS = {(True, True): "Strategic", (False, True): "Land & expand", (True, False): "Retain", (False, False): "Maintain"}
QUADRANT_COLOURS = {"Strategic": "#2e7d32", "Land & expand": "#1976d2", "Retain": "#f9a825", "Maintain": "#9e9e9e"}


@cached_read
def segment_matrix(db: Database, filters: Filters) -> pd.DataFrame:
    """Accounts in scope counted by current × target segment (long format, vocab order)."""
    return db.df(
        f"""
        WITH {SCOPE_SQL}
        SELECT coalesce(a.current_segment, '(none)') AS current_segment,
               coalesce(a.target_segment, '(none)') AS target_segment, count(*) AS accounts
        FROM scoped_accounts a GROUP BY a.current_segment, a.target_segment
        ORDER BY coalesce(list_position(CAST($segments AS VARCHAR[]), a.current_segment), 99),
                 coalesce(list_position(CAST($segments AS VARCHAR[]), a.target_segment), 99)
        """,
        filters.params(segments=vocab.SEGMENTS),
    )


@cached_read
def accounts_to_move(db: Database, filters: Filters) -> pd.DataFrame:
    """Accounts whose target segment ranks above their current one, the biggest jumps first."""
    return db.df(
        f"""
        WITH {SCOPE_SQL}
        SELECT id AS account_id, name AS account, owner, territory, current_segment, target_segment, tier,
               list_position(CAST($segments AS VARCHAR[]), current_segment) - list_position(CAST($segments AS VARCHAR[]), target_segment) AS steps
        FROM scoped_accounts
        WHERE list_position(CAST($segments AS VARCHAR[]), target_segment) < list_position(CAST($segments AS VARCHAR[]), current_segment)
        ORDER BY steps DESC, name, id
        """,
        filters.params(segments=vocab.SEGMENTS),
    )


@cached_read
def overdue_calls(db: Database, filters: Filters, today: date | None = None) -> pd.DataFrame:
    """Accounts in scope whose next activity is overdue given their call frequency, most overdue first."""
    return db.df(
        f"""
        WITH {SCOPE_SQL},
        due AS (
            SELECT *, coalesce(next_activity_due, last_activity_date + call_frequency_days) AS due_date
            FROM scoped_accounts
        )
        SELECT id AS account_id, name AS account, owner, territory, tier, call_frequency_days, last_activity_date,
               due_date, CAST($today AS DATE) - due_date AS days_overdue
        FROM due WHERE due_date < CAST($today AS DATE)
        ORDER BY days_overdue DESC, name, id
        """,
        filters.params(today=today or date.today()),
    )


ACCOUNT_FIGURES_SQL = """
WITH {scope},
effective AS (
    SELECT o.account_id, coalesce(o.amount, 0) AS amount, o.close_date,
           coalesce(o.is_won, s.is_won, FALSE) AS is_won,
           coalesce(o.is_closed, s.is_closed, FALSE) OR coalesce(o.is_won, s.is_won, FALSE) AS is_closed
    FROM opportunity o LEFT JOIN stage s ON s.name = o.stage
    WHERE o.account_id IN (SELECT id FROM scoped_accounts)
),
figures AS (
    SELECT account_id,
           CAST(sum(amount) FILTER (WHERE is_won AND close_date > CAST($reference AS DATE) - INTERVAL 12 MONTH
                                   AND close_date <= CAST($reference AS DATE)) AS DOUBLE) AS current_revenue,
           CAST(sum(amount) FILTER (WHERE NOT is_closed AND (close_date IS NULL OR close_date >= CAST($start AS DATE)))
                AS DOUBLE) AS open_pipeline
    FROM effective GROUP BY account_id
),
selection AS (
    SELECT s.account_id,
           round(100 * (sum(c.weight * s.score) / nullif(sum(c.weight), 0) - 1) / 4, 1) AS selection_score
    FROM account_selection_score s JOIN selection_criterion c ON c.id = s.criterion_id GROUP BY s.account_id
)
SELECT a.id AS account_id, a.name AS account, a.owner, a.territory, a.current_segment AS segment, a.tier,
       coalesce(f.current_revenue, 0) AS current_revenue, coalesce(f.open_pipeline, 0) AS open_pipeline,
       sel.selection_score,
       (SELECT array_agg(id ORDER BY id) FROM scoped_plans p WHERE p.account_id = a.id) AS plan_ids,
       EXISTS (SELECT 1 FROM scoped_plans p WHERE p.account_id = a.id) AS has_plan
FROM scoped_accounts a LEFT JOIN figures f ON f.account_id = a.id LEFT JOIN selection sel ON sel.account_id = a.id
ORDER BY a.name, a.id
"""


def assign_quadrants(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds high_revenue, high_growth and quadrant: each axis high when strictly above the frame's median."""
    if frame.empty:
        return frame.assign(high_revenue=pd.Series(dtype=bool), high_growth=pd.Series(dtype=bool), quadrant=pd.Series(dtype=object))
    high_revenue = frame["current_revenue"] > frame["current_revenue"].median()
    high_growth = frame["growth_potential"] > frame["growth_potential"].median()
    quadrant = [QUADRANTS[(bool(r), bool(g))] for r, g in zip(high_revenue, high_growth)]
    return frame.assign(high_revenue=high_revenue, high_growth=high_growth, quadrant=quadrant)


@cached_read
def selection_quadrant(db: Database, filters: Filters, today: date | None = None) -> pd.DataFrame:
    """Per account in scope: current revenue, growth potential, quadrant and account-selection score."""
    reference = min(filters.end, today or date.today())
    frame = db.df(ACCOUNT_FIGURES_SQL.format(scope=SCOPE_SQL), filters.params(reference=reference))
    plan_of = frame[["account_id", "plan_ids"]].explode("plan_ids").dropna()
    if plan_of.empty:
        frame["open_whitespace"] = 0.0
    else:
        totals = whitespace.whitespace_totals(db, plan_of["plan_ids"].astype(int).tolist())
        merged = plan_of.astype({"plan_ids": int}).merge(totals, left_on="plan_ids", right_on="plan_id")
        largest = merged.groupby("account_id")["whitespace_value"].max().astype(float)
        frame["open_whitespace"] = frame["account_id"].map(largest).fillna(0.0)
    frame["growth_potential"] = frame["open_pipeline"] + frame["open_whitespace"]
    return assign_quadrants(frame.drop(columns=["plan_ids"]))
