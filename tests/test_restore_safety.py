"""`planning restore` checks what backup.json claims: the file is inside the folder, whole, and unchanged."""

from __future__ import annotations

import json
import os
import shutil

import duckdb
import pytest

from planning.db import Database, pg_backup
from planning.db import backup as backups
from planning.db.backup import table_fingerprints
from planning.errors import InvalidInput
from tests.conftest import ON_POSTGRES, drop_pg_database, pg_database

pytestmark = pytest.mark.file_free  # a restore replaces the file

DATA_FILE = pg_backup.DUMP_FILE if ON_POSTGRES else "planning.duckdb"


def fingerprints(db):
    with db.connect() as con:
        return table_fingerprints(con)


@pytest.fixture
def made(demo_db, tmp_path):
    folder = tmp_path / "backup"
    backups.backup(demo_db, folder)
    return folder


def rewrite_manifest(folder, **changes):
    manifest = json.loads((folder / "backup.json").read_text())
    manifest.update(changes)
    (folder / "backup.json").write_text(json.dumps(manifest))


def reseal(folder):
    """What someone tampering with the file does next: recompute the checksum."""
    rewrite_manifest(folder, sha256=backups._sha256(folder / DATA_FILE),
                     bytes=(folder / DATA_FILE).stat().st_size)


def rewrite_dump(folder, sql: str, restore_first: bool = True) -> None:
    """PostgreSQL: restore the backup's dump into a database of its own, run `sql` there, dump it back."""
    url = pg_database(f"rewrite_{os.getpid()}")
    try:
        if restore_first:
            pg_backup._restore_into(folder / DATA_FILE, url, clean=False)
        with Database(url).connect() as con:
            con.execute(sql)
        (folder / DATA_FILE).unlink()
        pg_backup.dump(Database(url), folder / DATA_FILE)
    finally:
        drop_pg_database(url)


@pytest.mark.parametrize("name", ["../outside.duckdb", "/etc/outside.duckdb", "sub/planning.duckdb", "..", ""])
def test_the_data_file_must_be_a_plain_name_inside_the_folder(demo_db, made, tmp_path, name):
    shutil.copy(made / DATA_FILE, tmp_path / "outside.duckdb")
    rewrite_manifest(made, file=name)
    before = fingerprints(demo_db)
    with pytest.raises(InvalidInput) as refused:
        backups.restore(demo_db, made)
    assert f"names the data file {name!r}, which is not a file inside {made}; nothing was restored." in str(refused.value)
    assert fingerprints(demo_db) == before


def test_a_hollow_database_is_refused(demo_db, made, tmp_path):
    version = json.loads((made / "backup.json").read_text())["schema_version"]
    hollow_sql = ("CREATE TABLE schema_migration (version INTEGER, name VARCHAR, applied_at TIMESTAMP);"
                  f" INSERT INTO schema_migration VALUES ({version}, 'x', now())")
    if ON_POSTGRES:
        rewrite_dump(made, hollow_sql, restore_first=False)
    else:
        hollow = made / DATA_FILE
        hollow.unlink()
        con = duckdb.connect(str(hollow))
        con.execute(hollow_sql)
        con.close()
    reseal(made)
    rewrite_manifest(made, row_counts={}, fingerprints=None)
    before = fingerprints(demo_db)
    with pytest.raises(InvalidInput) as refused:
        backups.restore(demo_db, made)
    assert f"a database at schema version {version} has" in str(refused.value)
    assert str(refused.value).endswith("it is not a whole backup, so nothing was restored.")
    assert fingerprints(demo_db) == before


def test_a_tampered_file_with_a_recomputed_checksum_is_refused(demo_db, made):
    promote = "UPDATE app_user SET role = 'admin' WHERE name = 'Omar Ops'"
    if ON_POSTGRES:
        rewrite_dump(made, promote)
    else:
        con = duckdb.connect(str(made / DATA_FILE))
        con.execute(promote)
        con.execute("CHECKPOINT")
        con.close()
    reseal(made)
    before = fingerprints(demo_db)
    with pytest.raises(InvalidInput) as refused:
        backups.restore(demo_db, made)
    assert str(refused.value) == ("The backup file's data does not match its backup.json (tables app_user differ): "
                                  "it was changed after the backup was made, so nothing was restored.")
    assert fingerprints(demo_db) == before


def test_restore_reports_the_counts_it_restored_and_keeps_the_replaced_file(demo_db, made):
    original = fingerprints(demo_db)
    with demo_db.connect() as con:
        con.execute("DELETE FROM comment")
    changed = fingerprints(demo_db)
    rewrite_manifest(made, row_counts={"comment": 123456})  # the manifest's counts are not what is reported
    restored = backups.restore(demo_db, made)
    assert restored["row_counts"] == {name: rows for name, (rows, _) in original.items()}
    assert fingerprints(demo_db) == original
    if ON_POSTGRES:  # nothing beside a PostgreSQL database to keep the replaced data in
        assert restored["kept"] is None
        return
    kept = backups.kept_file(demo_db)
    assert restored["kept"] == str(kept)
    con = duckdb.connect(str(kept), read_only=True)
    assert table_fingerprints(con) == changed
    con.close()
    backups.backup(demo_db, made.parent / "next")  # the next backup lets the kept file go
    assert not kept.exists()
