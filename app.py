"""Account Planner: navigation and the shared sidebar. Run with `make run`."""

import streamlit as st

from planning.errors import DatabaseBusy, DatabaseDamaged, DatabaseUnreachable, DatabaseUnwritable
from ui.context import app_run, database, render_sidebar
from ui.navigation import PAGES, ROOT
from ui.text import md

st.set_page_config(page_title="Account Planner", page_icon=":material/explore:", layout="wide")

with app_run():
    # Absolute paths: app.py also runs from inside a page run (see ui.context._ensure_app_run).
    navigation = st.navigation(
        [st.Page(ROOT / file, title=title, icon=icon, default=i == 0) for i, (file, title, icon) in enumerate(PAGES)]
    )
    try:
        db = database()
        with db.held():  # one open of the file for the whole run, let go when it ends
            render_sidebar(db)
            navigation.run()
    except DatabaseBusy as exc:
        # The one place for "another process holds the file" (an import from cron, a backup):
        # the app and the CLI share one DuckDB file (docs/design.md), so say so and offer a retry.
        st.warning(f"{md(exc)} Nothing was changed by this page; press Retry in a moment.", icon=":material/hourglass_top:")
        st.button("Retry", key="database_busy_retry", type="primary")
    except (DatabaseDamaged, DatabaseUnwritable, DatabaseUnreachable) as exc:
        st.error(md(exc))  # one sentence, never a traceback: the database itself cannot be used
