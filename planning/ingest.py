"""CSV imports (the importer arrives with issue #3)."""

from __future__ import annotations

import pandas as pd

from planning.db import Database


def import_history(db: Database) -> pd.DataFrame:
    """Every import batch, newest first."""
    return db.df(
        """
        SELECT b.id, b.file_name, b.kind, b.status, b.rows_read, b.inserted, b.updated,
               b.unchanged, b.rejected, b.warnings, u.name AS imported_by, b.finished_at
        FROM import_batch b LEFT JOIN app_user u ON u.id = b.user_id
        ORDER BY b.id DESC
        """
    )
