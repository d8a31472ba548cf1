"""Loading the large book (issue #10): the normal importer, then set-based planning content.

`load_book` imports the CSVs `planning.demo.scale.write_book` wrote, in reference order, through
`planning.importing.ingest.import_csv`; `seed_planning` then adds plans, team members, scorecard answers,
whitespace cells and stakeholders with a handful of INSERT ... SELECT statements.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from planning.db import Database
from planning.demo.scale import COMPETITORS, IMPORT_ORDER, MACROS, SEED, values_sql
from planning.importing import ingest


def load_book(db: Database, book_dir: str | Path, *, anchor: date, plans: int, seed: int = SEED) -> dict:
    """Import the book's CSVs through the normal importer, then seed the planning content."""
    book = Path(book_dir)
    reports = {}
    for kind, file_name in IMPORT_ORDER:
        report = ingest.import_csv(db, kind, book / file_name, file_name=file_name)
        reports[kind] = {"inserted": report.inserted, "updated": report.updated,
                         "rejected": report.rejected, "unassigned": report.unassigned}
    seed_account_planning_fields(db, book / "Account.csv")
    seed_planning(db, anchor=anchor, plans=plans, seed=seed)
    return reports


def seed_account_planning_fields(db: Database, accounts_csv: str | Path) -> None:
    """Segments, tier and strategic flag: planning fields a CRM extract does not carry, so the
    importer leaves them alone; the book's Account.csv has them in extra columns."""
    with db.transaction() as con:
        con.execute(
            """
            UPDATE account SET current_segment = f."Segment", target_segment = f."Target Segment",
                   tier = CAST(f."Tier" AS INTEGER), is_strategic = f."Strategic" = 'true'
            FROM read_csv(?, all_varchar = true) f
            WHERE account.external_id = f."Id"
            """,
            [str(accounts_csv)],
        )


def seed_planning(db: Database, *, anchor: date, plans: int, seed: int = SEED) -> dict[str, int]:
    """Plans, team, scorecard answers, whitespace cells and stakeholders, set-based, in one transaction.

    The biggest accounts (by annual revenue) get a primary plan for the anchor's fiscal year;
    the first fifth of them also get last year's plan (Completed), which the current plan
    follows up. Targets grow from last year's won revenue, so plans land behind, on track and ahead.
    """
    follow_ups = plans // 5
    with db.transaction() as con:
        con.execute(MACROS)
        con.execute("SET VARIABLE seed = CAST(? AS BIGINT)", [seed])
        con.execute("SET VARIABLE year_start = CAST(? AS DATE)", [date(anchor.year, 1, 1)])
        con.execute("SET VARIABLE anchor = CAST(? AS DATE)", [anchor])
        values = {"primary": plans - follow_ups, "follow_ups": follow_ups}
        for statement in _SEED_SQL:
            con.execute(statement, {k: v for k, v in values.items() if f"${k}" in statement})
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in ("plan", "team_member", "scorecard_answer", "whitespace_cell", "stakeholder", "influence_link")}
    return counts


