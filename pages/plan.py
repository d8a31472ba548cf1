"""Plan: one account plan — header, KPIs, charts, the deals behind them and the plan's content."""

import streamlit as st

from planning import kpis
from ui import plan_export, plan_objectives, plan_sections
from ui import plan_lifecycle as lifecycle
from ui.context import current_user, database, period
from ui.feedback import show_flash
from ui.widgets import plan_picker

db = database()
st.title("Plan")
user = current_user()
lifecycle.apply_pending_open()
plan_export.follow_account_link(db)
show_flash()
lifecycle.new_plan_form(db, user)
lifecycle.plan_list(db, *period())
plan = plan_picker(db)
if plan is None:
    st.stop()

plan_export.sync_account_link(plan)
lifecycle.header(db, plan)
lifecycle.lifecycle_actions(db, user, plan)
figures = kpis.kpis_for_plan(db, plan["id"])
parent = kpis.kpis_for_plan(db, plan["parent_plan_id"]) if plan["parent_plan_id"] else None
lifecycle.kpi_row(figures, parent)

tabs = st.tabs([
    "Figures", "Opportunities", "Objectives & actions", "Plan & strategy", "Team",
    "Initiatives", "Discussion & files", "Since parent plan", "History", "Export",
], key="tab", bind="query-params")  # ?tab=Export opens that tab, and survives a reload
# Only the open tab runs (issue #17): switching tabs reruns the page with the new one open.
if tabs[0].open:
    with tabs[0]:
        plan_sections.figures_tab(db, plan, figures)
if tabs[1].open:
    with tabs[1]:
        plan_sections.opportunities_tab(db, plan)
if tabs[2].open:
    with tabs[2]:
        plan_objectives.objectives_tab(db, user, plan)
if tabs[3].open:
    with tabs[3]:
        plan_sections.plan_fields_form(db, user, plan)
        plan_sections.strategy_tab(db, user, plan)
if tabs[4].open:
    with tabs[4]:
        plan_sections.team_tab(db, user, plan)
if tabs[5].open:
    with tabs[5]:
        plan_sections.initiatives_tab(db, user, plan)
if tabs[6].open:
    with tabs[6]:
        plan_sections.discussion_tab(db, user, plan)
if tabs[7].open:
    with tabs[7]:
        plan_sections.changes_tab(db, plan, figures, parent)
if tabs[8].open:
    with tabs[8]:
        plan_sections.history_tab(db, plan)
if tabs[9].open:
    with tabs[9]:
        plan_export.export_tab(db, user, plan)
