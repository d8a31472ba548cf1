"""Where an import reads and checks its file, and how its staged rows reach PostgreSQL (issue #18).

DuckDB is the CSV engine: `read_csv`, the per-column readings and every value check run in
DuckDB. On a DuckDB database that is the target connection itself (temp tables beside the data,
as fast as a plain `read_csv`). On PostgreSQL it is a private in-memory DuckDB, the *work*
connection: the file is read and validated there, which needs no reference data, and the typed
rows and their problems are then shipped to PostgreSQL temp tables by COPY, where references are
resolved against the live tables and the upsert runs set-based in the import's transaction.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from planning.db.dialect import dialect_of

WORK_MEMORY_LIMIT = "1GB"
COPY_BLOCK = 1 << 20


@contextmanager
def work_connection(con: Any) -> Iterator[Any]:
    """The DuckDB connection that reads and validates the file: `con` itself on DuckDB."""
    if dialect_of(con) != "postgres":
        yield con
        return
    work = duckdb.connect()
    try:
        work.execute(f"SET memory_limit = '{WORK_MEMORY_LIMIT}'")
        yield work
    finally:
        work.close()


def is_separate(work: Any, con: Any) -> bool:
    return work is not con


def pg_type(duck_type: str) -> str:
    """A DuckDB column type as the PostgreSQL type holding the same values."""
    kind = duck_type.upper()
    if kind == "VARCHAR":
        return "TEXT"
    if kind in ("DOUBLE", "FLOAT"):
        return "DOUBLE PRECISION"
    if kind.startswith("DECIMAL"):
        return kind.replace("DECIMAL", "NUMERIC")
    if kind in ("HUGEINT", "UBIGINT"):
        return "NUMERIC"
    if kind in ("TINYINT", "UTINYINT", "USMALLINT"):
        return "SMALLINT" if kind == "TINYINT" else "INTEGER"
    if kind == "UINTEGER":
        return "BIGINT"
    return kind  # BIGINT, INTEGER, SMALLINT, DATE, BOOLEAN, TIMESTAMP, TIMESTAMP WITH TIME ZONE


def ship(work: duckdb.DuckDBPyConnection, con: Any, table: str) -> None:
    """Copy `table` of the work connection into a PostgreSQL temp table of the same name and columns.

    DuckDB writes the rows as CSV (every value quoted, so an empty text stays empty and only NULL
    is bare) and PostgreSQL's COPY reads them: both sides in C, no per-row Python.
    """
    described = work.execute(f"DESCRIBE {table}").fetchall()
    columns = ", ".join(f'"{name}" {pg_type(kind)}' for name, kind, *_ in described)
    con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(f"CREATE TEMP TABLE {table} ({columns})")
    with tempfile.TemporaryDirectory(prefix="planning-import-") as folder:
        path = os.path.join(folder, f"{table}.csv")
        work.execute(f"COPY {table} TO '{path}' (FORMAT csv, HEADER false, FORCE_QUOTE *)")
        cursor = con.raw.cursor()
        with open(path, "rb") as rows, cursor.copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy:
            while block := rows.read(COPY_BLOCK):
                copy.write(block)
    con.execute(f"ANALYZE {table}")


def columns(con: Any, table: str) -> set[str]:
    """The column names of a table or view, on either backend."""
    return {d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description}


def temp_table(con: Any, name: str, select_sql: str, params: list | None = None) -> None:
    """`CREATE OR REPLACE TEMP TABLE name AS select_sql`, in SQL both backends accept."""
    con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute(f"CREATE TEMP TABLE {name} AS {select_sql}", params or None)


PSYCOPG_PREPARE_THRESHOLD = 5  # psycopg's default: prepare a statement on its fifth run


def forget(con: Any, done: bool = False) -> None:
    """Drop a PostgreSQL session's temp tables (pooled connections outlive the import); psycopg
    prepares no statement from here until `done`: one prepared on an import's `import_rows` would
    fail on the next one's columns ("cached plan must not change result type")."""
    if dialect_of(con) == "postgres":
        con.execute("DISCARD TEMP")
        con.raw.prepare_threshold = PSYCOPG_PREPARE_THRESHOLD if done else None
