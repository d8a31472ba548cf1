"""Backups of the database file: `planning backup DIR`, `planning restore DIR`, and the
automatic copy taken before a migration changes an existing file.

A backup is a byte copy of the DuckDB file taken while this process holds it open, right
after a CHECKPOINT. Holding a connection means no other process can write the file (DuckDB
allows one writer per file and refuses other openers), and the checkpoint moves the
write-ahead log into the file, so the copy is one consistent state. Unlike EXPORT DATABASE
(CSV/Parquet + DDL), the copy keeps sequences, the schema version and every type exactly,
and restoring it is one atomic rename. A backup directory holds the file and backup.json
(written last, so a half-made backup is never mistaken for a whole one) with its sha256 and the
fingerprint (rows, hash of every row) of each table.

Restore trusts nothing in backup.json it can check (docs/design.md, Backups): the data file is a
plain name inside the backup folder; the file opens, is at the manifest's schema version and has
every table a database of that version has; its real table fingerprints equal the manifest's;
the counts reported are the restored file's own. The checksum and fingerprints prove the folder
is whole and self-consistent, not who wrote it: someone who can write the folder can rewrite
backup.json too, so restore only folders you made and kept safe. The replaced database is kept
beside the restored one (`<name>.before-restore`) until the next `planning backup`.

On PostgreSQL the same commands call pg_dump / pg_restore, with the same manifest and checks
(planning.db.pg_backup); a backup restores only into the backend it was made from.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import duckdb

from planning.db import changes, pg_backup
from planning.db.database import Database, open_database
from planning.db.snapshot import AUTOMATIC_DIR, snapshot, table_fingerprints
from planning.errors import InvalidInput

MANIFEST = "backup.json"
DATA_FILE = "planning.duckdb"
KEPT_SUFFIX = ".before-restore"
FORMAT = "account-planner-backup"


def automatic_backups(db: Database) -> list[dict]:
    """The pre-migration copies beside the database, newest first (none on PostgreSQL: its
    migrations run in transactions, and the server's own backups cover it)."""
    if db.dialect == "postgres":
        return []
    folder = db.path.parent / AUTOMATIC_DIR
    found = []
    for path in folder.glob(f"{db.path.stem}-v*.duckdb") if folder.is_dir() else []:
        stat = path.stat()
        version = path.name[len(db.path.stem) + 2:].split("-", 1)[0]
        found.append({
            "file": path.name, "schema_version": int(version) if version.isdigit() else None,
            "taken_at": datetime.fromtimestamp(stat.st_mtime), "megabytes": round(stat.st_size / 1e6, 2),
            "path": str(path),
        })
    return sorted(found, key=lambda b: b["taken_at"], reverse=True)


def backup(db: Database, directory: str | os.PathLike) -> dict:
    """Write a consistent copy of the database and its manifest into a new or empty directory."""
    folder = Path(directory)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidInput(f"{folder} is not an empty directory; give a new or empty directory for the backup.")
    if not db.exists():
        raise InvalidInput(f"There is no database at {db.path} to back up.")
    if db.dialect == "postgres":
        return _backup_postgres(db, folder)
    with db.connect() as con:
        version = con.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchall()[0][0]
        fingerprints = table_fingerprints(con)
        snapshot(con, db.path, folder / DATA_FILE)
    counts = {name: rows for name, (rows, _) in fingerprints.items()}
    manifest = {
        "format": FORMAT, "format_version": 1, "created_at": datetime.now().isoformat(timespec="seconds"),
        "backend": "duckdb", "source": str(db.path.resolve()), "schema_version": version, "duckdb_version": duckdb.__version__,
        "file": DATA_FILE, "bytes": (folder / DATA_FILE).stat().st_size, "sha256": _sha256(folder / DATA_FILE),
        "row_counts": counts, "fingerprints": {name: [rows, str(digest)] for name, (rows, digest) in fingerprints.items()},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    kept_file(db).unlink(missing_ok=True)  # a new backup exists: the file a restore replaced may go
    return manifest


def _backup_postgres(db: Database, folder: Path) -> dict:
    """pg_dump (custom format) of one snapshot, and its fingerprints (planning.db.pg_backup)."""
    folder.mkdir(parents=True, exist_ok=True)
    version, fingerprints, server = pg_backup.dump(db, folder / pg_backup.DUMP_FILE)  # type: ignore[arg-type]
    data = folder / pg_backup.DUMP_FILE
    manifest = {
        "format": FORMAT, "format_version": 1, **pg_backup.manifest_fields(db, server),  # type: ignore[arg-type]
        "schema_version": version, "file": pg_backup.DUMP_FILE, "bytes": data.stat().st_size, "sha256": _sha256(data),
        "row_counts": {name: rows for name, (rows, _) in fingerprints.items()},
        "fingerprints": {name: [rows, str(digest)] for name, (rows, digest) in fingerprints.items()},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def kept_file(db: Database) -> Path:
    """Where restore keeps the database it replaced (until the next backup)."""
    return db.path.with_name(db.path.name + KEPT_SUFFIX)


def read_manifest(directory: str | os.PathLike) -> dict:
    """The manifest of a backup directory; refuses anything that is not a whole backup."""
    folder = Path(directory)
    not_backup = f"{folder} is not an Account Planner backup"
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InvalidInput(f"{not_backup}: it has no readable {MANIFEST} (make one with `planning backup DIR`).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput(f"{not_backup}: its {MANIFEST} was not written by `planning backup`.")
    name = manifest.get("file", DATA_FILE)
    # Only a plain file name inside the folder: never ../elsewhere.duckdb or /an/absolute/path.
    if (not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\\" in name
            or Path(name).is_absolute() or (folder / name).resolve().parent != folder.resolve()):
        raise InvalidInput(f"{not_backup}: its {MANIFEST} names the data file {name!r}, which is not a file inside {folder}; "
                           "nothing was restored.")
    data = folder / name
    if not data.is_file() or _sha256(data) != manifest.get("sha256"):
        raise InvalidInput(f"{folder} is a damaged backup: {data.name} is missing or does not match the checksum in {MANIFEST}.")
    return manifest


def restore(db: Database, directory: str | os.PathLike) -> dict:
    """Replace the database with a checked backup, atomically; returns the manifest with the
    counts actually restored (`row_counts`) and where the replaced file was kept (`kept`)."""
    manifest = read_manifest(directory)
    backend = manifest.get("backend", "duckdb")
    if backend != db.dialect:
        made, here = ("a DuckDB file", "a PostgreSQL database") if backend == "duckdb" else ("a PostgreSQL database", "a DuckDB file")
        raise InvalidInput(
            f"{directory} is a backup of {made}, and {db.path} is {here}: restore it with --db naming {made}. "
            "Nothing was restored."
        )
    if db.dialect == "postgres":
        restored = pg_backup.checked_restore(
            db, Path(directory) / manifest["file"],  # type: ignore[arg-type]
            lambda con: _check_database(con, manifest, lambda v: pg_backup.tables_of_fresh_database(db.url, v)),  # type: ignore[attr-defined]
        )
        return manifest | {"row_counts": {name: rows for name, (rows, _) in restored.items()}, "kept": None}
    db.path.parent.mkdir(parents=True, exist_ok=True)
    staged = db.path.with_name(f".{db.path.name}.restoring-{os.getpid()}")
    try:
        shutil.copyfile(Path(directory) / manifest["file"], staged)
        restored = _check_backup_file(staged, manifest)
        _new_epoch(staged)
        kept = None
        if db.exists():
            # Waits for (or refuses with DatabaseBusy) any other process using the file, and
            # folds its write-ahead log in, so no stale .wal is replayed onto the restored file.
            with db.connect() as con:
                con.execute("CHECKPOINT")
            kept = kept_file(db)
            kept.unlink(missing_ok=True)
            os.link(db.path, kept)  # the old file keeps its name-to-be; the swap stays one rename
        os.replace(staged, db.path)
        Path(f"{db.path}.wal").unlink(missing_ok=True)
    finally:
        staged.unlink(missing_ok=True)
    return manifest | {"row_counts": {name: rows for name, (rows, _) in restored.items()},
                       "kept": str(kept) if kept else None}


def _new_epoch(path: Path) -> None:
    """The restored file's change counters may repeat values this process's read cache holds."""
    con = duckdb.connect(str(path))
    try:
        if changes.has_table(con):
            changes.set_new_epoch(con)
    finally:
        con.close()


def _check_backup_file(path: Path, manifest: dict) -> dict[str, tuple[int, int]]:
    """The staged file's table fingerprints, after checking it is the whole database the manifest describes."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise InvalidInput(f"The backup file does not open as a database ({exc}); nothing was restored.") from None
    try:
        return _check_database(con, manifest, lambda version: _tables_at(version, path.parent))
    except duckdb.Error as exc:
        raise InvalidInput(f"The backup file does not open as a database ({exc}); nothing was restored.") from None
    finally:
        con.close()


def _check_database(con, manifest: dict, tables_at) -> dict[str, tuple[int, int]]:
    """The restored candidate's fingerprints, after checking it is the whole database the manifest
    describes: its schema version, every table of that version (`tables_at(version)`), and data."""
    version = con.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchall()[0][0]
    found = table_fingerprints(con)
    if version != manifest.get("schema_version"):
        raise InvalidInput(
            f"The backup file is at schema version {version}, not {manifest.get('schema_version')} as its "
            f"{MANIFEST} says; nothing was restored."
        )
    missing = sorted(set(tables_at(version) | set(manifest.get("row_counts") or {})) - set(found))
    if missing:
        raise InvalidInput(
            f"The backup file lacks {len(missing)} table(s) a database at schema version {version} has "
            f"({', '.join(missing[:5])}); it is not a whole backup, so nothing was restored."
        )
    expected = manifest.get("fingerprints")
    if expected is not None:
        differ = sorted(name for name in set(expected) | set(found)
                        if name not in found or name not in expected or [found[name][0], str(found[name][1])] != list(expected[name]))
    else:  # a backup made before fingerprints were recorded: its row counts must still hold
        differ = sorted(name for name, rows in (manifest.get("row_counts") or {}).items() if found.get(name, (None,))[0] != rows)
    if differ:
        raise InvalidInput(
            f"The backup file's data does not match its {MANIFEST} (tables {', '.join(differ[:5])} differ): it was "
            "changed after the backup was made, so nothing was restored."
        )
    return found


def _tables_at(version: int, scratch: Path) -> set[str]:
    """Tables a database migrated by this code has, when `version` is this code's latest (else none known)."""
    fresh_path = scratch / f".schema-check-{os.getpid()}.duckdb"
    try:
        fresh = open_database(fresh_path)
        with fresh.connect() as con:
            if con.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchall()[0][0] != version:
                return set()
            return set(table_fingerprints(con))
    finally:
        fresh_path.unlink(missing_ok=True)
        Path(f"{fresh_path}.wal").unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
