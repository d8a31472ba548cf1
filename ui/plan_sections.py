"""Plan page tabs: figures, opportunities, strategy, team, initiatives, discussion, changes, history."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from planning import (
    audit,
    kpis,
    objectives,
    plan_content,
    plans,
    scorecards,
    stakeholders,
    users,
    vocab,
    whitespace,
)
from planning.db import Database
from planning.formatting import money
from ui.charts import draw
from ui.downloads import download_buttons
from ui.feedback import attempt, show_flash
from ui.plan_charts import (
    TRAJECTORY_HEIGHT,
    TREND_HEIGHT,
    pipeline_chart,
    snapshot_chart,
    target_chart,
    trajectory_chart,
)
from ui.tables import Config, table
from ui.text import md


def loaded_plan(plan: dict) -> tuple[dict, str]:
    """The plan as this session's forms opened it (kept until a save), and its state key.

    Re-reading the plan on every run would hand a save the latest version, so a concurrent
    change would be overwritten instead of refused (docs/design.md, Versioned saves).
    """
    key = f"plan_loaded_{plan['id']}"
    if key not in st.session_state:
        st.session_state[key] = plan
    return st.session_state[key], key


def figures_tab(db: Database, plan: dict, figures: dict) -> None:
    draw(target_chart(figures), width="stretch")
    draw(trajectory_chart(kpis.plan_trajectory(db, plan["id"])), width="stretch", height=TRAJECTORY_HEIGHT)
    breakdown = kpis.pipeline_breakdown(db, plan["id"])
    if breakdown.empty:
        st.info("No open pipeline in this period.")
    else:
        by_stage, by_product = st.columns(2)
        draw(pipeline_chart(breakdown, "stage"), width="stretch", on=by_stage)
        draw(pipeline_chart(breakdown, "product"), width="stretch", on=by_product)
    trend = kpis.snapshots(db, plan["id"])
    if len(trend) > 1:
        draw(snapshot_chart(trend), width="stretch", height=TREND_HEIGHT)
    else:
        st.caption("The expected-vs-target trend appears once the figures have changed on two days.")


def opportunities_tab(db: Database, plan: dict) -> None:
    deals = plans.plan_opportunities(db, plan["id"])
    if deals.empty:
        st.info("No opportunities of this account close in the plan period.")
        return
    status_col, stage_col, product_col, search_col = st.columns(4)
    status = status_col.multiselect("Status", ["Won", "Lost", "Open"], key="opp_status")
    stage = stage_col.multiselect("Stage", sorted(deals["stage"].dropna().unique()), key="opp_stage")
    product = product_col.multiselect("Product", sorted(deals["product"].dropna().unique()), key="opp_product")
    search = search_col.text_input("Name contains", key="opp_search")
    keep = pd.Series(True, index=deals.index)
    for column, chosen in (("status", status), ("stage", stage), ("product", product)):
        if chosen:
            keep &= deals[column].isin(chosen)
    if search:
        keep &= deals["name"].fillna("").str.contains(search, case=False, regex=False)
    shown = deals[keep]
    st.caption(f"{len(shown)} of {len(deals)} opportunities · {money(shown['amount'].sum(), short=True)}")
    table(shown, {"external_id": "CRM id", "name": "Opportunity"})
    download_buttons(shown, f"plan-{plan['id']}-opportunities", "opportunities_download")


def plan_fields_form(db: Database, user: dict | None, plan: dict) -> None:
    """Name, status, owner, target and period, saved with optimistic locking."""
    plan, loaded_key = loaded_plan(plan)
    people = users.list_users(db)
    ids = [u["id"] for u in people]
    with st.form("plan_fields"):
        name = st.text_input("Name", plan["name"])
        left, right = st.columns(2)
        status = left.selectbox("Status", vocab.PLAN_STATUSES, index=vocab.PLAN_STATUSES.index(plan["status"]))
        owner = right.selectbox("Owner", ids, index=ids.index(plan["owner_id"]) if plan["owner_id"] in ids else 0,
                                format_func={u["id"]: u["name"] for u in people}.__getitem__)
        target = left.number_input("Sales target", min_value=0.0, value=float(plan["sales_target"]), step=10_000.0, format="%.0f",
                                   help="In dollars.")
        left.caption(f"Saved target: {money(plan['sales_target'], short=True)} ({money(plan['sales_target'])})")
        start = right.date_input("Period start", plan["period_start"])
        end = right.date_input("Period end", plan["period_end"])
        if st.form_submit_button("Save plan"):
            changes = {"name": name, "status": status, "owner_id": owner, "sales_target": target, "period_start": start, "period_end": end}
            attempt(lambda: plans.update_plan(db, user, plan["id"], changes, loaded=plan), "Plan saved.", loaded_key=loaded_key)


def strategy_tab(db: Database, user: dict | None, plan: dict) -> None:
    """Vision, strategy, SWOT (the customer's point of view), goals, support, short-term plan, relationship."""
    plan, loaded_key = loaded_plan(plan)
    relationships = [None, *vocab.RELATIONSHIP_STATUSES]
    with st.form("strategy"):
        values = {"vision": st.text_area("Vision", plan["vision"] or ""), "strategy": st.text_area("Strategy", plan["strategy"] or "")}
        st.markdown("**SWOT — from the customer's point of view**")
        left, right = st.columns(2)
        values["strengths"] = left.text_area("Strengths", plan["strengths"] or "")
        values["weaknesses"] = right.text_area("Weaknesses", plan["weaknesses"] or "")
        values["opportunities"] = left.text_area("Opportunities", plan["opportunities"] or "")
        values["threats"] = right.text_area("Threats", plan["threats"] or "")
        values["goals"] = st.text_area("Goals", plan["goals"] or "")
        values["support_required"] = st.text_area("Support required", plan["support_required"] or "")
        values["short_term_plan"] = st.text_area("Short-term plan", plan["short_term_plan"] or "")
        values["relationship_current"] = left.selectbox("Relationship today", relationships, relationships.index(plan["relationship_current"]),
                                                        format_func=lambda v: v or "—")
        values["relationship_desired"] = right.selectbox("Relationship desired", relationships, relationships.index(plan["relationship_desired"]),
                                                         format_func=lambda v: v or "—")
        if st.form_submit_button("Save strategy"):
            changes = {k: (v or None) for k, v in values.items()}
            attempt(lambda: plans.update_plan(db, user, plan["id"], changes, loaded=plan), "Strategy saved.", loaded_key=loaded_key)


def team_tab(db: Database, user: dict | None, plan: dict) -> None:
    team = plan_content.list_team(db, plan["id"])
    table(team[["name", "role"]])
    people = users.list_users(db)
    names = {u["id"]: u["name"] for u in people}
    with st.form("team"):
        who = st.selectbox("Person", list(names), format_func=names.__getitem__)
        role = st.selectbox("Role", vocab.TEAM_ROLES)
        add, remove = st.columns(2)
        if add.form_submit_button("Add or change role"):
            attempt(lambda: plan_content.set_team_member(db, user, plan["id"], who, role), f"{names[who]} is on the team as {role}.")
        if remove.form_submit_button("Remove from team"):
            attempt(lambda: plan_content.remove_team_member(db, user, plan["id"], who), f"{names[who]} left the team.")


def initiatives_tab(db: Database, user: dict | None, plan: dict) -> None:
    found = plan_content.list_initiatives(db, plan["id"])
    if found.empty:
        st.info("No initiatives yet — note a potential deal before it becomes an opportunity.")
    else:
        table(found, {"name": "Initiative"})
    products = objectives.product_names(db)
    units = plans.business_units(db, plan["account_id"])
    with st.form("initiative"):
        name = st.text_input("Initiative")
        left, right = st.columns(2)
        product = left.selectbox("Product", [None, *products], format_func=lambda p: "—" if p is None else products[p])
        unit = right.selectbox("Business unit", [None, *units["id"].astype(int)],
                               format_func=lambda u: "—" if u is None else dict(zip(units["id"], units["name"]))[u])
        value = left.number_input("Estimated value", min_value=0.0, step=10_000.0)
        timing = right.text_input("Timing", placeholder="Q2 2027")
        buyer = left.text_input("Likely buyer")
        trigger = right.text_input("Trigger")
        if st.form_submit_button("Add initiative"):
            fields = dict(name=name, product_id=product, business_unit_id=unit, estimated_value=value or None,
                          timing=timing or None, likely_buyer=buyer or None, trigger_event=trigger or None)
            attempt(lambda: plan_content.add_initiative(db, user, plan["id"], **fields), "Initiative added.")


@st.fragment
def discussion_tab(db: Database, user: dict | None, plan: dict) -> None:
    """The thread and its form: a post changes nothing else on the page, so it reruns only this (issue #17)."""
    show_flash()
    thread = plan_content.list_comments(db, plan["id"])
    with st.form("comment", clear_on_submit=True):
        body = st.text_area("Comment or file description")
        url = st.text_input("File link (optional)", placeholder="https://…")
        if st.form_submit_button("Post"):
            attempt(lambda: plan_content.add_comment(db, user, plan["id"], body, url or None), "Posted.", scope="fragment")
    for row in thread.itertuples():
        with st.container(border=True):
            st.caption(f"{md(row.author or 'unknown')} · {row.created_at:%d %b %Y %H:%M}")
            if row.kind == "file":
                st.link_button(md(row.body or row.url), row.url, icon=":material/attach_file:")
            else:
                st.text(row.body)


def changes_tab(db: Database, plan: dict, figures: dict, parent: dict | None) -> None:
    """What changed since the parent plan, read as a diff: KPIs, objectives and, where merged, the other sections."""
    if not parent:
        st.info("This plan has no parent plan to compare with.")
        return
    st.markdown("**KPIs** — ▲ up, ▼ down against the parent plan")
    table(pd.DataFrame(kpis.kpi_diff(figures, parent)))
    st.markdown("**Objectives**")
    table(objectives.objective_changes(db, plan["id"], plan["parent_plan_id"]), {"parent_status": "In the parent plan",
                                                                               "status": "In this plan"})
    sides = {plan["parent_plan_id"]: "Parent", plan["id"]: "This plan"}
    sections: list[tuple[Callable[[Database, list[int]], pd.DataFrame], str, Config]] = [
        (scorecards.plan_scores, "Scorecard", {"completion": st.column_config.NumberColumn("Answered", format="%.0f%%")}),
        (whitespace.whitespace_totals, "Whitespace", {}),
        (stakeholders.coverage_summary, "Stakeholders", {"coverage_label": "Coverage"}),
    ]
    for compare, label, config in sections:
        st.markdown(f"**{label}**")
        found = compare(db, list(sides))
        table(found.assign(plan=found["plan_id"].map(sides))[["plan", *found.columns]], config)


def history_tab(db: Database, plan: dict) -> None:
    history = audit.plan_history(db, plan["id"])
    if history.empty:
        st.info("No recorded changes yet.")
    else:
        st.caption(f"{len(history):,} changes to this plan and everything in it, newest first.")
        table(history, {"changed_at": "When", "user": "Who", "old_value": "Was", "new_value": "Now"})
