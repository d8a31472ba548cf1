"""Keys on DuckDB that no index backs (migrations 0260: opportunity, 0270: business_unit): their writers keep them."""

import duckdb
import pytest

from planning.db import Database, shipped_migrations
from planning.db.dialect import dialect_of
from planning.errors import ImportRefused
from planning.importing import ingest
from planning.importing.ingest import import_csv
from tests.import_helpers import csv_bytes

ACCOUNTS = csv_bytes("Id,Name", "A1,Acme", "A2,Globex")
DEALS = csv_bytes("Id,AccountId,Name,StageName,Amount,CloseDate",
                  "O1,A1,Acme renewal,Prospecting,1000,2026-03-31", "O2,A2,Globex pilot,Negotiation,500,2026-06-30")


def on_duckdb(db) -> bool:
    with db.connect() as con:
        return dialect_of(con) != "postgres"


@pytest.mark.parametrize("table, not_null", [
    ("opportunity", [["id"], ["updated_at"]]), ("business_unit", [["account_id"], ["id"], ["name"]])])
def test_on_duckdb_the_table_has_no_index_backed_key(fresh_db, table, not_null):
    if not on_duckdb(fresh_db):
        pytest.skip("PostgreSQL keeps the constraints")
    kinds = fresh_db.rows("SELECT constraint_type, constraint_column_names AS cols FROM duckdb_constraints()"
                          " WHERE table_name = ? ORDER BY 1, 2", [table])
    assert kinds == [{"constraint_type": "NOT NULL", "cols": cols} for cols in not_null]
    assert fresh_db.value("SELECT count(*) FROM duckdb_indexes() WHERE table_name = ?", [table]) == 0


