"""PostgreSQL's indexes on the columns that join a plan to its rows (issue #18); none on DuckDB.

A plan page reads one account's opportunities, business units and contacts, one plan's
stakeholders and scorecards, one opportunity's history, one record's audit trail. PostgreSQL
without an index scans each whole table (a 1M-opportunity scan is ~200 ms, several per page);
DuckDB's column scans with zone maps are already fast, and every index there would slow the bulk
import (issue #16), so this migration changes nothing on DuckDB.
"""

from planning.db.dialect import dialect_of

INDEXES = {
    "opportunity_account": "opportunity (account_id, close_date)",
    "opportunity_history_opportunity": "opportunity_history (opportunity_id)",
    "business_unit_account": "business_unit (account_id)",
    "contact_account": "contact (account_id)",
    "stakeholder_plan": "stakeholder (plan_id)",
    "scorecard_submission_plan": "scorecard_submission (plan_id)",
    "scorecard_answer_submission": "scorecard_answer (submission_id)",
    "audit_log_record": "audit_log (entity, entity_id)",
}


def apply(con) -> None:
    if dialect_of(con) != "postgres":
        return
    for name, columns in INDEXES.items():
        con.execute(f"CREATE INDEX {name} ON {columns}")
