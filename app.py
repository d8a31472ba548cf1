"""Account Planner: navigation and the shared sidebar. Run with `make run`."""

import streamlit as st

from ui.context import app_run, database, render_sidebar
from ui.navigation import PAGES, ROOT

st.set_page_config(page_title="Account Planner", page_icon="🧭", layout="wide")

with app_run():
    # Absolute paths: app.py also runs from inside a page run (see ui.context._ensure_app_run).
    navigation = st.navigation(
        [st.Page(ROOT / file, title=title, icon=icon, default=i == 0) for i, (file, title, icon) in enumerate(PAGES)]
    )
    render_sidebar(database())
    navigation.run()
