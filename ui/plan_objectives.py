"""Plan page: objectives with live measures, and actions grouped by objective."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from planning import objectives, users, vocab
from planning.db import Database
from ui.feedback import attempt, show_flash
from ui.tables import table
from ui.text import md


def _highlight_overdue(row: pd.Series) -> list[str]:
    return ["background-color: #ffebee; color: #b71c1c" if row["overdue"] else ""] * len(row)


@st.fragment
def objectives_tab(db: Database, user: dict | None, plan: dict) -> None:
    """Objectives and actions show nowhere else on the Plan page: their saves rerun only this tab (issue #17)."""
    show_flash()
    found = objectives.list_objectives(db, plan["id"])
    people = {u["id"]: u["name"] for u in users.list_users(db)}
    if found.empty:
        st.info("No objectives yet — add the first one below.")
    else:
        table(
            found[["name", "type", "owner", "priority", "status", "outcome", "due_date", "measure_kind",
                   "measure_current", "measure_target", "measure_progress"]],
            {
                "name": "Objective", "measure_kind": "Measure",
                "measure_progress": st.column_config.ProgressColumn("Progress", format="percent", min_value=0, max_value=1),
                "measure_current": st.column_config.NumberColumn("Current", format="%,.0f"),
                "measure_target": st.column_config.NumberColumn("Target", format="%,.0f"),
            },
        )
        _edit_objective_form(db, user, found)
    _new_objective_form(db, user, plan, people)
    st.divider()
    _actions(db, user, plan, found, people)


def _edit_objective_form(db: Database, user: dict | None, found: pd.DataFrame) -> None:
    labels = dict(zip(found["id"].astype(int), found["name"]))
    st.markdown("**Update an objective**")
    # The picker sits outside the form so the status below always shows the chosen objective's own.
    chosen = st.selectbox("Objective", list(labels), format_func=labels.__getitem__, key="edit_objective_id")
    row = found[found["id"] == chosen].iloc[0]
    with st.form("edit_objective"):
        # The version the form was opened with, kept until a save: never re-read on a later run.
        loaded_key = f"objective_loaded_{chosen}"
        version = st.session_state.setdefault(loaded_key, int(row["version"]))
        current = vocab.OBJECTIVE_STATUSES.index(row["status"]) if row["status"] in vocab.OBJECTIVE_STATUSES else 0
        status = st.selectbox("Status", vocab.OBJECTIVE_STATUSES, index=current,
                              key=f"edit_objective_status_{chosen}_{int(row['version'])}")
        outcome = st.text_input("Outcome", key="edit_objective_outcome")
        if st.form_submit_button("Save objective"):
            changes = {"status": status, **({"outcome": outcome} if outcome else {})}
            attempt(lambda: objectives.update_objective(db, user, chosen, version, changes), "Objective saved.",
                    loaded_key=loaded_key, scope="fragment")


def _new_objective_form(db: Database, user: dict | None, plan: dict, people: dict[int, str]) -> None:
    with st.form("new_objective", clear_on_submit=True):
        st.markdown("**New objective**")
        name = st.text_input("Name", key="objective_name")
        left, mid, right = st.columns(3)
        kind = left.text_input("Type", placeholder="Growth, Retention, Relationship…", key="objective_type")
        owner = mid.selectbox("Owner", list(people), format_func=people.__getitem__, key="objective_owner",
                              index=list(people).index(plan["owner_id"]) if plan["owner_id"] in people else 0)
        priority = right.selectbox("Priority", vocab.PRIORITIES, index=1, key="objective_priority")
        due = left.date_input("Due", plan["period_end"], key="objective_due")
        measure = mid.selectbox("Measure", [None, *objectives.MEASURE_KINDS], key="objective_measure",
                                format_func=lambda m: {None: "none", "count": "count of deals", "sum": "Σ amount of deals"}[m])
        target = right.number_input("Measure target", min_value=0.0, key="objective_target")
        stages = left.multiselect("Stages", objectives.stage_names(db), key="objective_stages")
        products = mid.multiselect("Products", list(objectives.product_names(db).values()), key="objective_products")
        types = right.multiselect("Deal types", vocab.OPPORTUNITY_TYPES, key="objective_types")
        if st.form_submit_button("Add objective"):
            fields = dict(name=name, type=kind or None, owner_id=owner, priority=priority, due_date=due,
                          measure_kind=measure, measure_target=target if measure else None,
                          measure_filter=objectives.measure_filter(stages, products, types) if measure else None)
            attempt(lambda: objectives.create_objective(db, user, plan["id"], **fields), f"Objective “{name}” added.", scope="fragment")


def _actions(db: Database, user: dict | None, plan: dict, found: pd.DataFrame, people: dict[int, str]) -> None:
    actions = objectives.list_actions(db, plan["id"], date.today())
    overdue = int(actions["overdue"].fillna(False).sum()) if not actions.empty else 0
    st.markdown(f"**Actions** ({len(actions)}, {overdue} overdue)")
    for objective, group in actions.groupby("objective", sort=False):
        st.markdown(f"*{md(objective)}*")
        shown = group[["title", "owner", "due_date", "status", "overdue"]].reset_index(drop=True)
        table(shown.style.apply(_highlight_overdue, axis=1), {"title": "Action"})
    titles = dict(zip(actions["id"].astype(int), actions["title"])) if not actions.empty else {}
    new, update = st.columns(2)
    with new.form("new_action", clear_on_submit=True):
        st.markdown("**New action**")
        title = st.text_input("Title", key="action_title")
        owner = st.selectbox("Owner", list(people), format_func=people.__getitem__, key="action_owner")
        due = st.date_input("Due", date.today(), key="action_due")
        goals = dict(zip(found["id"].astype(int), found["name"])) if not found.empty else {}
        objective_id = st.selectbox("Objective", [None, *goals], format_func=lambda i: "Unassigned" if i is None else goals[i],
                                    key="action_objective")
        if st.form_submit_button("Add action"):
            attempt(lambda: objectives.create_action(db, user, plan["id"], title=title, owner_id=owner, due_date=due,
                                                   objective_id=objective_id), f"Action “{title}” added.", scope="fragment")
    if titles:
        with update.form("action_status"):
            st.markdown("**Update an action**")
            chosen = st.selectbox("Action", list(titles), format_func=titles.__getitem__, key="action_pick")
            loaded_key = f"action_loaded_{chosen}"  # the version this form opened with, kept until a save
            version = st.session_state.setdefault(loaded_key, int(actions.loc[actions["id"] == chosen, "version"].iloc[0]))
            status = st.selectbox("Status", vocab.ACTION_STATUSES, key="action_status_value")
            if st.form_submit_button("Save action"):
                attempt(lambda: objectives.set_action_status(db, user, chosen, status, version), "Action saved.",
                        loaded_key=loaded_key, scope="fragment")
