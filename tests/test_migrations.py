"""Numbered migrations: a fresh file reaches the current version; re-opening changes nothing."""

import duckdb

from planning.db import Database, open_database, shipped_migrations, table_names

DESIGN_TABLES = {
    "account", "plan", "opportunity", "stage", "product", "business_unit", "contact", "stakeholder",
    "team_member", "objective", "action", "initiative", "scorecard_template", "scorecard_category",
    "scorecard_question", "scorecard_submission", "scorecard_answer", "whitespace_cell", "competitor",
    "comment", "import_batch", "audit_log", "app_user", "influence_link", "opportunity_history",
}


def test_fresh_database_reaches_current_version(tmp_path):
    db = open_database(tmp_path / "new.duckdb")
    assert db.schema_version() == shipped_migrations()[-1].version
    assert DESIGN_TABLES <= set(table_names(db))


def test_reopening_applies_nothing(fresh_db):
    before = fresh_db.rows("SELECT * FROM schema_migration ORDER BY version")
    assert fresh_db.migrate() == []
    assert fresh_db.rows("SELECT * FROM schema_migration ORDER BY version") == before
    assert fresh_db.value("SELECT count(*) FROM scorecard_template") == 1


def test_older_database_is_upgraded(tmp_path):
    path = tmp_path / "old.duckdb"
    first = shipped_migrations()[0]
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
    first.apply(con)
    con.execute("INSERT INTO schema_migration VALUES (?, ?, now())", [first.version, first.name])
    con.close()
    db = Database(path)
    assert db.schema_version() == first.version
    applied = db.migrate()
    assert applied == [m.version for m in shipped_migrations()[1:]]
    assert db.schema_version() == shipped_migrations()[-1].version


def test_migrations_are_numbered_uniquely():
    versions = [m.version for m in shipped_migrations()]
    assert versions == sorted(set(versions))
    assert versions[0] == 1
