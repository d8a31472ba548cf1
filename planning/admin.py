"""What the admin page reads: the audit log searched by entity, user and date, and the
database panel (file, schema version, automatic backups)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from planning.db import Database, backup


def audit_log(
    db: Database, entity: str | None = None, user_id: int | None = None,
    since: date | None = None, until: date | None = None, limit: int = 2000,
) -> pd.DataFrame:
    """Audit rows, newest first, filtered by entity, acting user and day range (inclusive)."""
    return db.df(
        """
        SELECT a.changed_at, u.name AS user, a.entity, a.entity_id, a.field, a.old_value, a.new_value,
               a.import_batch_id
        FROM audit_log a LEFT JOIN app_user u ON u.id = a.user_id
        WHERE (CAST(? AS VARCHAR) IS NULL OR a.entity = ?)
          AND (CAST(? AS BIGINT) IS NULL OR a.user_id = ?)
          AND (CAST(? AS DATE) IS NULL OR a.changed_at >= ?)
          AND (CAST(? AS DATE) IS NULL OR a.changed_at < ?)
        ORDER BY a.id DESC LIMIT ?
        """,
        [entity, entity, user_id, user_id, since, since, until, until and until + timedelta(days=1), limit],
    )


def audit_entities(db: Database) -> list[str]:
    """Entities that have audit rows, for the filter."""
    return [r["entity"] for r in db.rows("SELECT DISTINCT entity FROM audit_log ORDER BY entity")]


def database_panel(db: Database) -> dict:
    """The database (file or PostgreSQL URL without password), its size and schema version, and the
    automatic backups beside a DuckDB file (PostgreSQL: none; the operator's backups apply)."""
    if db.dialect == "postgres":
        with db.connect() as con:  # not cached: the size moves without any table's counter
            size = con.execute("SELECT pg_database_size(current_database())").fetchall()[0][0]
        backups: list[dict] = []
    else:
        size = db.path.stat().st_size if db.exists() else 0
        backups = backup.automatic_backups(db)
    return {
        "path": str(db.path), "megabytes": round(size / 1e6, 2), "schema_version": db.schema_version(),
        "backend": db.dialect, "backups": backups,
    }
