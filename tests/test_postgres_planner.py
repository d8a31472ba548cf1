"""What PostgreSQL's planner needs to read a 1M book as fast as a plan page wants (issue #18).

A plan-id filter it can estimate, indexes on the columns that join a plan to its rows,
functions it may run in parallel, fresh statistics after a bulk write. The 1M figures come from
benchmarks/backends.py; these tests pin each mechanism on small books.
"""

from __future__ import annotations

import importlib
import re

import pytest

from planning import kpis
from planning.db import Database
from planning.db.transfer import copy_database
from planning.importing import ingest
from tests.conftest import drop_pg_database, pg_database
from tests.import_helpers import csv_bytes

INDEXES = importlib.import_module("planning.db.migrations.0230_postgres_indexes").INDEXES


def postgres(db: Database) -> None:
    if db.dialect != "postgres":
        pytest.skip("about PostgreSQL's planner (PLANNING_TEST_BACKEND=postgres)")


@pytest.mark.parametrize("values, element, expected", [
    ([1, 2], 2, True),
    ([1, 2], 3, False),
    ([1, None], 3, False),  # absent from a list holding NULL: FALSE, as in DuckDB
    ([1, None], 1, True),
    ([], 1, False),
    (None, 1, None),
    ([1, 2], None, None),
])
def test_list_contains_means_the_same_on_both_backends(fresh_db, values, element, expected):
    found = fresh_db.value("SELECT list_contains(CAST(? AS BIGINT[]), CAST(? AS BIGINT))", [values, element])
    assert found is expected


def test_one_plans_kpis_are_planned_for_one_plan(demo_db):
    """The filter folds to `id = ANY('{n}')`: estimated as one row, not half the plans."""
    postgres(demo_db)
    plan_id = demo_db.value("SELECT min(id) FROM plan")
    with demo_db.connect() as con:
        con.execute("ANALYZE plan")
        lines = [r[0] for r in con.execute("EXPLAIN " + kpis.KPI_SQL, {"plan_ids": [plan_id]}).fetchall()]
    plan_scans = [line for line in lines if re.search(r"Scan.* on plan ", line)]
    assert plan_scans and all("rows=1 " in line for line in plan_scans), lines
    assert demo_db.value("SELECT count(*) FROM plan") > 4  # half of them would not read as one row


def test_the_plan_join_columns_are_indexed_on_postgresql_only(fresh_db):
    if fresh_db.dialect == "postgres":
        found = {r["indexname"] for r in fresh_db.rows("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}
        assert set(INDEXES) <= found
    else:
        found = {r["index_name"] for r in fresh_db.rows("SELECT index_name FROM duckdb_indexes()")}
        assert not set(INDEXES) & found


def test_only_the_exception_catching_function_keeps_postgresql_from_parallel_scans(fresh_db):
    postgres(fresh_db)
    unsafe = fresh_db.rows(
        "SELECT DISTINCT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = current_schema() AND p.prokind = 'f' AND p.proparallel <> 's'"
        " AND p.prorettype <> 'trigger'::regtype ORDER BY 1")  # plan_member's triggers never run inside a query
    assert [r["proname"] for r in unsafe] == ["try_cast_double"]  # it catches errors: a subtransaction


def analyzed_rows(db: Database, table: str) -> float:
    """The planner's row count of a table: -1 until ANALYZE (or VACUUM) has looked at it.

    On a connection of its own: `db.value` is cached on the data_change counters, which ANALYZE
    (a catalog change, not a data change) does not bump.
    """
    with db.connect() as con:
        return con.execute(f"SELECT reltuples FROM pg_class WHERE oid = '{table}'::regclass").fetchall()[0][0]


def test_a_copy_to_postgresql_leaves_fresh_statistics(demo_db, tmp_path):
    postgres(demo_db)
    book = Database(tmp_path / "book.duckdb")
    copy_database(demo_db, book)  # the demo to DuckDB, then from there into a new PostgreSQL database
    url = pg_database("planner_stats_copy")
    try:
        target = Database(url)
        copy_database(book, target)
        assert analyzed_rows(target, "opportunity") == book.value("SELECT count(*) FROM opportunity")
    finally:
        drop_pg_database(url)


def test_a_bulk_import_refreshes_its_tables_statistics(fresh_db, monkeypatch):
    postgres(fresh_db)
    monkeypatch.setattr(ingest, "BULK_ROWS", 2)
    assert analyzed_rows(fresh_db, "account") == -1
    data = csv_bytes("Id,Name,Industry", "A1,Alpha,Energy", "A2,Beta,Retail")
    ingest.import_csv(fresh_db, "accounts", data, file_name="accounts.csv")
    assert analyzed_rows(fresh_db, "account") == 2