def book_before(path, version: int):
    """A DuckDB book with the migrations before `version` applied."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                " applied_at TIMESTAMP NOT NULL)")
    for migration in (m for m in shipped_migrations() if m.version < version):
        migration.apply(con)
        con.execute("INSERT INTO schema_migration VALUES (?, ?, now())", [migration.version, migration.name])
    return con


COLUMNS_SQL = ("SELECT column_name, data_type, column_default, is_nullable FROM information_schema.columns"
               " WHERE table_name = ? ORDER BY ordinal_position")


def rebuilt(path, version: int, table: str, rows: list[str]) -> Database:
    """A book made before migration `version`, with `rows` inserted, migrated: its `table` keeps every column."""
    con = book_before(path, version)
    for statement in rows:
        con.execute(statement)
    columns = con.execute(COLUMNS_SQL, [table]).fetchall()
    con.close()
    db = Database(path)
    assert version in db.migrate()
    with db.connect() as con:
        assert con.execute(COLUMNS_SQL, [table]).fetchall() == columns
    return db


def test_the_rebuild_keeps_rows_columns_defaults_and_the_views(tmp_path):
    """A book made before 0260 is rebuilt with the same columns in the same order, and its rows."""
    db = rebuilt(tmp_path / "old.duckdb", 260, "opportunity", [
        "INSERT INTO account (name) VALUES ('Acme')",
        "INSERT INTO opportunity (external_id, account_id, name, stage, amount, close_date)"
        " VALUES ('O1', 1, 'Renewal', 'Prospecting', 1000, DATE '2026-03-31')"])
    assert db.rows("SELECT id, external_id, amount FROM opportunity") == [
        {"id": 1, "external_id": "O1", "amount": 1000}]
    assert db.value("SELECT sum(n) FROM opportunity_tally") == 1  # the views read the new table
    with db.transaction() as con:  # the default still numbers from the sequence
        con.execute("INSERT INTO opportunity (external_id, name) VALUES ('O2', 'Next')")
    assert db.value("SELECT id FROM opportunity WHERE external_id = 'O2'") == 2


def test_an_import_that_would_share_a_crm_id_is_refused_whole(fresh_db, monkeypatch):
    """Two imports of the same new deals: the one that checked the book before the other committed is refused."""
    import_csv(fresh_db, "accounts", ACCOUNTS)
    checked = ingest._warnings

    def other_import_finishes_meanwhile(*args, **kwargs):
        monkeypatch.setattr(ingest, "_warnings", checked)
        import_csv(fresh_db, "opportunities", DEALS, file_name="first.csv")  # commits O1 and O2
        return checked(*args, **kwargs)

    monkeypatch.setattr(ingest, "_warnings", other_import_finishes_meanwhile)
    with pytest.raises(ImportRefused) as refused:
        import_csv(fresh_db, "opportunities", DEALS, file_name="second.csv")
    message = str(refused.value)
    assert message.startswith("second.csv cannot be imported as opportunities:") and "O1" in message
    if on_duckdb(fresh_db):  # PostgreSQL's own constraint refuses it there, in its words
        assert "the book would then hold two opportunities with CRM id O1" in message
    assert fresh_db.rows("SELECT external_id, count(*) AS n FROM opportunity GROUP BY 1 ORDER BY 1") == [
        {"external_id": "O1", "n": 1}, {"external_id": "O2", "n": 1}]
    assert fresh_db.value("SELECT count(*) FROM import_batch WHERE kind = 'opportunities'") == 1

    again = import_csv(fresh_db, "opportunities", DEALS, file_name="second.csv")  # as the message says
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert fresh_db.value("SELECT count(*) FROM opportunity") == 2


def test_new_records_are_numbered_by_line_from_the_sequence(fresh_db):
    """A mixed file: updated lines leave their numbers unused; new ids follow the lines, and later inserts go past them."""
    import_csv(fresh_db, "accounts", ACCOUNTS)
    import_csv(fresh_db, "opportunities", DEALS)  # O1, O2
    mixed = csv_bytes("Id,AccountId,Name,StageName,Amount,CloseDate",
                      "O3,A1,Third,Prospecting,10,2026-03-31", "O1,A1,Acme renewal,Closed Won,1000,2026-03-31",
                      "O4,A2,Fourth,Prospecting,20,2026-06-30")
    report = import_csv(fresh_db, "opportunities", mixed)
    assert (report.inserted, report.updated) == (2, 1)
    ids = {r["external_id"]: r["id"] for r in fresh_db.rows("SELECT external_id, id FROM opportunity")}
    assert len(set(ids.values())) == 4
    assert ids["O1"] < ids["O3"] < ids["O4"] and ids["O2"] < ids["O3"]
    if on_duckdb(fresh_db):  # line 3 (O1) is updated: its number is skipped
        assert ids["O4"] - ids["O3"] == 2
    with fresh_db.transaction() as con:
        con.execute("INSERT INTO opportunity (name) VALUES ('By hand')")
    assert fresh_db.value("SELECT id FROM opportunity WHERE name = 'By hand'") > ids["O4"]


def test_the_business_unit_rebuild_keeps_rows_columns_and_the_default(tmp_path):
    db = rebuilt(tmp_path / "old.duckdb", 270, "business_unit", [
        "INSERT INTO account (name) VALUES ('Acme')",
        "INSERT INTO business_unit (account_id, name, kind) VALUES (1, 'Retail', 'division')"])
    assert db.rows("SELECT id, account_id, name, kind FROM business_unit") == [
        {"id": 1, "account_id": 1, "name": "Retail", "kind": "division"}]
    with db.transaction() as con:
        con.execute("INSERT INTO business_unit (account_id, name) VALUES (1, 'Wholesale')")
    assert db.value("SELECT id FROM business_unit WHERE name = 'Wholesale'") == 2


def test_imports_create_each_business_unit_once_whatever_its_spelling(fresh_db):
    import_csv(fresh_db, "accounts", ACCOUNTS)
    header = "Id,AccountId,Name,StageName,Amount,CloseDate,Business Unit"
    import_csv(fresh_db, "opportunities", csv_bytes(header, "O1,A1,One,Prospecting,1,2026-03-31,Retail",
                                                    "O2,A1,Two,Prospecting,1,2026-03-31,RETAIL"))
    import_csv(fresh_db, "opportunities", csv_bytes(header, "O3,A1,Three,Prospecting,1,2026-03-31,re tail",
                                                    "O4,A2,Four,Prospecting,1,2026-03-31,Retail"))
    assert fresh_db.rows("SELECT account_id, name FROM business_unit ORDER BY account_id") == [
        {"account_id": 1, "name": "Retail"}, {"account_id": 2, "name": "Retail"}]
    assert fresh_db.value("SELECT count(DISTINCT business_unit_id) FROM opportunity") == 2


def test_a_sequence_drawn_by_another_writer_mid_import_refuses_it_in_a_sentence():
    """Never seen (DuckDB writers are one at a time), but if it were: a refusal, not a traceback."""
    from planning.importing import upsert

    class Drawn:  # the sequence gave 10..20 for a span of five lines: someone else drew in between
        def execute(self, sql, params=None):
            return type("Result", (), {"fetchall": lambda self: [(10, 20)]})()

    with pytest.raises(ImportRefused) as refused:
        upsert._draw_line_span(Drawn(), upsert.TARGETS["opportunities"], 2, 6)
    assert str(refused.value) == ("Another writer drew seq_opportunity during this import, so its new records could "
                                  "not be numbered by line; nothing was imported. Import the file again.")
    assert upsert._draw_line_span(Drawn(), upsert.TARGETS["opportunities"], None, None) == 0
