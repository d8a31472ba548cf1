"""Account plans: reading, creating and the lifecycle rules users know from ClosePlan.

Rules:
- an account has many plans and exactly one primary (setting one unsets the other, atomically;
  an account's first plan is its primary);
- a follow-up is a copy for the next period nested under its parent; the caller picks which
  sections carry forward (CARRY_SECTIONS; file links off by default);
- a clone is an independent copy (not nested) and never copies actions;
- only a standalone plan or the last plan of a chain can be moved to another account or deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd

from planning import (
    access,
    audit,
    kpis,
    objectives,
    plan_content,
    scorecards,
    stakeholders,
    vocab,
    whitespace,
)
from planning.db import Database, cached_read, fetch_dicts
from planning.errors import InvalidInput, NotFound, PlanLocked, StaleEdit

PLAN_LIST_SQL = """
SELECT p.id, p.name, a.name AS account, a.id AS account_id, p.period_start, p.period_end,
       p.status, p.is_primary, u.name AS owner, bu.name AS business_unit,
       p.sales_target, p.parent_plan_id, p.last_reviewed_at
FROM plan p
JOIN account a ON a.id = p.account_id
LEFT JOIN app_user u ON u.id = p.owner_id
LEFT JOIN business_unit bu ON bu.id = p.business_unit_id
WHERE (CAST(? AS DATE) IS NULL OR p.period_end >= ?)
  AND (CAST(? AS DATE) IS NULL OR p.period_start <= ?)
ORDER BY a.name, p.period_start DESC, p.id
"""


def list_plans(db: Database, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Plans (with account and owner names) whose period overlaps [start, end], if given."""
    return db.df(PLAN_LIST_SQL, [start, start, end, end])


def get_plan(db: Database, plan_id: int) -> dict:
    """One plan with its account and owner names; NotFound when the id is unknown."""
    plan = db.one(
        "SELECT p.*, a.name AS account, u.name AS owner, bu.name AS business_unit"
        " FROM plan p JOIN account a ON a.id = p.account_id"
        " LEFT JOIN app_user u ON u.id = p.owner_id"
        " LEFT JOIN business_unit bu ON bu.id = p.business_unit_id WHERE p.id = ?",
        [plan_id],
    )
    if plan is None:
        raise NotFound(f"There is no plan with id {plan_id}.")
    return plan


def plan_opportunities(db: Database, plan_id: int) -> pd.DataFrame:
    """Opportunities behind a plan's figures (kpis.MEMBERSHIP_SQL), with status Won/Lost/Open."""
    return db.df(
        f"""
        WITH members AS ({kpis.MEMBERSHIP_SQL})
        SELECT o.id, o.external_id, o.name,
               CASE WHEN m.is_won THEN 'Won' WHEN m.is_closed THEN 'Lost' ELSE 'Open' END AS status,
               o.stage, CAST(o.amount AS DOUBLE) AS amount, m.probability,
               CASE WHEN NOT m.is_closed THEN CAST(m.amount AS DOUBLE) * m.probability END AS weighted,
               o.close_date, o.created_date, pr.name AS product, bu.name AS business_unit, o.type, u.name AS owner
        FROM members m JOIN opportunity o ON o.id = m.opportunity_id
        LEFT JOIN product pr ON pr.id = o.product_id
        LEFT JOIN business_unit bu ON bu.id = o.business_unit_id
        LEFT JOIN app_user u ON u.id = o.owner_id
        ORDER BY o.close_date, o.id
        """,
        {"plan_ids": [plan_id]},
    )


# -- vocabulary of the lifecycle ----------------------------------------------------------

