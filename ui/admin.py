"""The admin page's forms: add a user, edit one (carrying the version it loaded)."""

from __future__ import annotations

import streamlit as st

from planning import users
from planning.db import Database
from planning.errors import StaleEdit
from planning.vocab import USER_ROLES
from ui.feedback import attempt, show_refusal
from ui.text import md


def _manager_choice(label: str, people: list[dict], current: int | None, key: str) -> int | None:
    ids = [None] + [p["id"] for p in people]
    names = {p["id"]: p["name"] for p in people}
    return st.selectbox(
        label, ids, index=ids.index(current) if current in ids else 0, key=key,
        format_func=lambda i: "— no manager —" if i is None else names[i],
    )


def add_user_form(db: Database, me: dict) -> None:
    people = users.list_users(db)
    with st.form("add_user", clear_on_submit=True):
        st.markdown("**Add a user**")
        name = st.text_input("Name", key="add_name")
        email = st.text_input("Email", key="add_email", help="People who sign in are matched by this email.")
        role = st.selectbox("Role", USER_ROLES, index=USER_ROLES.index("rep"), key="add_role")
        manager_id = _manager_choice("Manager", people, None, "add_manager")
        region = st.text_input("Region", key="add_region")
        if st.form_submit_button("Add user"):
            attempt(lambda: users.create_user(db, me, name, email, role, manager_id, region),
                    f"Added {name.strip()} as {role}.", rerun=False)


def edit_user_form(db: Database, me: dict, user_id: int) -> None:
    # The form keeps the record it was opened with, so a save against a newer version is refused.
    state_key = f"admin_loaded_user_{user_id}"
    if state_key not in st.session_state:
        st.session_state[state_key] = users.user_record(db, user_id)
    loaded = st.session_state[state_key]
    people = [p for p in users.list_users(db) if p["id"] != user_id]
    with st.form(f"edit_user_{user_id}"):
        st.markdown(f"**Edit {md(loaded['name'])}** (version {loaded['version']})")
        name = st.text_input("Name", loaded["name"], key=f"edit_name_{user_id}")
        email = st.text_input("Email", loaded["email"] or "", key=f"edit_email_{user_id}")
        role = st.selectbox("Role", USER_ROLES, index=USER_ROLES.index(loaded["role"]), key=f"edit_role_{user_id}")
        manager_id = _manager_choice("Manager", people, loaded["manager_id"], f"edit_manager_{user_id}")
        region = st.text_input("Region", loaded["region"] or "", key=f"edit_region_{user_id}")
        active = st.checkbox("Active (may use the app)", loaded["is_active"], key=f"edit_active_{user_id}")
        if st.form_submit_button("Save user"):
            def forget_loaded(exc: StaleEdit) -> None:
                del st.session_state[state_key]
                show_refusal(exc)

            attempt(
                lambda: users.update_user(db, me, loaded, name=name, email=email, role=role, manager_id=manager_id,
                                          region=region, is_active=active),
                lambda saved: f"Saved {saved['name']}.", then=lambda saved: st.session_state.__setitem__(state_key, saved),
                on_stale=forget_loaded, rerun=False,
            )
