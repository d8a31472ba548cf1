"""Portfolio filters kept in the URL query string, so a view can be shared and survives a reload.

The URL is the source of truth: each run copies it into the filter widgets, and a change to a
widget writes the URL. The period follows the sidebar's fiscal year unless `?period=` says
otherwise; changing either one moves the other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from planning import portfolio
from planning.db import Database

SIDEBAR_YEAR = "period_year"  # the sidebar's fiscal-year widget (ui.context.render_sidebar)
SEEN_SIDEBAR_YEAR = "portfolio_seen_sidebar_year"
FILTER_KEYS = {param: f"portfolio_{param}" for param in portfolio.QUERY_KEYS}


def _write(param: str) -> None:
    value = st.session_state[FILTER_KEYS[param]]
    if value is None:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = str(value)
    if param == "period":
        st.session_state[SIDEBAR_YEAR] = value
        st.session_state[SEEN_SIDEBAR_YEAR] = value


def _follow_sidebar(years: list[int]) -> int:
    """The year to use when the URL has none; a sidebar change since the last run wins over the URL."""
    sidebar = st.session_state.get(SIDEBAR_YEAR) or date.today().year
    seen = st.session_state.get(SEEN_SIDEBAR_YEAR)
    if seen is not None and seen != sidebar:
        st.query_params["period"] = str(sidebar)
    st.session_state[SEEN_SIDEBAR_YEAR] = sidebar
    return sidebar if sidebar in years or not years else years[0]


def _option_label(label_of: Callable[[Any], str | None] | None) -> Callable[[Any], Any]:
    """A selectbox format_func: "All" for None, else the option's label (str() when there is no labeller)."""
    return lambda v: "All" if v is None else (label_of(v) if label_of else str(v))


def filter_bar(db: Database) -> portfolio.Filters:
    """Seven filters in one row; returns the Filters the URL describes (unknown values dropped)."""
    options = portfolio.filter_options(db)
    years = options["years"] or [date.today().year]
    chosen = portfolio.Filters.from_query(st.query_params, _follow_sidebar(years))
    owners, managers = dict(options["owners"]), dict(options["managers"])
    # param → (options, label of an option or None for str(), widget label)
    choices: dict[str, tuple[list[Any], Callable[[Any], str | None] | None, str]] = {
        "period": (years, None, "Period"),
        "owner": ([None, *owners], owners.get, "Owner"),
        "manager": ([None, *managers], managers.get, "Manager (team)"),
        "territory": ([None, *options["territories"]], None, "Territory"),
        "region": ([None, *options["regions"]], None, "Region"),
        "segment": ([None, *options["segments"]], None, "Segment"),
        "tier": ([None, *options["tiers"]], lambda t: f"Tier {t}", "Tier"),
    }
    values = {"period": chosen.year, "owner": chosen.owner_id, "manager": chosen.manager_id, "territory": chosen.territory,
              "region": chosen.region, "segment": chosen.segment, "tier": chosen.tier}
    for column, (param, (values_list, label_of, label)) in zip(st.columns(len(choices)), choices.items()):
        value = values[param] if values[param] in values_list else (years[0] if param == "period" else None)
        st.session_state[FILTER_KEYS[param]] = value
        if value is None:
            st.query_params.pop(param, None)
        elif st.query_params.get(param) != str(value):
            st.query_params[param] = str(value)  # the URL always names the view, period included
        column.selectbox(
            label, values_list, key=FILTER_KEYS[param], on_change=_write, args=[param],
            format_func=_option_label(label_of),
        )
    return portfolio.Filters(
        year=st.session_state[FILTER_KEYS["period"]], owner_id=st.session_state[FILTER_KEYS["owner"]],
        manager_id=st.session_state[FILTER_KEYS["manager"]], territory=st.session_state[FILTER_KEYS["territory"]],
        region=st.session_state[FILTER_KEYS["region"]], segment=st.session_state[FILTER_KEYS["segment"]],
        tier=st.session_state[FILTER_KEYS["tier"]],
    )
