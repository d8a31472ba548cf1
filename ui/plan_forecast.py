"""The Plan page's chance of hitting target: a metric beside the KPIs and the revenue distribution."""

from __future__ import annotations

import streamlit as st

from planning import forecast
from planning.formatting import count, money, percent
from ui.charts import draw
from ui.plan_charts import FORECAST_HEIGHT, forecast_chart
from ui.text import md

SOURCE_LABELS = {"calibrated": "Calibrated on this book's closed deals", "crm": "The CRM's probabilities"}


def chance_of_target(found: dict) -> None:
    """Metric, p10/p50/p90 and which probabilities were used; the chart beside them."""
    left, right = st.columns([1, 3])
    source = found["probabilities"]["source"]
    left.metric("Chance of target", percent(found["p_hit_target"]),
                help="P(revenue ≥ target): won so far plus each open deal in the period won with its probability, "
                     "deals independent")
    left.caption(md(  # stage names are the CRM's text
        f"p10 {money(found['p10'], short=True)} · p50 {money(found['p50'], short=True)} · p90 {money(found['p90'], short=True)}"
        f" · {SOURCE_LABELS[source]} on {count(found['open_deals'])} open deals"
        + (f" (history: {_history(found)})" if source == "calibrated" and found["open_deals"] else "")
        + (" · simulated" if found["method"] == "simulated" else " · exact")
    ))
    draw(forecast_chart(found["distribution"], found["target"]), width="stretch", height=FORECAST_HEIGHT, on=right)


def _history(found: dict) -> str:
    """'Negotiation 12, Prospecting 3': closed deals behind each stage's rate (shrunk with K pseudo-deals)."""
    stages: dict[str, int] = {}
    for stage in found["probabilities"]["stages"]:
        stages[stage["stage"]] = stages.get(stage["stage"], 0) + stage["history"]
    shown = ", ".join(f"{name} {count(n)}" for name, n in list(stages.items())[:4])
    return shown + (", …" if len(stages) > 4 else "") + f"; k = {forecast.SHRINKAGE_K}"
