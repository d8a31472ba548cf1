"""Altair charts of a plan's figures: built from domain DataFrames, no database access here."""

from __future__ import annotations

import altair as alt
import pandas as pd

from planning import vocab
from planning.formatting import money

MONEY_AXIS = "$~s"  # d3: $1.2M, $350k
MONEY_TIP = "$,.0f"
TRAJECTORY_HEIGHT = 340  # pixels for the element; Streamlit sizes continuous charts by the element
TREND_HEIGHT = 300
FORECAST_HEIGHT = 240
COLOURS = vocab.FIGURE_COLOURS


def target_chart(figures: dict) -> alt.LayerChart:
    """Target vs won vs weighted vs expected; a rule marks the target and a label states the variance."""
    data = pd.DataFrame({
        "figure": list(COLOURS),
        "amount": [figures["target"], figures["won"], figures["weighted_pipeline"], figures["expected"]],
    })
    variance = figures["variance"]
    verdict = "ahead of" if variance >= 0 else "behind"
    data["label"] = data["amount"].map(lambda v: money(v, short=True))
    base = alt.Chart(data).encode(
        y=alt.Y("figure:N", sort=list(COLOURS), title=None, axis=alt.Axis(labelOverlap=False)),
        x=alt.X("amount:Q", title="Amount", axis=alt.Axis(format=MONEY_AXIS)),
        tooltip=[alt.Tooltip("figure:N", title="Figure"), alt.Tooltip("amount:Q", title="Amount", format=MONEY_TIP)],
    )
    bars = base.mark_bar().encode(
        color=alt.Color("figure:N", scale=alt.Scale(domain=list(COLOURS), range=list(COLOURS.values())), legend=None)
    )
    labels = base.mark_text(align="left", dx=4).encode(text="label:N")
    target = alt.Chart(pd.DataFrame({"target": [figures["target"]]})).mark_rule(strokeDash=[4, 3], color="#c62828").encode(
        x="target:Q", tooltip=[alt.Tooltip("target:Q", title="Target", format=MONEY_TIP)]
    )
    return (bars + labels + target).properties(
        title=f"Expected is {money(abs(variance), short=True)} {verdict} target", height=alt.Step(34)
    )


# The cumulative chart's series: colour and dash per line. Won is drawn last and thickest, so where
# nothing is weighted (the two lines coincide) the green Won line lies on top of the dashed blue one.
TRAJECTORY_SERIES = {
    "Target (straight line)": (vocab.NEUTRAL_COLOUR, [2, 3]),
    "Won + weighted": (COLOURS["Weighted pipeline"], [7, 4]),
    "Won": (COLOURS["Won"], [1, 0]),
}


def trajectory_chart(trajectory: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:  # what alt.layer declares
    """Cumulative won and won + weighted (steps at each close date) against a straight-line target."""
    long = trajectory.rename(columns={
        "cumulative_won": "Won", "cumulative_expected": "Won + weighted", "target_line": "Target (straight line)",
    }).melt(id_vars="day", var_name="series", value_name="amount")
    domain = list(TRAJECTORY_SERIES)
    legend = alt.Legend(orient="top", symbolType="stroke", symbolStrokeWidth=3, symbolSize=500)
    base = alt.Chart(long).encode(
        x=alt.X("day:T", title="Close date"),
        y=alt.Y("amount:Q", title="Cumulative amount", axis=alt.Axis(format=MONEY_AXIS)),
        color=alt.Color("series:N", scale=alt.Scale(domain=domain, range=[c for c, _ in TRAJECTORY_SERIES.values()]),
                        title=None, legend=legend),
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=domain, range=[d for _, d in TRAJECTORY_SERIES.values()]),
                                  title=None, legend=legend),
        tooltip=[alt.Tooltip("day:T", title="Date"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("amount:Q", title="Amount", format=MONEY_TIP)],
    )
    target = base.transform_filter(alt.datum.series == domain[0]).mark_line(strokeWidth=2)
    expected = base.transform_filter(alt.datum.series == domain[1]).mark_line(interpolate="step-after", strokeWidth=2.5)
    won = base.transform_filter(alt.datum.series == domain[2]).mark_line(interpolate="step-after", strokeWidth=3.5, point=True)
    return alt.layer(target, expected, won).properties(title="Cumulative won and expected vs target", height=280)


