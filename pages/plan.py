"""Plan: one account plan — header, KPIs, charts, the deals behind them and the plan's content."""

import streamlit as st

from planning import forecast, kpis
from ui import movement as deal_movement
from ui import plan_export, plan_forecast, plan_objectives, plan_sections
from ui import plan_lifecycle as lifecycle
from ui.context import current_user, database, period
from ui.feedback import show_flash
from ui.widgets import open_tab_only, plan_picker

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
plan_forecast.chance_of_target(forecast.plan_forecast(db, plan["id"]))
opened: dict = plan  # the plan shown (not None past st.stop), for the tab sections below


def plan_and_strategy() -> None:
    plan_sections.plan_fields_form(db, user, opened)
    plan_sections.strategy_tab(db, user, opened)


@st.fragment
def plan_tabs() -> None:
    """The tabs rerun on their own: a tab switch or a filter leaves the header above as it is
    (issue #17). A save that changes the header's figures reruns the whole page (attempt's default)."""
    with db.held():  # a fragment rerun does not pass through app.py, which holds the file for a run
        open_tab_only(PLAN_TABS, key="tab")


PLAN_TABS = {  # ?tab=Export opens that tab
    "Figures": lambda: plan_sections.figures_tab(db, opened, figures),
    "Opportunities": lambda: plan_sections.opportunities_tab(db, opened),
    "Objectives & actions": lambda: plan_objectives.objectives_tab(db, user, opened),
    "Plan & strategy": plan_and_strategy,
    "Team": lambda: plan_sections.team_tab(db, user, opened),
    "Initiatives": lambda: plan_sections.initiatives_tab(db, user, opened),
    "Discussion & files": lambda: plan_sections.discussion_tab(db, user, opened),
    "What moved": lambda: deal_movement.plan_section(db, opened),
    "Since parent plan": lambda: plan_sections.changes_tab(db, opened, figures, parent),
    "History": lambda: plan_sections.history_tab(db, opened),
    "Export": lambda: plan_export.export_tab(db, user, opened),
}
plan_tabs()
