"""Whitespace: the plan's business units × products, what is sold, in progress, open or held by a competitor."""

import streamlit as st

from planning import whitespace
from planning.formatting import money
from ui.charts import draw
from ui.context import current_user, database
from ui.feedback import show_flash
from ui.tables import table
from ui.text import md
from ui.whitespace_chart import heatmap
from ui.whitespace_editor import cell_editor
from ui.whitespace_table import cell_downloads
from ui.whitespace_units import unit_manager
from ui.widgets import plan_picker

db = database()
st.title("Whitespace")
user = current_user()
plan = plan_picker(db)
if plan is None:
    st.stop()
show_flash()
matrix = whitespace.plan_matrix(db, plan["id"])
st.caption(
    f"{md(plan['account'])} · {plan['period_start']:%d %b %Y} – {plan['period_end']:%d %b %Y}. "
    "Sold: a won deal closing by the plan end; In Progress: an open deal closing by then (or undated); "
    "Open: no deal. ✎ marks a status set by a person; ~ marks a peer estimate (median won spend of "
    "accounts in the same sector and size band)."
)
if matrix.empty:
    st.info("No products in the catalogue yet — import products to see the whitespace matrix.")
else:
    totals = whitespace.summarise(matrix)
    columns = st.columns(4)
    columns[0].metric("Sold", money(totals["sold"], short=True))
    columns[1].metric("In progress", money(totals["in_progress"], short=True))
    columns[2].metric("Open whitespace", money(totals["open_value"], short=True))
    columns[3].metric("Competitor-held", money(totals["competitor_value"], short=True))
    st.caption(
        f"Whitespace value {money(totals['whitespace_value'])}, of which {money(totals['peer_estimated_value'])} "
        f"from peer estimates (not entered by the team) · {totals['open_cells']} open cells."
    )
    draw(heatmap(matrix), width="content")
edit_tab, totals_tab, units_tab = st.tabs(["Edit a cell", "Totals", "Business units"], key="whitespace_tab",
                                          bind="query-params")  # only the open tab runs (issue #17)
if edit_tab.open:
    with edit_tab:
        if not matrix.empty:
            cell_editor(db, user, plan["id"], matrix)
if totals_tab.open:
    with totals_tab:
        if not matrix.empty:
            st.subheader("By business unit")
            table(whitespace.row_totals(matrix))
            st.subheader("By product")
            table(whitespace.column_totals(matrix))
            st.subheader("Every cell")
            cell_downloads(matrix, plan["id"])
if units_tab.open:
    with units_tab:
        unit_manager(db, user, plan["account_id"], plan["account"])
