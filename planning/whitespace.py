"""Whitespace cells of a plan (derived statuses arrive with issue #6)."""

from __future__ import annotations

import pandas as pd

from planning.db import Database


def list_cells(db: Database, plan_id: int) -> pd.DataFrame:
    """Cells a person has recorded for a plan, with names instead of ids."""
    return db.df(
        """
        SELECT coalesce(bu.name, 'Whole account') AS business_unit, pr.family, pr.name AS product,
               w.status, w.estimated_value, c.name AS competitor, w.contract_end_date, w.note
        FROM whitespace_cell w
        JOIN product pr ON pr.id = w.product_id
        LEFT JOIN business_unit bu ON bu.id = w.business_unit_id
        LEFT JOIN competitor c ON c.id = w.competitor_id
        WHERE w.plan_id = ?
        ORDER BY business_unit, pr.family, pr.name
        """,
        [plan_id],
    )
