"""Who may change what. Pages hide what you can't do; these checks refuse regardless.

Rules (issue #11):
- admin: everything (templates, users, settings included);
- leader: reads everything; edits plans they own, plans of their team (owner reports to them)
  and plans they are a team member of;
- rep: edits plans they own or are a team member of;
- a plan's content (fields, objectives, stakeholders, …) is edited by its editors; its
  ownership, team, deletion, moving to another account and primary status are managed only by
  its owner, the owner's leader (manager_id) and admins (can_manage_plan);
- acting on a plan that does not exist is NotFound, never NotAllowed;
- ops: imports and reference data (accounts, products, business units, contacts, stages).
A `user` is a dict with at least `id` and `role` (see users.get_user); None means nobody.
"""

from __future__ import annotations

import duckdb

from planning.db.changes import note_plan
from planning.errors import NotAllowed, NotFound

REFERENCE_DATA_ROLES = {"admin", "ops"}


def _describe(user: dict | None) -> str:
    return f"{user.get('name') or 'user ' + str(user['id'])} ({user['role']})" if user else "nobody signed in"


def require_plan_exists(con: duckdb.DuckDBPyConnection, plan_id: int) -> None:
    if not con.execute("SELECT count(*) FROM plan WHERE id = ?", [plan_id]).fetchall()[0][0]:
        raise NotFound(f"There is no plan with id {plan_id}.")


def _may_act_on_plan(con: duckdb.DuckDBPyConnection, user: dict | None, plan_id: int, *, team_counts: bool) -> bool:
    """Admins; else a leader or rep who owns the plan, leads its owner, or (`team_counts`) is on its team."""
    if not user:
        return False
    if user["role"] == "admin":
        return True
    if user["role"] not in ("leader", "rep"):
        return False
    row = con.execute(
        """
        SELECT p.owner_id = $me OR ($team AND EXISTS (SELECT 1 FROM team_member t WHERE t.plan_id = p.id AND t.user_id = $me))
               OR ($role = 'leader' AND coalesce(o.manager_id = $me, FALSE))
        FROM plan p LEFT JOIN app_user o ON o.id = p.owner_id WHERE p.id = $plan
        """,
        {"me": user["id"], "team": team_counts, "role": user["role"], "plan": plan_id},
    ).fetchall()
    return bool(row and row[0][0])


def can_manage_plan(con: duckdb.DuckDBPyConnection, user: dict | None, plan_id: int) -> bool:
    """Owner, the owner's leader, or an admin: may change ownership, team, primary, move, delete."""
    return _may_act_on_plan(con, user, plan_id, team_counts=False)


def require_plan_manager(con: duckdb.DuckDBPyConnection, user: dict | None, plan_id: int, doing: str) -> dict:
    """Refuse unless `user` may `doing` (e.g. "delete") plan `plan_id`: owner, their leader, admins."""
    require_plan_exists(con, plan_id)
    note_plan(con, plan_id)
    if not user or not can_manage_plan(con, user, plan_id):
        name = con.execute("SELECT name FROM plan WHERE id = ?", [plan_id]).fetchall()[0][0]
        raise NotAllowed(
            f"{_describe(user)} cannot {doing} “{name}”: only its owner, the owner's manager and admins can "
            "(team members edit its content). Ask the plan owner."
        )
    return user


def can_edit_plan(con: duckdb.DuckDBPyConnection, user: dict | None, plan_id: int) -> bool:
    """What a plan manager may do, plus its team members: edit the plan's content."""
    return _may_act_on_plan(con, user, plan_id, team_counts=True)


def require_plan_editor(con: duckdb.DuckDBPyConnection, user: dict | None, plan_id: int) -> dict:
    """Refuse unless `user` may edit plan `plan_id`; returns the user (NotFound when there is no such plan)."""
    require_plan_exists(con, plan_id)
    note_plan(con, plan_id)  # the unit of work acts on this plan: its writes invalidate this plan's reads
    if not user or not can_edit_plan(con, user, plan_id):
        raise NotAllowed(
            f"{_describe(user)} cannot change plan {plan_id}: only its owner, its team members, "
            "the owner's manager and admins can. Ask the plan owner to add you to the team."
        )
    return user


def can_create_plan(user: dict | None) -> bool:
    return bool(user and user["role"] in ("admin", "leader", "rep"))


def require_plan_creator(user: dict | None) -> dict:
    """Refuse unless `user` may create plans; returns the user."""
    if not user or not can_create_plan(user):
        raise NotAllowed(f"{_describe(user)} cannot create plans: reps, leaders and admins can.")
    return user


def require_role(user: dict | None, roles: set[str] | tuple[str, ...], doing: str) -> dict:
    """Refuse unless the user has one of `roles`; `doing` completes "cannot …". Returns the user."""
    if not user or user["role"] not in roles:
        allowed = ", ".join(sorted(roles))
        raise NotAllowed(f"{_describe(user)} cannot {doing}: only {allowed} can.")
    return user


def require_reference_data_editor(user: dict | None, doing: str = "change reference data") -> dict:
    return require_role(user, REFERENCE_DATA_ROLES, doing)
