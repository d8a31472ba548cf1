"""Template admin: pick a version, edit categories and questions with st.data_editor, set status."""

from __future__ import annotations

import streamlit as st

from planning import scorecard_templates as templates
from planning.db import Database
from planning.errors import PlanningError
from ui.feedback import show_refusal
from ui.tables import editor

OPTIONS_HELP = "choice: 'Label=points; …' · number: 'at least=points; …' · yes/no: 'invert' (a yes scores 0)"


def render(db: Database, user: dict | None) -> None:
    versions = templates.list_templates(db)
    if versions.empty:
        st.info("No scorecard template exists yet.")
        return
    is_admin = user is not None and user["role"] == "admin"
    if not is_admin:
        st.caption("Only admins can change templates; this is a read-only view.")
    labels = {int(r.id): f"{r.name} v{r.version} · {r.status} · {r.plans} plans" for r in versions.itertuples()}
    template_id = st.selectbox("Template version", list(labels), format_func=labels.__getitem__, key="tpl_pick")
    template, categories, questions = templates.template_frames(db, template_id)
    if template["status"] == "Active":
        st.caption("Saving changes to the Active version creates a new version; plans keep the version they were scored with.")
    cats = editor(categories, {"name": "Category", "weight": st.column_config.NumberColumn("Weight", min_value=0)},
                  key=f"tpl_cats_{template_id}", num_rows="dynamic", disabled=not is_admin)
    qs = editor(
        questions, key=f"tpl_qs_{template_id}", num_rows="dynamic", disabled=not is_admin,
        config={
            "category": st.column_config.SelectboxColumn("Category", options=list(cats["name"].dropna())),
            "text": st.column_config.TextColumn("Question", width="large"),
            "type": st.column_config.SelectboxColumn("Type", options=templates.QUESTION_TYPES),
            "weight": st.column_config.NumberColumn("Weight", min_value=0),
            "help_text": "Help text",
            "options": st.column_config.TextColumn("Options", help=OPTIONS_HELP),
        },
    )
    if not is_admin:
        return
    save, activate, archive = st.columns(3)
    try:
        if save.button("Save template", type="primary", key="tpl_save"):
            saved = templates.save_template(db, user, template_id, cats.to_dict("records"), qs.to_dict("records"))
            st.success(f"Saved as template id {saved}." if saved != template_id else "Template saved.")
        if template["status"] != "Active" and activate.button("Activate this version", key="tpl_activate"):
            templates.set_status(db, user, template_id, "Active")
            st.success("Activated: new plans are scored with this version.")
        if template["status"] != "Archived" and archive.button("Archive this version", key="tpl_archive"):
            templates.set_status(db, user, template_id, "Archived")
            st.success("Archived.")
    except PlanningError as exc:
        show_refusal(exc)
