"""File-level copies of an open DuckDB database: a consistent snapshot and the pre-migration copy.

Lives apart from `backup` so the migration runner (`database`) can take a copy before it
changes a file without importing the backup commands that build on `Database`.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import duckdb

from planning.db.dialect import Dialects

AUTOMATIC_DIR = "backups"


FINGERPRINT = Dialects(
    duckdb='SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{name}" AS t',
    # md5 of the row's text (ISO dates, shortest exact floats): the same on every server version.
    postgres="SELECT count(*), coalesce(sum(('x' || substr(md5(fingerprint_row::text), 1, 15))::bit(60)::bigint), 0)"
             ' FROM "{name}" AS fingerprint_row',
)


def table_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """(row count, order-independent hash of every row) per table: equal iff the data is equal.

    The read cache's change counters (`data_change`) are bookkeeping, not data: a restore renews them.
    """
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'data_change'"
        " ORDER BY table_name"
    ).fetchall()]
    query = FINGERPRINT.on(con)
    return {
        name: tuple(int(v) for v in con.execute(query.format(name=name)).fetchall()[0])  # type: ignore[misc]
        for name in names
    }


def snapshot(con: duckdb.DuckDBPyConnection, source: Path, target: Path) -> None:
    """Copy the file `con` holds open to `target`, after a checkpoint (see module docstring)."""
    con.execute("CHECKPOINT")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def before_migration(con: duckdb.DuckDBPyConnection, source: Path, old_version: int) -> Path:
    """Copy an existing database to <db dir>/backups/<name>-v<old>-<timestamp>.duckdb."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = source.parent / AUTOMATIC_DIR / f"{source.stem}-v{old_version}-{stamp}.duckdb"
    snapshot(con, source, target)
    return target
