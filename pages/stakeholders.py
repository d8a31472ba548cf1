"""Stakeholders: the contacts mapped on a plan."""

import streamlit as st

from planning import stakeholders
from ui.context import database
from ui.widgets import plan_picker

db = database()
st.title("Stakeholders")
plan = plan_picker(db)
if plan is None:
    st.stop()
mapped = stakeholders.list_stakeholders(db, plan["id"])
if mapped.empty:
    st.info("No stakeholders mapped on this plan yet.")
else:
    st.dataframe(mapped, hide_index=True, use_container_width=True)
