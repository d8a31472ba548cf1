"""Reconciliation after an import: opportunities no plan counts, and ones two plans both count.

Plan membership is the KPI engine's rule (kpis.MEMBER_RULE): same account, same business
unit if the plan is scoped to one, close date within the period, both ends inclusive. These
reads need only which plans count which opportunity, so they read `plan_member` (that join: a
view on DuckDB, a maintained table on PostgreSQL) without the effective figures.
"""

from __future__ import annotations

import pandas as pd

from planning.db import Database

REASONS = ("no account", "no close date", "account without a plan", "close date outside every plan period")


# What decides an uncounted opportunity's reason, as three flags of `o` (an opportunity, or a
# row of opportunity_tally: account_id and undated) joined to PLANNED …
PLANNED = "LEFT JOIN (SELECT DISTINCT account_id FROM plan) planned ON planned.account_id = o.account_id"
FLAGS_SQL = """
    o.account_id IS NULL AS no_account, o.undated AS no_close_date,
    planned.account_id IS NOT NULL AS planned_account"""
# … and the first reason (REASONS, in that order) those flags give.
REASON_SQL = """
    CASE WHEN no_account THEN 'no account' WHEN no_close_date THEN 'no close date'
         WHEN NOT planned_account THEN 'account without a plan'
         ELSE 'close date outside every plan period' END"""

def uncounted(db: Database, limit: int = 1000) -> pd.DataFrame:
    """Opportunities counted by no plan, each with the first reason that applies."""
    return db.df(
        f"""
        WITH uncounted AS (
            SELECT o.id, o.external_id, o.name, o.account_id, o.account_ref, o.stage, o.amount, o.close_date, {FLAGS_SQL}
            FROM (SELECT *, close_date IS NULL AS undated FROM opportunity) o {PLANNED}
            WHERE NOT EXISTS (SELECT 1 FROM plan_member m WHERE m.opportunity_id = o.id))
        SELECT u.id, u.external_id, u.name, coalesce(a.name, u.account_ref) AS account, u.stage, u.amount,
               u.close_date, {REASON_SQL} AS reason
        FROM uncounted u LEFT JOIN account a ON a.id = u.account_id
        ORDER BY reason, u.id
        LIMIT $limit
        """,
        {"limit": limit},
    )


def uncounted_summary(db: Database) -> pd.DataFrame:
    """How many opportunities (and how much amount) no plan counts, by reason.

    Counted as every opportunity by reason, less the counted ones: only an opportunity with an
    account that has a plan and a close date can be counted, so they all come off the last
    reason. The book by reason comes from opportunity_tally (per account, dated or not) and the
    counted ones from plan_member, where the anti-join of the book against its members took
    PostgreSQL 1.7 s at 1M and a scan of the book by flags 0.3 s.
    """
    return db.df(
        f"""
        WITH counted AS (SELECT count(*) AS n, coalesce(sum(amount), 0) AS amount
                         FROM (SELECT opportunity_id, min(coalesce(amount, 0)) AS amount FROM plan_member
                               GROUP BY opportunity_id) one),
        flagged AS (SELECT {FLAGS_SQL}, sum(o.n) AS n, sum(o.amount) AS amount
                    FROM opportunity_tally o {PLANNED} GROUP BY 1, 2, 3),
        every AS (SELECT {REASON_SQL} AS reason, sum(n) AS n, sum(amount) AS amount FROM flagged GROUP BY 1)
        SELECT e.reason,
               CAST(e.n - CASE WHEN e.reason = $outside THEN c.n ELSE 0 END AS BIGINT) AS opportunities,
               e.amount - CASE WHEN e.reason = $outside THEN c.amount ELSE 0 END AS amount
        FROM every e CROSS JOIN counted c
        WHERE e.n - CASE WHEN e.reason = $outside THEN c.n ELSE 0 END > 0
        ORDER BY opportunities DESC, e.reason
        """,
        {"outside": REASONS[3]},
    )


def double_counted(db: Database, limit: int = 1000) -> pd.DataFrame:
    """Opportunities that two or more overlapping plans count, with the plans' names.

    Found on plan_member's ids alone (no figures needed), then named: grouping every member row
    with its text columns sorted 140k rows on disk on PostgreSQL at 1M, and grouping the members
    joined to their plans made PostgreSQL repeat the grouping in every parallel worker (0.6 s).
    """
    return db.df(
        """
        WITH doubled AS (
            SELECT opportunity_id, count(*) AS plans FROM plan_member GROUP BY opportunity_id HAVING count(*) > 1),
        named AS (
            SELECT d.opportunity_id, d.plans, string_agg(p.name, ' | ' ORDER BY p.id) AS plan_names
            FROM doubled d JOIN plan_member m ON m.opportunity_id = d.opportunity_id JOIN plan p ON p.id = m.plan_id
            GROUP BY d.opportunity_id, d.plans)
        SELECT o.id, o.external_id, o.name, a.name AS account, o.amount, o.close_date, d.plans, d.plan_names
        FROM named d JOIN opportunity o ON o.id = d.opportunity_id LEFT JOIN account a ON a.id = o.account_id
        ORDER BY d.plans DESC, o.id
        LIMIT ?
        """,
        [limit],
    )
