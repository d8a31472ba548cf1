"""Altair charts of the portfolio: built from domain DataFrames, no database access here."""

from __future__ import annotations

import altair as alt
import pandas as pd

from planning import portfolio, vocab
from planning.portfolio_accounts import QUADRANT_COLOURS
from ui.plan_charts import MONEY_AXIS, MONEY_TIP

DARK = "#263238"  # the won bar inside the expected one
COVERAGE_COLOURS = {portfolio.WITH_PLAN: "#2e7d32", portfolio.WITHOUT_PLAN: "#c62828"}


def _scale(colours: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colours), range=list(colours.values()))


PLAN_LABEL_LIMIT = 240  # pixels of plan name beside each bar; longer names end in "…" (the tooltip has it whole)
PLAN_ROW = 26  # pixels per plan: every bar keeps its name (Vega-Lite hides labels that would overlap)
PERFORMANCE_CAPTION = ("Coloured bar: expected (won + weighted pipeline), coloured by status · "
                       "dark inner bar: won · black tick: the plan's target")


def performance_chart(performance: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:  # what alt.layer declares; no facet channels here
    """Per plan: expected (coloured by status) with won inside it and a tick at the target; most behind on top."""
    order = performance["plan"].tolist()
    base = alt.Chart(performance).encode(
        y=alt.Y("plan:N", sort=order, title=None,
                axis=alt.Axis(labelLimit=PLAN_LABEL_LIMIT, labelOverlap=False, labelFontSize=11)),
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
        color=alt.Color("performance:N", scale=_scale(portfolio.STATUS_COLOURS), title="Status",
                        legend=alt.Legend(orient="top")),
    )
    won = base.mark_bar(size=7, color=DARK).encode(x="won:Q")
    target = base.mark_tick(color="#000000", thickness=2, size=PLAN_ROW - 6).encode(x="target:Q")
    title = alt.Title("Plans vs target", subtitle=PERFORMANCE_CAPTION, anchor="start")
    return alt.layer(expected, won, target, title=title).properties(height=alt.Step(PLAN_ROW))


def coverage_chart(counts: pd.DataFrame, by: str, title: str) -> alt.Chart:
    """Strategic accounts with / without a plan, stacked per owner or territory."""
    return alt.Chart(counts, title=title).mark_bar().encode(
        x=alt.X("accounts:Q", title="Strategic accounts", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y(f"{by}:N", title=None),
        color=alt.Color("coverage:N", scale=_scale(COVERAGE_COLOURS), title=None),
        tooltip=[f"{by}:N", "coverage:N", "accounts:Q"],
    )


SEGMENT_ROW = 44  # pixels per segment row: the count fits, the label is never cut
QUADRANT_LABELS = 15  # accounts named on the quadrant chart (highest selection score); the tooltip names every dot


def segment_heatmap(matrix: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:  # what alt.layer declares; no facet channels here
    """Current (rows) × target (columns) segment, coloured and labelled by account count."""
    order = [*vocab.SEGMENTS, "(none)"]
    base = alt.Chart(matrix).encode(
        x=alt.X("target_segment:N", sort=order, title="Target segment",
                axis=alt.Axis(labelAngle=0, labelLimit=200, orient="top")),
        y=alt.Y("current_segment:N", sort=order, title="Current segment", axis=alt.Axis(labelLimit=200, labelOverlap=False)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("accounts:Q", scale=alt.Scale(scheme="blues"), title="Accounts"),
        tooltip=[alt.Tooltip("current_segment:N", title="Current segment"),
                 alt.Tooltip("target_segment:N", title="Target segment"), alt.Tooltip("accounts:Q", title="Accounts")],
    )
    counts = base.mark_text(fontSize=14).encode(
        text="accounts:Q", color=alt.condition("datum.accounts > 5", alt.value("white"), alt.value("#212121")))
    title = alt.Title("Accounts by current and target segment", anchor="start",
                      subtitle="Accounts per cell; off the diagonal, an account is not yet in its target segment")
    return alt.layer(cells, counts, title=title).properties(height=alt.Step(SEGMENT_ROW))


def quadrant_frame(accounts: pd.DataFrame, named: int = QUADRANT_LABELS) -> pd.DataFrame:
    """The accounts with `name_label`: the account's name on the `named` highest selection scores, else blank."""
    frame = accounts.copy()
    top = frame["selection_score"].rank(ascending=False, method="first", na_option="bottom") <= named
    frame["name_label"] = frame["account"].where(top, "")
    # Names of the right-most dots go to their left, inside the chart.
    frame["name_left"] = frame["current_revenue"] > 0.8 * frame["current_revenue"].max()
    return frame


def quadrant_chart(accounts: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:  # what alt.layer declares; no facet channels here
    """Current revenue × growth potential, coloured by quadrant, with the median lines that split them."""
    frame = quadrant_frame(accounts)
    base = alt.Chart(frame).encode(
        x=alt.X("current_revenue:Q", title="Current revenue (won, last 12 months)", axis=alt.Axis(format=MONEY_AXIS)),
        y=alt.Y("growth_potential:Q", title="Growth potential (open pipeline + whitespace)", axis=alt.Axis(format=MONEY_AXIS)),
        tooltip=[alt.Tooltip("account:N", title="Account"), alt.Tooltip("quadrant:N", title="Quadrant"),
                 alt.Tooltip("current_revenue:Q", format=MONEY_TIP, title="Current revenue"),
                 alt.Tooltip("growth_potential:Q", format=MONEY_TIP, title="Growth potential"),
                 alt.Tooltip("selection_score:Q", format=".0f", title="Selection score")],
    )
    points = base.mark_circle(size=90).encode(
        color=alt.Color("quadrant:N", scale=_scale(QUADRANT_COLOURS), title="Quadrant", legend=alt.Legend(orient="top")))
    names = [
        base.transform_filter(alt.datum.name_left == left).mark_text(
            align="right" if left else "left", dx=-7 if left else 7, fontSize=10, color="#37474f").encode(text="name_label:N")
        for left in (False, True)
    ]
    medians = pd.DataFrame({"revenue": [accounts["current_revenue"].median()], "growth": [accounts["growth_potential"].median()]})
    x_rule = alt.Chart(medians).mark_rule(strokeDash=[4, 4], color=vocab.NEUTRAL_COLOUR).encode(
        x="revenue:Q", tooltip=[alt.Tooltip("revenue:Q", format=MONEY_TIP, title="Median current revenue")])
    y_rule = alt.Chart(medians).mark_rule(strokeDash=[4, 4], color=vocab.NEUTRAL_COLOUR).encode(
        y="growth:Q", tooltip=[alt.Tooltip("growth:Q", format=MONEY_TIP, title="Median growth potential")])
    title = alt.Title("Account selection quadrants", anchor="start",
                      subtitle=f"Dashed lines: the medians that split the quadrants · named: the {QUADRANT_LABELS} highest selection scores")
    return alt.layer(points, *names, x_rule, y_rule, title=title).properties(height=460)


ACCURACY_ROW = 14  # pixels per owner × horizon bar: an owner's three bars sit together, each label kept
# Far from the end is pale, near the end dark: the eye reads the error shrinking as the period closes.
HORIZON_COLOURS = {"90 days before end": "#90caf9", "60 days before end": "#42a5f5", "30 days before end": "#0d47a1"}


def accuracy_chart(owners: pd.DataFrame) -> alt.Chart:
    """Per owner: mean absolute % error of expected vs final won, one bar per horizon (90, 60, 30 days before end)."""
    frame = owners.dropna(subset=["mean_abs_pct_error"]).assign(
        horizon=lambda f: [f"{int(h)} days before end" for h in f["horizon_days"]])
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("owner:N", title=None, axis=alt.Axis(labelLimit=200, labelOverlap=False)),
        yOffset=alt.YOffset("horizon:N", sort=list(HORIZON_COLOURS)),
        x=alt.X("mean_abs_pct_error:Q", title="Mean absolute error of expected vs final won", axis=alt.Axis(format="%")),
        color=alt.Color("horizon:N", scale=_scale(HORIZON_COLOURS), title="Forecast taken", legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("owner:N", title="Owner"), alt.Tooltip("horizon:N", title="Forecast taken"),
                 alt.Tooltip("mean_abs_pct_error:Q", format=".1%", title="Mean absolute % error"),
                 alt.Tooltip("mean_pct_error:Q", format="+.1%", title="Bias (mean % error)"),
                 alt.Tooltip("plans_measured:Q", title="Plans measured")],
    ).properties(
        title=alt.Title("Forecast accuracy by owner", anchor="start",
                        subtitle=["How far expected (won + weighted pipeline) was from the final won, on average over ended plans",
                                  "A missing bar: none of the owner's plans had a snapshot by then (or won anything)"]),
        height=alt.Step(ACCURACY_ROW),
    )
