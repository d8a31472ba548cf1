"""Imports that must be refused in one sentence, leaving the database exactly as it was.

Also the users-import rule: a non-admin's users file may add people, never change who someone is.
"""

from __future__ import annotations

import os

import duckdb
import pytest

from planning import plan_content, users
from planning.db import open_database
from planning.db.backup import table_fingerprints
from planning.db.dialect import constraint_errors
from planning.errors import DatabaseUnreachable, DatabaseUnwritable, ImportRefused, NotAllowed
from planning.importing import ingest, upsert


def fingerprints(db):
    with db.connect() as con:
        return table_fingerprints(con)


NAME_EMAIL = {"Name": "name", "Email": "email"}  # a two-column file looks like contacts without it


@pytest.fixture
def ops(demo_db):
    return users.find_user(demo_db, "Omar Ops")


def test_ops_cannot_take_over_an_admins_email_through_a_users_import(demo_db, ops):
    before = fingerprints(demo_db)
    file = b"Full Name,Email Address\nAda Admin,omar.ops@example.com\n"
    with pytest.raises(NotAllowed) as refused:
        ingest.import_csv(demo_db, "users", file, file_name="u.csv", user=ops,
                          mapping={"Full Name": "name", "Email Address": "email"})
    assert str(refused.value) == (
        "A users import by ops may only add users; changing an existing user's email, role, manager or active flag "
        "is for an admin (line 2: Ada Admin's email would change from 'ada.admin@example.com' to "
        "'omar.ops@example.com'). Remove those rows or ask an admin."
    )
    assert fingerprints(demo_db) == before


def test_ops_cannot_change_a_manager_but_may_add_people(demo_db, ops):
    with pytest.raises(NotAllowed):
        ingest.import_csv(demo_db, "users", b"Name,Manager\nPriya Nair,Marcus Chen\n", file_name="m.csv", user=ops)
    report = ingest.import_csv(demo_db, "users", b"Name,Email\nNew Person,new.person@example.com\n", file_name="n.csv", user=ops,
                               mapping=NAME_EMAIL)
    assert (report.inserted, report.updated) == (1, 0)
    assert users.find_user(demo_db, "New Person")["email"] == "new.person@example.com"


def test_an_admin_may_change_an_email_through_an_import(demo_db):
    admin = users.find_user(demo_db, "Ada Admin")
    ingest.import_csv(demo_db, "users", b"Name,Email\nPriya Nair,priya@example.com\n", file_name="a.csv", user=admin,
                      mapping=NAME_EMAIL)
    assert users.find_user(demo_db, "Priya Nair")["email"] == "priya@example.com"


def test_emails_are_unique_in_the_database_itself(demo_db):
    with demo_db.connect() as con, pytest.raises(constraint_errors()):
        con.execute("INSERT INTO app_user (id, name, email, role) VALUES (999, 'Twin', 'ADA.ADMIN@example.com', 'rep')")


def test_a_users_file_that_repeats_an_existing_email_is_refused_in_one_sentence(demo_db, ops):
    before = fingerprints(demo_db)
    with pytest.raises(ImportRefused) as refused:
        ingest.import_csv(demo_db, "users", b"Name,Email\nEve Twin,Ada.Admin@example.com\n", file_name="t.csv", user=ops,
                          mapping=NAME_EMAIL)
    assert str(refused.value).startswith("t.csv cannot be imported as users: the database already has a record with "
                                         "lower(email) ada.admin@example.com under another CRM id")
    assert fingerprints(demo_db) == before


def test_the_migration_resolves_existing_duplicate_emails(tmp_path):
    db = open_database(tmp_path / "old.duckdb")
    with db.connect() as con:
        con.execute("DROP INDEX app_user_email_unique")
        con.execute("INSERT INTO app_user (name, email, role) VALUES ('First', 'x@example.com', 'rep'),"
                    " ('Second', 'X@Example.com', 'rep'), ('Blank', ' ', 'rep')")
        con.execute("DELETE FROM schema_migration WHERE version = 120")
    db = open_database(tmp_path / "old.duckdb")
    rows = db.rows("SELECT name, email FROM app_user WHERE name IN ('First', 'Second', 'Blank') ORDER BY id")
    assert rows == [{"name": "First", "email": "x@example.com"}, {"name": "Second", "email": None},
                    {"name": "Blank", "email": None}]
    assert db.value("SELECT old_value FROM audit_log WHERE entity = 'user' AND field = 'email'") == "X@Example.com"