TEXT_FIELDS = [
    "vision", "strategy", "strengths", "weaknesses", "opportunities", "threats", "goals",
    "support_required", "short_term_plan", "relationship_current", "relationship_desired",
]
EDITABLE_FIELDS = [
    "name", "period_start", "period_end", "business_unit_id", "template_id", "status", "owner_id",
    "sales_target", *TEXT_FIELDS,
]
# section → (what the user sees, carried forward by default)
CARRY_SECTIONS = {
    "scorecard": ("Scorecard answers", True),
    "whitespace": ("Whitespace", True),
    "stakeholders": ("Stakeholders", True),
    "objectives": ("Objectives (and their open actions on a follow-up)", True),
    "team": ("Team", True),
    "text": ("SWOT, vision, strategy and relationship text", True),
    "initiatives": ("Initiatives", True),
    "files": ("File links", False),
}
DEFAULT_CARRY = frozenset(k for k, (_, default) in CARRY_SECTIONS.items() if default)
# Sections other modules copy; resolved when called so a module merged later is picked up.
# How each section carries forward: `fn(con, source_id, target_id, user_id) -> rows`, each audited, inside the
# follow-up's or clone's transaction. Adding a section is one line here (and one in CARRY_SECTIONS).
CARRY_FORWARD = {
    "scorecard": scorecards.carry_forward,
    "whitespace": whitespace.carry_forward,
    "stakeholders": stakeholders.carry_forward,
    "objectives": objectives.carry_forward,
    "team": plan_content.carry_forward_team,
    "initiatives": plan_content.carry_forward_initiatives,
    "files": plan_content.carry_forward_file_links,
}
_MONTHS = {"quarter": 3, "half": 6, "year": 12}


