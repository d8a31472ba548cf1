"""Stakeholder page: the contact heat map (influence × relationship strength, coloured by support)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from planning import stakeholder_graph, vocab

_QUADRANT_LABELS = pd.DataFrame([
    {"x": 4.0, "y": 5.4, "text": "high influence, strong relationship: leverage"},
    {"x": 1.5, "y": 5.4, "text": "high influence, weak relationship: act here"},
    {"x": 4.0, "y": 0.6, "text": "low influence, strong relationship: keep close"},
    {"x": 1.5, "y": 0.6, "text": "low influence, weak relationship: monitor"},
])


def render_heat_map(stakeholders: list[dict]) -> None:
    points = pd.DataFrame(stakeholder_graph.heat_map_points(stakeholders))
    if points.empty:
        st.info("Rate influence and relationship strength on a stakeholder to place them on the heat map.")
        return
    # Contacts with the same ratings sit side by side rather than on top of each other.
    spot = points.groupby(["influence", "relationship_strength"])
    points["x"] = points["relationship_strength"] + (spot.cumcount() - (spot["name"].transform("size") - 1) / 2) * 0.15
    domain = [*vocab.SUPPORT_LEVELS, "Unknown"]
    colours = [*vocab.SUPPORT_COLOURS.values(), stakeholder_graph.UNKNOWN_SUPPORT_COLOUR]
    scale = alt.Scale(domain=[0.5, 5.5], nice=False)
    axis = alt.Axis(values=[1, 2, 3, 4, 5], format="d", grid=False)
    dots = alt.Chart(points).mark_circle(size=160, opacity=0.85).encode(
        x=alt.X("x:Q", title="Relationship strength", scale=scale, axis=axis),
        y=alt.Y("influence:Q", title="Influence", scale=scale, axis=axis),
        color=alt.Color("support:N", title="Support", scale=alt.Scale(domain=domain, range=colours)),
        tooltip=["name", "buying_role", "support", "influence", "relationship_strength", "quadrant"],
    )
    split = stakeholder_graph.HIGH - 0.5
    rules = alt.Chart(pd.DataFrame({"x": [split]})).mark_rule(strokeDash=[4, 4], color="#9e9e9e").encode(x="x:Q")
    rules += alt.Chart(pd.DataFrame({"y": [split]})).mark_rule(strokeDash=[4, 4], color="#9e9e9e").encode(y="y:Q")
    labels = alt.Chart(_QUADRANT_LABELS).mark_text(fontSize=11, color="#616161").encode(x="x:Q", y="y:Q", text="text:N")
    st.altair_chart((rules + dots + labels).properties(height=420), width="stretch")
