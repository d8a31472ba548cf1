"""The physical limit each measure is compared with: hand-written SQL, run straight on DuckDB."""

from __future__ import annotations

# One aggregate over plans × opportunities with the membership rule of docs/design.md: the plan's
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
    "SELECT max(version) FROM schema_migration",
    "SELECT DISTINCT y FROM (SELECT unnest(range(year(period_start), year(period_end) + 1)) AS y FROM plan) ORDER BY y DESC",
    "SELECT id, name, email, role, manager_id, region FROM app_user WHERE is_active ORDER BY name",
]
PLAN_HEADER_SQL = (
    "SELECT p.*, a.name AS account, u.name AS owner, bu.name AS business_unit FROM plan p"
    " JOIN account a ON a.id = p.account_id LEFT JOIN app_user u ON u.id = p.owner_id"
    " LEFT JOIN business_unit bu ON bu.id = p.business_unit_id WHERE p.id = $plan"
)
PLAN_LIST_SQL = (
    "SELECT p.id, p.name, a.name AS account, a.id AS account_id, p.period_start, p.period_end, p.status, p.is_primary,"
    " u.name AS owner, bu.name AS business_unit, p.sales_target, p.parent_plan_id, p.last_reviewed_at"
    " FROM plan p JOIN account a ON a.id = p.account_id LEFT JOIN app_user u ON u.id = p.owner_id"
    " LEFT JOIN business_unit bu ON bu.id = p.business_unit_id"
    " WHERE p.period_end >= $start AND p.period_start <= $end ORDER BY a.name, p.period_start DESC, p.id"
)
# The plan's deals (membership rule), the floor for its opportunity table, trajectory and pipeline charts.
PLAN_DEALS_SQL = (
    "SELECT o.*, pr.name AS product, pr.family FROM plan p JOIN opportunity o ON o.account_id = p.account_id"
    " AND o.close_date BETWEEN p.period_start AND p.period_end"
    " AND (p.business_unit_id IS NULL OR o.business_unit_id = p.business_unit_id)"
    " LEFT JOIN product pr ON pr.id = o.product_id WHERE p.id = $plan ORDER BY o.close_date, o.id"
)
STAKEHOLDER_FACTS_SQL = (
    "SELECT s.*, c.name, c.title, c.department, c.reports_to_id FROM stakeholder s JOIN contact c ON c.id = s.contact_id"
    " WHERE s.plan_id = $plan ORDER BY c.name, s.id"
)
MEMBERSHIP_SQL = (
    "SELECT o.id AS opportunity_id, p.id AS plan_id FROM opportunity o JOIN plan p ON p.account_id = o.account_id"
    " AND (p.business_unit_id IS NULL OR p.business_unit_id = o.business_unit_id)"
    " AND o.close_date BETWEEN p.period_start AND p.period_end"
)
PERIOD = "WHERE p.period_end >= $start AND p.period_start <= $end"

