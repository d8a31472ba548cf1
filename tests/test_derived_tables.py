"""plan_member (migration 0240) is the membership rule's join and opportunity_tally (0250) the
book counted per account, after every kind of write.

On DuckDB both are views of what they derive; on PostgreSQL tables that triggers maintain, so
these tests matter most in the PostgreSQL run: each write below changes what some plan counts,
and after each one both tables must equal their definitions, row for row, copied figures included.
"""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from planning import kpis, plans, users
from planning.db import Database
from planning.importing.ingest import import_csv
from tests.conftest import ON_POSTGRES
from tests.import_helpers import csv_bytes

COLUMNS = "plan_id, opportunity_id, " + ", ".join(kpis.MEMBER_COLUMNS)


@pytest.fixture(autouse=True)
def uncached(monkeypatch):
    monkeypatch.setenv("PLANNING_CACHE", "0")  # the concurrent test writes past the app's change counters


# Each derived table, and the same rows computed from its sources.
MEMBERS = f"SELECT {COLUMNS} FROM {{source}} ORDER BY plan_id, opportunity_id"
TALLY = "SELECT account_id, undated, n, amount FROM {source} ORDER BY account_id NULLS FIRST, undated"
COUNTED = ("(SELECT account_id, close_date IS NULL AS undated, count(*) AS n, coalesce(sum(amount), 0) AS amount"
           " FROM opportunity GROUP BY 1, 2) AS t")


def assert_derived_tables_follow_their_sources(db: Database, after: str) -> None:
    assert db.rows(MEMBERS.format(source="plan_member")) == db.rows(MEMBERS.format(source=f"({kpis.MEMBER_PAIRS_SQL}) AS m")), \
        f"plan_member differs from the rule after {after}"
    assert db.rows(TALLY.format(source="opportunity_tally")) == db.rows(TALLY.format(source=COUNTED)), \
        f"opportunity_tally differs from the book after {after}"


def test_derived_tables_follow_every_kind_of_write(demo_db):
    db = demo_db
    admin = users.find_user(db, "Ada Admin")
    assert_derived_tables_follow_their_sources(db, "the demo build")
    plan = db.one("SELECT id, account_id, period_start, period_end FROM plan WHERE business_unit_id IS NULL ORDER BY id LIMIT 1")
    account = db.one("SELECT external_id, name FROM account WHERE id = ?", [plan["account_id"]])
    other = db.one("SELECT external_id FROM account WHERE id <> ? AND external_id IS NOT NULL ORDER BY id LIMIT 1",
                   [plan["account_id"]])
    inside = plan["period_start"].isoformat()
    member = db.one("SELECT o.external_id FROM plan_member m JOIN opportunity o ON o.id = m.opportunity_id "
                    "WHERE m.plan_id = ? AND o.external_id IS NOT NULL ORDER BY o.id LIMIT 1", [plan["id"]])

    import_csv(db, "opportunities", csv_bytes(  # new deals (in the period, elsewhere, undated without an account); a member moved out
        "Id,Name,AccountId,StageName,Amount,CloseDate",
        f"PM-NEW-1,New inside,{account['external_id']},Prospecting,1000,{inside}",
        f"PM-NEW-2,New elsewhere,{other['external_id']},Prospecting,2000,{inside}",
        "PM-NEW-3,No account yet,,Prospecting,700,",
        f"{member['external_id']},Moved out,{account['external_id']},Prospecting,3000,1999-01-01",
    ))
    assert_derived_tables_follow_their_sources(db, "an opportunities import (inserts and updates)")
    assert db.value("SELECT count(*) FROM plan_member m JOIN opportunity o ON o.id = m.opportunity_id "
                    "WHERE o.external_id = 'PM-NEW-1' AND m.plan_id = ?", [plan["id"]]) == 1
    # the tally's row without an account and without a date is exercised too
    assert db.value("SELECT count(*) FROM opportunity WHERE external_id = 'PM-NEW-3' AND account_id IS NULL AND close_date IS NULL") == 1

    import_csv(db, "opportunities", csv_bytes(  # only the amount changes: the copied figure must follow
        "Id,Name,AccountId,StageName,Amount,CloseDate", f"PM-NEW-1,New inside,{account['external_id']},Prospecting,1500,{inside}"))
    assert_derived_tables_follow_their_sources(db, "an import that changed an amount only")

    loaded = plans.get_plan(db, plan["id"])
    plans.update_plan(db, admin, plan["id"], {"period_end": date(plan["period_end"].year + 1, 12, 31)}, loaded=loaded)
    assert_derived_tables_follow_their_sources(db, "a plan's longer period")

    new_plan = plans.create_plan(db, admin, account_id=plan["account_id"], period_start=date(2030, 1, 1),
                                 period_end=date(2030, 12, 31), sales_target=1)
    follow = plans.follow_up(db, admin, plan["id"], period_start=date(1998, 1, 1), period_end=date(1999, 12, 31))
    assert_derived_tables_follow_their_sources(db, "a new plan and a follow-up")
    assert db.value("SELECT count(*) FROM plan_member WHERE plan_id = ?", [follow]) >= 1  # the deal moved to 1999

    unit = db.one("SELECT id, account_id FROM business_unit ORDER BY id LIMIT 1")
    scoped = db.one("SELECT id FROM plan WHERE account_id = ? ORDER BY id LIMIT 1", [unit["account_id"]])
    plans.update_plan(db, admin, scoped["id"], {"business_unit_id": unit["id"]}, loaded=plans.get_plan(db, scoped["id"]))
    assert_derived_tables_follow_their_sources(db, "a plan scoped to a business unit")

    plans.move_plan(db, admin, new_plan, db.value("SELECT id FROM account WHERE id <> ? ORDER BY id LIMIT 1", [plan["account_id"]]))
    plans.delete_plan(db, admin, new_plan)
    assert_derived_tables_follow_their_sources(db, "a plan moved to another account, then deleted")

    with db.transaction() as con:  # what no domain function does today, but the table must survive
        con.execute("DELETE FROM opportunity_history WHERE opportunity_id IN (SELECT id FROM opportunity WHERE external_id LIKE 'PM-NEW-%')")
        con.execute("DELETE FROM opportunity WHERE external_id LIKE 'PM-NEW-%'")
    assert_derived_tables_follow_their_sources(db, "deleted opportunities")


