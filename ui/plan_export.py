"""Plan page, Export tab: pick sections (or a preset), download the plan as HTML or PDF; admins save presets."""

from __future__ import annotations

import streamlit as st

from planning import export
from planning.db import Database
from planning.errors import NotFound
from ui.feedback import attempt
from ui.text import md

CUSTOM = "(choose sections below)"


def section_key(name: str) -> str:
    return f"export_section_{name}"


def _apply_preset(presets: dict[str, list[str]]) -> None:
    """Tick exactly the chosen preset's sections (a callback: runs before the checkboxes exist)."""
    chosen = presets.get(st.session_state["export_preset"])
    if chosen is not None:
        for name in export.SECTION_NAMES:
            st.session_state[section_key(name)] = name in chosen


def export_tab(db: Database, user: dict | None, plan: dict) -> None:
    st.caption(
        "A self-contained, print-friendly document for people who never open the app: "
        "the HTML opens in any browser (charts are embedded images), the PDF prints as it is."
    )
    presets = {p["name"]: p["sections"] for p in export.list_presets(db)}
    st.selectbox("Preset", [CUSTOM, *presets], key="export_preset", on_change=_apply_preset, args=(presets,))
    columns = st.columns(3)
    chosen = []
    for i, name in enumerate(export.SECTION_NAMES):
        st.session_state.setdefault(section_key(name), True)
        if columns[i % 3].checkbox(export.SECTIONS[name], key=section_key(name)):
            chosen.append(name)
    if not chosen:
        st.warning("Tick at least one section to export.")
    html_col, pdf_col = st.columns(2)
    # Built on click (a callable), so browsing the plan never pays for chart rendering.
    html_col.download_button(
        "Download HTML", lambda: export.export_plan(db, plan["id"], "html", chosen), export.file_name(plan, "html"),
        "text/html", key="export_html", on_click="ignore", disabled=not chosen, type="primary",
    )
    pdf_col.download_button(
        "Download PDF", lambda: export.export_plan(db, plan["id"], "pdf", chosen), export.file_name(plan, "pdf"),
        "application/pdf", key="export_pdf", on_click="ignore", disabled=not chosen,
    )
    if user and user["role"] == "admin":
        _preset_admin(db, user, chosen)


def _preset_admin(db: Database, user: dict, chosen: list[str]) -> None:
    with st.expander("Save these sections as a preset (admins)"):
        with st.form("export_preset_form"):
            name = st.text_input("Preset name", key="export_preset_name")
            save, delete = st.columns(2)
            if save.form_submit_button("Save preset"):
                attempt(lambda: export.save_preset(db, user, name, chosen), f"Preset “{name.strip()}” saved.")
            if delete.form_submit_button("Delete preset"):
                attempt(lambda: export.delete_preset(db, user, name), f"Preset “{name.strip()}” deleted.")


def follow_account_link(db: Database) -> None:
    """`?account=ID` (without `?plan=`) opens that account's primary, current plan.

    Call before the plan picker renders. A `plan` in the URL wins, so a link naming both, or a
    plan just opened by the page, is never overridden; `sync_account_link` then keeps `account`
    matching the plan shown, so the URL always names both and survives a reload.
    """
    wanted = st.query_params.get("account")
    if not wanted or st.query_params.get("plan"):
        return
    if not wanted.isdigit():
        st.warning(f"“{md(wanted)}” is not an account id; showing the plans of the period instead.")
        st.query_params.pop("account", None)
        return
    try:
        plan_id = export.account_plan_id(db, int(wanted))
    except NotFound as exc:
        st.warning(md(exc))
        st.query_params.pop("account", None)
        return
    st.query_params["plan"] = str(plan_id)  # the plan picker opens the plan the URL names


def sync_account_link(plan: dict) -> None:
    st.query_params["account"] = str(plan["account_id"])
