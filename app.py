"""Account Planner: navigation and the shared sidebar. Run with `make run`."""

import streamlit as st

from ui.context import database, render_sidebar

st.set_page_config(page_title="Account Planner", page_icon="🧭", layout="wide")

PAGES = [
    st.Page("pages/portfolio.py", title="Portfolio", icon="📊", default=True),
    st.Page("pages/plan.py", title="Plan", icon="🗂️"),
    st.Page("pages/scorecard.py", title="Scorecard", icon="✅"),
    st.Page("pages/whitespace.py", title="Whitespace", icon="🧩"),
    st.Page("pages/stakeholders.py", title="Stakeholders", icon="🕸️"),
    st.Page("pages/import.py", title="Import", icon="📥"),
    st.Page("pages/admin.py", title="Admin", icon="🛠️"),
]

navigation = st.navigation(PAGES)
render_sidebar(database())
navigation.run()
