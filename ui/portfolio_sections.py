"""The Portfolio page's sections: headline metrics and one renderer per tab (data comes ready from planning)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning import forecast, forecast_accuracy, portfolio
from planning.formatting import money, percent
from ui import portfolio_charts as charts
from ui.charts import draw
from ui.downloads import download_buttons
from ui.tables import DATE_FORMAT, MONEY_FORMAT, Config, table
from ui.widgets import lazy_expander

PLAN_LINK = st.column_config.LinkColumn("Open", display_text="Open plan")
SELECTION_SCORE = st.column_config.ProgressColumn("Selection score", min_value=0, max_value=100, format="%.0f")


def headline(figures: dict, strategic: pd.DataFrame) -> None:
    """Totals across the filtered plans, plans per status and strategic coverage."""
    top = st.columns(5)
    for column, (label, key) in zip(top, [("Target", "target"), ("Won", "won"), ("Weighted pipeline", "weighted_pipeline"),
                                          ("Expected", "expected"), ("Variance", "variance")]):
        column.metric(label, money(figures[key], short=True))
    bottom = st.columns(5)
    bottom[0].metric("Behind", figures["behind"], help="Expected below 90 % of target")
    bottom[1].metric("On track", figures["on_track"], help="Expected from 90 % to 110 % of target (edges included)")
    bottom[2].metric("Ahead", figures["ahead"], help="Expected above 110 % of target")
    with_plan = int(strategic["has_plan"].sum())
    bottom[3].metric("Strategic with a plan", with_plan, help="Primary plan covering the whole period")
    bottom[4].metric("Strategic without a plan", len(strategic) - with_plan)
    st.caption(
        f"{figures['plans']} plans · expected {percent(figures['expected_pct'])} of target"
        + (f" · {figures['no_target']} without a target" if figures["no_target"] else "")
        + " · an opportunity shared by overlapping plans counts once."
    )


CHART_PLANS = 40  # a bar per plan stops being readable (and fast) beyond this; the table has them all


def performance_tab(performance: pd.DataFrame) -> None:
    draw(charts.performance_chart(performance.head(CHART_PLANS)), width="stretch")
    if len(performance) > CHART_PLANS:
        st.caption(f"The chart shows the first {CHART_PLANS} of {len(performance):,} plans in this order; the table lists all.")
    shown = performance[["plan", "link", "account", "owner", "performance", "target", "won", "weighted_pipeline", "expected",
                         "variance", "expected_pct"]]
    table(shown, {"link": PLAN_LINK, "performance": "Status", "variance": "Gap"}, key="portfolio_plans_table")
    st.caption("Behind first, then On track, Ahead and No target; within each, the biggest gap first.")
    download_buttons(performance.drop(columns=["colour"]), "portfolio-plans", key="portfolio_plans")


CHANCE = st.column_config.ProgressColumn("Chance of target", min_value=0, max_value=1, format="percent")


def chance_tab(chances: pd.DataFrame) -> None:
    """Plans by chance of hitting target, lowest first, with the at-risk rule stated."""
    at_risk = int(chances["at_risk"].sum())
    st.metric("At risk", at_risk, help=f"Chance of target below {forecast.AT_RISK_BELOW:.0%}")
    shown = chances[["plan", "link", "account", "owner", "p_hit_target", "at_risk", "target", "p10_revenue", "p50_revenue",
                     "p90_revenue", "expected", "open_deals"]]
    table(shown, {"link": PLAN_LINK, "p_hit_target": CHANCE, "at_risk": "At risk", "p10_revenue": "Revenue p10",
                  "p50_revenue": "Revenue p50", "p90_revenue": "Revenue p90"}, key="portfolio_chances_table")
    st.caption(
        f"At risk: chance of hitting target below {forecast.AT_RISK_BELOW:.0%}. The chance is P(revenue ≥ target) with won "
        "deals plus each open deal in the period won with its probability calibrated on this book's closed deals, deals "
        "independent; p10/p50/p90 are the revenues reached with 90%, 50% and 10% chance. Lowest chance first; plans "
        "without a target last."
    )
    download_buttons(chances, "portfolio-chances", key="portfolio_chances")


PCT_ERROR = st.column_config.NumberColumn("% error", format="percent")


def accuracy_tab(plans: pd.DataFrame, owners: pd.DataFrame) -> None:
    """Forecast accuracy of the ended plans in scope: the per-owner chart, then every plan × horizon."""
    if plans.empty:
        st.info("No plan in these filters has ended yet; pick an earlier year.")
        return
    if plans["expected"].isna().all():
        st.info(f"None of the {plans['plan_id'].nunique()} ended plans in these filters has a KPI snapshot from "
                f"{min(forecast_accuracy.HORIZONS)} days or more before its end, so there is no forecast to judge.")
        return
    draw(charts.accuracy_chart(owners), width="stretch")
    st.caption(
        "Expected at 90 / 60 / 30 days = the plan's KPI snapshot in force that day (the latest on or before it); final "
        "won = the plan's won now. % error = (expected − final won) ÷ final won: above 0 over-forecast, below 0 "
        "under-forecast. A plan without a snapshot by then, or that won nothing, is not measured (—)."
    )
    table(owners, {"horizon_days": "Days before end", "plans": "Ended plans", "mean_abs_pct_error":
                   st.column_config.NumberColumn("Mean absolute % error", format="percent"),
                   "mean_pct_error": st.column_config.NumberColumn("Bias (mean % error)", format="percent")},
          key="portfolio_accuracy_owners")
    shown = plans[["plan", "owner", "period_end", "horizon_days", "snapshot_date", "expected", "final_won", "error", "pct_error"]]
    table(shown, {"horizon_days": "Days before end", "snapshot_date": "Snapshot of",
                  "expected": st.column_config.NumberColumn("Expected then", format=MONEY_FORMAT),
                  "final_won": st.column_config.NumberColumn("Final won", format=MONEY_FORMAT),
                  "error": st.column_config.NumberColumn("Error", format=MONEY_FORMAT), "pct_error": PCT_ERROR},
          key="portfolio_accuracy_plans")
    download_buttons(plans, "forecast-accuracy", key="portfolio_accuracy")


def strategic_tab(strategic: pd.DataFrame) -> None:
    if strategic.empty:
        st.info("No strategic accounts match these filters.")
        return
    for column, (by, title) in zip(st.columns(3), [("owner", "By owner"), ("territory", "By territory"), ("segment", "By segment")]):
        draw(charts.coverage_chart(portfolio.coverage_counts(strategic, by), by, title), width="stretch", on=column)
    missing = strategic[~strategic["has_plan"]]
    st.subheader(f"Strategic accounts without a plan ({len(missing)})")
    if missing.empty:
        st.success("Every strategic account has a primary plan for this period.")
    else:
        table(
            missing[["account", "create_plan_link", "owner", "territory", "segment", "tier", "strategic_because", "selection_score"]],
            {"selection_score": SELECTION_SCORE, "create_plan_link": st.column_config.LinkColumn("Action", display_text="Create plan")},
            key="portfolio_without_plan",
        )
    with_plan = lazy_expander(f"Strategic accounts with a plan ({int(strategic['has_plan'].sum())})", "portfolio_with_plan_open")
    if with_plan is not None:
        covered = strategic[strategic["has_plan"]].assign(link=lambda f: [f"/plan?plan={int(i)}" for i in f["plan_id"]])
        with with_plan:
            table(covered[["account", "plan", "link", "owner", "territory", "segment", "tier"]], {"link": PLAN_LINK})
    download_buttons(strategic.drop(columns=["create_plan_link"]), "strategic-accounts", key="portfolio_strategic")


def segments_tab(matrix: pd.DataFrame, moves: pd.DataFrame, overdue: pd.DataFrame) -> None:
    if matrix.empty:
        st.info("No accounts match these filters.")
        return
    draw(charts.segment_heatmap(matrix), width="stretch")
    st.subheader(f"Accounts that must move up ({len(moves)})")
    table(moves, key="portfolio_moves")
    st.subheader(f"Call cadence: overdue activities ({len(overdue)})")
    st.caption("Due = next activity due, else last activity + call frequency; overdue when due before today.")
    table(overdue, key="portfolio_overdue")


def selection_tab(accounts: pd.DataFrame) -> None:
    if accounts.empty:
        st.info("No accounts match these filters.")
        return
    draw(charts.quadrant_chart(accounts), width="stretch")
    st.caption(
        "Each axis splits at the median of the accounts shown (above the median = high). Strategic: high revenue and "
        "growth · Land & expand: low revenue, high growth · Retain: high revenue, low growth · Maintain: low both. "
        "Selection score: weighted criteria scores (1–5) on a 0–100 scale."
    )
    shown = accounts.sort_values(["has_plan", "selection_score"], ascending=[True, False], na_position="last")
    table(
        shown[["account", "owner", "segment", "tier", "quadrant", "current_revenue", "open_pipeline", "open_whitespace",
               "growth_potential", "selection_score", "has_plan"]],
        {"selection_score": SELECTION_SCORE, "has_plan": "Has a plan"}, key="portfolio_quadrant",
    )
    download_buttons(accounts, "account-selection", key="portfolio_selection")


def freshness_tab(health: pd.DataFrame, queue: pd.DataFrame) -> None:
    if health.empty:
        st.info("No plans match these filters.")
        return
    stale = int(health["review_stale"].sum())
    st.metric("Stale plans (not reviewed in 90 days)", stale)
    st.subheader(f"Review-due queue ({len(queue)})")
    columns = ["plan", "link", "account", "owner", "last_reviewed_at", "days_since_review", "review_due", "stale_sections", "band",
               "coverage_label", "whitespace_value"]
    config: Config = {"link": PLAN_LINK, "last_reviewed_at": st.column_config.DateColumn("Last reviewed", format=DATE_FORMAT),
                      "band": "Scorecard", "coverage_label": "Stakeholder coverage", "scorecard_at": "Scorecard updated",
                      "stakeholders_at": "Stakeholders updated", "whitespace_at": "Whitespace updated",
                      "objectives_at": "Objectives updated"}
    linked = lambda frame: frame.assign(link=[f"/plan?plan={int(i)}" for i in frame["plan_id"]])  # noqa: E731
    if queue.empty:
        st.success("No plan is due for review.")
    else:
        table(linked(queue)[columns], config, key="portfolio_queue")
    every_plan = lazy_expander(f"Every plan's health ({len(health)})", "portfolio_every_health_open")
    if every_plan is not None:
        every = columns + ["scorecard_at", "stakeholders_at", "whitespace_at", "objectives_at", "sold", "in_progress"]
        with every_plan:
            table(linked(health)[every], config, key="portfolio_health")
    download_buttons(health.drop(columns=["coverage_colour"]), "plan-health", key="portfolio_health_dl")