# The raw SQL each page needs to show what it shows (sidebar included): the floor for its render.
# Written by hand from what each page displays today (its tabs all render on every run).
PAGE_SQL: dict[str, list[str]] = {
    # The dashboard's figures: KPIs of the period's plans, strategic accounts with / without a primary
    # plan, the segment matrix, and revenue × pipeline per account for the selection quadrant.
    "pages/portfolio.py": [
        PLAN_LIST_SQL,
        KPI_SQL.format(where="WHERE p.period_end >= $start AND p.period_start <= $end",
                       plan_where="WHERE p.period_end >= $start AND p.period_start <= $end"),
        "SELECT a.owner_id, a.territory, count(*) AS strategic, count(p.id) AS with_plan FROM account a"
        " LEFT JOIN plan p ON p.account_id = a.id AND p.is_primary AND p.period_start <= $start AND p.period_end >= $end"
        " WHERE a.is_strategic OR a.tier = 1 OR a.current_segment = 'Strategic Customer' GROUP BY ALL",
        "SELECT current_segment, target_segment, count(*) FROM account GROUP BY ALL",
        "SELECT o.account_id, sum(o.amount) FILTER (WHERE coalesce(o.is_won, s.is_won)"
        " AND o.close_date > $end - INTERVAL 1 YEAR AND o.close_date <= $end) AS revenue,"
        " sum(o.amount) FILTER (WHERE NOT coalesce(o.is_closed, s.is_closed)) AS pipeline"
        " FROM opportunity o LEFT JOIN stage s ON s.name = o.stage GROUP BY o.account_id",
    ],
    "pages/plan.py": [
        PLAN_LIST_SQL, PLAN_HEADER_SQL,
        "SELECT id, name FROM account ORDER BY name, id",
        KPI_SQL.format(where="WHERE p.id = $plan OR p.id = (SELECT parent_plan_id FROM plan WHERE id = $plan)",
                       plan_where="WHERE p.id = $plan OR p.id = (SELECT parent_plan_id FROM plan WHERE id = $plan)"),
        PLAN_DEALS_SQL,
        "SELECT * FROM kpi_snapshot WHERE plan_id = $plan ORDER BY snapshot_date",
        "SELECT o.*, (SELECT count(*) FROM action x WHERE x.objective_id = o.id) AS actions FROM objective o"
        " WHERE o.plan_id = $plan ORDER BY o.id",
        "SELECT * FROM action WHERE plan_id = $plan ORDER BY due_date, id",
        "SELECT t.*, u.name FROM team_member t JOIN app_user u ON u.id = t.user_id WHERE t.plan_id = $plan",
        "SELECT * FROM initiative WHERE plan_id = $plan", "SELECT * FROM comment WHERE plan_id = $plan ORDER BY id",
        "SELECT id, name, parent_plan_id FROM plan WHERE id = (SELECT parent_plan_id FROM plan WHERE id = $plan)"
        " OR parent_plan_id = $plan",
        "SELECT * FROM audit_log WHERE entity = 'plan' AND entity_id = $plan ORDER BY id DESC LIMIT 500",
        "SELECT DISTINCT name FROM product ORDER BY name", "SELECT name FROM stage ORDER BY name",
        STAKEHOLDER_FACTS_SQL,
    ],
    "pages/scorecard.py": [
        PLAN_LIST_SQL, PLAN_HEADER_SQL,
        "SELECT c.name, c.weight, q.*, a.value, a.note, a.answered_at FROM scorecard_question q"
        " JOIN scorecard_category c ON c.id = q.category_id JOIN plan p ON p.template_id = c.template_id"
        " LEFT JOIN scorecard_answer a ON a.question_id = q.id AND a.submission_id ="
        " (SELECT max(id) FROM scorecard_submission WHERE plan_id = $plan) WHERE p.id = $plan ORDER BY c.position, q.position",
        "SELECT s.id, s.submitted_at, a.question_id, a.value FROM scorecard_submission s"
        " JOIN scorecard_answer a ON a.submission_id = s.id WHERE s.plan_id = $plan ORDER BY s.id",
        # calibration: every plan of the period, its latest answers and its won revenue
        "SELECT p.id, max(s.id) AS submission, count(a.value) AS answers FROM plan p"
        " LEFT JOIN scorecard_submission s ON s.plan_id = p.id LEFT JOIN scorecard_answer a ON a.submission_id = s.id "
        + PERIOD + " GROUP BY p.id",
        KPI_SQL.format(where=PERIOD, plan_where=PERIOD),
        "SELECT t.*, c.name AS category, q.text FROM scorecard_template t JOIN scorecard_category c ON c.template_id = t.id"
        " JOIN scorecard_question q ON q.category_id = c.id ORDER BY t.id, c.position, q.position",
    ],
    "pages/whitespace.py": [
        PLAN_LIST_SQL, PLAN_HEADER_SQL,
        "SELECT w.*, pr.name, pr.family FROM whitespace_cell w JOIN product pr ON pr.id = w.product_id WHERE w.plan_id = $plan",
        "SELECT id, name, family, list_price FROM product ORDER BY family, name",
        "SELECT * FROM business_unit WHERE account_id = (SELECT account_id FROM plan WHERE id = $plan)",
        # derived status: won / open deals of the account by unit × product up to the plan end
        "SELECT o.product_id, o.business_unit_id, bool_or(coalesce(o.is_won, s.is_won)) AS sold,"
        " bool_or(NOT coalesce(o.is_closed, s.is_closed)) AS in_progress FROM plan p JOIN opportunity o"
        " ON o.account_id = p.account_id AND o.close_date <= p.period_end LEFT JOIN stage s ON s.name = o.stage"
        " WHERE p.id = $plan GROUP BY ALL",
        # peer estimate: median won spend per product of accounts in the same industry
        "WITH spend AS (SELECT o.account_id, o.product_id, sum(o.amount) AS spend FROM opportunity o"
        " JOIN account a ON a.id = o.account_id JOIN plan p ON p.id = $plan JOIN account pa ON pa.id = p.account_id"
        " WHERE a.industry = pa.industry AND o.is_won AND o.close_date <= p.period_end GROUP BY ALL)"
        " SELECT product_id, median(spend) FROM spend GROUP BY product_id",
    ],
    "pages/stakeholders.py": [
        PLAN_LIST_SQL, PLAN_HEADER_SQL, STAKEHOLDER_FACTS_SQL,
        "SELECT * FROM influence_link WHERE plan_id = $plan",
        "SELECT t.*, u.name FROM team_member t JOIN app_user u ON u.id = t.user_id WHERE t.plan_id = $plan",
        "SELECT c.* FROM contact c JOIN plan p ON p.account_id = c.account_id WHERE p.id = $plan ORDER BY c.name",
    ],
    "pages/import.py": [
        "SELECT b.*, u.name FROM import_batch b LEFT JOIN app_user u ON u.id = b.user_id ORDER BY b.id DESC",
        # reconciliation: deals no plan counts (by reason, and the first 1,000), and deals two plans count
        f"SELECT o.account_id IS NULL AS no_account, count(*), sum(o.amount) FROM opportunity o"
        f" WHERE o.id NOT IN (SELECT opportunity_id FROM ({MEMBERSHIP_SQL})) GROUP BY ALL",
        f"SELECT o.* FROM opportunity o WHERE o.id NOT IN (SELECT opportunity_id FROM ({MEMBERSHIP_SQL}))"
        " ORDER BY o.id LIMIT 1000",
        f"SELECT opportunity_id, count(*) FROM ({MEMBERSHIP_SQL}) GROUP BY ALL HAVING count(*) > 1 LIMIT 1000",
    ],
    "pages/admin.py": [
        "SELECT u.*, m.name AS manager FROM app_user u LEFT JOIN app_user m ON m.id = u.manager_id"
        " ORDER BY u.is_active DESC, u.name",
        "SELECT DISTINCT entity FROM audit_log ORDER BY entity",
        "SELECT a.*, u.name FROM audit_log a LEFT JOIN app_user u ON u.id = a.user_id ORDER BY a.id DESC LIMIT 2000",
    ],
}


def page_sql(page: str) -> list[str]:
    """Sidebar plus the page's own statements (a generic plan read for pages added later)."""
    return SIDEBAR_SQL + PAGE_SQL.get(page, [PLAN_LIST_SQL, PLAN_HEADER_SQL])


def run_statements(con, statements: list[str], params: dict) -> None:
    for sql in statements:
        con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchall()
