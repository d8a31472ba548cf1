"""Pictures for the plan export: Altair charts rendered to PNG by vl-convert, and a stakeholder SVG.

The export is a file read by people who never open the app, so every chart becomes a still image
(no JavaScript, no network). vl-convert renders Vega-Lite in-process: no browser, no system package.
"""

from __future__ import annotations

import functools
import html
import math
from pathlib import Path

import altair as alt
import pandas as pd
import reportlab
import vl_convert

from planning import vocab
from planning.stakeholder_graph import (
    INFLUENCE_COLOUR,
    REPORTS_TO_COLOUR,
    support_colour,
)

MONEY_AXIS = "$~s"
CHART_WIDTH = 520
PNG_SCALE = 2  # crisp when printed
FONT = "Bitstream Vera Sans"  # ships inside reportlab's wheel: chart text renders on a machine without fonts


@functools.cache
def _fonts() -> None:
    vl_convert.register_font_directory(str(Path(reportlab.__file__).parent / "fonts"))


def png(chart: alt.TopLevelMixin) -> bytes:
    """The chart as a PNG image (vl-convert, no browser)."""
    _fonts()
    spec = chart.configure(font=FONT).to_dict()
    return vl_convert.vegalite_to_png(spec, scale=PNG_SCALE)


def svg_to_png(svg: str) -> bytes:
    _fonts()
    return vl_convert.svg_to_png(svg, scale=PNG_SCALE)


def target_chart(figures: dict) -> alt.Chart:
    """Target, won, weighted pipeline and expected as bars."""
    data = pd.DataFrame({
        "figure": list(vocab.FIGURE_COLOURS),
        "amount": [figures["target"] or 0, figures["won"] or 0, figures["weighted_pipeline"] or 0, figures["expected"] or 0],
    })
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("figure:N", sort=list(vocab.FIGURE_COLOURS), title=None),
        x=alt.X("amount:Q", title="Amount", axis=alt.Axis(format=MONEY_AXIS)),
        color=alt.Color("figure:N", scale=alt.Scale(domain=list(vocab.FIGURE_COLOURS), range=list(vocab.FIGURE_COLOURS.values())), legend=None),
    ).properties(title="Target, won and expected", width=CHART_WIDTH, height=alt.Step(30))


def trajectory_chart(trajectory: pd.DataFrame) -> alt.Chart:
    """Cumulative won and won + weighted against a straight-line target."""
    long = trajectory.rename(columns={
        "cumulative_won": "Won", "cumulative_expected": "Won + weighted", "target_line": "Target (straight line)",
    }).melt(id_vars="day", var_name="series", value_name="amount")
    long["day"] = pd.to_datetime(long["day"]).dt.strftime("%Y-%m-%d")
    domain = ["Won", "Won + weighted", "Target (straight line)"]
    return alt.Chart(long).mark_line(interpolate="step-after").encode(
        x=alt.X("day:T", title="Close date"),
        y=alt.Y("amount:Q", title="Cumulative amount", axis=alt.Axis(format=MONEY_AXIS)),
        color=alt.Color("series:N", scale=alt.Scale(domain=domain, range=["#2e7d32", "#1976d2", "#9e9e9e"]),
                        title=None, legend=alt.Legend(orient="top")),
    ).properties(title="Cumulative won and expected vs target", width=CHART_WIDTH, height=220)


def pipeline_chart(breakdown: pd.DataFrame) -> alt.Chart:
    """Open pipeline by stage, in stage order."""
    grouped = breakdown.groupby("stage", as_index=False).agg(amount=("amount", "sum"), order=("stage_order", "min"))
    sort = list(grouped.sort_values("order")["stage"])
    return alt.Chart(grouped[["stage", "amount"]]).mark_bar(color="#1976d2").encode(
        y=alt.Y("stage:N", sort=sort, title=None),
        x=alt.X("amount:Q", title="Open pipeline", axis=alt.Axis(format=MONEY_AXIS)),
    ).properties(title="Open pipeline by stage", width=CHART_WIDTH, height=alt.Step(24))


def stakeholder_svg(data: dict, width: int = 720) -> str | None:
    """A still picture of the stakeholder map: rows by reporting level, colour = support, size = influence.

    Reports-to lines are solid grey, informal influence lines dashed purple. Drawn here (not by
    the app's interactive graph) because an export needs a picture without JavaScript.
    """
    people = data["stakeholders"]
    if not people:
        return None
    by_contact = {p["contact_id"]: p for p in people}
    levels: dict[int, int] = {}

    def level(contact_id: int, seen: frozenset = frozenset()) -> int:
        if contact_id not in levels:
            boss = by_contact[contact_id]["reports_to_id"]
            mapped_boss = boss in by_contact and boss not in seen
            levels[contact_id] = level(boss, seen | {contact_id}) + 1 if mapped_boss else 0
        return levels[contact_id]

    rows: dict[int, list[int]] = {}
    for contact_id in by_contact:
        rows.setdefault(level(contact_id), []).append(contact_id)
    row_height, top = 110, 40
    height = top + row_height * len(rows)
    where = {}
    for depth, members in sorted(rows.items()):
        step = width / (len(members) + 1)
        for i, contact_id in enumerate(members, start=1):
            where[contact_id] = (step * i, top + depth * row_height)
    lines = []
    for p in people:
        if p["reports_to_id"] in where:
            (x1, y1), (x2, y2) = where[p["contact_id"]], where[p["reports_to_id"]]
            lines.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="{REPORTS_TO_COLOUR}" stroke-width="1.5"/>')
    for link in data["influence_links"]:
        if link["from_contact_id"] in where and link["to_contact_id"] in where:
            (x1, y1), (x2, y2) = where[link["from_contact_id"]], where[link["to_contact_id"]]
            lines.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="{INFLUENCE_COLOUR}" '
                         'stroke-width="1.5" stroke-dasharray="5,4"/>')
    shapes = []
    for contact_id, (x, y) in where.items():
        p = by_contact[contact_id]
        radius = 6 + 3 * (p["influence"] or 1)
        role = p["buying_role"] or "no role"
        shapes.append(
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{radius}" fill="{support_colour(p["support"])}" stroke="#424242"/>'
            f'<text x="{x:.0f}" y="{y + radius + 13:.0f}" text-anchor="middle" font-size="11">{_svg_text(p["name"], 24)}</text>'
            f'<text x="{x:.0f}" y="{y + radius + 26:.0f}" text-anchor="middle" font-size="10" fill="#616161">{_svg_text(role, 24)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{math.ceil(height)}" '
        f'viewBox="0 0 {width} {math.ceil(height)}" font-family="{FONT}, sans-serif">'
        f'<rect width="100%" height="100%" fill="white"/>{"".join(lines)}{"".join(shapes)}</svg>'
    )


def _svg_text(text: str | None, limit: int) -> str:
    text = text or ""
    return html.escape(text if len(text) <= limit else text[: limit - 1] + "…")
