"""Backups: `planning backup DIR` / `planning restore DIR`, and the copy taken before a migration."""

import json
import os
import shutil

import duckdb
import pytest

from planning import users
from planning.cli import main
from planning.db import Database, backup, open_database, pg_backup, shipped_migrations
from planning.errors import InvalidInput
from tests.conftest import ON_POSTGRES, drop_pg_database, pg_database

pytestmark = pytest.mark.file_free  # a restore replaces the file, and the CLI opens it

DATA_FILE = "planning.pgdump" if ON_POSTGRES else "planning.duckdb"


def fingerprints(db: Database) -> dict:
    with db.connect() as con:
        return backup.table_fingerprints(con)


def scribble(db: Database) -> None:
    """Changes a backup must undo: a deleted plan, a renamed account, a new user."""
    with db.transaction() as con:
        con.execute("DELETE FROM plan WHERE id = (SELECT min(id) FROM plan)")
        con.execute("UPDATE account SET name = 'Renamed' WHERE id = (SELECT min(id) FROM account)")
        con.execute("INSERT INTO app_user (name, email, role) VALUES ('Intruder', 'x@example.com', 'admin')")


def test_fingerprints_change_when_any_row_changes(demo_db):
    before = fingerprints(demo_db)
    demo_db.execute("UPDATE opportunity SET amount = amount + 1 WHERE id = (SELECT min(id) FROM opportunity)")
    after = fingerprints(demo_db)
    # On PostgreSQL plan_member and opportunity_tally (migrations 0240, 0250) copy or sum the amount.
    derived = {"plan_member", "opportunity_tally"} if ON_POSTGRES else set()
    assert {t for t in before if before[t] != after[t]} == {"opportunity"} | derived


def test_backup_then_restore_gives_back_every_table(demo_db, tmp_path):
    before = fingerprints(demo_db)
    manifest = backup.backup(demo_db, tmp_path / "b1")
    assert sorted(os.listdir(tmp_path / "b1")) == ["backup.json", DATA_FILE]
    assert manifest["schema_version"] == shipped_migrations()[-1].version
    assert manifest["backend"] == demo_db.dialect
    assert (manifest["row_counts"]["account"], manifest["row_counts"]["plan"]) == (48, 44)
    scribble(demo_db)
    assert fingerprints(demo_db) != before
    kept = None if ON_POSTGRES else str(demo_db.path) + ".before-restore"
    assert backup.restore(demo_db, tmp_path / "b1") == manifest | {"kept": kept}
    assert fingerprints(demo_db) == before
    if not ON_POSTGRES:
        assert sorted(p.name for p in demo_db.path.parent.iterdir() if p.name.startswith((".", "demo"))) == [
            "demo.duckdb", "demo.duckdb.before-restore"]


def test_restore_keeps_sequences_so_new_ids_continue(demo_db, tmp_path):
    ada = users.find_user(demo_db, "Ada Admin")
    backup.backup(demo_db, tmp_path / "b1")
    first = users.create_user(demo_db, ada, "Nina Park", "nina@example.com", "rep")
    backup.restore(demo_db, tmp_path / "b1")
    assert users.create_user(demo_db, ada, "Nina Park", "nina@example.com", "rep") == first


def test_restore_into_a_missing_database_file(demo_db, tmp_path):
    before = fingerprints(demo_db)
    backup.backup(demo_db, tmp_path / "b1")
    if ON_POSTGRES:  # a database the server does not have yet: restore creates it
        url = pg_database(f"restore_new_{os.getpid()}")
        drop_pg_database(url)
        target = Database(url)
    else:
        target = Database(tmp_path / "elsewhere" / "new.duckdb")
    try:
        backup.restore(target, tmp_path / "b1")
        assert fingerprints(target) == before
    finally:
        if ON_POSTGRES:
            drop_pg_database(url)


