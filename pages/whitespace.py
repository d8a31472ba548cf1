"""Whitespace: the plan's business-unit × product cells."""

import streamlit as st

from planning import whitespace
from ui.context import database
from ui.widgets import plan_picker

db = database()
st.title("Whitespace")
plan = plan_picker(db)
if plan is None:
    st.stop()
cells = whitespace.list_cells(db, plan["id"])
if cells.empty:
    st.info("No whitespace cells recorded for this plan yet.")
else:
    st.dataframe(cells, hide_index=True, use_container_width=True)
