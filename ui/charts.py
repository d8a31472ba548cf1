"""Drawing an Altair chart: the one place the app hands a chart to Streamlit.

Altair checks every chart against the Vega-Lite JSON schema twice: each part as it is built
("debug mode") and the whole spec in `to_dict()`. Our charts are fixed code over our own data, and
those checks were about a third of the Plan page's server time (issue #17). The app skips them;
the test suite sets PLANNING_VALIDATE_CHARTS=1 (tests/conftest.py), so every chart a page test
draws is still validated.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import altair as alt
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

VALIDATE = os.environ.get("PLANNING_VALIDATE_CHARTS") == "1"
if not VALIDATE:
    alt.utils.schemapi.disable_debug_mode()


Chart = alt.Chart | alt.LayerChart | alt.FacetChart | alt.ConcatChart | alt.HConcatChart | alt.VConcatChart


def draw(chart: Chart, on: DeltaGenerator | None = None, **options: Any) -> None:
    """st.altair_chart(chart, **options) into `on` (a column or container; default the page)."""
    if not VALIDATE:
        # Streamlit calls chart.to_dict(); an attribute of the instance answers before the method.
        object.__setattr__(chart, "to_dict", functools.partial(chart.to_dict, validate=False))
    (on or st).altair_chart(chart, **options)
