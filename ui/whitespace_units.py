"""Business units of the plan's account: list, add, rename, delete."""

from __future__ import annotations

import streamlit as st

from planning import business_units
from planning.db import Database
from ui.feedback import attempt
from ui.tables import table
from ui.text import md


def unit_manager(db: Database, user: dict | None, account_id: int, account_name: str) -> None:
    """The account's units with their use, and forms to change them."""
    units = business_units.list_units(db, account_id)
    kinds = ["", *business_units.KINDS]
    if units.empty:
        st.caption(f"{md(account_name)} has no business units: the matrix has one row for the whole account.")
    else:
        table(units)
    with st.form(key="ws_unit_add", clear_on_submit=True):
        name = st.text_input("New business unit", key="ws_unit_new_name")
        kind = st.selectbox("Kind", kinds, key="ws_unit_new_kind")
        if st.form_submit_button("Add business unit"):
            attempt(lambda: business_units.add_unit(db, user, account_id, name, kind or None), f"Added {name.strip()}.")
    if units.empty:
        return
    names = dict(zip(units["id"].astype(int), units["name"]))
    # The names as the form last showed them: a rename of a unit someone renamed meanwhile is refused.
    shown = st.session_state.get("ws_units_shown", {})
    with st.form(key="ws_unit_rename"):
        unit_id = st.selectbox("Business unit", list(names), format_func=names.__getitem__, key="ws_unit_rename_id")
        new_name = st.text_input("New name", key="ws_unit_rename_name")
        new_kind = st.selectbox("Kind", kinds, key="ws_unit_rename_kind")
        if st.form_submit_button("Rename"):
            attempt(lambda: business_units.rename_unit(db, user, unit_id, new_name, new_kind or None,
                                                       loaded_name=shown.get(unit_id, names[unit_id])), "Renamed.")
    st.session_state["ws_units_shown"] = names
    doomed = st.selectbox("Delete business unit", list(names), format_func=names.__getitem__, key="ws_unit_delete_id",
                          help="Only units no opportunity or plan uses can be deleted.")
    if st.button("Delete", key="ws_unit_delete"):
        attempt(lambda: business_units.delete_unit(db, user, doomed), f"Deleted {names[doomed]}.")
