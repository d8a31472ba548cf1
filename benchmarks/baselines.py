"""The physical limit each measure is compared with: hand-written SQL, run straight on DuckDB."""

from __future__ import annotations

# One aggregate over plans × opportunities with the membership rule of DESIGN.md: the plan's
# account (and business unit, when scoped), close date inside the period; the file's own
# probability / closed / won flags win over the stage table.
KPI_SQL = """
WITH member AS (
    SELECT p.id AS plan_id, o.amount,
           coalesce(o.probability, s.probability, 0) AS probability,
           coalesce(o.is_closed, s.is_closed, FALSE) AS is_closed,
           coalesce(o.is_won, s.is_won, FALSE) AS is_won,
           o.close_date - o.created_date AS cycle_days
    FROM plan p
    JOIN opportunity o ON o.account_id = p.account_id
         AND o.close_date BETWEEN p.period_start AND p.period_end
         AND (p.business_unit_id IS NULL OR o.business_unit_id = p.business_unit_id)
    LEFT JOIN stage s ON s.name = o.stage
    {where}
), agg AS (
    SELECT plan_id,
           coalesce(sum(amount) FILTER (WHERE is_won), 0) AS won,
           coalesce(sum(amount) FILTER (WHERE is_closed AND NOT is_won), 0) AS lost,
           coalesce(sum(amount) FILTER (WHERE NOT is_closed), 0) AS pipeline,
           coalesce(sum(amount * probability) FILTER (WHERE NOT is_closed), 0) AS weighted_pipeline,
           count(*) FILTER (WHERE is_won) AS won_count,
           count(*) FILTER (WHERE is_closed AND NOT is_won) AS lost_count,
           count(*) FILTER (WHERE NOT is_closed) AS open_count,
           avg(cycle_days) FILTER (WHERE is_won) AS avg_cycle_days
    FROM member GROUP BY plan_id
)
SELECT p.id AS plan_id, p.sales_target AS target, coalesce(a.won, 0) AS won, coalesce(a.lost, 0) AS lost,
       coalesce(a.pipeline, 0) AS pipeline, coalesce(a.weighted_pipeline, 0) AS weighted_pipeline,
       coalesce(a.won, 0) + coalesce(a.weighted_pipeline, 0) AS expected,
       coalesce(a.won, 0) + coalesce(a.weighted_pipeline, 0) - p.sales_target AS variance,
       a.won / nullif(p.sales_target, 0) AS pct_achieved,
       (coalesce(a.won, 0) + coalesce(a.weighted_pipeline, 0)) / nullif(p.sales_target, 0) AS expected_pct,
       a.pipeline / nullif(p.sales_target - coalesce(a.won, 0), 0) AS coverage,
       coalesce(a.won_count, 0) AS won_count, coalesce(a.lost_count, 0) AS lost_count,
       coalesce(a.open_count, 0) AS open_count,
       a.won_count / nullif(a.won_count + a.lost_count, 0) AS win_rate_count,
       a.won / nullif(a.won + a.lost, 0) AS win_rate_value,
       a.avg_cycle_days
FROM plan p LEFT JOIN agg a ON a.plan_id = p.id
{plan_where}
ORDER BY p.id
"""

SIDEBAR_SQL = [
    "SELECT count(*) FROM account", "SELECT count(*) FROM opportunity",
    "SELECT count(*) FROM contact", "SELECT count(*) FROM plan",
    "SELECT file_name, kind, finished_at FROM import_batch WHERE status = 'committed'"
    " ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1",
    "SELECT DISTINCT y FROM (SELECT unnest(range(year(period_start), year(period_end) + 1)) AS y FROM plan) ORDER BY y DESC",
    "SELECT id, name, email, role, manager_id, region FROM app_user WHERE is_active ORDER BY name",
]
PLAN_HEADER_SQL = (
    "SELECT p.*, a.name AS account, u.name AS owner FROM plan p JOIN account a ON a.id = p.account_id"
    " LEFT JOIN app_user u ON u.id = p.owner_id WHERE p.id = $plan"
)
PLAN_PICKER_SQL = (
    "SELECT p.id, p.name, a.name AS account FROM plan p JOIN account a ON a.id = p.account_id"
    " WHERE p.period_end >= $start AND p.period_start <= $end ORDER BY a.name, p.id"
)

