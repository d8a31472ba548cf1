"""Account plans: listing and reading plans (lifecycle rules arrive with issue #4)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from planning.db import Database
from planning.errors import NotFound

PLAN_LIST_SQL = """
SELECT p.id, p.name, a.name AS account, a.id AS account_id, p.period_start, p.period_end,
       p.status, p.is_primary, u.name AS owner, bu.name AS business_unit,
       p.sales_target, p.parent_plan_id, p.last_reviewed_at
FROM plan p
JOIN account a ON a.id = p.account_id
LEFT JOIN app_user u ON u.id = p.owner_id
LEFT JOIN business_unit bu ON bu.id = p.business_unit_id
WHERE (CAST(? AS DATE) IS NULL OR p.period_end >= ?)
  AND (CAST(? AS DATE) IS NULL OR p.period_start <= ?)
ORDER BY a.name, p.period_start DESC, p.id
"""


def list_plans(db: Database, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Plans (with account and owner names) whose period overlaps [start, end], if given."""
    return db.df(PLAN_LIST_SQL, [start, start, end, end])


def get_plan(db: Database, plan_id: int) -> dict:
    """One plan with its account and owner names; NotFound when the id is unknown."""
    plan = db.one(
        "SELECT p.*, a.name AS account, u.name AS owner, bu.name AS business_unit"
        " FROM plan p JOIN account a ON a.id = p.account_id"
        " LEFT JOIN app_user u ON u.id = p.owner_id"
        " LEFT JOIN business_unit bu ON bu.id = p.business_unit_id WHERE p.id = ?",
        [plan_id],
    )
    if plan is None:
        raise NotFound(f"There is no plan with id {plan_id}.")
    return plan


def plan_opportunities(db: Database, plan_id: int) -> pd.DataFrame:
    """Opportunities that count for a plan: its account (and business unit), closing in its period."""
    return db.df(
        """
        SELECT o.id, o.external_id, o.name, o.stage, o.amount,
               coalesce(o.probability, s.probability) AS probability, o.close_date,
               pr.name AS product, bu.name AS business_unit, o.type
        FROM plan p
        JOIN opportunity o ON o.account_id = p.account_id
             AND o.close_date BETWEEN p.period_start AND p.period_end
             AND (p.business_unit_id IS NULL OR o.business_unit_id = p.business_unit_id)
        LEFT JOIN stage s ON s.name = o.stage
        LEFT JOIN product pr ON pr.id = o.product_id
        LEFT JOIN business_unit bu ON bu.id = o.business_unit_id
        WHERE p.id = ?
        ORDER BY o.close_date, o.id
        """,
        [plan_id],
    )
