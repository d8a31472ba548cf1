"""Import: history of CSV imports into this database."""

import streamlit as st

from planning import ingest
from ui.context import database

db = database()
st.title("Import")
history = ingest.import_history(db)
st.subheader("Import history")
if history.empty:
    st.info("Nothing imported yet.")
else:
    st.dataframe(history, hide_index=True, use_container_width=True)
