"""Widgets two or more pages share."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from planning import plans
from planning.db import Database
from ui.context import period


def plan_picker(db: Database, key: str = "plan_picker") -> dict | None:
    """Pick a plan of the current period; `?plan=ID` in the URL opens (and follows) the choice."""
    start, end, label = period()
    listed = plans.list_plans(db, start, end)
    wanted = st.query_params.get("plan")
    if wanted and wanted.isdigit() and int(wanted) not in set(listed["id"]):
        # A deep link to a plan outside the selected period still opens it.
        listed = plans.list_plans(db)
    if listed.empty:
        st.info(f"No plans cover {label} yet — create one on the Plan page.")
        return None
    ids = [int(i) for i in listed["id"]]
    labels = {int(r.id): f"{r.name} · {r.owner or 'no owner'}" for r in listed.itertuples()}
    index = ids.index(int(wanted)) if wanted and wanted.isdigit() and int(wanted) in ids else 0
    chosen = st.selectbox("Plan", ids, index=index, format_func=labels.__getitem__, key=key)
    st.query_params["plan"] = str(chosen)
    return plans.get_plan(db, chosen)


def lazy_expander(label: str, key: str, *, expanded: bool = False, icon: str | None = None) -> DeltaGenerator | None:
    """An expander whose body runs only while it is open: opening it reruns the page (issue #17).

    A closed expander's widgets and tables are otherwise built, sent and laid out on every run,
    unseen. Returns the container, or None while closed; `st.session_state[key]` says (and sets)
    whether it is open. A new label (say, a new count) is a new expander, and it starts closed.
    """
    box = st.expander(label, expanded=expanded, key=key, icon=icon, on_change="rerun")
    return box if box.open else None


def open_tab_only(sections: dict[str, Callable[[], None]], key: str) -> None:
    """Tabs bound to the URL (`?<key>=<label>` opens one, and survives a reload), of which only the
    open one's section runs: switching tabs reruns the page with the new one open (issue #17)."""
    tabs = st.tabs(list(sections), key=key, bind="query-params")
    for tab, render in zip(tabs, sections.values(), strict=True):
        if tab.open:
            with tab:
                render()
