"""Portfolio: the leader's home — every plan of the period at a glance."""

import streamlit as st

from planning import plans
from ui.context import database, period

db = database()
st.title("Portfolio")
start, end, label = period()
listed = plans.list_plans(db, start, end)
if listed.empty:
    st.info(f"No plans cover {label} yet — create one on the Plan page.")
    st.stop()
col1, col2, col3 = st.columns(3)
col1.metric("Plans", len(listed))
col2.metric("Accounts with a plan", listed["account_id"].nunique())
col3.metric("Total target", f"${listed['sales_target'].sum():,.0f}")
st.dataframe(
    listed.drop(columns=["id", "account_id", "parent_plan_id"]),
    hide_index=True,
    use_container_width=True,
)
