"""Scorecard charts and badges: score history, category profile, calibration; band colours from vocab."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from planning import vocab
from ui.charts import draw
from ui.tables import table as show

BAND_SCALE = alt.Scale(domain=list(vocab.BAND_COLOURS), range=list(vocab.BAND_COLOURS.values()))
NOT_SCORED = "#bdbdbd"


def band_badge(band: str | None) -> str:
    """A coloured band label (our own vocabulary only: safe as HTML)."""
    colour = vocab.BAND_COLOURS.get(band, NOT_SCORED) if band is not None else NOT_SCORED
    text = band if band in vocab.BAND_COLOURS else "Not scored"
    return (f'<span style="background:{colour};color:white;padding:2px 10px;border-radius:10px;'
            f'font-weight:600">{text}</span>')


def header(card: dict) -> None:
    """Score, band and completion of the latest submission."""
    left, middle, right = st.columns(3)
    left.metric("Score", "—" if card["score"] is None else f"{card['score']:.1f}")
    with middle:
        st.markdown("**Band**")
        st.markdown(band_badge(card["band"]), unsafe_allow_html=True)
    right.metric("Completion", f"{card['completion']:.1f}%")


def _band_backdrop() -> alt.Chart:
    bands = pd.DataFrame([
        {"band": "At risk", "low": 0, "high": 33.5},
        {"band": "Watch", "low": 33.5, "high": 66.5},
        {"band": "Healthy", "low": 66.5, "high": 100},
    ])
    return alt.Chart(bands).mark_rect(opacity=0.12).encode(
        y=alt.Y("low:Q", scale=alt.Scale(domain=[0, 100])), y2="high:Q",
        color=alt.Color("band:N", scale=BAND_SCALE, title="Band"),
    )


OVERALL = "Overall"
OVERALL_COLOUR = "#212121"
CATEGORY_COLOURS = ["#4e79a7", "#f28e2b", "#76b7b2", "#b07aa1", "#9c755f", "#ff9da7", "#59a14f", "#edc948", "#bab0ac", "#e15759"]


def history_layers(history: pd.DataFrame) -> alt.LayerChart:
    """Band backdrop, then one line per series; the thick overall line is in the legend with the categories."""
    data = history.dropna(subset=["score"])
    categories = [s for s in dict.fromkeys(data["series"]) if s != OVERALL]
    domain = [OVERALL, *categories]
    colours = [OVERALL_COLOUR, *(CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i in range(len(categories)))]
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("submitted_at:T", title="Submitted"),
        y=alt.Y("score:Q", title="Score (0–100)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("series:N", title="Score", scale=alt.Scale(domain=domain, range=colours), sort=domain,
                        legend=alt.Legend(orient="bottom", columns=4, symbolType="stroke", symbolStrokeWidth=3, labelLimit=220)),
        strokeWidth=alt.condition(alt.datum.series == OVERALL, alt.value(4), alt.value(1.5)),
        opacity=alt.condition(alt.datum.series == OVERALL, alt.value(1), alt.value(0.75)),
        tooltip=[alt.Tooltip("series:N", title="Score of"), alt.Tooltip("score:Q", format=".1f", title="Score"),
                 alt.Tooltip("completion:Q", format=".0f", title="Completion %"),
                 alt.Tooltip("submitted_at:T", format="%d %b %Y %H:%M", title="Submitted"),
                 alt.Tooltip("submitted_by:N", title="By"), alt.Tooltip("carried_forward:N", title="Carried forward")],
    )
    title = alt.Title("Plan and category scores", subtitle="Thick black line: the plan's overall score · thin lines: each category",
                      anchor="start")
    # Streamlit fits title, plot and the legend below into the height: 460 leaves the plot ~300 px.
    return alt.layer(_band_backdrop(), lines, title=title).resolve_scale(color="independent").properties(height=460)


def history_chart(history: pd.DataFrame) -> None:
    """Plan (thick) and category scores over time, on band-coloured backdrop."""
    if history.empty:
        st.info("No submissions yet: the trend appears after the first save.")
        return
    draw(history_layers(history), width="stretch")


def profile_chart(categories: list[dict]) -> None:
    """The latest category profile as bars coloured by band (unanswered categories show no bar)."""
    frame = pd.DataFrame(categories)
    if frame.empty or frame["score"].isna().all():
        st.info("No category has an answer yet.")
        return
    chart = alt.Chart(frame.dropna(subset=["score"])).mark_bar().encode(
        y=alt.Y("name:N", sort=list(frame["name"]), title=None, axis=alt.Axis(labelLimit=240, labelOverlap=False)),
        x=alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title="Category score"),
        color=alt.Color("band:N", scale=BAND_SCALE, title="Band"),
        tooltip=["name", "weight", "score", "answered", "questions"],
    )
    draw(chart.properties(height=40 * len(frame) + 40), width="stretch")


def calibration_view(table: pd.DataFrame, label: str) -> None:
    """Win rate and won vs target per score band."""
    if table.empty:
        st.info(f"No plans cover {label}.")
        return
    st.caption(f"Plans covering {label}, grouped by their latest score band, against what they actually won "
               "(opportunities of the plan's account and business unit closing in its period).")
    chart = alt.Chart(table).mark_bar().encode(
        x=alt.X("band:N", sort=[*vocab.SCORE_BANDS, "Not scored"], title="Band"),
        y=alt.Y("win_rate:Q", axis=alt.Axis(format="%"), title="Win rate (count)"),
        color=alt.Color("band:N", scale=alt.Scale(domain=[*vocab.BAND_COLOURS, "Not scored"],
                                                  range=[*vocab.BAND_COLOURS.values(), NOT_SCORED]), legend=None),
        tooltip=["band", "plans", "avg_score", "win_rate", "won_vs_target"],
    )
    draw(chart.properties(height=260), width="stretch")
    show(
        table,
        config={
            "band": "Band", "plans": "Plans", "avg_score": "Avg score",
            "won_count": "Won deals", "closed_count": "Closed deals",
            "win_rate": st.column_config.NumberColumn("Win rate", format="percent"),
            "won_vs_target": st.column_config.NumberColumn("Won vs target", format="percent"),
            "won": st.column_config.NumberColumn("Won", format="dollar"),
            "target": st.column_config.NumberColumn("Target", format="dollar"),
        },
    )
