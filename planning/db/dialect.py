"""Where SQL must differ by backend: one `Dialects` pair per query family, chosen by the connection.

Most statements are written once in SQL both DuckDB and PostgreSQL accept; planning.db.postgres
rewrites one-to-one spellings and postgres_functions.sql defines the DuckDB functions we use. A
query family that needs more keeps both texts side by side, in its own module:

    RECENT = Dialects(duckdb="… QUALIFY row_number() OVER w = 1", postgres="… DISTINCT ON (…)")
    con.execute(RECENT.on(con), params)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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


def is_unique_violation(exc: BaseException) -> bool:
    """A unique index refused a row: on either backend, someone created the same record first."""
    if type(exc).__name__ == "UniqueViolation":  # psycopg.errors.UniqueViolation
        return True
    import duckdb

    return isinstance(exc, duckdb.ConstraintException) and "unique" in str(exc).lower() or "duplicate key" in str(exc).lower()
