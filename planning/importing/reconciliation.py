"""Reconciliation after an import: opportunities no plan counts, and ones two plans both count.

Plan membership is the KPI engine's rule (kpis.MEMBERSHIP_SQL): same account, same business
unit if the plan is scoped to one, close date within the period, both ends inclusive.
"""

from __future__ import annotations

import pandas as pd

from planning import kpis
from planning.db import Database

# Every plan's members (kpis.MEMBERSHIP_SQL is the one statement of the rule).
MEMBERSHIP = kpis.MEMBERSHIP_SQL
ALL_PLANS = {"plan_ids": None}

REASONS = ("no account", "no close date", "account without a plan", "close date outside every plan period")


# `uncounted`: every opportunity no plan counts, with the first reason that applies (REASONS order).
# Top-level CTEs referenced once, which PostgreSQL inlines, so a caller's filters and columns reach
# the scan.
UNCOUNTED_CTES = f"""
    member AS ({MEMBERSHIP}),
    uncounted AS (
    SELECT o.id, o.external_id, o.name, o.account_id, o.account_ref, o.stage, o.amount, o.close_date,
           CASE WHEN o.account_id IS NULL THEN 'no account'
                WHEN o.close_date IS NULL THEN 'no close date'
                WHEN NOT EXISTS (SELECT 1 FROM plan p WHERE p.account_id = o.account_id)
                     THEN 'account without a plan'
                ELSE 'close date outside every plan period' END AS reason
    FROM opportunity o
    WHERE NOT EXISTS (SELECT 1 FROM member m WHERE m.opportunity_id = o.id))
"""


def uncounted(db: Database, limit: int = 1000) -> pd.DataFrame:
    """Opportunities counted by no plan, each with the first reason that applies."""
    return db.df(
        f"""
        WITH {UNCOUNTED_CTES}
        SELECT u.id, u.external_id, u.name, coalesce(a.name, u.account_ref) AS account, u.stage, u.amount,
               u.close_date, u.reason
        FROM uncounted u LEFT JOIN account a ON a.id = u.account_id
        ORDER BY u.reason, u.id
        LIMIT $limit
        """,
        ALL_PLANS | {"limit": limit},
    )


def uncounted_summary(db: Database) -> pd.DataFrame:
    """How many opportunities (and how much amount) no plan counts, by reason."""
    return db.df(
        f"""
        WITH {UNCOUNTED_CTES}
        SELECT reason, count(*) AS opportunities, coalesce(sum(amount), 0) AS amount
        FROM uncounted GROUP BY reason ORDER BY opportunities DESC, reason
        """,
        ALL_PLANS,
    )


def double_counted(db: Database, limit: int = 1000) -> pd.DataFrame:
    """Opportunities that two or more overlapping plans count, with the plans' names."""
    return db.df(
        f"""
        WITH member AS ({MEMBERSHIP})
        SELECT o.id, o.external_id, o.name, a.name AS account, o.amount, o.close_date,
               count(*) AS plans, string_agg(p.name, ' | ' ORDER BY p.id) AS plan_names
        FROM member m JOIN opportunity o ON o.id = m.opportunity_id JOIN plan p ON p.id = m.plan_id
        LEFT JOIN account a ON a.id = o.account_id
        GROUP BY o.id, o.external_id, o.name, a.name, o.amount, o.close_date HAVING count(*) > 1
        ORDER BY plans DESC, o.id
        LIMIT $limit
        """,
        ALL_PLANS | {"limit": limit},
    )
