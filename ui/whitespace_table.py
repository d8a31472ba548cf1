"""Whitespace page: every cell of the matrix as a downloadable table (CSV and XLSX)."""

from __future__ import annotations

import pandas as pd

from ui.downloads import download_buttons

CELL_COLUMNS = {
    "business_unit": "business_unit", "family": "family", "product": "product", "status": "status",
    "manual": "status_set_by_person", "value": "value", "value_source": "value_source", "competitor": "competitor",
    "contract_end_date": "contract_end_date", "note": "note", "won_amount": "won_amount", "open_amount": "open_amount",
    "deal_count": "deal_count", "deals": "deals",
}


def cell_frame(matrix: pd.DataFrame) -> pd.DataFrame:
    """The matrix cells with readable column names and no internal ids."""
    return matrix[list(CELL_COLUMNS)].rename(columns=CELL_COLUMNS)


def cell_downloads(matrix: pd.DataFrame, plan_id: int) -> None:
    download_buttons(cell_frame(matrix), f"plan-{plan_id}-whitespace", "whitespace_download")
