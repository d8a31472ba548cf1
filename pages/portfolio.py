"""Portfolio: the leader's home — strategic coverage, plans vs target, segments, selection, freshness."""

import streamlit as st

from planning import forecast, forecast_accuracy, portfolio, portfolio_accounts, portfolio_health
from ui import movement as deal_movement
from ui import portfolio_sections as sections
from ui.context import database
from ui.portfolio_filters import filter_bar
from ui.widgets import open_tab_only

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


def freshness() -> None:
    health = portfolio_health.plan_health(db, filters)
    sections.freshness_tab(health, portfolio_health.review_queue(health))


open_tab_only({  # ?portfolio_tab=Account%20selection opens that tab
    "Plans vs target": lambda: sections.performance_tab(performance),
    "Chance of target": lambda: sections.chance_tab(
        forecast.chances(performance, forecast.forecast_plans(db, performance["plan_id"].tolist()))),
    "Strategic accounts": lambda: sections.strategic_tab(strategic),
    "Segments & cadence": lambda: sections.segments_tab(
        portfolio_accounts.segment_matrix(db, filters), portfolio_accounts.accounts_to_move(db, filters),
        portfolio_accounts.overdue_calls(db, filters),
    ),
    "Account selection": lambda: sections.selection_tab(portfolio_accounts.selection_quadrant(db, filters)),
    "Freshness & review": freshness,
    "What moved": lambda: deal_movement.owner_tab(db, performance["plan_id"].tolist()),
    "Forecast accuracy": lambda: sections.accuracy_tab(
        forecast_accuracy.plan_accuracy(db, performance["plan_id"]), forecast_accuracy.owner_accuracy(db, performance["plan_id"])),
}, key="portfolio_tab")
