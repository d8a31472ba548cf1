"""The whitespace heatmap: one rectangle per business unit × product, faceted by product family."""

from __future__ import annotations

import altair as alt
import pandas as pd

from planning import vocab
from planning.formatting import money


def value_note(row) -> str:
    """How a cell's value was arrived at, in words ("estimate (3 peers)", "entered", "won deals")."""
    if row["estimated"]:
        return f"estimate ({int(row['peer_count'])} peer{'' if row['peer_count'] == 1 else 's'})"
    return row["value_source"] if isinstance(row["value_source"], str) else "no value"


def chart_frame(matrix: pd.DataFrame) -> pd.DataFrame:
    """The matrix with the labels the chart shows (value label, manual flag, tooltip text)."""
    frame = matrix.copy()
    frame["label"] = [
        ("✎ " if manual else "") + ("~" if estimated else "") + money(value, short=True)
        for manual, estimated, value in zip(frame["manual"], frame["estimated"], frame["value"])
    ]
    frame["how"] = ["manual" if m else f"derived ({d} deal{'' if d == 1 else 's'})"
                    for m, d in zip(frame["manual"], frame["deal_count"])]
    frame["value_note"] = frame.apply(value_note, axis=1)
    frame["deals"] = frame["deals"].fillna("none")
    frame["contract_end"] = frame["contract_end_date"].dt.strftime("%Y-%m-%d").fillna("")
    for column in ("competitor", "note"):
        frame[column] = frame[column].fillna("")
    return frame[[
        "business_unit", "family", "product", "status", "how", "value", "value_note", "label", "manual",
        "competitor", "contract_end", "note", "deals",
    ]]


def heatmap(matrix: pd.DataFrame) -> alt.FacetChart:
    """Status colour (vocab.WHITESPACE_COLOURS), value label, tooltip with the deals behind each cell."""
    frame = chart_frame(matrix)
    rows = list(dict.fromkeys(frame["business_unit"]))
    y = alt.Y("business_unit:N", title=None, sort=rows)
    x = alt.X("product:N", title=None, axis=alt.Axis(labelAngle=-30, orient="top", labelOverlap=False, labelLimit=170))
    colour = alt.Color(
        "status:N", title="Status",
        scale=alt.Scale(domain=list(vocab.WHITESPACE_COLOURS), range=list(vocab.WHITESPACE_COLOURS.values())),
        legend=alt.Legend(orient="bottom", symbolType="square", symbolSize=300, symbolStrokeWidth=0),
    )
    tooltip = [
        alt.Tooltip("business_unit:N", title="Business unit"), alt.Tooltip("product:N", title="Product"),
        alt.Tooltip("status:N", title="Status"), alt.Tooltip("how:N", title="Set by"),
        alt.Tooltip("value:Q", title="Value", format="$,.0f"), alt.Tooltip("value_note:N", title="Value from"),
        alt.Tooltip("competitor:N", title="Competitor"), alt.Tooltip("contract_end:N", title="Contract end"),
        alt.Tooltip("note:N", title="Note"), alt.Tooltip("deals:N", title="Deals"),
    ]
    cells = alt.Chart().mark_rect(stroke="#212121").encode(
        x=x, y=y, color=colour, tooltip=tooltip,
        strokeWidth=alt.condition("datum.manual", alt.value(2.5), alt.value(0)),
    )
    light = "datum.status == 'Open' || datum.status == 'Unknown'"  # dark text on the pale fills
    labels = alt.Chart().mark_text(fontSize=12, fontWeight="bold").encode(
        x=x, y=y, text="label:N", tooltip=tooltip, color=alt.condition(light, alt.value("#212121"), alt.value("white")),
    )
    return (
        alt.layer(cells, labels, data=frame)
        .properties(width=alt.Step(80), height=alt.Step(42))
        .facet(column=alt.Column("family:N", title=None, header=alt.Header(labelFontWeight="bold")))
        .resolve_scale(x="independent")
        .configure_view(stroke=None)
    )
