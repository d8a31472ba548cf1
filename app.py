"""Account Planner: navigation and the shared sidebar. Run with `make run`."""

from pathlib import Path

import streamlit as st

from ui.context import app_run, database, render_sidebar

st.set_page_config(page_title="Account Planner", page_icon="🧭", layout="wide")

# Absolute paths: app.py also runs from inside a page run (see ui.context._ensure_app_run).
HERE = Path(__file__).resolve().parent

PAGES = [
    st.Page(HERE / "pages/portfolio.py", title="Portfolio", icon="📊", default=True),
    st.Page(HERE / "pages/plan.py", title="Plan", icon="🗂️"),
    st.Page(HERE / "pages/scorecard.py", title="Scorecard", icon="✅"),
    st.Page(HERE / "pages/whitespace.py", title="Whitespace", icon="🧩"),
    st.Page(HERE / "pages/stakeholders.py", title="Stakeholders", icon="🕸️"),
    st.Page(HERE / "pages/import.py", title="Import", icon="📥"),
    st.Page(HERE / "pages/admin.py", title="Admin", icon="🛠️"),
]

with app_run():
    navigation = st.navigation(PAGES)
    render_sidebar(database())
    navigation.run()