def test_a_backup_restores_only_into_the_backend_it_was_made_from(demo_db, tmp_path):
    backup.backup(demo_db, tmp_path / "b1")
    manifest = json.loads((tmp_path / "b1" / "backup.json").read_text())
    other = "duckdb" if ON_POSTGRES else "postgres"
    (tmp_path / "b1" / "backup.json").write_text(json.dumps(manifest | {"backend": other}))
    before = fingerprints(demo_db)
    with pytest.raises(InvalidInput, match="Nothing was restored.$") as refused:
        backup.restore(demo_db, tmp_path / "b1")
    assert str(refused.value).startswith(f"{tmp_path / 'b1'} is a backup of a {'DuckDB file' if ON_POSTGRES else 'PostgreSQL database'}")
    assert fingerprints(demo_db) == before


def test_backup_refuses_a_directory_that_is_not_empty(demo_db, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("keep me")
    with pytest.raises(InvalidInput, match=f"^{tmp_path / 'full'} is not an empty directory; give a new or empty directory for the backup.$"):
        backup.backup(demo_db, tmp_path / "full")
    assert os.listdir(tmp_path / "full") == ["notes.txt"]


def _no_manifest(folder):
    folder.mkdir()


def _stray_file(folder):
    folder.mkdir()
    (folder / DATA_FILE).write_bytes(b"not a database")


def _foreign_manifest(folder):
    folder.mkdir()
    (folder / "backup.json").write_text(json.dumps({"format": "something-else"}))


def _tampered_file(folder, source):
    backup.backup(source, folder)
    with open(folder / DATA_FILE, "r+b") as handle:
        handle.seek(5000)
        handle.write(b"garbage")


def _bytes_that_are_no_database(folder, source):
    backup.backup(source, folder)
    (folder / DATA_FILE).write_bytes(b"not a database at all" * 100)
    manifest = json.loads((folder / "backup.json").read_text())
    manifest["sha256"] = backup._sha256(folder / DATA_FILE)
    (folder / "backup.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    "make, message",
    [
        (_no_manifest, "{dir} is not an Account Planner backup: it has no readable backup.json (make one with `planning backup DIR`)."),
        (_stray_file, "{dir} is not an Account Planner backup: it has no readable backup.json (make one with `planning backup DIR`)."),
        (_foreign_manifest, "{dir} is not an Account Planner backup: its backup.json was not written by `planning backup`."),
        (_tampered_file, "{dir} is a damaged backup: {file} is missing or does not match the checksum in backup.json."),
        (_bytes_that_are_no_database, "The backup file does not " + ("restore" if ON_POSTGRES else "open") + " as a database"),
    ],
)
def test_restore_refuses_what_is_not_a_whole_backup_and_changes_nothing(demo_db, tmp_path, make, message):
    folder = tmp_path / "candidate"
    if make.__code__.co_argcount == 2:
        if ON_POSTGRES:
            source = demo_db
        else:
            source = Database(tmp_path / "other.duckdb")
            shutil.copy(demo_db.path, source.path)
        make(folder, source)
    else:
        make(folder)
    before = fingerprints(demo_db)
    with pytest.raises(InvalidInput) as refused:
        backup.restore(demo_db, folder)
    assert str(refused.value).startswith(message.format(dir=folder, file=DATA_FILE))
    assert fingerprints(demo_db) == before
    if not ON_POSTGRES:
        assert not [p for p in demo_db.path.parent.iterdir() if ".restoring-" in p.name]


@pytest.mark.duckdb_only
def test_a_failure_during_the_swap_leaves_the_old_database_whole(demo_db, tmp_path, monkeypatch):
    backup.backup(demo_db, tmp_path / "b1")
    scribble(demo_db)
    before = fingerprints(demo_db)

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(backup.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        backup.restore(demo_db, tmp_path / "b1")
    assert fingerprints(demo_db) == before
    assert not [p for p in demo_db.path.parent.iterdir() if ".restoring-" in p.name]


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL: pg_restore's one transaction")
def test_on_postgresql_a_restore_that_fails_midway_changes_nothing(demo_db, tmp_path, monkeypatch):
    """The dump checks out in the scratch database; the in-place pg_restore then dies part-way
    (its dump cut short), and its single transaction leaves the database as it was."""
    backup.backup(demo_db, tmp_path / "b1")
    scribble(demo_db)
    before = fingerprints(demo_db)
    whole = tmp_path / "b1" / DATA_FILE
    cut = tmp_path / "cut.pgdump"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.8)])
    real = pg_backup._restore_into
    monkeypatch.setattr(pg_backup, "_restore_into", lambda dump, url, clean: real(cut if clean else dump, url, clean))
    with pytest.raises(InvalidInput, match="^pg_restore failed"):
        backup.restore(demo_db, tmp_path / "b1")
    assert fingerprints(demo_db) == before


