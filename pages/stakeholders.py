"""Stakeholders: who is who in the buying group, how well we cover them, and what to do about it."""

import streamlit as st

from planning import stakeholders
from ui.context import current_user, database
from ui.feedback import show_flash
from ui.stakeholders_charts import render_heat_map
from ui.stakeholders_forms import (
    render_add_stakeholder,
    render_contact_forms,
    render_edit_stakeholder,
    render_influence_form,
)
from ui.stakeholders_graph import render_coverage, render_graph
from ui.stakeholders_table import render_table
from ui.widgets import plan_picker

db = database()
st.title("Stakeholders")
user = current_user()
plan = plan_picker(db)
if plan is None:
    st.stop()
show_flash()
data = stakeholders.stakeholder_map(db, plan["id"])
render_coverage(stakeholders.plan_coverage(db, plan["id"]))

clicked = None
if not data["stakeholders"]:
    st.info("No stakeholders mapped on this plan yet — add contacts of the account below.")
else:
    clicked = render_graph(data)
    # Only the open tab of each group runs (issue #17); ?stakeholders_view= and ?stakeholders_change= open one.
    heat_tab, table_tab = st.tabs(["Contact heat map", "Table"], key="stakeholders_view", bind="query-params")
    if heat_tab.open:
        with heat_tab:
            render_heat_map(data["stakeholders"])
    if table_tab.open:
        with table_tab:
            render_table(db, plan["id"])
    render_edit_stakeholder(db, user, plan["id"], data, clicked)

st.subheader("Change the map")
add_tab, contact_tab, influence_tab = st.tabs(["Add stakeholder", "Add or edit contact", "Influence link"],
                                              key="stakeholders_change", bind="query-params")
if add_tab.open:
    with add_tab:
        render_add_stakeholder(db, user, plan["id"], data)
if contact_tab.open:
    with contact_tab:
        render_contact_forms(db, user, plan)
if influence_tab.open:
    with influence_tab:
        render_influence_form(db, user, plan["id"], data)
