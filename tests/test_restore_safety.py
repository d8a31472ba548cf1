"""`planning restore` checks what backup.json claims: the file is inside the folder, whole, and unchanged."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from planning.db import backup as backups
from planning.db.backup import table_fingerprints
from planning.errors import InvalidInput


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
    rewrite_manifest(folder, sha256=backups._sha256(folder / "planning.duckdb"),
                     bytes=(folder / "planning.duckdb").stat().st_size)


@pytest.mark.parametrize("name", ["../outside.duckdb", "/etc/outside.duckdb", "sub/planning.duckdb", "..", ""])
def test_the_data_file_must_be_a_plain_name_inside_the_folder(demo_db, made, tmp_path, name):
    shutil.copy(made / "planning.duckdb", tmp_path / "outside.duckdb")
    rewrite_manifest(made, file=name)
    before = fingerprints(demo_db)
    with pytest.raises(InvalidInput) as refused:
        backups.restore(demo_db, made)
    assert f"names the data file {name!r}, which is not a file inside {made}; nothing was restored." in str(refused.value)
    assert fingerprints(demo_db) == before


def test_a_hollow_database_is_refused(demo_db, made, tmp_path):
    hollow = made / "planning.duckdb"
    hollow.unlink()
    con = duckdb.connect(str(hollow))
    con.execute("CREATE TABLE schema_migration (version INTEGER, name VARCHAR, applied_at TIMESTAMP)")
    version = json.loads((made / "backup.json").read_text())["schema_version"]
    con.execute("INSERT INTO schema_migration VALUES (?, 'x', now())", [version])
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
    con = duckdb.connect(str(made / "planning.duckdb"))
    con.execute("UPDATE app_user SET role = 'admin' WHERE name = 'Omar Ops'")
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
    kept = backups.kept_file(demo_db)
    assert restored["kept"] == str(kept)
    con = duckdb.connect(str(kept), read_only=True)
    assert table_fingerprints(con) == changed
    con.close()
    backups.backup(demo_db, made.parent / "next")  # the next backup lets the kept file go
    assert not kept.exists()
