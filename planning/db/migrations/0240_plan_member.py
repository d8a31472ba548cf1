"""plan_member: every plan's member opportunities, the membership rule's join (issue #18).

Every KPI, reconciliation, forecast and objective read starts from "which opportunities does a
plan count" (`kpis.MEMBER_RULE`). On DuckDB that join over the whole book is a fast column scan,
so plan_member is a view of it. PostgreSQL reads the 200-byte rows of a million opportunities to
do the same join (~0.3 s, several per page), so there plan_member is a table that triggers keep
equal to the join in every transaction that writes opportunities or plans' account, unit or
period (~143k narrow rows at 1M: a whole-book read is ~0.05 s):

- opportunity INSERT / UPDATE / DELETE (statement triggers over the transition tables): the
  changed opportunities' rows are deleted and re-made from the rule (an update of any column,
  so a member row's copied figures are never stale);
- plan INSERT / DELETE, and UPDATE of account, unit or period (row triggers): that plan's rows.

Both take one transaction-level advisory lock first, so an import on one replica and a plan's new
period on another cannot each miss the other's rows: the second waits for the first to commit,
and its statements then see it (READ COMMITTED takes a new snapshot per statement).
"""

from planning.db.dialect import DERIVED_LOCK as LOCK
from planning.db.dialect import create_derived
from planning.kpis import MEMBER_PAIRS_SQL, MEMBER_PICKS, MEMBER_RULE

PICKED = "p.id, o.id, " + MEMBER_PICKS

POSTGRES = [
    f"CREATE TABLE plan_member AS {MEMBER_PAIRS_SQL} WITH NO DATA",
    "ALTER TABLE plan_member ADD PRIMARY KEY (plan_id, opportunity_id)",
    "CREATE INDEX plan_member_opportunity ON plan_member (opportunity_id)",
    f"""CREATE OR REPLACE FUNCTION plan_member_of_opportunities() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK});
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM plan_member WHERE opportunity_id IN (SELECT id FROM old_rows);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO plan_member SELECT {PICKED} FROM plan p JOIN new_rows o ON {MEMBER_RULE};
    END IF;
    RETURN NULL;
END $body$""",
    f"""CREATE OR REPLACE FUNCTION plan_member_of_plan() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK});
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM plan_member WHERE plan_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO plan_member SELECT {PICKED} FROM plan p JOIN opportunity o ON {MEMBER_RULE} WHERE p.id = NEW.id;
    END IF;
    RETURN NULL;
END $body$""",
    "CREATE TRIGGER plan_member_opportunity_insert AFTER INSERT ON opportunity REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION plan_member_of_opportunities()",
    "CREATE TRIGGER plan_member_opportunity_update AFTER UPDATE ON opportunity"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION plan_member_of_opportunities()",
    "CREATE TRIGGER plan_member_opportunity_delete AFTER DELETE ON opportunity REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION plan_member_of_opportunities()",
    "CREATE TRIGGER plan_member_plan_insert_delete AFTER INSERT OR DELETE ON plan FOR EACH ROW EXECUTE FUNCTION plan_member_of_plan()",
    "CREATE TRIGGER plan_member_plan_update AFTER UPDATE OF account_id, business_unit_id, period_start, period_end ON plan"
    " FOR EACH ROW WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.business_unit_id IS DISTINCT FROM"
    " NEW.business_unit_id OR OLD.period_start IS DISTINCT FROM NEW.period_start OR OLD.period_end IS DISTINCT FROM"
    " NEW.period_end) EXECUTE FUNCTION plan_member_of_plan()",
    f"INSERT INTO plan_member {MEMBER_PAIRS_SQL}",
]


def apply(con) -> None:
    create_derived(con, "plan_member", MEMBER_PAIRS_SQL, POSTGRES)
