"""Shared helpers for the import tests: a checksum of every table and small CSV builders."""

from __future__ import annotations

from planning.db import Database
from planning.db.snapshot import table_fingerprints


def checksum(db: Database) -> dict[str, tuple[int, int]]:
    """Every table's row count and order-independent digest, to prove nothing changed, on either
    backend (the backups' table fingerprints; the read cache's change counters are left out:
    they count writes, not data)."""
    with db.connect() as con:
        return table_fingerprints(con)


def csv_bytes(*lines: str, newline: str = "\n", encoding: str = "utf-8") -> bytes:
    return newline.join(lines).encode(encoding) + newline.encode(encoding)
