"""Stakeholder page: the contact heat map (influence × relationship strength, coloured by support)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from planning import stakeholder_graph, vocab
from ui.charts import draw

# Each quadrant's reading, as a tinted background and a label; "act here" is the one to look at first.
# The y axis runs past 1 and 5 so the quadrant labels sit clear of the names of contacts rated 1 or 5.
Y_DOMAIN = (0.2, 5.8)
QUADRANTS = pd.DataFrame([
    {"x": 1.5, "y": 5.62, "x1": 0.5, "x2": 2.5, "y1": 2.5, "y2": Y_DOMAIN[1], "tint": "#ffebee",
     "text": "high influence, weak relationship: act here"},
    {"x": 4.0, "y": 5.62, "x1": 2.5, "x2": 5.5, "y1": 2.5, "y2": Y_DOMAIN[1], "tint": "#e8f5e9",
     "text": "high influence, strong relationship: leverage"},
    {"x": 1.5, "y": 0.38, "x1": 0.5, "x2": 2.5, "y1": Y_DOMAIN[0], "y2": 2.5, "tint": "#f5f5f5",
     "text": "low influence, weak relationship: monitor"},
    {"x": 4.0, "y": 0.38, "x1": 2.5, "x2": 5.5, "y1": Y_DOMAIN[0], "y2": 2.5, "tint": "#e3f2fd",
     "text": "low influence, strong relationship: keep close"},
])


LABEL_OFFSETS = (-13, 15)  # pixels above / below the dot


def heat_map_frame(stakeholders: list[dict]) -> pd.DataFrame:
    """The points, with contacts of the same ratings side by side (x) rather than on top of each other."""
    points = pd.DataFrame(stakeholder_graph.heat_map_points(stakeholders))
    if points.empty:
        return points
    spot = points.groupby(["influence", "relationship_strength"])
    points["x"] = points["relationship_strength"] + (spot.cumcount() - (spot["name"].transform("size") - 1) / 2) * 0.15
    # Names alternate above and below the dot, so neighbours on one spot do not write over each other.
    points["label_dy"] = [LABEL_OFFSETS[n % 2] for n in spot.cumcount()]
    return points


def heat_map_chart(points: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:  # what alt.layer declares
    """Quadrant backgrounds and labels, the split lines, one dot per contact with its name."""
    domain = [*vocab.SUPPORT_LEVELS, "Unknown"]
    colours = [*vocab.SUPPORT_COLOURS.values(), stakeholder_graph.UNKNOWN_SUPPORT_COLOUR]
    scale, y_scale = alt.Scale(domain=[0.5, 5.5], nice=False), alt.Scale(domain=list(Y_DOMAIN), nice=False)
    axis = alt.Axis(values=[1, 2, 3, 4, 5], format="d", grid=False)
    x = alt.X("x:Q", title="Relationship strength (1 weak – 5 strong)", scale=scale, axis=axis)
    y = alt.Y("influence:Q", title="Influence (1 low – 5 high)", scale=y_scale, axis=axis)
    tints = alt.Chart(QUADRANTS).mark_rect().encode(
        x=alt.X("x1:Q", scale=scale), x2="x2:Q", y=alt.Y("y1:Q", scale=y_scale), y2="y2:Q", color=alt.Color("tint:N", scale=None))
    labels = alt.Chart(QUADRANTS).mark_text(fontSize=12, fontWeight="bold", color="#616161").encode(x="x:Q", y="y:Q", text="text:N")
    split = stakeholder_graph.HIGH - 0.5
    rules = alt.Chart(pd.DataFrame({"x": [split]})).mark_rule(strokeDash=[4, 4], color=vocab.NEUTRAL_COLOUR).encode(x="x:Q")
    rules += alt.Chart(pd.DataFrame({"y": [split]})).mark_rule(strokeDash=[4, 4], color=vocab.NEUTRAL_COLOUR).encode(y="y:Q")
    base = alt.Chart(points).encode(x=x, y=y, tooltip=[
        alt.Tooltip("name:N", title="Contact"), alt.Tooltip("buying_role:N", title="Buying role"),
        alt.Tooltip("support:N", title="Support"), alt.Tooltip("influence:Q", title="Influence"),
        alt.Tooltip("relationship_strength:Q", title="Relationship strength"), alt.Tooltip("quadrant:N", title="Reading"),
    ])
    dots = base.mark_circle(size=160, opacity=0.9, stroke="white", strokeWidth=1).encode(
        color=alt.Color("support:N", title="Support", scale=alt.Scale(domain=domain, range=colours), legend=alt.Legend(orient="top")))
    names = [base.transform_filter(alt.datum.label_dy == dy).mark_text(fontSize=10, color="#212121", dy=dy).encode(text="name:N")
             for dy in LABEL_OFFSETS]
    title = alt.Title("Contact heat map", anchor="start",
                      subtitle="Each dot a contact, coloured by support; the quadrant says what to do with them")
    return alt.layer(tints, labels, rules, dots, *names, title=title).properties(height=520)


def render_heat_map(stakeholders: list[dict]) -> None:
    points = heat_map_frame(stakeholders)
    if points.empty:
        st.info("Rate influence and relationship strength on a stakeholder to place them on the heat map.")
        return
    draw(heat_map_chart(points), width="stretch")
