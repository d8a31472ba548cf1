"""Plan page: the new-plan form, the header with its follow-up chain, lifecycle actions, KPI row."""

from __future__ import annotations

from datetime import date

import streamlit as st

from planning import kpis, plans, users, vocab
from planning.db import Database
from planning.formatting import days, money, multiple, percent, points
from ui.downloads import download_buttons
from ui.feedback import attempt, escape_markdown
from ui.text import md
from ui.widgets import lazy_expander


def open_plan(plan_id: int | None) -> None:
    """Make the plan picker open `plan_id` (None: the first plan) on the next run."""
    st.session_state["plan_next"] = plan_id or 0


def apply_pending_open() -> None:
    """Call before the plan picker renders: a widget's value can only be set before it exists."""
    if "plan_next" not in st.session_state:
        return
    plan_id = st.session_state.pop("plan_next")
    if plan_id:
        st.query_params["plan"] = str(plan_id)
        st.session_state["plan_picker"] = plan_id
    else:
        st.query_params.pop("plan", None)
        st.session_state.pop("plan_picker", None)


PREFILL_PARAM = "new_plan_account"


def _prefill_account(names: dict[int, str]) -> bool:
    """`?new_plan_account=ID` (the Portfolio's "create plan" link) opens the form on that account.

    The account is chosen once per link, so the person can still pick another one afterwards.
    """
    wanted = st.query_params.get(PREFILL_PARAM)
    if not (wanted and wanted.isdigit() and int(wanted) in names):
        return False
    if st.session_state.get("new_plan_prefilled") != wanted:
        st.session_state["new_plan_prefilled"] = wanted
        st.session_state["new_account"] = int(wanted)
    return True


def new_plan_form(db: Database, user: dict | None) -> None:
    """Create a plan: account, period (quarter, half, year or custom), scope, owner, target."""
    accounts = plans.accounts(db)
    names = dict(zip(accounts["id"].astype(int), accounts["name"]))
    box = lazy_expander("New plan", "new_plan_open", icon=":material/add:", expanded=_prefill_account(names))
    if box is None:
        return
    with box:
        if accounts.empty:
            st.info("No accounts yet — import accounts first.")
            return
        account_id = st.selectbox("Account", list(names), format_func=names.__getitem__, key="new_account")
        kind = st.radio("Period", vocab.PERIOD_KINDS, index=2, horizontal=True, key="new_kind")
        units = plans.business_units(db, account_id)
        people = users.list_users(db)
        with st.form("new_plan"):
            year = st.number_input("Year", 2000, 2100, date.today().year, key="new_year")
            if kind in ("quarter", "half"):
                number = st.selectbox(kind.capitalize(), range(1, 5 if kind == "quarter" else 3), key="new_number")
            if kind == "custom":
                start = st.date_input("Start", date(date.today().year, 1, 1), key="new_start")
                end = st.date_input("End", date(date.today().year, 12, 31), key="new_end")
            target = st.number_input("Sales target", min_value=0.0, value=0.0, step=10_000.0, format="%.0f", key="new_target", help="In dollars.")
            name = st.text_input("Name (blank: account and period)", key="new_name")
            unit = st.selectbox("Business unit", [None, *units["id"].astype(int)], key="new_unit",
                                format_func=lambda i: "Whole account" if i is None else dict(zip(units["id"], units["name"]))[i])
            owner_ids = [u["id"] for u in people]
            owner = st.selectbox("Owner", owner_ids, key="new_owner", format_func={u["id"]: u["name"] for u in people}.__getitem__,
                                 index=owner_ids.index(user["id"]) if user and user["id"] in owner_ids else 0)
            status = st.selectbox("Status", vocab.PLAN_STATUSES, key="new_status")
            primary = st.checkbox("Primary plan of the account", key="new_primary")
            if not st.form_submit_button("Create plan"):
                return

        def create() -> int:
            bounds = (start, end) if kind == "custom" else plans.period_bounds(kind, int(year), int(number) if kind != "year" else 1)
            return plans.create_plan(
                db, user, account_id=account_id, period_start=bounds[0], period_end=bounds[1], sales_target=target,
                name=name or None, business_unit_id=unit, owner_id=owner, status=status, is_primary=primary,
            )

        def opened(plan_id: int) -> None:
            st.query_params.pop(PREFILL_PARAM, None)
            open_plan(plan_id)

        attempt(create, lambda plan_id: f"Plan “{plans.get_plan(db, plan_id)['name']}” created.", then=opened)


def header(db: Database, plan: dict) -> None:
    """Account, period, owner, status, primary badge and the chain parent ← this → children."""
    st.subheader(md(plan["name"]))
    badges = [f":blue-badge[{md(plan['status'])}]"] + ([":green-badge[Primary]"] if plan["is_primary"] else [])
    scope = f" · {md(plan['business_unit'])}" if plan["business_unit"] else ""
    st.markdown(
        f"{' '.join(badges)} **{md(plan['account'])}**{scope} · {plans.period_label(plan['period_start'], plan['period_end'])}"
        f" ({plan['period_start']:%d %b %Y} – {plan['period_end']:%d %b %Y}) · owner {md(plan['owner'] or '—')}"
    )
    health = plans.plan_health(db, plan["id"])
    score = (
        f":{vocab.BAND_BADGES[health['band']]}-badge[Scorecard {health['score']:.0f} · {health['band']}]"
        if health["band"] else ":gray-badge[Scorecard not scored]"
    )
    coverage = f":{vocab.COVERAGE_BADGES[health['coverage_status']]}-badge[Coverage {health['coverage_status']}/3]"
    alerts = f" · {health['alert_count']} relationship alert{'s' if health['alert_count'] != 1 else ''}" if health["alert_count"] else ""
    st.markdown(f"{score} {coverage}{alerts} · whitespace {money(health['whitespace_value'], short=True)}")
    chain = plans.plan_chain(db, plan["id"])
    if chain["parent"] or chain["children"]:
        parent = f"[{md(chain['parent']['name'])}](?plan={chain['parent']['id']}) ← " if chain["parent"] else ""
        children = " → " + ", ".join(f"[{md(c['name'])}](?plan={c['id']})" for c in chain["children"]) if chain["children"] else ""
        st.markdown(f"Follow-up chain: {parent}**this plan**{children}")


