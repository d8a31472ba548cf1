"""Audit history: every write records who, when, entity, id, field, old and new value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from planning.db import Database
from planning.errors import StaleEdit


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _same(a: Any, b: Any) -> bool:
    # Type-normalised equality: a DECIMAL 777777.00 read back and the float 777777.0 a form sends
    # are the same value (comparing text logged a fake change "777777→777777.0" on every save).
    numbers = (int, float, Decimal)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return Decimal(str(a)) == Decimal(str(b))
    return _text(a) == _text(b)


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields of `new` whose value differs from `old` (numbers compared by value, the rest as text), as (old, new)."""
    return {
        field: (old.get(field), value)
        for field, value in new.items()
        if not _same(old.get(field), value)
    }


def saved_one(result: duckdb.DuckDBPyConnection, what: str) -> None:
    """Check an `UPDATE … WHERE id = ? AND version = ?`: no row means someone saved first.

    The version compare before it names the fields; this is the database's own guarantee, which
    also holds where writes are not serialised (several processes, another backend).
    """
    if result.fetchall()[0][0] != 1:
        raise StaleEdit(f"Someone saved this {what} after you opened it. Reload it and apply your edit again.")


def record(
    con: duckdb.DuckDBPyConnection,
    user_id: int | None,
    entity: str,
    entity_id: int | None,
    changes: Mapping[str, tuple[Any, Any]],
    import_batch_id: int | None = None,
) -> None:
    """Write one audit row per changed field, inside the caller's transaction."""
    now = datetime.now()
    rows = [
        (now, user_id, entity, entity_id, field, _text(old), _text(new), import_batch_id)
        for field, (old, new) in changes.items()
    ]
    if rows:
        con.executemany(
            "INSERT INTO audit_log (changed_at, user_id, entity, entity_id, field, old_value, new_value, import_batch_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def record_created(con, user_id: int | None, entity: str, entity_id: int, values: Mapping[str, Any]) -> None:
    """Audit a new record: every non-empty field from nothing to its value."""
    record(con, user_id, entity, entity_id, {k: (None, v) for k, v in values.items() if v is not None})


def record_inserted(con: duckdb.DuckDBPyConnection, user_id: int | None, entity: str, cursor: duckdb.DuckDBPyConnection) -> int:
    """Audit each row an `INSERT … RETURNING id, …` made (set-based copies); returns how many."""
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    for row in rows:
        values = dict(zip(names, row))
        record_created(con, user_id, entity, values.pop("id"), values)
    return len(rows)


def record_deleted(con, user_id: int | None, entity: str, entity_id: int, values: Mapping[str, Any]) -> None:
    record(con, user_id, entity, entity_id, {k: (v, None) for k, v in values.items() if v is not None})


def history(db: Database, entity: str | None = None, entity_id: int | None = None, limit: int = 500) -> pd.DataFrame:
    """Audit rows, newest first, optionally for one entity (and id)."""
    return db.df(
        """
        SELECT a.changed_at, u.name AS user, a.entity, a.entity_id, a.field, a.old_value, a.new_value,
               a.import_batch_id
        FROM audit_log a LEFT JOIN app_user u ON u.id = a.user_id
        WHERE (CAST(? AS VARCHAR) IS NULL OR a.entity = ?) AND (CAST(? AS BIGINT) IS NULL OR a.entity_id = ?)
        ORDER BY a.id DESC LIMIT ?
        """,
        [entity, entity, entity_id, entity_id, limit],
    )


def insert_created(con: duckdb.DuckDBPyConnection, user_id: int | None, table: str, values: Mapping[str, Any],
                   audited: Mapping[str, Any] | None = None) -> int:
    """Insert one row (column names are the caller's own keys, values bound) and audit its creation.

    `audited` overrides what the audit row records (e.g. defaults the table fills in); returns the new id.
    """
    columns = list(values)
    new_id = con.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) RETURNING id",
        list(values.values()),
    ).fetchall()[0][0]
    record_created(con, user_id, table, new_id, values if audited is None else audited)
    return new_id