def pipeline_chart(breakdown: pd.DataFrame, by: str) -> alt.Chart:
    """Open pipeline (amount, weighted in the tooltip) by `stage` or `product`."""
    order = "stage_order" if by == "stage" else "amount"
    grouped = breakdown.groupby(by, as_index=False).agg(
        amount=("amount", "sum"), weighted=("weighted", "sum"), deals=("deals", "sum"), order=(order, "min" if by == "stage" else "sum")
    )
    sort = list(grouped.sort_values("order", ascending=by == "stage")[by])
    return alt.Chart(grouped).mark_bar(color=COLOURS["Weighted pipeline"]).encode(
        y=alt.Y(f"{by}:N", sort=sort, title=None, axis=alt.Axis(labelOverlap=False, labelLimit=160)),
        x=alt.X("amount:Q", title="Open pipeline", axis=alt.Axis(format=MONEY_AXIS)),
        tooltip=[alt.Tooltip(f"{by}:N"), alt.Tooltip("amount:Q", title="Pipeline", format=MONEY_TIP),
                 alt.Tooltip("weighted:Q", title="Weighted", format=MONEY_TIP), alt.Tooltip("deals:Q", title="Deals")],
    ).properties(title=f"Pipeline by {by}", height=alt.Step(28))


def snapshot_chart(snapshots: pd.DataFrame) -> alt.Chart:
    """Expected vs target over time, one point per KPI snapshot."""
    long = snapshots.rename(columns={"expected": "Expected", "target": "Target", "won": "Won"}).melt(
        id_vars="snapshot_date", value_vars=["Target", "Expected", "Won"], var_name="series", value_name="amount"
    )
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("snapshot_date:T", title="Snapshot"),
        y=alt.Y("amount:Q", title="Amount", axis=alt.Axis(format=MONEY_AXIS)),
        color=alt.Color("series:N", title=None, scale=alt.Scale(
            domain=["Target", "Expected", "Won"], range=[vocab.NEUTRAL_COLOUR, COLOURS["Expected"], COLOURS["Won"]])),
        tooltip=[alt.Tooltip("snapshot_date:T", title="Date"), "series:N", alt.Tooltip("amount:Q", format=MONEY_TIP)],
    ).properties(title="Expected vs target over time", height=240)


def forecast_chart(distribution: list[dict], target: float | None) -> alt.LayerChart | alt.FacetChart:  # what alt.layer declares
    """The period revenue's distribution (planning.forecast.bins) as bars, with the target as a dashed rule."""
    data = pd.DataFrame(distribution)
    # A bin as wide as it is, but never narrower than 1 % of the axis: a certain revenue is one point.
    span = max(float(data["revenue_to"].max()), target or 0) - float(data["revenue_from"].min())
    data["drawn_to"] = data["revenue_to"].clip(lower=data["revenue_from"] + max(span, 1.0) / 100)
    bars = alt.Chart(data).mark_bar(color=COLOURS["Expected"], opacity=0.8).encode(
        x=alt.X("revenue_from:Q", title="Revenue at period end", axis=alt.Axis(format=MONEY_AXIS),
                scale=alt.Scale(zero=False, nice=True)),
        x2="drawn_to:Q",
        y=alt.Y("probability:Q", title="Probability", axis=alt.Axis(format="%")),
        y2=alt.datum(0),
        tooltip=[alt.Tooltip("revenue_from:Q", title="From", format=MONEY_TIP), alt.Tooltip("revenue_to:Q", title="To", format=MONEY_TIP),
                 alt.Tooltip("probability:Q", title="Probability", format=".1%")],
    )
    layers = [bars]
    if target is not None and target > 0:
        layers.append(alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[4, 3], color="#c62828", strokeWidth=2).encode(
            x="target:Q", tooltip=[alt.Tooltip("target:Q", title="Target", format=MONEY_TIP)]))
    title = alt.Title("Revenue at period end", anchor="start",
                      subtitle="Bars: chance of each revenue range · dashed red line: the target")
    return alt.layer(*layers).properties(title=title)