_SEED_SQL = [
    # the accounts that get a plan, biggest first, with last year's won revenue
    """
    CREATE TEMP TABLE _planned AS
    WITH top AS (
        SELECT a.id AS account_id, a.name, a.owner_id,
               row_number() OVER (ORDER BY a.annual_revenue DESC NULLS LAST, a.id) - 1 AS k
        FROM account a
        ORDER BY k LIMIT $primary
    )
    SELECT top.*, coalesce(sum(o.amount) FILTER (WHERE coalesce(o.is_won, s.is_won)), 0) AS won_last_year
    FROM top
    LEFT JOIN opportunity o ON o.account_id = top.account_id
         AND o.close_date >= getvariable('year_start') - INTERVAL 1 YEAR AND o.close_date < getvariable('year_start')
    LEFT JOIN stage s ON s.name = o.stage
    GROUP BY ALL
    """,
    """
    CREATE TEMP TABLE _template AS
    SELECT coalesce(max(id) FILTER (WHERE status = 'Active'), max(id)) AS id FROM scorecard_template
    """,
    # last year's plans (completed), then this year's primary plans following them up
    """
    INSERT INTO plan (account_id, name, period_start, period_end, period_kind, template_id, status, owner_id,
                      is_primary, sales_target, vision, strategy, relationship_current, relationship_desired,
                      last_reviewed_at, created_at, updated_at)
    SELECT account_id, name || ' FY' || CAST(year(getvariable('year_start')) - 1 AS VARCHAR) || ' Account Plan',
           CAST(getvariable('year_start') - INTERVAL 1 YEAR AS DATE), getvariable('year_start') - 1, 'year',
           (SELECT id FROM _template), 'Completed', owner_id, FALSE,
           round(won_last_year * (0.8 + 0.4 * u(k, 61)) + 10000, -3),
           'Become the reference platform for ' || name || '.', 'Land analytics, expand the platform.',
           'Vendor', 'Preferred Supplier',
           getvariable('year_start') - 20 + pick(k, 62, 15), getvariable('year_start') - 365, getvariable('year_start') - 20
    FROM _planned WHERE k < $follow_ups ORDER BY k
    """,
    """
    INSERT INTO plan (account_id, name, period_start, period_end, period_kind, template_id, status, owner_id,
                      is_primary, parent_plan_id, sales_target, vision, strategy, relationship_current,
                      relationship_desired, last_reviewed_at, created_at, updated_at)
    SELECT p.account_id, p.name || ' FY' || CAST(year(getvariable('year_start')) AS VARCHAR) || ' Account Plan',
           getvariable('year_start'), CAST(getvariable('year_start') + INTERVAL 1 YEAR AS DATE) - 1, 'year',
           (SELECT id FROM _template), CASE WHEN u(p.k, 63) < 0.9 THEN 'Active' ELSE 'Draft' END, p.owner_id, TRUE,
           prev.id, round(p.won_last_year * (1.0 + 0.35 * u(p.k, 64)) + 50000, -3),
           'Become the strategic partner of ' || p.name || ' for its digital operations.',
           'Protect the core platform, grow analytics and security, open the services line.',
           CASE WHEN prev.id IS NULL THEN 'Vendor' ELSE 'Preferred Supplier' END, 'Trusted Advisor',
           getvariable('anchor') - pick(p.k, 65, 180), getvariable('year_start'), getvariable('anchor') - pick(p.k, 65, 180)
    FROM _planned p
    LEFT JOIN plan prev ON prev.account_id = p.account_id AND prev.period_start < getvariable('year_start')
    ORDER BY p.k
    """,
    """
    INSERT INTO team_member (plan_id, user_id, role)
    SELECT p.id, p.owner_id, 'Account Executive' FROM plan p JOIN _planned x USING (account_id) WHERE p.owner_id IS NOT NULL
    UNION ALL
    SELECT p.id, u.manager_id, 'Executive Sponsor' FROM plan p JOIN _planned x USING (account_id)
    JOIN app_user u ON u.id = p.owner_id WHERE u.manager_id IS NOT NULL AND u.manager_id <> p.owner_id
    """,
    # one scorecard submission per plan (one plan in ten is not scored yet); 12 % of questions left open
    """
    INSERT INTO scorecard_submission (plan_id, template_id, submitted_by, submitted_at)
    SELECT p.id, p.template_id, p.owner_id, CAST(least(p.period_end, getvariable('anchor')) - pick(p.id, 71, 60) AS TIMESTAMP)
    FROM plan p JOIN _planned x USING (account_id)
    WHERE p.template_id IS NOT NULL AND u(p.id, 72) >= 0.1
    ORDER BY p.id
    """,
    """
    INSERT INTO scorecard_answer (submission_id, plan_id, question_id, value, answered_by, answered_at)
    SELECT s.id, s.plan_id, q.id,
           CASE WHEN u(s.id * 1000 + q.id, 73) < 0.12 THEN NULL
                WHEN q.qtype = 'rating' THEN CAST(1 + pick(s.id * 1000 + q.id, 74, 5) AS VARCHAR)
                WHEN q.qtype = 'yes_no' THEN CASE WHEN u(s.id * 1000 + q.id, 74) < 0.6 THEN 'yes' ELSE 'no' END
                WHEN q.qtype = 'choice' THEN list_extract(json_keys(json_extract(q.options, '$.choices')),
                     1 + pick(s.id * 1000 + q.id, 74, len(json_keys(json_extract(q.options, '$.choices')))))
                WHEN q.qtype = 'number' THEN json_extract_string(q.options, '$.thresholds[' ||
                     CAST(pick(s.id * 1000 + q.id, 74, json_array_length(q.options, '$.thresholds')) AS VARCHAR) || '][0]')
                ELSE 'Cost control and cloud modernisation.' END,
           s.submitted_by, s.submitted_at
    FROM scorecard_submission s
    JOIN scorecard_category c ON c.template_id = s.template_id
    JOIN scorecard_question q ON q.category_id = c.id
    WHERE s.plan_id IN (SELECT p.id FROM plan p JOIN _planned USING (account_id))
    ORDER BY s.id, c.position, q.position
    """,
    """
    INSERT INTO competitor (name)
    SELECT name FROM (VALUES """ + values_sql([(c,) for c in COMPETITORS]) + """) v(name)
    WHERE name NOT IN (SELECT name FROM competitor)
    """,
    # whitespace: this year's plans, up to three business units × about 40 % of the products
    """
    INSERT INTO whitespace_cell (plan_id, business_unit_id, product_id, status, estimated_value, competitor_id,
                                 contract_end_date, note, updated_by, updated_at)
    WITH units AS (
        SELECT account_id, id, row_number() OVER (PARTITION BY account_id ORDER BY id) AS rn FROM business_unit
    ), cells AS (
        SELECT p.id AS plan_id, p.owner_id, bu.id AS business_unit_id, pr.id AS product_id, pr.list_price,
               p.id * 100000 + coalesce(bu.rn, 0) * 1000 + pr.id AS h
        FROM plan p JOIN _planned x USING (account_id)
        LEFT JOIN units bu ON bu.account_id = p.account_id AND bu.rn <= 3
        CROSS JOIN product pr
        WHERE p.period_start = getvariable('year_start')
    )
    SELECT plan_id, business_unit_id, product_id,
           CASE WHEN u(h, 82) < 0.45 THEN NULL WHEN u(h, 82) < 0.65 THEN 'Competitor'
                WHEN u(h, 82) < 0.80 THEN 'Not a Fit / Blocked' ELSE 'Unknown' END,
           CASE WHEN u(h, 82) < 0.65 THEN round(coalesce(list_price, 20000) * (0.8 + 1.2 * u(h, 83)), -3) END,
           CASE WHEN u(h, 82) >= 0.45 AND u(h, 82) < 0.65
                THEN (SELECT min(id) FROM competitor) + pick(h, 84, (SELECT count(*) FROM competitor)) END,
           CASE WHEN u(h, 82) >= 0.45 AND u(h, 82) < 0.65 THEN getvariable('anchor') + 60 + pick(h, 85, 440) END,
           CASE WHEN u(h, 82) >= 0.65 AND u(h, 82) < 0.80 THEN 'Customer standardised on an in-house tool.' END,
           owner_id, CAST(getvariable('anchor') - pick(h, 86, 120) AS TIMESTAMP)
    FROM cells
    WHERE u(h, 81) < 0.4
    ORDER BY plan_id, business_unit_id NULLS FIRST, product_id
    """,
    # stakeholders: the top dozen contacts of the account's org tree on this year's plans
    """
    CREATE TEMP TABLE _ranked_contact AS
    SELECT c.id, c.account_id, row_number() OVER (PARTITION BY c.account_id ORDER BY c.external_id, c.id) - 1 AS r
    FROM contact c WHERE c.account_id IN (SELECT account_id FROM _planned)
    """,
    """
    INSERT INTO stakeholder (plan_id, contact_id, buying_role, support, coverage, influence, relationship_strength,
                             covered_by_user_id, last_contact_date, updated_at)
    SELECT p.id, c.id,
           CASE c.r WHEN 0 THEN 'Economic Buyer' WHEN 1 THEN 'Decision Maker' WHEN 2 THEN 'Champion'
                ELSE list_extract(['Influencer', 'Evaluator', 'User', 'Blocker', 'Coach'], 1 + pick(p.id * 100 + c.r, 91, 5)) END,
           list_extract(['Mentor', 'Supporter', 'Supporter', 'Neutral', 'Neutral', 'Non-Supporter', 'Enemy'],
                        1 + pick(p.id * 100 + c.r, 92, 7)),
           list_extract(['Unknown', 'No Contact', 'Brief Contact', 'Multiple Contacts', 'In Depth'],
                        1 + pick(p.id * 100 + c.r, 93, 5)),
           greatest(1, 5 - CAST(c.r // 3 AS INTEGER)), 1 + pick(p.id * 100 + c.r, 94, 5),
           CASE WHEN u(p.id * 100 + c.r, 95) < 0.6 THEN p.owner_id END,
           getvariable('anchor') - pick(p.id * 100 + c.r, 96, 200), CAST(getvariable('anchor') AS TIMESTAMP)
    FROM plan p JOIN _planned x USING (account_id)
    JOIN _ranked_contact c ON c.account_id = p.account_id AND c.r < 12
    WHERE p.period_start = getvariable('year_start')
    ORDER BY p.id, c.r
    """,
    """
    INSERT INTO influence_link (plan_id, from_contact_id, to_contact_id, note)
    SELECT s.plan_id, s.contact_id, t.contact_id, 'Trusted adviser'
    FROM stakeholder s
    JOIN _ranked_contact cs ON cs.id = s.contact_id AND cs.r IN (2, 4)
    JOIN _ranked_contact ct ON ct.account_id = cs.account_id AND ct.r = cs.r - 2
    JOIN stakeholder t ON t.plan_id = s.plan_id AND t.contact_id = ct.id
    WHERE s.plan_id IN (SELECT p.id FROM plan p JOIN _planned USING (account_id))
    ORDER BY s.plan_id, cs.r
    """,
    "DROP TABLE _ranked_contact",
    "DROP TABLE _template",
    "DROP TABLE _planned",
]