# The raw SQL each page needs to show what it shows (sidebar included): the floor for its render.
PAGE_SQL: dict[str, list[str]] = {
    "pages/portfolio.py": [
        PLAN_PICKER_SQL,
        KPI_SQL.format(where="WHERE p.period_end >= $start AND p.period_start <= $end",
                       plan_where="WHERE p.period_end >= $start AND p.period_start <= $end"),
        "SELECT a.current_segment, a.target_segment, count(*), count(p.id) FROM account a"
        " LEFT JOIN plan p ON p.account_id = a.id AND p.is_primary AND p.period_end >= $start AND p.period_start <= $end"
        " WHERE a.is_strategic OR a.current_segment = 'Strategic Customer' GROUP BY ALL",
    ],
    "pages/plan.py": [
        PLAN_PICKER_SQL, PLAN_HEADER_SQL,
        KPI_SQL.format(where="WHERE p.id = $plan", plan_where="WHERE p.id = $plan"),
        "SELECT o.*, pr.name AS product FROM plan p JOIN opportunity o ON o.account_id = p.account_id"
        " AND o.close_date BETWEEN p.period_start AND p.period_end LEFT JOIN product pr ON pr.id = o.product_id"
        " WHERE p.id = $plan ORDER BY o.close_date, o.id",
    ],
    "pages/scorecard.py": [
        PLAN_PICKER_SQL, PLAN_HEADER_SQL,
        "SELECT c.name, q.text, q.qtype, q.weight, a.value, a.answered_at FROM scorecard_question q"
        " JOIN scorecard_category c ON c.id = q.category_id JOIN plan p ON p.template_id = c.template_id"
        " LEFT JOIN scorecard_answer a ON a.question_id = q.id AND a.submission_id ="
        " (SELECT max(id) FROM scorecard_submission WHERE plan_id = $plan) WHERE p.id = $plan ORDER BY c.position, q.position",
    ],
    "pages/whitespace.py": [
        PLAN_PICKER_SQL, PLAN_HEADER_SQL,
        "SELECT w.*, pr.name, pr.family FROM whitespace_cell w JOIN product pr ON pr.id = w.product_id WHERE w.plan_id = $plan",
        "SELECT o.product_id, o.business_unit_id, bool_or(coalesce(o.is_won, s.is_won)) AS sold,"
        " bool_or(NOT coalesce(o.is_closed, s.is_closed)) AS in_progress FROM plan p JOIN opportunity o"
        " ON o.account_id = p.account_id AND o.close_date <= p.period_end LEFT JOIN stage s ON s.name = o.stage"
        " WHERE p.id = $plan GROUP BY ALL",
    ],
    "pages/stakeholders.py": [
        PLAN_PICKER_SQL, PLAN_HEADER_SQL,
        "SELECT s.*, c.name, c.title, c.reports_to_id FROM stakeholder s JOIN contact c ON c.id = s.contact_id WHERE s.plan_id = $plan",
        "SELECT * FROM influence_link WHERE plan_id = $plan",
        "SELECT c.id, c.name, c.title FROM contact c JOIN plan p ON p.account_id = c.account_id WHERE p.id = $plan",
    ],
    "pages/import.py": [
        "SELECT b.*, u.name FROM import_batch b LEFT JOIN app_user u ON u.id = b.user_id ORDER BY b.id DESC",
    ],
}


def page_sql(page: str) -> list[str]:
    """Sidebar plus the page's own statements (a generic plan read for pages added later)."""
    return SIDEBAR_SQL + PAGE_SQL.get(page, [PLAN_PICKER_SQL, PLAN_HEADER_SQL])


def run_statements(con, statements: list[str], params: dict) -> None:
    for sql in statements:
        con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchall()
