"""A reference for the browser benchmark: the floor page inside Streamlit's own multipage shell.

The floor's content (benchmarks/floor_app.py) as the default page of `st.navigation` with six more
pages and a sidebar like the app's (two selectboxes, a divider, two captions), no database. Its
fresh loads, at `/` and at a page's own URL, show what Streamlit's navigation, sidebar and deep-link
start cost before the app draws anything of its own (benchmarks/browser.py prints them as rows).
"""

import runpy
from pathlib import Path

import streamlit as st

FLOOR = Path(__file__).with_name("floor_app.py")


def floor() -> None:
    runpy.run_path(str(FLOOR))


st.set_page_config(page_title="Shell", layout="wide")
pages = [st.Page(floor, title="Portfolio", icon=":material/dashboard:", default=True, url_path="portfolio")]
pages += [st.Page(floor, title=title, icon=":material/description:", url_path=title.lower())
          for title in ("Plan", "Scorecard", "Whitespace", "Stakeholders", "Import", "Admin")]
navigation = st.navigation(pages)
with st.sidebar:
    st.selectbox("Fiscal year", [2025, 2026, 2027], index=1)
    st.selectbox("Acting as", ["Alex Admin", "Riley Rep"])
    st.divider()
    st.caption("**Database** data/planning.duckdb  \n100 accounts · 1,000 opportunities · 23 plans")
    st.caption("No import yet.")
navigation.run()