def waiting_on_the_lock(db: Database, seconds: float = 30) -> bool:
    """Whether a session of this database comes to wait on an advisory lock (the triggers' one) in time."""
    from planning.db.postgres import connect

    with connect(db.target) as watcher:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                               " AND wait_event_type = 'Lock' AND wait_event = 'advisory'").fetchall()[0][0]:
                return True
            time.sleep(0.05)
    return False


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent write transactions on one database: PostgreSQL")
def test_a_new_period_and_an_import_at_once_miss_neither_side(demo_db):
    """The plan's trigger and the opportunity's take one advisory lock, so whichever writes second
    sees the first's committed rows: a deal inserted into a period being widened is counted."""
    from planning.db.postgres import connect

    db = demo_db
    plan = db.one("SELECT id, account_id, period_end FROM plan WHERE business_unit_id IS NULL ORDER BY id LIMIT 1")
    later = date(plan["period_end"].year + 3, 6, 30)
    widen, insert = connect(db.target), connect(db.target)
    try:
        widen.execute("BEGIN")
        widen.execute("UPDATE plan SET period_end = ? WHERE id = ?", [date(plan["period_end"].year + 5, 12, 31), plan["id"]])
        done = threading.Event()

        def add_deal():
            insert.execute("BEGIN")
            insert.execute("INSERT INTO opportunity (name, account_id, stage, amount, close_date) VALUES ('Late', ?, 'Prospecting', 5, ?)",
                           [plan["account_id"], later])
            insert.execute("COMMIT")
            done.set()

        thread = threading.Thread(target=add_deal)
        thread.start()
        assert waiting_on_the_lock(db), "the insert's trigger should wait for the period change to commit"
        assert not done.is_set()
        widen.execute("COMMIT")
        thread.join(timeout=30)
        assert done.is_set()
    finally:
        widen.close()
        insert.close()
    assert_derived_tables_follow_their_sources(db, "a concurrent period change and insert")
    assert db.value("SELECT count(*) FROM plan_member m JOIN opportunity o ON o.id = m.opportunity_id "
                    "WHERE m.plan_id = ? AND o.name = 'Late'", [plan["id"]]) == 1
