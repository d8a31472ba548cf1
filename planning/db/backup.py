"""Backups of the database file: `planning backup DIR`, `planning restore DIR`, and the
automatic copy taken before a migration changes an existing file.

A backup is a byte copy of the DuckDB file taken while this process holds it open, right
after a CHECKPOINT. Holding a connection means no other process can write the file (DuckDB
allows one writer per file and refuses other openers), and the checkpoint moves the
write-ahead log into the file, so the copy is one consistent state. Unlike EXPORT DATABASE
(CSV/Parquet + DDL), the copy keeps sequences, the schema version and every type exactly,
and restoring it is one atomic rename. A backup directory holds the file and backup.json
(written last, so a half-made backup is never mistaken for a whole one) with its sha256.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import duckdb

from planning.db.database import Database
from planning.db.snapshot import AUTOMATIC_DIR, snapshot, table_fingerprints
from planning.errors import InvalidInput

MANIFEST = "backup.json"
DATA_FILE = "planning.duckdb"
FORMAT = "account-planner-backup"


def automatic_backups(db: Database) -> list[dict]:
    """The pre-migration copies beside the database, newest first."""
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
    with db.connect() as con:
        version = con.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchall()[0][0]
        counts = {name: rows for name, (rows, _) in table_fingerprints(con).items()}
        snapshot(con, db.path, folder / DATA_FILE)
    manifest = {
        "format": FORMAT, "format_version": 1, "created_at": datetime.now().isoformat(timespec="seconds"),
        "source": str(db.path.resolve()), "schema_version": version, "duckdb_version": duckdb.__version__,
        "file": DATA_FILE, "bytes": (folder / DATA_FILE).stat().st_size, "sha256": _sha256(folder / DATA_FILE),
        "row_counts": counts,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


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
    data = folder / str(manifest.get("file", DATA_FILE))
    if not data.is_file() or _sha256(data) != manifest.get("sha256"):
        raise InvalidInput(f"{folder} is a damaged backup: {data.name} is missing or does not match the checksum in {MANIFEST}.")
    return manifest


def restore(db: Database, directory: str | os.PathLike) -> dict:
    """Replace the database with a backup, atomically: the old file stays whole until the rename."""
    manifest = read_manifest(directory)
    db.path.parent.mkdir(parents=True, exist_ok=True)
    staged = db.path.with_name(f".{db.path.name}.restoring-{os.getpid()}")
    try:
        shutil.copyfile(Path(directory) / manifest["file"], staged)
        _check_opens(staged, manifest)
        if db.exists():
            # Waits for (or refuses with DatabaseBusy) any other process using the file, and
            # folds its write-ahead log in, so no stale .wal is replayed onto the restored file.
            with db.connect() as con:
                con.execute("CHECKPOINT")
        os.replace(staged, db.path)
        Path(f"{db.path}.wal").unlink(missing_ok=True)
    finally:
        staged.unlink(missing_ok=True)
    return manifest


def _check_opens(path: Path, manifest: dict) -> None:
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            version = con.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchall()[0][0]
        finally:
            con.close()
    except duckdb.Error as exc:
        raise InvalidInput(f"The backup file does not open as a database ({exc}); nothing was restored.") from None
    if version != manifest.get("schema_version"):
        raise InvalidInput(
            f"The backup file is at schema version {version}, not {manifest.get('schema_version')} as its "
            f"{MANIFEST} says; nothing was restored."
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
