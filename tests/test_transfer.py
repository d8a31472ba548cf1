"""`planning copy --to`: a whole database into an empty one on the other backend, and back (#18)."""

from __future__ import annotations

import json
import os

import pytest

from planning import kpis
from planning.db import Database
from planning.db.transfer import copy_database
from planning.errors import InvalidInput
from tests.conftest import drop_pg_database, pg_database


def figures(db: Database) -> str:
    """Every plan's KPIs as text (NaN, a coverage with no target, compares equal to itself there)."""
    return json.dumps(kpis.plan_kpis(db).to_dict("records"), default=str)


@pytest.fixture
def other_backend(demo_db, tmp_path):
    """An empty database on the backend demo_db is not on."""
    if demo_db.dialect == "postgres":
        yield Database(tmp_path / "copy.duckdb")
        return
    try:
        url = pg_database(f"copy_{os.getpid()}")
    except Exception as exc:  # no server: the PostgreSQL run (make test) covers the other direction
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no PostgreSQL server for the copy target ({exc})")
    yield Database(url)
    drop_pg_database(url)


def test_a_copy_to_the_other_backend_and_back_keeps_every_row_and_every_kpi(demo_db, other_backend, tmp_path):
    counts = copy_database(demo_db, other_backend)
    assert counts["opportunity"] == demo_db.value("SELECT count(*) FROM opportunity") > 1000
    assert figures(other_backend) == figures(demo_db)

    back = Database(tmp_path / "back.duckdb") if demo_db.dialect == "duckdb" else demo_db
    if back is demo_db:  # on PostgreSQL: back into a second PostgreSQL database
        back = Database(pg_database(f"back_{os.getpid()}"))
    try:
        copy_database(other_backend, back)
        assert figures(back) == figures(demo_db)
        # New records number on past the copied ones (sequences moved).
        top = back.value("SELECT max(id) FROM account")
        with back.transaction() as con:
            new_id = con.execute("INSERT INTO account (name) VALUES ('After the copy') RETURNING id").fetchall()[0][0]
        assert new_id > top
    finally:
        if back.dialect == "postgres":
            drop_pg_database(back.target)


def test_a_copy_into_a_database_that_holds_a_book_is_refused_and_changes_nothing(demo_db, other_backend):
    copy_database(demo_db, other_backend)
    before = other_backend.value("SELECT count(*) FROM opportunity")
    with pytest.raises(InvalidInput, match="already holds data"):
        copy_database(demo_db, other_backend)
    assert other_backend.value("SELECT count(*) FROM opportunity") == before


def test_a_copy_onto_itself_is_refused(demo_db):
    with pytest.raises(InvalidInput, match="same database"):
        copy_database(demo_db, Database(demo_db.target))
