"""Mappings remembered per file shape: the choices a person made once, applied to the next export.

A shape is the import kind plus the file's headers, folded and in order, so next week's export
of the same report matches and a file with one more column does not (it is asked about again).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import duckdb

from planning.importing.mapping import fold_header


def shape_of(kind: str, headers: list[str]) -> str:
    text = kind + "\x1f" + "\x1f".join(fold_header(h) for h in headers)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def load(con: duckdb.DuckDBPyConnection, kind: str, headers: list[str]) -> tuple[dict[str, str | None], str] | None:
    """The saved overrides for this shape and when they were saved, or None."""
    row = con.execute("SELECT columns, saved_at FROM import_mapping WHERE shape = ?",
                      [shape_of(kind, headers)]).fetchall()
    if not row:
        return None
    columns = json.loads(row[0][0])
    present = set(headers)
    return {h: f for h, f in columns.items() if h in present}, f"{row[0][1]:%Y-%m-%d}"


def save(con: duckdb.DuckDBPyConnection, kind: str, headers: list[str], source: str,
         overrides: dict[str, str | None], user_id: int | None) -> None:
    """Remember the overrides of a committed import (replacing an older mapping of the shape)."""
    shape = shape_of(kind, headers)
    con.execute("DELETE FROM import_mapping WHERE shape = ?", [shape])
    con.execute("INSERT INTO import_mapping VALUES (?, ?, ?, ?, ?, ?)",
                [shape, kind, source, json.dumps(overrides, sort_keys=True), datetime.now(), user_id])
