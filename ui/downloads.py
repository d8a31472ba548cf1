"""CSV and XLSX download buttons for any table the app shows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning import tabular


def download_buttons(frame: pd.DataFrame, name: str, key: str) -> None:
    """Two buttons, CSV and XLSX, for `frame` saved as `name`.csv / .xlsx (formula-safe).

    The files are built only when a button is clicked (deferred data): writing XLSX for a
    20,000-row table on every rerun cost seconds per page view.
    """
    left, right = st.columns(2)
    left.download_button(
        "Download CSV", lambda: tabular.to_csv_bytes(frame), f"{name}.csv", "text/csv", key=f"{key}_csv",
    )
    right.download_button(
        "Download XLSX", lambda: tabular.to_xlsx_bytes(frame), f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
    )
