"""Admin: users and roles, the audit log, and the database (schema version, backups)."""

import pandas as pd
import streamlit as st

from planning import admin, users
from ui.admin import add_user_form, edit_user_form
from ui.context import current_user, database
from ui.tables import table
from ui.text import md

db = database()
st.title("Admin")
me = current_user()
# Only the open tab runs (issue #17); ?admin_tab=Audit%20log opens that one.
users_tab, audit_tab, database_tab = st.tabs(["Users", "Audit log", "Database"], key="admin_tab", bind="query-params")

if users_tab.open:
    with users_tab:
        people = users.all_users(db)
        table(people)
        if me is None or me["role"] != "admin":
            st.info("Only admins can add or change users; this list is read-only for you.")
        else:
            left, right = st.columns(2)
            with left:
                add_user_form(db, me)
            with right:
                names = dict(zip(people["id"].tolist(), people["name"].tolist()))
                chosen = st.selectbox("User to edit", list(names), format_func=names.__getitem__, key="admin_edit_user")
                if chosen is not None:
                    edit_user_form(db, me, int(chosen))

if audit_tab.open:
    with audit_tab:
        everyone = {u["id"]: u["name"] for u in users.list_users(db)}
        entity_col, user_col, since_col, until_col = st.columns(4)
        entity = entity_col.selectbox("Entity", [None, *admin.audit_entities(db)], key="audit_entity",
                                      format_func=lambda e: "All entities" if e is None else e)
        user_id = user_col.selectbox("Changed by", [None, *everyone], key="audit_user",
                                     format_func=lambda i: "Everyone" if i is None else everyone[i])
        since = since_col.date_input("From", value=None, key="audit_since")
        until = until_col.date_input("To", value=None, key="audit_until")
        log = admin.audit_log(db, entity, user_id, since, until)
        if log.empty:
            st.info("No changes match these filters.")
        else:
            st.caption(f"{len(log):,} changes, newest first.")
            table(log, {"entity_id": "Record", "old_value": "Old value", "new_value": "New value", "import_batch_id": "Import batch"})
            st.download_button("Download CSV", log.to_csv(index=False).encode("utf-8"), "audit-log.csv", "text/csv")

if database_tab.open:
    with database_tab:
        panel = admin.database_panel(db)
        st.metric("Schema version", panel["schema_version"])
        st.caption(f"{md(panel['path'])} · {panel['megabytes']:,} MB")
        if panel["backend"] == "postgres":
            st.info("PostgreSQL database: no automatic copies are taken before migrations; "
                    "the operator's PostgreSQL backups (for example pg_dump) apply.")
        else:
            st.markdown("**Automatic backups** (taken before each migration of an existing database)")
            if panel["backups"]:
                table(pd.DataFrame(panel["backups"]))
            else:
                st.info("No automatic backup yet: one is taken the first time a migration upgrades this file.")
        st.caption("Back up by hand with `planning backup DIR`; put a backup back with `planning restore DIR`.")