def kpi_row(figures: dict, parent: dict | None) -> None:
    """The headline KPIs as metrics, with the change against the parent plan."""
    deltas = kpis.kpi_deltas(figures, parent)
    def short(value: float | None) -> str:
        return money(value, short=True)

    # (label, figure, how the figure reads, how its change reads)
    shown = [
        ("Target", "target", short, short), ("Won", "won", short, short),
        ("Weighted pipeline", "weighted_pipeline", short, short), ("Expected", "expected", short, short),
        ("Variance", "variance", short, short), ("% achieved", "pct_achieved", percent, points),
        ("Coverage", "coverage", multiple, lambda d: f"{d:+.2f}"), ("Win rate", "win_rate_value", percent, points),
    ]
    columns = [*st.columns(4), *st.columns(4)]  # two rows: money needs room to read
    for column, (label, key, fmt, change) in zip(columns, shown):
        delta = deltas[key]
        shown_delta = None if delta is None else change(delta)
        column.metric(label, fmt(figures[key]), shown_delta, help="Change against the parent plan" if parent else None)
    cycle = days(figures["avg_cycle_days"])
    st.caption(
        f"Lost {short(figures['lost'])} · pipeline {short(figures['pipeline'])} · "
        f"{figures['won_count']} won, {figures['lost_count']} lost, {figures['open_count']} open · "
        f"win rate by count {percent(figures['win_rate_count'])} · expected {percent(figures['expected_pct'])} of target · "
        f"average cycle {cycle}"
    )


def lifecycle_actions(db: Database, user: dict | None, plan: dict) -> None:
    """Follow-up, clone, make primary, move and delete, each refusing with the rule's sentence."""
    box = lazy_expander("Plan actions: follow-up, clone, primary, move, delete", "plan_actions_open")
    if box is None:
        return
    with box:
        follow, clone, other = st.columns(3)
        with follow.form("follow_up"):
            st.markdown("**Follow-up for the next period**")
            carry = st.multiselect("Carry forward", list(plans.CARRY_SECTIONS), default=sorted(plans.DEFAULT_CARRY),
                                   format_func=lambda s: plans.CARRY_SECTIONS[s][0], key="carry")
            if st.form_submit_button("Create follow-up"):
                attempt(lambda: plans.follow_up(db, user, plan["id"], carry=carry), "Follow-up created.", then=open_plan)
        with clone.form("clone"):
            st.markdown("**Clone** (independent copy, no actions)")
            name = st.text_input("Name of the copy", f"{plan['name']} (copy)", key="clone_name")
            if st.form_submit_button("Clone plan"):
                attempt(lambda: plans.clone_plan(db, user, plan["id"], name=name), "Plan cloned.", then=open_plan)
        with other:
            if not plan["is_primary"] and st.button("Make primary", key="make_primary"):
                attempt(lambda: plans.set_primary(db, user, plan["id"]), "This is now the account's primary plan.", then=_reopen_forms)
            accounts = plans.accounts(db)
            names = dict(zip(accounts["id"].astype(int), accounts["name"]))
            target = st.selectbox("Move to account", list(names), format_func=names.__getitem__, key="move_to")
            if st.button("Move plan", key="move"):
                attempt(lambda: plans.move_plan(db, user, plan["id"], target), f"Plan moved to {names[target]}.", then=_reopen_forms)
            sure = st.checkbox("Yes, delete this plan and everything in it", key="delete_sure")
            if st.button("Delete plan", key="delete", disabled=not sure):
                attempt(lambda: plans.delete_plan(db, user, plan["id"]), f"Plan “{plan['name']}” deleted.",
                        then=lambda _: open_plan(None))


def plan_list(db: Database, start: date, end: date, label: str) -> None:
    """Every plan of the period with its headline figures, each a link that opens it."""
    listed = plans.list_plans(db, start, end)
    box = lazy_expander(f"Plans in {label} ({len(listed)})", "plan_list_open")
    if box is None:
        return
    with box:
        if listed.empty:
            st.info(f"No plans cover {label} yet — create one above.")
            return
        frame = kpis.plan_kpis(db, listed["id"])
        figures = {r["plan_id"]: r for r in kpis.records(frame)}
        lines = ["| Plan | Account | Owner | Target | Expected | % achieved |", "|---|---|---|---:|---:|---:|"]
        for row in listed.itertuples():
            f = figures[int(row.id)]
            lines.append(
                f"| [{escape_markdown(row.name)}](?plan={int(row.id)}) | {escape_markdown(row.account)} | {escape_markdown(row.owner or '—')} | "
                f"{money(f['target'], short=True)} | {money(f['expected'], short=True)} | {percent(f['pct_achieved'])} |"
            )
        st.markdown("\n".join(lines))
        download_buttons(listed.merge(frame, left_on="id", right_on="plan_id").drop(columns=["plan_id"]),
                         f"plans-{label}", "plans_download")


def _reopen_forms(_result: object = None) -> None:
    """Our own lifecycle change moved the plan's version on: the edit forms reopen on the stored plan."""
    for key in [k for k in st.session_state if str(k).startswith("plan_loaded_")]:
        del st.session_state[key]
