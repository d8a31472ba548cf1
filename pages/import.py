"""Import: upload CRM extracts, check the mapping, preview, commit; history and reconciliation."""

import streamlit as st

from planning.importing import ingest, reconciliation
from ui.context import current_user, database
from ui.feedback import show_flash
from ui.import_panel import file_panel
from ui.tables import table
from ui.text import md

db = database()
st.title("Import")
user = current_user()
show_flash()
st.caption(
    "CSV or .xlsx exports in your CRM's own column names (Salesforce API names or report labels, HubSpot, "
    "Pipedrive, Dynamics 365, or plain names); the source is recognised and named in the preview. "
    "Each file is checked whole before anything is written; a file with problems is refused unless you "
    "choose to skip bad rows. Uploads are limited to 200 MB per file (`server.maxUploadSize` in "
    "`.streamlit/config.toml`); import bigger extracts with `planning import KIND FILE` on the server."
)
if user is None:
    # The importer treats no user as the local command-line operator; a visitor is not that.
    st.info("Pick who you are in the sidebar to import files: only ops and admin users can preview and import.")
elif user["role"] not in ("ops", "admin"):
    st.info(f"{md(user['name'])} ({user['role']}) cannot import: only ops and admin users can preview and import files.")

uploads = st.file_uploader("CSV or XLSX exports", type=["csv", "txt", "tsv", "xlsx"], accept_multiple_files=True,
                           key="import_files")
for index, upload in enumerate((uploads or []) if user is not None else []):
    with st.container(border=True):
        st.subheader(md(upload.name))
        file_panel(db, upload, user, index)

st.subheader("Import history")
history = ingest.import_history(db)
if history.empty:
    st.info("Nothing imported yet.")
else:
    table(history, {"file_name": "File", "warnings": "Warnings"})

st.subheader("Reconciliation")
summary = reconciliation.uncounted_summary(db)
doubles = reconciliation.double_counted(db)
if summary.empty:
    st.success("Every opportunity is counted by a plan.")
else:
    st.caption("Opportunities no plan counts (same account, business unit if scoped, close date in the period).")
    table(summary)
    # A toggle, not an expander: an expander's body runs closed too, and the list is a whole-book query.
    if st.toggle("List the opportunities not counted in any plan (first 1,000)", key="import_uncounted"):
        table(reconciliation.uncounted(db), {"external_id": "CRM id"})
if doubles.empty:
    st.caption("No opportunity is counted by two overlapping plans.")
else:
    st.warning(f"{len(doubles):,} opportunities are counted by two or more overlapping plans.")
    table(doubles, {"external_id": "CRM id", "plans": "Plans counting it", "plan_names": "Plans"})
