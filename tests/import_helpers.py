"""Shared helpers for the import tests: a checksum of every table and small CSV builders."""

from __future__ import annotations

from planning.db import Database, table_names


def checksum(db: Database) -> dict[str, str]:
    """A digest of every table's full content (order-independent), to prove nothing changed.

    The read cache's change counters are left out: they count writes (an import batch row), not data."""
    with db.connect() as con:
        return {
            t: con.execute(f"SELECT count(*) || ':' || coalesce(bit_xor(hash(t::VARCHAR)), 0) FROM {t} AS t").fetchall()[0][0]
            for t in [n for n in table_names(db) if n != "data_change"]
        }


def csv_bytes(*lines: str, newline: str = "\n", encoding: str = "utf-8") -> bytes:
    return newline.join(lines).encode(encoding) + newline.encode(encoding)
