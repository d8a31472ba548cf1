"""Reconciliation after an import: opportunities no plan counts, and ones two plans both count.

Plan membership (DESIGN.md): an opportunity counts for a plan when it belongs to the plan's
account, to the plan's business unit if the plan is scoped to one, and its close date lies in
[period_start, period_end] inclusive.
"""

from __future__ import annotations

import pandas as pd

from planning.db import Database

MEMBERSHIP = """
    SELECT o.id AS opportunity_id, p.id AS plan_id
    FROM opportunity o JOIN plan p
      ON p.account_id = o.account_id
     AND (p.business_unit_id IS NULL OR p.business_unit_id = o.business_unit_id)
     AND o.close_date BETWEEN p.period_start AND p.period_end
"""

REASONS = ("no account", "no close date", "account without a plan", "close date outside every plan period")


def uncounted(db: Database, limit: int = 1000) -> pd.DataFrame:
    """Opportunities counted by no plan, each with the first reason that applies."""
    return db.df(
        f"""
        WITH member AS ({MEMBERSHIP})
        SELECT o.id, o.external_id, o.name, coalesce(a.name, o.account_ref) AS account, o.stage, o.amount,
               o.close_date,
               CASE WHEN o.account_id IS NULL THEN 'no account'
                    WHEN o.close_date IS NULL THEN 'no close date'
                    WHEN NOT EXISTS (SELECT 1 FROM plan p WHERE p.account_id = o.account_id)
                         THEN 'account without a plan'
                    ELSE 'close date outside every plan period' END AS reason
        FROM opportunity o LEFT JOIN account a ON a.id = o.account_id
        WHERE o.id NOT IN (SELECT opportunity_id FROM member)
        ORDER BY reason, o.id
        LIMIT ?
        """,
        [limit],
    )


def uncounted_summary(db: Database) -> pd.DataFrame:
    """How many opportunities (and how much amount) no plan counts, by reason."""
    return db.df(
        f"""
        WITH member AS ({MEMBERSHIP}),
        reasons AS (
            SELECT o.amount,
                   CASE WHEN o.account_id IS NULL THEN 'no account'
                        WHEN o.close_date IS NULL THEN 'no close date'
                        WHEN NOT EXISTS (SELECT 1 FROM plan p WHERE p.account_id = o.account_id)
                             THEN 'account without a plan'
                        ELSE 'close date outside every plan period' END AS reason
            FROM opportunity o WHERE o.id NOT IN (SELECT opportunity_id FROM member))
        SELECT reason, count(*) AS opportunities, coalesce(sum(amount), 0) AS amount
        FROM reasons GROUP BY reason ORDER BY opportunities DESC, reason
        """
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
        GROUP BY ALL HAVING count(*) > 1
        ORDER BY plans DESC, o.id
        LIMIT ?
        """,
        [limit],
    )
