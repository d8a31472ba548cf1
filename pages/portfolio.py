"""Portfolio: the leader's home — strategic coverage, plans vs target, segments, selection, freshness."""

import streamlit as st

from planning import portfolio, portfolio_accounts, portfolio_health
from ui import portfolio_sections as sections
from ui.context import database
from ui.portfolio_filters import filter_bar

db = database()
st.title("Portfolio")
filters = filter_bar(db)
performance = portfolio.plan_performance(db, filters)
strategic = portfolio.strategic_accounts(db, filters)
if performance.empty and strategic.empty:
    st.info(f"No plans or strategic accounts match these filters in FY{filters.year} — create a plan on the Plan page.")
    st.page_link("pages/plan.py", label="Open the Plan page", icon=":material/assignment:")
    st.stop()

sections.headline(portfolio.headline(db, filters, performance), strategic)
tabs = st.tabs(["Plans vs target", "Strategic accounts", "Segments & cadence", "Account selection", "Freshness & review"],
               key="portfolio_tab", bind="query-params")  # ?portfolio_tab= opens a tab, survives a reload
# Only the open tab runs (issue #17), as on the Plan page: its queries and charts, not the other four.
if tabs[0].open:
    with tabs[0]:
        sections.performance_tab(performance)
if tabs[1].open:
    with tabs[1]:
        sections.strategic_tab(strategic)
if tabs[2].open:
    with tabs[2]:
        sections.segments_tab(
            portfolio_accounts.segment_matrix(db, filters), portfolio_accounts.accounts_to_move(db, filters),
            portfolio_accounts.overdue_calls(db, filters),
        )
if tabs[3].open:
    with tabs[3]:
        sections.selection_tab(portfolio_accounts.selection_quadrant(db, filters))
if tabs[4].open:
    with tabs[4]:
        health = portfolio_health.plan_health(db, filters)
        sections.freshness_tab(health, portfolio_health.review_queue(health))