def test_cli_backup_and_restore(demo_db, tmp_path, capsys):
    target = tmp_path / "nightly"
    assert main(["--db", demo_db.target, "backup", str(target)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{demo_db.path}: backed up to {target} (schema version {shipped_migrations()[-1].version}, ")
    assert out.endswith(" MB, 48 accounts, 1,650 opportunities, 44 plans).\n")
    scribble(demo_db)
    assert main(["--db", demo_db.target, "restore", str(target)]) == 0
    out = capsys.readouterr().out
    assert "restored from" in out
    if ON_POSTGRES:
        assert out.endswith("The data it replaced is not kept on PostgreSQL: your server's own backups hold it.\n")
    assert demo_db.value("SELECT count(*) FROM app_user WHERE name = 'Intruder'") == 0


def test_cli_restore_of_a_non_backup_is_one_line_and_exit_1(demo_db, tmp_path, capsys):
    (tmp_path / "photos").mkdir()
    assert main(["--db", demo_db.target, "restore", str(tmp_path / "photos")]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"planning: {tmp_path / 'photos'} is not an Account Planner backup: it has no readable backup.json "
        "(make one with `planning backup DIR`).\n"
    )


# -- automatic backup before a migration --------------------------------------------------


def make_old_database(path):
    """A database left at the first migration, with one account in it."""
    first = shipped_migrations()[0]
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
    first.apply(con)
    con.execute("INSERT INTO schema_migration VALUES (?, ?, now())", [first.version, first.name])
    con.execute("INSERT INTO account (name) VALUES ('Old Customer')")
    con.close()
    return Database(path)


def test_migrating_an_older_database_first_copies_it_to_backups(tmp_path):
    db = make_old_database(tmp_path / "planning.duckdb")
    assert db.migrate() == [m.version for m in shipped_migrations()[1:]]
    copies = sorted((tmp_path / "backups").iterdir())
    assert [p.name.split("-")[:2] for p in copies] == [["planning", "v1"]]
    old = duckdb.connect(str(copies[0]), read_only=True)
    assert old.execute("SELECT max(version) FROM schema_migration").fetchall() == [(1,)]
    assert old.execute("SELECT name FROM account").fetchall() == [("Old Customer",)]
    old.close()
    assert [b["schema_version"] for b in backup.automatic_backups(db)] == [1]


def test_no_backup_when_nothing_is_pending(tmp_path):
    db = make_old_database(tmp_path / "planning.duckdb")
    db.migrate()
    assert db.migrate() == []
    assert len(list((tmp_path / "backups").iterdir())) == 1


def test_no_backup_of_a_brand_new_file(tmp_path):
    db = open_database(tmp_path / "new.duckdb")
    assert db.schema_version() == shipped_migrations()[-1].version
    assert not (tmp_path / "backups").exists()
    assert backup.automatic_backups(db) == []


def test_backups_of_one_database_are_listed_newest_first(tmp_path, monkeypatch):
    import planning.db.database

    shipped = shipped_migrations()
    db = make_old_database(tmp_path / "planning.duckdb")
    monkeypatch.setattr(planning.db.database, "shipped_migrations", lambda: shipped[:2])  # an older release
    assert db.migrate() == [shipped[1].version]
    monkeypatch.setattr(planning.db.database, "shipped_migrations", lambda: shipped)  # the upgrade
    db.migrate()
    listed = backup.automatic_backups(db)
    assert [b["schema_version"] for b in listed] == [shipped[1].version, 1]
