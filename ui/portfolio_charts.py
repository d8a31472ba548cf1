"""Altair charts of the portfolio: built from domain DataFrames, no database access here."""

from __future__ import annotations

import altair as alt
import pandas as pd

from planning import portfolio, vocab
from planning.portfolio_accounts import QUADRANT_COLOURS
from ui.plan_charts import MONEY_AXIS, MONEY_TIP

COVERAGE_COLOURS = {portfolio.WITH_PLAN: "#2e7d32", portfolio.WITHOUT_PLAN: "#c62828"}


def _scale(colours: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def performance_chart(performance: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:  # what alt.layer declares; no facet channels here
    """Per plan: expected (coloured by status) with won inside it and a tick at the target; most behind on top."""
    order = performance["plan"].tolist()
    base = alt.Chart(performance).encode(
        y=alt.Y("plan:N", sort=order, title=None),
        tooltip=[
            alt.Tooltip("plan:N", title="Plan"), alt.Tooltip("performance:N", title="Status"),
            alt.Tooltip("target:Q", format=MONEY_TIP, title="Target"), alt.Tooltip("won:Q", format=MONEY_TIP, title="Won"),
            alt.Tooltip("weighted_pipeline:Q", format=MONEY_TIP, title="Weighted"),
            alt.Tooltip("expected:Q", format=MONEY_TIP, title="Expected"),
            alt.Tooltip("variance:Q", format=MONEY_TIP, title="Gap"),
        ],
    )
    expected = base.mark_bar(opacity=0.55).encode(
        x=alt.X("expected:Q", title="Won + weighted pipeline vs target", axis=alt.Axis(format=MONEY_AXIS)),
        color=alt.Color("performance:N", scale=_scale(portfolio.STATUS_COLOURS), title="Status"),
    )
    won = base.mark_bar(size=6, color="#263238").encode(x="won:Q")
    target = base.mark_tick(color="#000000", thickness=2, size=18).encode(x="target:Q")
    return alt.layer(expected, won, target).properties(height=max(160, 22 * len(performance)))


def coverage_chart(counts: pd.DataFrame, by: str, title: str) -> alt.Chart:
    """Strategic accounts with / without a plan, stacked per owner or territory."""
    return alt.Chart(counts, title=title).mark_bar().encode(
        x=alt.X("accounts:Q", title="Strategic accounts", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y(f"{by}:N", title=None),
        color=alt.Color("coverage:N", scale=_scale(COVERAGE_COLOURS), title=None),
        tooltip=[f"{by}:N", "coverage:N", "accounts:Q"],
    )


def segment_heatmap(matrix: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:  # what alt.layer declares; no facet channels here
    """Current (rows) × target (columns) segment, coloured and labelled by account count."""
    order = [*vocab.SEGMENTS, "(none)"]
    base = alt.Chart(matrix).encode(
        x=alt.X("target_segment:N", sort=order, title="Target segment"),
        y=alt.Y("current_segment:N", sort=order, title="Current segment"),
    )
    cells = base.mark_rect().encode(color=alt.Color("accounts:Q", scale=alt.Scale(scheme="blues"), title="Accounts"),
                                    tooltip=["current_segment:N", "target_segment:N", "accounts:Q"])
    return alt.layer(cells, base.mark_text(fontSize=14).encode(text="accounts:Q")).properties(height=300)


def quadrant_chart(accounts: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:  # what alt.layer declares; no facet channels here
    """Current revenue × growth potential, coloured by quadrant, with the median lines that split them."""
    points = alt.Chart(accounts).mark_circle(size=90).encode(
        x=alt.X("current_revenue:Q", title="Current revenue (won, last 12 months)", axis=alt.Axis(format=MONEY_AXIS)),
        y=alt.Y("growth_potential:Q", title="Growth potential (open pipeline + whitespace)", axis=alt.Axis(format=MONEY_AXIS)),
        color=alt.Color("quadrant:N", scale=_scale(QUADRANT_COLOURS), title="Quadrant"),
        tooltip=["account:N", "quadrant:N", alt.Tooltip("current_revenue:Q", format=MONEY_TIP),
                 alt.Tooltip("growth_potential:Q", format=MONEY_TIP), "selection_score:Q"],
    )
    medians = pd.DataFrame({"revenue": [accounts["current_revenue"].median()], "growth": [accounts["growth_potential"].median()]})
    x_rule = alt.Chart(medians).mark_rule(strokeDash=[4, 4], color="#616161").encode(x="revenue:Q")
    y_rule = alt.Chart(medians).mark_rule(strokeDash=[4, 4], color="#616161").encode(y="growth:Q")
    return alt.layer(points, x_rule, y_rule).properties(height=420)