def test_the_generators_product_file_into_the_demo_is_one_sentence(demo_db):
    # planning.demo.scale writes Product.csv with Salesforce ids; the demo has the same names under P01…
    before = fingerprints(demo_db)
    file = b"Id,ProductCode,Name,Family,ListPrice\n01tSc0000000000000,SKU-0001,Platform Standard,Core Platform,48000.00\n"
    with pytest.raises(ImportRefused) as refused:
        ingest.import_csv(demo_db, "products", file, file_name="Product.csv")
    assert str(refused.value) == (
        "Product.csv cannot be imported as products: the database already has a record with name Platform Standard "
        "under another CRM id, so a row would duplicate it. Nothing was imported; make the CRM ids agree (or rename "
        "the row) and import again."
    )
    assert fingerprints(demo_db) == before


def no_space(*args, **kwargs):
    raise duckdb.IOException("IO Error: Could not write file: No space left on device")


def test_a_full_disk_during_an_import_is_one_sentence_and_nothing_is_written(demo_db, monkeypatch):
    before = fingerprints(demo_db)
    monkeypatch.setattr(upsert, "write", no_space)
    with pytest.raises(ImportRefused) as refused:
        ingest.import_csv(demo_db, "products", b"Name,Family\nNew Thing,Core Platform\n", file_name="p.csv")
    assert str(refused.value) == ("p.csv was not imported because the disk is full; nothing was changed. "
                                  "Free some space and import it again.")
    monkeypatch.undo()
    assert fingerprints(demo_db) == before


def full_disk(db):
    """What the backend raises when its disk is full, and the sentence the user gets."""
    if db.dialect == "postgres":
        import psycopg

        error = psycopg.errors.DiskFull("could not extend file: No space left on device")
        return error, (f"The PostgreSQL server of {db.path} has no disk space left, so nothing was saved. "
                       "Ask its operator to free some and try again.")
    return (duckdb.IOException("IO Error: Could not write file: No space left on device"),
            f"The disk holding {db.path} is full, so nothing was saved. Free some space and try again.")


def test_a_full_disk_during_a_comment_save_is_one_sentence(demo_db, monkeypatch):
    owner = users.get_user(demo_db, demo_db.value("SELECT owner_id FROM plan WHERE id = 3"))
    before = fingerprints(demo_db)
    error, sentence = full_disk(demo_db)

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(plan_content.audit, "record_created", refuse)
    with pytest.raises(DatabaseUnwritable) as refused:
        plan_content.add_comment(demo_db, owner, 3, "hello")
    assert str(refused.value) == sentence
    monkeypatch.undo()
    assert fingerprints(demo_db) == before


def test_a_lost_postgresql_connection_is_one_sentence(demo_db, monkeypatch):
    if demo_db.dialect != "postgres":
        pytest.skip("PostgreSQL's connection (PLANNING_TEST_BACKEND=postgres)")
    import psycopg

    owner = users.get_user(demo_db, demo_db.value("SELECT owner_id FROM plan WHERE id = 3"))

    def lost(*args, **kwargs):
        raise psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")

    monkeypatch.setattr(plan_content.audit, "record_created", lost)
    with pytest.raises(DatabaseUnreachable) as refused:
        plan_content.add_comment(demo_db, owner, 3, "hello")
    assert str(refused.value) == (f"The connection to the PostgreSQL database {demo_db.path} was lost. Reload the page "
                                  "to see whether your last change was saved, and try again.")


def test_a_csv_with_ten_thousand_columns_is_refused_before_loading(demo_db):
    header = ",".join(f"c{i}" for i in range(10_000))
    data = (header + "\n" + ",".join("x" * 99 for _ in range(10_000)) + "\n").encode()
    assert len(data) > 1_000_000
    with pytest.raises(ImportRefused) as refused:
        ingest.import_csv(demo_db, "accounts", data, file_name="wide.csv")
    assert str(refused.value) == ("wide.csv has 10,000 columns; a CRM extract has at most 1,000. Check that it is "
                                  "the right file and that its delimiter is a comma, semicolon or tab.")


@pytest.mark.duckdb_only  # about the DuckDB file's size
def test_a_dry_run_does_not_grow_the_database_file(demo_db):
    with demo_db.connect() as con:
        con.execute("CHECKPOINT")
    size = os.path.getsize(demo_db.path)
    rows = b"".join(b"X%d,Deal %d,Prospecting,1000,2026-05-01\n" % (i, i) for i in range(200_000))
    ingest.import_csv(demo_db, "opportunities", b"Id,Name,StageName,Amount,CloseDate\n" + rows, file_name="o.csv", dry_run=True)
    with demo_db.connect() as con:
        con.execute("CHECKPOINT")
    assert os.path.getsize(demo_db.path) == size