# -- periods -------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_kind(start: date, end: date) -> str:
    """quarter, half or year when [start, end] is exactly one; else custom."""
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        months = (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1
        for kind, length in _MONTHS.items():
            if months == length and (start.month - 1) % length == 0:
                return kind
    return "custom"


def period_bounds(kind: str, year: int, number: int = 1) -> tuple[date, date]:
    """The `number`th quarter/half of `year`, or the year itself."""
    if kind not in _MONTHS:
        raise InvalidInput(f"A period is a quarter, a half or a year, not {kind!r}; give custom dates instead.")
    months = _MONTHS[kind]
    if not 1 <= number <= 12 // months:
        raise InvalidInput(f"A year has {12 // months} {kind}s; {number} is not one of them.")
    start = date(year, 1 + months * (number - 1), 1)
    return start, _add_months(start, months) - timedelta(days=1)


def period_label(start: date, end: date) -> str:
    kind = period_kind(start, end)
    if kind == "year":
        return f"FY{start.year}"
    if kind == "half":
        return f"H{(start.month - 1) // 6 + 1} {start.year}"
    if kind == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"{start:%d %b %Y} – {end:%d %b %Y}"


def next_period(start: date, end: date) -> tuple[date, date]:
    """The period after [start, end]: the next quarter/half/year, else the same length again."""
    kind = period_kind(start, end)
    if kind in _MONTHS:
        new_start = _add_months(start, _MONTHS[kind])
        return new_start, _add_months(new_start, _MONTHS[kind]) - timedelta(days=1)
    return end + timedelta(days=1), end + (end - start) + timedelta(days=1)


# -- reading -------------------------------------------------------------------------------


def _plan_row(con: duckdb.DuckDBPyConnection, plan_id: int) -> dict:
    found = fetch_dicts(con, "SELECT * FROM plan WHERE id = ?", [plan_id])
    if not found:
        raise NotFound(f"There is no plan with id {plan_id}.")
    return found[0]


@cached_read
def plan_chain(db: Database, plan_id: int) -> dict:
    """The follow-up chain around a plan: {'parent': {id, name} | None, 'children': [{id, name}]}."""
    with db.connect() as con:
        plan = _plan_row(con, plan_id)
        parent = fetch_dicts(con, "SELECT id, name FROM plan WHERE id = ?", [plan["parent_plan_id"]])
        children = fetch_dicts(con, "SELECT id, name FROM plan WHERE parent_plan_id = ? ORDER BY period_start, id", [plan_id])
    return {"parent": parent[0] if parent else None, "children": children}


def accounts(db: Database) -> pd.DataFrame:
    """Accounts to plan for (id, name), by name."""
    return db.df("SELECT id, name FROM account ORDER BY name, id")


def business_units(db: Database, account_id: int) -> pd.DataFrame:
    return db.df("SELECT id, name FROM business_unit WHERE account_id = ? ORDER BY name", [account_id])


def resolve_account(db: Database, id_or_name: str | int) -> int:
    """An account id from its id, CRM id or exact name (case-insensitive)."""
    text = str(id_or_name).strip()
    found = db.rows(
        "SELECT id FROM account WHERE CAST(id AS VARCHAR) = ? OR external_id = ? OR lower(name) = lower(?)"
        " ORDER BY CAST(id AS VARCHAR) = ? DESC, id LIMIT 2",
        [text, text, text, text],
    )
    if not found:
        raise NotFound(f"No account has the id, CRM id or name {text!r}.")
    return found[0]["id"]


def resolve_business_unit(db: Database, account_id: int, name: str) -> int:
    unit = db.value("SELECT id FROM business_unit WHERE account_id = ? AND lower(name) = lower(?)", [account_id, name])
    if unit is None:
        known = ", ".join(business_units(db, account_id)["name"]) or "none"
        raise NotFound(f"The account has no business unit called {name!r} (it has: {known}).")
    return unit


# -- creating ------------------------------------------------------------------------------


def _validate(con: duckdb.DuckDBPyConnection, values: dict) -> None:
    """Refuse a plan whose fields don't fit together, before anything is written."""
    if not con.execute("SELECT count(*) FROM account WHERE id = ?", [values["account_id"]]).fetchall()[0][0]:
        raise NotFound(f"There is no account with id {values['account_id']}.")
    if not values.get("name") or not str(values["name"]).strip():
        raise InvalidInput("A plan needs a name.")
    if values["period_end"] < values["period_start"]:
        raise InvalidInput(
            f"The period ends ({values['period_end']}) before it starts ({values['period_start']}); swap the dates."
        )
    if values["sales_target"] is None or float(values["sales_target"]) < 0:
        raise InvalidInput("The sales target must be zero or more.")
    if values["status"] not in vocab.PLAN_STATUSES:
        raise InvalidInput(f"Status must be one of {', '.join(vocab.PLAN_STATUSES)}, not {values['status']!r}.")
    unit = values.get("business_unit_id")
    if unit is not None and not con.execute(
        "SELECT count(*) FROM business_unit WHERE id = ? AND account_id = ?", [unit, values["account_id"]]
    ).fetchall()[0][0]:
        raise InvalidInput(f"Business unit {unit} does not belong to the plan's account; pick one of the account's units.")
    template = values.get("template_id")
    if template is not None and not con.execute(
        "SELECT count(*) FROM scorecard_template WHERE id = ?", [template]
    ).fetchall()[0][0]:
        raise NotFound(f"There is no scorecard template with id {template}; pick one from the Scorecard page's Templates tab.")
    owner = values.get("owner_id")
    if owner is not None and not con.execute("SELECT count(*) FROM app_user WHERE id = ?", [owner]).fetchall()[0][0]:
        raise NotFound(f"There is no user with id {owner} to own the plan.")


def _active_template(con: duckdb.DuckDBPyConnection) -> int | None:
    found = con.execute(
        "SELECT id FROM scorecard_template WHERE status = 'Active' ORDER BY version DESC, id DESC LIMIT 1"
    ).fetchall()
    return found[0][0] if found else None


def _default_name(con, account_id: int, start: date, end: date) -> str:
    account = con.execute("SELECT name FROM account WHERE id = ?", [account_id]).fetchall()
    return f"{account[0][0] if account else 'Account'} {period_label(start, end)}"


def _insert_plan(con: duckdb.DuckDBPyConnection, user_id: int | None, values: dict, make_primary: bool) -> int:
    values = dict(values)
    values.setdefault("status", "Draft")
    values["name"] = values.get("name") or _default_name(con, values["account_id"], values["period_start"], values["period_end"])
    _validate(con, values)
    values["period_kind"] = period_kind(values["period_start"], values["period_end"])
    if values.get("template_id") is None:
        values["template_id"] = _active_template(con)
    has_primary = con.execute(
        "SELECT count(*) FROM plan WHERE account_id = ? AND is_primary", [values["account_id"]]
    ).fetchall()[0][0]
    values["is_primary"] = False
    columns = [k for k in values]
    plan_id = con.execute(
        f"INSERT INTO plan ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) RETURNING id",
        [values[c] for c in columns],
    ).fetchall()[0][0]
    audit.record_created(con, user_id, "plan", plan_id, values)
    if values.get("owner_id") is not None:  # the owner is on the team from the start
        audit.insert_created(con, user_id, "team_member",
                             {"plan_id": plan_id, "user_id": values["owner_id"], "role": "Account Executive"})
    if make_primary or not has_primary:  # an account's first plan is its primary
        _make_primary(con, user_id, plan_id)
    kpis.take_snapshots(con, [plan_id])
    return plan_id


def create_plan(
    db: Database, user: dict | None, *, account_id: int, period_start: date, period_end: date,
    sales_target: float, name: str | None = None, business_unit_id: int | None = None,
    owner_id: int | None = None, template_id: int | None = None, status: str = "Draft",
    is_primary: bool = False,
) -> int:
    """A new plan for an account and period; the owner defaults to the user, the template to the active one."""
    user = access.require_plan_creator(user)
    values = {
        "account_id": account_id, "name": name, "period_start": period_start, "period_end": period_end,
        "business_unit_id": business_unit_id, "template_id": template_id, "status": status,
        "owner_id": owner_id if owner_id is not None else user["id"], "sales_target": sales_target,
    }
    with db.transaction() as con:
        if is_primary:  # making it primary demotes the current primary: that takes rights on it too
            for (other,) in con.execute("SELECT id FROM plan WHERE account_id = ? AND is_primary", [account_id]).fetchall():
                access.require_plan_manager(con, user, other, "demote the primary plan")
        return _insert_plan(con, user["id"], values, make_primary=is_primary)


# -- primary -------------------------------------------------------------------------------


def _make_primary(con: duckdb.DuckDBPyConnection, user_id: int | None, plan_id: int) -> None:
    plan = _plan_row(con, plan_id)
    previous = [r[0] for r in con.execute(
        "SELECT id FROM plan WHERE account_id = ? AND is_primary AND id <> ?", [plan["account_id"], plan_id]
    ).fetchall()]
    for other in previous:
        con.execute("UPDATE plan SET is_primary = FALSE, version = version + 1 WHERE id = ?", [other])
        audit.record(con, user_id, "plan", other, {"is_primary": (True, False)})
    if not plan["is_primary"]:
        con.execute("UPDATE plan SET is_primary = TRUE, version = version + 1 WHERE id = ?", [plan_id])
        audit.record(con, user_id, "plan", plan_id, {"is_primary": (False, True)})


def set_primary(db: Database, user: dict | None, plan_id: int) -> None:
    """Make a plan its account's primary; the previous primary stops being one in the same transaction."""
    with db.transaction() as con:
        user = access.require_plan_manager(con, user, plan_id, "make primary")
        account_id = _plan_row(con, plan_id)["account_id"]
        for (other,) in con.execute(
            "SELECT id FROM plan WHERE account_id = ? AND is_primary AND id <> ?", [account_id, plan_id]
        ).fetchall():
            access.require_plan_manager(con, user, other, "demote the primary plan")
        _make_primary(con, user["id"], plan_id)


# -- editing -------------------------------------------------------------------------------


def _label(field: str) -> str:
    return field.removesuffix("_id").replace("_", " ")


def update_plan(db: Database, user: dict | None, plan_id: int, changes: dict[str, Any], *, loaded: dict) -> int:
    """Save field edits made on `loaded` (the plan as the form read it); returns the new version.

    Refuses with StaleEdit, naming the fields, when someone saved the plan after it was loaded.
    """
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(f"These plan fields cannot be edited here: {', '.join(unknown)}.")
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        current = _plan_row(con, plan_id)
        if current["version"] != loaded["version"]:
            moved = audit.changed_fields({f: loaded.get(f) for f in EDITABLE_FIELDS}, {f: current[f] for f in EDITABLE_FIELDS})
            names = ", ".join(_label(f) for f in moved) or "its lifecycle (primary flag or account)"
            raise StaleEdit(
                f"Someone saved this plan after you opened it (changed: {names}). "
                "Reload the plan and apply your edit again."
            )
        diff = audit.changed_fields(current, changes)
        if not diff:
            return current["version"]
        if "owner_id" in diff:
            access.require_plan_manager(con, user, plan_id, "hand over")
        _validate(con, current | changes)
        assignments = ", ".join(f"{field} = ?" for field in diff)
        audit.saved_one(con.execute(
            f"UPDATE plan SET {assignments}, period_kind = ?, version = version + 1, updated_at = current_timestamp"
            " WHERE id = ? AND version = ?",
            [changes[f] for f in diff]
            + [period_kind((current | changes)["period_start"], (current | changes)["period_end"]), plan_id, loaded["version"]],
        ), "plan")
        audit.record(con, user["id"], "plan", plan_id, diff)
        kpis.take_snapshots(con, [plan_id])
        return current["version"] + 1


def mark_reviewed(db: Database, user: dict | None, plan_id: int) -> None:
    """Record that the plan was reviewed now (plan freshness on the portfolio)."""
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        old = _plan_row(con, plan_id)["last_reviewed_at"]
        con.execute("UPDATE plan SET last_reviewed_at = current_timestamp WHERE id = ?", [plan_id])
        new = con.execute("SELECT last_reviewed_at FROM plan WHERE id = ?", [plan_id]).fetchall()[0][0]
        audit.record(con, user["id"], "plan", plan_id, {"last_reviewed_at": (old, new)})


# -- follow-up and clone -------------------------------------------------------------------


def _check_carry(carry: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(carry)
    unknown = sorted(chosen - set(CARRY_SECTIONS))
    if unknown:
        raise InvalidInput(f"Cannot carry forward {', '.join(unknown)}: choose from {', '.join(CARRY_SECTIONS)}.")
    return chosen


def _copy_sections(con, user_id: int, source_id: int, target_id: int, carry: frozenset[str], with_actions: bool) -> dict:
    """Copy the chosen sections; returns rows copied per section. A clone copies no actions."""
    steps = {**CARRY_FORWARD, **({} if with_actions else {"objectives": objectives.carry_forward_without_actions})}
    return {section: copy(con, source_id, target_id, user_id) for section, copy in steps.items() if section in carry}


def _copy_plan(con, user: dict, source: dict, overrides: dict, carry: frozenset[str], with_actions: bool) -> int:
    values = {
        "account_id": source["account_id"], "business_unit_id": source["business_unit_id"],
        "template_id": source["template_id"], "owner_id": source["owner_id"], "status": "Draft",
        "sales_target": source["sales_target"], "parent_plan_id": None,
        **({f: source[f] for f in TEXT_FIELDS} if "text" in carry else {}),
        **overrides,
    }
    plan_id = _insert_plan(con, user["id"], values, make_primary=False)
    _copy_sections(con, user["id"], source["id"], plan_id, carry, with_actions)
    return plan_id


def follow_up(
    db: Database, user: dict | None, plan_id: int, *, carry: Iterable[str] = DEFAULT_CARRY,
    period_start: date | None = None, period_end: date | None = None, name: str | None = None,
    sales_target: float | None = None,
) -> int:
    """A copy of the plan for the next period (or the dates given), nested under it."""
    chosen = _check_carry(carry)
    user = access.require_plan_creator(user)
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        source = _plan_row(con, plan_id)
        start, end = (period_start, period_end) if period_start and period_end else next_period(source["period_start"], source["period_end"])
        overrides = {"period_start": start, "period_end": end, "parent_plan_id": plan_id, "name": name}
        if sales_target is not None:
            overrides["sales_target"] = sales_target
        return _copy_plan(con, user, source, overrides, chosen, with_actions=True)


def clone_plan(db: Database, user: dict | None, plan_id: int, *, carry: Iterable[str] = DEFAULT_CARRY, name: str | None = None) -> int:
    """An independent copy of the plan (same account and period, not nested); actions are never copied."""
    chosen = _check_carry(carry)
    user = access.require_plan_creator(user)
    with db.transaction() as con:
        source = _plan_row(con, plan_id)
        overrides = {
            "period_start": source["period_start"], "period_end": source["period_end"],
            "name": name or f"{source['name']} (copy)", "owner_id": user["id"],
        }
        return _copy_plan(con, user, source, overrides, chosen, with_actions=False)


# -- move and delete -----------------------------------------------------------------------


def _refuse_inside_chain(con, plan: dict, doing: str) -> None:
    """Only a standalone plan or the last of a chain may be moved or deleted."""
    children = fetch_dicts(con, "SELECT name FROM plan WHERE parent_plan_id = ? ORDER BY period_start, id", [plan["id"]])
    if children:
        names = ", ".join(f"“{c['name']}”" for c in children)
        raise PlanLocked(
            f"“{plan['name']}” cannot be {doing}: it has the follow-up plan {names}, and only a standalone plan "
            f"or the last plan of a chain can be {doing}. {'Delete' if doing == 'deleted' else 'Move or delete'} "
            f"the follow-up {names} first."
        )


def move_plan(db: Database, user: dict | None, plan_id: int, account_id: int) -> None:
    """Move a standalone or last-of-chain plan to another account.

    The plan leaves its chain and its business-unit scope (both belong to the old account) and
    becomes the new account's primary only when that account has none.
    """
    with db.transaction() as con:
        user = access.require_plan_manager(con, user, plan_id, "move")
        plan = _plan_row(con, plan_id)
        _refuse_inside_chain(con, plan, "moved to another account")
        if plan["account_id"] == account_id:
            raise InvalidInput(f"“{plan['name']}” already belongs to that account; pick another account.")
        if not con.execute("SELECT count(*) FROM account WHERE id = ?", [account_id]).fetchall()[0][0]:
            raise NotFound(f"There is no account with id {account_id}.")
        has_primary = con.execute("SELECT count(*) FROM plan WHERE account_id = ? AND is_primary", [account_id]).fetchall()[0][0]
        new = {"account_id": account_id, "business_unit_id": None, "parent_plan_id": None, "is_primary": not has_primary}
        con.execute(
            "UPDATE plan SET account_id = ?, business_unit_id = ?, parent_plan_id = ?, is_primary = ?,"
            " version = version + 1, updated_at = current_timestamp WHERE id = ?",
            [*new.values(), plan_id],
        )
        audit.record(con, user["id"], "plan", plan_id, audit.changed_fields(plan, new))
        kpis.take_snapshots(con, [plan_id])


PLAN_TABLES = [
    "team_member", "objective", "action", "initiative", "scorecard_answer", "scorecard_submission",
    "whitespace_cell", "stakeholder", "influence_link", "comment", "kpi_snapshot",
]


def delete_plan(db: Database, user: dict | None, plan_id: int) -> None:
    """Delete a standalone or last-of-chain plan with everything in it.

    When it was the account's primary, the account's plan with the latest period becomes primary.
    """
    with db.transaction() as con:
        user = access.require_plan_manager(con, user, plan_id, "delete")
        plan = _plan_row(con, plan_id)
        _refuse_inside_chain(con, plan, "deleted")
        for table in PLAN_TABLES:
            con.execute(f"DELETE FROM {table} WHERE plan_id = ?", [plan_id])
        con.execute("DELETE FROM plan WHERE id = ?", [plan_id])
        audit.record_deleted(con, user["id"], "plan", plan_id,
                             {k: plan[k] for k in ("name", "account_id", "period_start", "period_end", "sales_target")})
        if plan["is_primary"]:
            heir = con.execute(
                "SELECT id FROM plan WHERE account_id = ? ORDER BY period_end DESC, id DESC LIMIT 1", [plan["account_id"]]
            ).fetchall()
            if heir:
                _make_primary(con, user["id"], heir[0][0])


@cached_read(plan_scoped=True)
def plan_health(db: Database, plan_id: int) -> dict:
    """Scorecard score and band, stakeholder coverage and whitespace value for a plan's header."""
    ids = [plan_id]
    score = scorecards.plan_scores(db, ids).iloc[0]
    coverage = stakeholders.coverage_summary(db, ids).iloc[0]
    space = whitespace.whitespace_totals(db, ids).iloc[0]
    return {
        "score": None if pd.isna(score["score"]) else float(score["score"]),
        "band": score["band"] if isinstance(score["band"], str) else None,
        "completion": float(score["completion"]),
        "coverage_status": int(coverage["coverage_status"]),
        "coverage_label": coverage["coverage_label"],
        "alert_count": int(coverage["alert_count"]),
        "whitespace_value": float(space["whitespace_value"] or 0),
    }
