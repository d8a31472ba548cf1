"""Every table on every page goes through `table` (or `editor`): one presentation, so none reads like a data dump.

Headers are human ("Weighted pipeline"), money is whole dollars, shares are percentages, dates read
"01 Feb 2025" (never "2026-10-02 00:00:00"), internal ids are hidden and a missing value shows "—".
The rules come from the column names (planning/formatting.py); a page passes `config` only for the
exceptions (a link, a progress bar, a label the name cannot give). tests/test_presentation.py checks
every page and tab.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from planning.formatting import MISSING, column_kind, column_label

DATE_FORMAT = "DD MMM YYYY"  # momentJS for formatting.date_text's "01 Feb 2025"
DATETIME_FORMAT = "DD MMM YYYY, HH:mm"
MONEY_FORMAT = "$%,.0f"  # formatting.money's whole dollars
WHOLE_ROWS = 20  # a table this short shows every row (no inner scroll); a longer one shows ten and scrolls
WIDE = ("note", "notes", "description", "body", "text", "alerts", "warning", "problem", "reason", "strategic_because")

Config = dict[str, Any]  # column name → label, st.column_config.* or None (hidden)


def table(frame: pd.DataFrame | Styler, config: Config | None = None, **options: Any) -> Any:
    """`st.dataframe` with the app's presentation; `options` pass through (key, on_select, height…)."""
    data = frame.data if isinstance(frame, Styler) else frame
    options.setdefault("height", "content" if len(data) <= WHOLE_ROWS else "auto")
    return st.dataframe(frame, hide_index=True, width="stretch", placeholder=MISSING,
                        column_config=column_config(data, config), **options)


def editor(frame: pd.DataFrame, config: Config | None = None, **options: Any) -> pd.DataFrame:
    """`st.data_editor` with the same presentation; returns the edited frame."""
    return st.data_editor(frame, hide_index=True, width="stretch", placeholder=MISSING,
                          column_config=column_config(frame, config), **options)


def column_config(frame: pd.DataFrame, overrides: Config | None = None) -> Config:
    """A column config for every column of `frame`: the page's overrides, else the rules by name and type."""
    overrides = overrides or {}
    config: Config = {}
    for name in map(str, frame.columns):
        given = overrides.get(name, ...)
        if given is ...:
            config[name] = _by_rule(name, frame[name])
        elif isinstance(given, str):
            config[name] = {**(_by_rule(name, frame[name]) or {}), "label": given}
        else:
            config[name] = given
    return config


def _by_rule(name: str, values: pd.Series) -> Any:
    kind, label = column_kind(name), column_label(name)
    width: Literal["large"] | None = "large" if name in WIDE else None
    if kind == "hidden":
        return None
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if kind == "money" and numeric:  # by name, but only over numbers: audit text "new_value" stays text
        return st.column_config.NumberColumn(label, format=MONEY_FORMAT)
    if kind == "percent" and numeric:
        return st.column_config.NumberColumn(label, format="percent")
    if isinstance(values.dtype, pd.StringDtype):  # text by its dtype: no cell can be a date or a list
        return st.column_config.TextColumn(label, width=width)
    if values.dtype == object and values.map(lambda v: isinstance(v, date)).any():
        return st.column_config.DateColumn(label, format=DATE_FORMAT)
    if pd.api.types.is_datetime64_any_dtype(values):
        known = values.dropna()
        if (known != known.dt.normalize()).any():
            return st.column_config.DatetimeColumn(label, format=DATETIME_FORMAT)
        return st.column_config.DateColumn(label, format=DATE_FORMAT)
    if pd.api.types.is_bool_dtype(values):
        return st.column_config.CheckboxColumn(label)
    if pd.api.types.is_float_dtype(values):
        return st.column_config.NumberColumn(label, format="%,.1f")
    if pd.api.types.is_numeric_dtype(values):
        return st.column_config.NumberColumn(label, format="%,d")
    if values.map(lambda v: isinstance(v, (list, tuple)) or hasattr(v, "tolist")).any():
        return st.column_config.ListColumn(label, width=width)
    return st.column_config.TextColumn(label, width=width)
