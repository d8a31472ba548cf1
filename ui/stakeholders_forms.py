"""Stakeholder page forms: edit a stakeholder (opened by a graph click), add one, add or edit a contact, link influence."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning import contacts, stakeholders, vocab
from planning.errors import StaleEdit
from ui.feedback import attempt, escape_markdown
from ui.text import md


def _optional(options: list) -> list:
    return [None, *options]


def _blank(value) -> str:
    return "—" if value is None else str(value)


def _index(options: list, value) -> int:
    return options.index(value) if value in options else 0


def _attribute_inputs(prefix: str, row: dict, team: list[dict]) -> dict:
    """The stakeholder attribute widgets, filled from `row`; returns the values entered."""
    roles, levels = _optional(vocab.BUYING_ROLES), _optional(vocab.SUPPORT_LEVELS)
    scale = _optional([1, 2, 3, 4, 5])
    team_ids = _optional([m["id"] for m in team])
    team_names = {m["id"]: f"{m['name']} ({m['role']})" for m in team}
    left, right = st.columns(2)
    values = {
        "buying_role": left.selectbox("Buying role", roles, _index(roles, row.get("buying_role")), format_func=_blank, key=f"{prefix}_role"),
        "support": right.selectbox("Support", levels, _index(levels, row.get("support")), format_func=_blank, key=f"{prefix}_support"),
        "coverage": left.selectbox("Coverage", vocab.COVERAGE_LEVELS, _index(vocab.COVERAGE_LEVELS, row.get("coverage")), key=f"{prefix}_coverage"),
        "covered_by_user_id": right.selectbox(
            "Covered by (team member)", team_ids, _index(team_ids, row.get("covered_by_user_id")),
            format_func=lambda i: "—" if i is None else team_names.get(i, str(i)), key=f"{prefix}_covered_by",
        ),
        "influence": left.selectbox("Influence (1–5)", scale, _index(scale, row.get("influence")), format_func=_blank, key=f"{prefix}_influence"),
        "relationship_strength": right.selectbox(
            "Relationship strength (1–5)", scale, _index(scale, row.get("relationship_strength")), format_func=_blank, key=f"{prefix}_strength",
        ),
        "last_contact_date": left.date_input("Last contact", row.get("last_contact_date"), key=f"{prefix}_last"),
    }
    values["note"] = st.text_area("Note", row.get("note") or "", key=f"{prefix}_note")
    return values


def render_edit_stakeholder(db, user, plan_id: int, data: dict, clicked_contact: int | None) -> None:
    """Pick a stakeholder (a graph click picks for you) and edit their attributes."""
    people = {s["id"]: s for s in data["stakeholders"]}
    if not people:
        return
    by_contact = {s["contact_id"]: s["id"] for s in data["stakeholders"]}
    if clicked_contact is not None and clicked_contact != st.session_state.get("stakeholder_last_click"):
        st.session_state["stakeholder_last_click"] = clicked_contact
        if clicked_contact in by_contact:
            st.session_state["stakeholder_pick"] = by_contact[clicked_contact]
    st.subheader("Edit stakeholder")
    ids = list(people)
    if st.session_state.get("stakeholder_pick") not in people:
        st.session_state.pop("stakeholder_pick", None)
    chosen = st.selectbox(
        "Stakeholder (or click a contact in the graph)", ids, key="stakeholder_pick",
        format_func=lambda i: f"{people[i]['name']} · {people[i]['title'] or 'no title'}",
    )
    row = people[chosen]
    prefix = f"sh{chosen}"
    # The form carries the version it loaded, so a save after someone else's is refused, not lost.
    version = st.session_state.setdefault(f"{prefix}_version", row["version"])
    with st.form(f"edit_stakeholder_{chosen}"):
        values = _attribute_inputs(prefix, row, stakeholders_team(data))
        saved = st.form_submit_button("Save stakeholder")
    stale = f"{prefix}_stale"
    if saved:
        def remember_stale(exc: StaleEdit) -> None:
            st.session_state[stale] = str(exc)

        def saved_message(changed: dict) -> str:
            what = ", ".join(stakeholders.FIELD_LABELS[f] for f in changed) or "nothing changed"
            return f"Saved {row['name']}: {what}."

        attempt(lambda: stakeholders.update_stakeholder(db, user, chosen, version, values), saved_message,
                then=lambda _: st.session_state.pop(f"{prefix}_version", None), on_stale=remember_stale)
    if stale in st.session_state:
        st.error(escape_markdown(st.session_state[stale]))
        if st.button("Reload their version", key=f"{prefix}_reload"):
            # Forget the loaded version and the typed values: the form refills from the database.
            for key in [k for k in st.session_state if str(k).startswith(f"{prefix}_")]:
                del st.session_state[key]
            st.rerun()
    if st.button(f"Remove {md(row['name'])} from this plan", key=f"{prefix}_remove"):
        attempt(lambda: stakeholders.remove_stakeholder(db, user, chosen), f"Removed {row['name']} from the plan.")


def stakeholders_team(data: dict) -> list[dict]:
    """Current team members (those still on the team) as id, name, role."""
    return [{"id": m["user_id"], "name": m["name"], "role": m["role"]} for m in data["team"] if m["role"]]


def render_add_stakeholder(db, user, plan_id: int, data: dict) -> None:
    candidates = stakeholders.unmapped_contacts(db, plan_id)
    if candidates.empty:
        st.info("Every contact of this account is mapped; add a contact first.")
        return
    labels = {int(r.id): f"{r.name} · {r.title or 'no title'}" for r in candidates.itertuples()}
    with st.form("add_stakeholder", clear_on_submit=True):
        contact_id = st.selectbox("Contact", list(labels), format_func=labels.__getitem__, key="add_contact_pick")
        values = _attribute_inputs("add", {"coverage": "Unknown"}, stakeholders_team(data))
        added = st.form_submit_button("Add to the map")
    if added:
        attempt(lambda: stakeholders.add_stakeholder(db, user, plan_id, contact_id, **values), f"Mapped {labels[contact_id]}.")


def render_contact_forms(db, user, plan: dict) -> None:
    """Add a contact to the account, or correct one (title, department, reports-to)."""
    people = contacts.list_contacts(db, plan["account_id"])
    labels = {int(r.id): f"{r.name} · {r.title or 'no title'}" for r in people.itertuples()}
    bosses = _optional(list(labels))
    name_of = lambda i: "— nobody —" if i is None else labels[i]  # noqa: E731
    with st.form("add_contact", clear_on_submit=True):
        left, right = st.columns(2)
        name = left.text_input("Name", key="new_contact_name")
        title = right.text_input("Title", key="new_contact_title")
        department = left.text_input("Department", key="new_contact_department")
        email = right.text_input("Email", key="new_contact_email")
        boss = st.selectbox("Reports to", bosses, format_func=name_of, key="new_contact_boss")
        if st.form_submit_button("Add contact"):
            attempt(lambda: contacts.add_contact(db, user, plan["id"], name, title, department, email, boss),
                 f"Added contact {name.strip()}; map them on the plan with 'Add stakeholder'.")
    if not labels:
        return
    chosen = st.selectbox("Contact to edit", list(labels), format_func=labels.__getitem__, key="edit_contact_pick")
    # The contact as this form opened it (version included), kept until a save or a refusal.
    loaded_key = f"contact_loaded_{chosen}"
    row = st.session_state.setdefault(loaded_key, next(r for r in people.to_dict("records") if int(r["id"]) == chosen))
    others = [None, *[i for i in labels if i != chosen]]
    current_boss = None if pd.isna(row["reports_to_id"]) else int(row["reports_to_id"])
    with st.form(f"edit_contact_{chosen}"):
        left, right = st.columns(2)
        changes = {
            "title": left.text_input("Title", row["title"] or "", key=f"c{chosen}_title"),
            "department": right.text_input("Department", row["department"] or "", key=f"c{chosen}_department"),
            "email": left.text_input("Email", row["email"] or "", key=f"c{chosen}_email"),
            "reports_to_id": right.selectbox("Reports to", others, _index(others, current_boss), format_func=name_of, key=f"c{chosen}_boss"),
        }
        if st.form_submit_button("Save contact"):
            attempt(lambda: contacts.update_contact(db, user, plan["id"], chosen, changes, loaded=row),
                    f"Saved contact {row['name']}.", loaded_key=loaded_key)


def render_influence_form(db, user, plan_id: int, data: dict) -> None:
    people = {s["contact_id"]: s["name"] for s in data["stakeholders"]}
    if len(people) < 2:
        st.info("Map at least two stakeholders to record who influences whom.")
        return
    with st.form("add_influence", clear_on_submit=True):
        left, right = st.columns(2)
        source = left.selectbox("Who influences", list(people), format_func=people.__getitem__, key="influence_from")
        target = right.selectbox("whom", list(people), index=1, format_func=people.__getitem__, key="influence_to")
        note = st.text_input("Note (e.g. trusted advisor on budget)", key="influence_note")
        if st.form_submit_button("Add influence link"):
            attempt(lambda: stakeholders.add_influence_link(db, user, plan_id, source, target, note),
                 f"Recorded: {people[source]} influences {people[target]}.")
