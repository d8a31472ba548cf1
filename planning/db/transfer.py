"""Copy a whole database to another one, across backends (issue #18: moving a team from the
embedded DuckDB file to a shared PostgreSQL, or back for a laptop copy).

The target must be empty; it is migrated to this code's schema, and the source must be at the
same version (run `planning init` on it first). Every table is copied in one transaction on the
target, in bulk: DuckDB → PostgreSQL writes each table as CSV from DuckDB and loads it with
COPY; any other pair goes through `register`. Sequences are then moved past the copied ids, so
new records do not collide. Row counts and fingerprints are checked before COMMIT.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from planning.db.database import Database, table_names
from planning.db.dialect import DERIVED, refresh_statistics
from planning.errors import InvalidInput

BOOKKEEPING = {"schema_migration", "data_change"}  # the target has its own
BOOK = ("app_user", "account", "opportunity", "contact", "product", "plan", "import_batch")


def refuse_filled(target: Database, what: str) -> None:
    """Refuse a target that holds a book already: a copy or a demo load goes into an empty one.

    A new database holds only what the migrations seed (stages, the default scorecard, settings).
    """
    if not target.exists():
        return
    tables = set(table_names(target))
    filled = [t for t in BOOK if t in tables and target.value(f'SELECT count(*) FROM "{t}"')]
    if filled:
        raise InvalidInput(f"{target.path} already holds data ({', '.join(filled[:5])}); {what} into an empty database.")


def copy_database(source: Database, target: Database) -> dict[str, int]:
    """Copy every table of `source` into the empty `target`; returns rows per table."""
    if source.key == target.key:
        raise InvalidInput("The source and the target are the same database.")
    target.migrate()
    if source.schema_version() != target.schema_version():
        raise InvalidInput(
            f"{source.path} is at schema version {source.schema_version()}, this code's is {target.schema_version()}: "
            "run `planning init` on it first."
        )
    # Derived tables are left to the target's own triggers (or views), which fill them from the copy.
    tables = [t for t in table_names(source) if t not in BOOKKEEPING and t not in DERIVED]
    refuse_filled(target, "copy")
    counts: dict[str, int] = {}
    with source.connect() as src, target.transaction() as dst, tempfile.TemporaryDirectory() as work:
        for table in tables:
            columns = [r[0] for r in src.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()]
            listed = ", ".join(f'"{c}"' for c in columns)
            dst.execute(f'DELETE FROM "{table}"')  # the seeded defaults: the source has its own
            if target.dialect == "postgres" and source.dialect == "duckdb":
                path = Path(work) / f"{table}.csv"
                src.execute(f"COPY (SELECT {listed} FROM \"{table}\") TO '{path}' (HEADER FALSE, FORCE_QUOTE *)")
                with dst.raw.cursor().copy(  # type: ignore[attr-defined]  # a PgConnection here
                        f'COPY "{table}" ({listed}) FROM STDIN (FORMAT csv)') as copy, \
                        open(path, "rb") as file:
                    while chunk := file.read(1 << 20):
                        copy.write(chunk)
            else:
                frame = src.execute(f'SELECT {listed} FROM "{table}"').df()
                dst.register("_copied_rows", frame)
                dst.execute(f'INSERT INTO "{table}" ({listed}) SELECT {listed} FROM _copied_rows')
                dst.unregister("_copied_rows")
            counts[table] = dst.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
            expected = src.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]
            if counts[table] != expected:
                raise InvalidInput(f"Copying {table} gave {counts[table]} rows instead of {expected}; nothing was copied.")
        _move_sequences(dst, target.dialect)
    with target.connect() as con:
        refresh_statistics(con, [t for t in counts if counts[t]])
    return counts


def _move_sequences(con, dialect: str) -> None:
    """Every `seq_x` past the largest id of the table it numbers (DuckDB: by drawing numbers)."""
    for (column_default, table) in con.execute(
        "SELECT column_default, table_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND column_name = 'id' AND column_default LIKE 'nextval%'"
    ).fetchall():
        sequence = column_default.split("'")[1]
        top = con.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"').fetchall()[0][0]
        if dialect == "postgres":
            con.execute("SELECT setval(?, ?, ?)", [sequence, max(top, 1), top > 0])
        else:  # DuckDB has no setval: draw the numbers up to the top id, in one statement
            current = con.execute(f"SELECT nextval('{sequence}')").fetchall()[0][0]
            if current < top:
                con.execute(f"SELECT max(nextval('{sequence}')) FROM range(?)", [top - current])
