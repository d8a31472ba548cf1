"""opportunity_tally: the book's opportunities counted and summed per account, dated or not (issue #18).

The sidebar's record count and the reconciliation's reasons (no account · no close date · account
without a plan) need the whole book by account. DuckDB answers those from its columns in a few
milliseconds, so there the tally is a view. PostgreSQL reads every 200-byte row of a million
opportunities for them (~0.25 s each, on every page for the count), so there it is a table of at
most two rows per account, which the opportunity triggers recount for the accounts a write touched,
under the same advisory lock as plan_member (migration 0240), inside the writing transaction.
"""

from planning.db.dialect import DERIVED_LOCK as LOCK
from planning.db.dialect import create_derived

TALLY_SQL = """SELECT account_id, close_date IS NULL AS undated, count(*) AS n, coalesce(sum(amount), 0) AS amount
FROM opportunity"""
BY_ACCOUNT = "GROUP BY account_id, close_date IS NULL"
# The accounts in `touched` (an array that may hold NULL: opportunities without an account).
TOUCHED = "account_id = ANY(touched) OR (account_id IS NULL AND array_position(touched, NULL) IS NOT NULL)"

POSTGRES = [
    f"CREATE TABLE opportunity_tally AS {TALLY_SQL} {BY_ACCOUNT}",
    "CREATE INDEX opportunity_tally_account ON opportunity_tally (account_id)",
    f"""CREATE OR REPLACE FUNCTION opportunity_tally_of_opportunities() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    touched bigint[];
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK});
    IF TG_OP = 'INSERT' THEN
        touched := ARRAY(SELECT DISTINCT account_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        touched := ARRAY(SELECT DISTINCT account_id FROM old_rows);
    ELSE
        touched := ARRAY(SELECT account_id FROM old_rows UNION SELECT account_id FROM new_rows);
    END IF;
    DELETE FROM opportunity_tally WHERE {TOUCHED};
    INSERT INTO opportunity_tally {TALLY_SQL} WHERE {TOUCHED} {BY_ACCOUNT};
    RETURN NULL;
END $body$""",
    "CREATE TRIGGER opportunity_tally_insert AFTER INSERT ON opportunity REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION opportunity_tally_of_opportunities()",
    "CREATE TRIGGER opportunity_tally_update AFTER UPDATE ON opportunity"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION opportunity_tally_of_opportunities()",
    "CREATE TRIGGER opportunity_tally_delete AFTER DELETE ON opportunity REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION opportunity_tally_of_opportunities()",
]


def apply(con) -> None:
    create_derived(con, "opportunity_tally", f"{TALLY_SQL} {BY_ACCOUNT}", POSTGRES)
