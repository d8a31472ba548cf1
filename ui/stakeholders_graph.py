"""Stakeholder page: the agraph network with its filters, layout toggle and legend, and the coverage banner."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_agraph import Config, Edge, Node, agraph

from planning import stakeholder_graph
from ui.charts import draw
from ui.text import md
from ui.widgets import lazy_expander


def render_coverage(coverage: dict) -> None:
    """Coverage status as a coloured headline, then one message per alert."""
    status, label = coverage["coverage_status"], coverage["coverage_label"]
    headline = f"Coverage status {status} of 3: {md(label)}."
    (st.error if status <= 1 else st.warning if status == 2 else st.success)(headline)
    for rule, alert in zip(coverage["alert_rules"], coverage["alerts"]):
        # Missing people at the top of the deal are errors; the rest are warnings to act on.
        severe = rule in ("no_contacts", "no_key_player", "no_economic_buyer", "hostile_uncovered")
        (st.error if severe else st.warning)(md(alert))


def render_graph(data: dict) -> int | None:
    """Filters, the one agraph call of the page, the legend; returns the clicked contact id."""
    departments, roles = stakeholder_graph.filter_options(data)
    left, middle, right = st.columns([2, 2, 1])
    chosen_departments = left.multiselect("Departments", departments, key="graph_departments")
    chosen_roles = middle.multiselect("Buying roles", roles, key="graph_roles")
    layout = right.radio("Layout", ["Network", "Org chart"], key="graph_layout", horizontal=True)
    nodes, edges, config = stakeholder_graph.build_graph(
        data, chosen_departments, chosen_roles, hierarchical=layout == "Org chart"
    )
    if not nodes:
        st.info("No stakeholder matches these filters.")
        return None
    clicked = agraph([Node(**n) for n in nodes], [Edge(**e) for e in edges], vis_config(config))
    render_legend()
    return stakeholder_graph.contact_id_of(clicked)


def vis_config(arguments: dict) -> Config:
    """A Config whose JSON holds only vis-network options (see stakeholder_graph.CONFIG_LAYOUT_KEYS)."""
    config = Config(**arguments)
    for key in stakeholder_graph.CONFIG_LAYOUT_KEYS:
        config.__dict__.pop(key, None)
    return config


def render_legend() -> None:
    """Symbols drawn as the graph draws them: coloured dots, the team box and the three line styles."""
    box = lazy_expander("Legend", "graph_legend_open")
    if box is None:
        return
    entries = pd.DataFrame(stakeholder_graph.legend())
    entries["row"] = range(len(entries))
    entries["kind"] = entries["symbol"].str.split(" ").str[-1]
    entries["colour"] = entries["colour"].fillna("#9e9e9e")
    entries["shape"] = entries["kind"].map({"box": "square"}).fillna("circle")
    y = alt.Y("row:O", axis=None)
    base = alt.Chart(entries)
    symbols = base.transform_filter(alt.FieldOneOfPredicate("kind", ["dot", "size", "box"])).mark_point(
        filled=True, size=180, opacity=1).encode(
        x=alt.value(20), y=y, color=alt.Color("colour:N", scale=None), shape=alt.Shape("shape:N", scale=None))
    lines = [
        base.transform_filter(alt.datum.kind == kind).mark_rule(strokeWidth=2, strokeDash=dash).encode(
            x=alt.value(8), x2=alt.value(34), y=y, color=alt.Color("colour:N", scale=None))
        for kind, dash in (("solid", [1, 0]), ("dashed", [6, 4]), ("dotted", [2, 6]))
    ]
    text = base.mark_text(align="left", dx=0).encode(x=alt.value(48), y=y, text="meaning:N")
    chart = alt.layer(symbols, *lines, text).properties(height=22 * len(entries), width=360)
    with box:
        draw(chart.configure_view(stroke=None))
