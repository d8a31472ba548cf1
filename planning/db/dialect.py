"""Where SQL must differ by backend: one `Dialects` pair per query family, chosen by the connection.

Most statements are written once in SQL both DuckDB and PostgreSQL accept; planning.db.postgres
rewrites one-to-one spellings and postgres_functions.sql defines the DuckDB functions we use. A
query family that needs more keeps both texts side by side, in its own module:

    RECENT = Dialects(duckdb="… QUALIFY row_number() OVER w = 1", postgres="… DISTINCT ON (…)")
    con.execute(RECENT.on(con), params)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

# Tables derived from others inside every writing transaction (migrations 0240, 0250): name → the
# tables they are made from. A view on DuckDB, a trigger-maintained table on PostgreSQL (create_derived).
DERIVED = {"plan_member": ("plan", "opportunity"), "opportunity_tally": ("opportunity",)}
DERIVED_LOCK = 7245240  # the pg_advisory_xact_lock their triggers take: one maintaining transaction at a time


def dialect_of(con: Any) -> str:
    """"duckdb" or "postgres": which backend a connection (or Recorder) speaks to."""
    return getattr(con, "dialect", "duckdb")


@dataclass(frozen=True)
class Dialects:
    """One statement in each backend's SQL."""

    duckdb: str
    postgres: str

    def on(self, con: Any) -> str:
        return self.postgres if dialect_of(con) == "postgres" else self.duckdb


def backend_errors(duckdb_error: type[Exception], postgres_name: str) -> tuple[type[Exception], ...]:
    """DuckDB's error and psycopg's of that name. psycopg is looked up only once a PostgreSQL
    database was opened: importing it for DuckDB work would cost every run a fifth of a second."""
    psycopg = sys.modules.get("psycopg")
    return (duckdb_error, getattr(psycopg.errors, postgres_name)) if psycopg else (duckdb_error,)


def constraint_errors() -> tuple[type[Exception], ...]:
    """A unique (or other) constraint refused a row: on either backend, someone made the same record first."""
    import duckdb

    return backend_errors(duckdb.ConstraintException, "UniqueViolation")


def write_errors() -> tuple[type[Exception], ...]:
    """A write the disk refused (either backend's error)."""
    import duckdb

    return backend_errors(duckdb.IOException, "DiskFull")


def refresh_statistics(con: Any, tables: list[str]) -> None:
    """Give PostgreSQL's planner fresh statistics of tables a bulk write just filled, and their
    visibility map (VACUUM (ANALYZE), outside any transaction).

    Without statistics the first reads after a 1M-row import or copy are planned for an empty
    table (a nested loop over a million rows) until autovacuum gets round to it; without the
    visibility map an index-only scan fetches every row from the table anyway (plan_member's
    doubles: 114 ms → ~30 ms). DuckDB keeps its own statistics as it writes: nothing to do there.
    """
    if dialect_of(con) == "postgres":
        tables = [*tables, *(d for d, sources in DERIVED.items() if set(sources) & set(tables))]  # triggers filled them too
        for table in tables:
            con.execute(f'VACUUM (ANALYZE) "{table}"')


def create_derived(con: Any, name: str, definition: str, postgres: list[str]) -> None:
    """A table derived from others (migrations 0240, 0250): on DuckDB a view of `definition`; on
    PostgreSQL the `postgres` statements, which make it a table its triggers maintain, then its statistics."""
    if dialect_of(con) == "postgres":
        for statement in postgres:
            con.execute(statement)
        con.execute(f'ANALYZE "{name}"')
    else:
        con.execute(f'CREATE VIEW "{name}" AS {definition}')


def drop_keys_on_duckdb(con: Any, table: str) -> None:
    """DuckDB: rebuild `table` with the same columns, order, defaults and NOT NULLs, and no
    PRIMARY KEY or UNIQUE (migrations 0260, 0270; its writers keep the keys). PostgreSQL: nothing.

    DuckDB backs each key with an ART index that every insert maintains and every checkpoint
    writes out, and it cannot drop one. Views reading the table are bound by name and keep working.
    """
    if dialect_of(con) == "postgres":
        return
    columns = con.execute(
        "SELECT column_name, data_type, column_default, is_nullable FROM information_schema.columns "
        "WHERE table_name = ? AND table_schema = current_schema() ORDER BY ordinal_position", [table]
    ).fetchall()
    definitions = ", ".join(
        f'"{name}" {data_type}'
        + (f" DEFAULT {default}" if default is not None else "")
        + (" NOT NULL" if nullable == "NO" else "")
        for name, data_type, default, nullable in columns
    )
    con.execute(f'CREATE TABLE "{table}_rebuilt" ({definitions})')
    con.execute(f'INSERT INTO "{table}_rebuilt" SELECT * FROM "{table}"')
    con.execute(f'DROP TABLE "{table}"')
    con.execute(f'ALTER TABLE "{table}_rebuilt" RENAME TO "{table}"')
