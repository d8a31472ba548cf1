"""The floor for the browser benchmark: the least a Streamlit page of this kind can cost.

Title, four metrics, an Altair bar chart, a table and URL-bound tabs, on the same Streamlit and
browser as the project; benchmarks/browser.py loads both in one run and prints them side by side.
"""

import altair as alt
import pandas as pd
import streamlit as st

st.title("Floor")
cols = st.columns(4)
for i, col in enumerate(cols):
    col.metric(f"Metric {i}", f"{i * 1000:,}")
frame = pd.DataFrame({"stage": [f"Stage {i}" for i in range(8)], "amount": [i * 1000 for i in range(8)]})
tabs = st.tabs(["Chart", "Table"], key="tab", bind="query-params")
if tabs[0].open:
    with tabs[0]:
        st.altair_chart(alt.Chart(frame).mark_bar().encode(x="stage", y="amount"))
if tabs[1].open:
    with tabs[1]:
        st.dataframe(frame)
