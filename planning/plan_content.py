"""A plan's people and documents: team members, initiatives, the comment thread and file links."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from planning import access, audit, vocab
from planning.db import Database
from planning.errors import InvalidInput

INITIATIVE_FIELDS = ["name", "product_id", "business_unit_id", "estimated_value", "timing", "likely_buyer", "trigger_event", "status"]


# -- team ----------------------------------------------------------------------------------


def list_team(db: Database, plan_id: int) -> pd.DataFrame:
    return db.df(
        "SELECT t.id, t.user_id, u.name, t.role FROM team_member t JOIN app_user u ON u.id = t.user_id"
        " WHERE t.plan_id = ? ORDER BY t.role = 'Account Executive' DESC, u.name",
        [plan_id],
    )


def set_team_member(db: Database, user: dict | None, plan_id: int, user_id: int, role: str) -> None:
    """Add a person to the plan's team, or change their role."""
    if role not in vocab.TEAM_ROLES:
        raise InvalidInput(f"Team role must be one of {', '.join(vocab.TEAM_ROLES)}.")
    with db.transaction() as con:
        user = access.require_plan_manager(con, user, plan_id, "change the team of")  # team members may edit
        old = con.execute("SELECT role FROM team_member WHERE plan_id = ? AND user_id = ?", [plan_id, user_id]).fetchall()
        if old:
            con.execute("UPDATE team_member SET role = ? WHERE plan_id = ? AND user_id = ?", [role, plan_id, user_id])
        else:
            con.execute("INSERT INTO team_member (plan_id, user_id, role) VALUES (?, ?, ?)", [plan_id, user_id, role])
        audit.record(con, user["id"], "plan", plan_id, {f"team:{user_id}": (old[0][0] if old else None, role)})


def remove_team_member(db: Database, user: dict | None, plan_id: int, user_id: int) -> None:
    with db.transaction() as con:
        user = access.require_plan_manager(con, user, plan_id, "change the team of")
        old = con.execute("SELECT role FROM team_member WHERE plan_id = ? AND user_id = ?", [plan_id, user_id]).fetchall()
        con.execute("DELETE FROM team_member WHERE plan_id = ? AND user_id = ?", [plan_id, user_id])
        if old:
            audit.record(con, user["id"], "plan", plan_id, {f"team:{user_id}": (old[0][0], None)})


# -- initiatives ---------------------------------------------------------------------------


def list_initiatives(db: Database, plan_id: int) -> pd.DataFrame:
    return db.df(
        "SELECT i.id, i.name, p.name AS product, bu.name AS business_unit, CAST(i.estimated_value AS DOUBLE) AS estimated_value,"
        " i.timing, i.likely_buyer, i.trigger_event, i.status"
        " FROM initiative i LEFT JOIN product p ON p.id = i.product_id LEFT JOIN business_unit bu ON bu.id = i.business_unit_id"
        " WHERE i.plan_id = ? ORDER BY i.id",
        [plan_id],
    )


def add_initiative(db: Database, user: dict | None, plan_id: int, **fields: Any) -> int:
    """A potential deal before it is an opportunity (INITIATIVE_FIELDS)."""
    unknown = set(fields) - set(INITIATIVE_FIELDS)
    if unknown:
        raise InvalidInput(f"Initiatives have no field {', '.join(sorted(unknown))}.")
    if not fields.get("name") or not str(fields["name"]).strip():
        raise InvalidInput("An initiative needs a name.")
    if fields.get("estimated_value") is not None and float(fields["estimated_value"]) < 0:
        raise InvalidInput("An initiative's estimated value must be zero or more.")
    values = {k: v for k, v in fields.items() if v is not None}
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        return audit.insert_created(con, user["id"], "initiative", {"plan_id": plan_id, **values})


# -- comments and file links -------------------------------------------------------------------


def list_comments(db: Database, plan_id: int) -> pd.DataFrame:
    """The plan's thread, newest first: comments and file links (kind 'file', with url)."""
    return db.df(
        "SELECT c.id, c.kind, c.body, c.url, u.name AS author, c.created_at FROM comment c"
        " LEFT JOIN app_user u ON u.id = c.author_id WHERE c.plan_id = ? ORDER BY c.created_at DESC, c.id DESC",
        [plan_id],
    )


def add_comment(db: Database, user: dict | None, plan_id: int, body: str, url: str | None = None) -> int:
    """Post to the plan's thread; with a url it is a file link (http(s) only)."""
    body = (body or "").strip()
    if url is not None:
        url = url.strip()
        if not url.lower().startswith(("http://", "https://")):
            raise InvalidInput("A file link must start with http:// or https://.")
    elif not body:
        raise InvalidInput("Write something before posting a comment.")
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        kind = "file" if url else "comment"
        comment_id = con.execute(
            "INSERT INTO comment (plan_id, author_id, kind, body, url) VALUES (?, ?, ?, ?, ?) RETURNING id",
            [plan_id, user["id"], kind, body or url, url],
        ).fetchall()[0][0]
        audit.record_created(con, user["id"], "comment", comment_id, {"plan_id": plan_id, "kind": kind, "body": body, "url": url})
        return comment_id


# -- carry forward ---------------------------------------------------------------------------


def carry_forward_team(con: duckdb.DuckDBPyConnection, source_plan_id: int, target_plan_id: int, user_id: int | None) -> int:
    """Copy the account team (members already on the target stay); returns the target's team size."""
    audit.record_inserted(con, user_id, "team_member", con.execute(
        "INSERT INTO team_member (plan_id, user_id, role) SELECT ?, user_id, role FROM team_member WHERE plan_id = ?"
        " ON CONFLICT DO NOTHING RETURNING id, plan_id, user_id, role",
        [target_plan_id, source_plan_id],
    ))
    return con.execute("SELECT count(*) FROM team_member WHERE plan_id = ?", [target_plan_id]).fetchall()[0][0]


def carry_forward_initiatives(con: duckdb.DuckDBPyConnection, source_plan_id: int, target_plan_id: int, user_id: int | None) -> int:
    """Copy the initiatives; returns how many the target has."""
    audit.record_inserted(con, user_id, "initiative", con.execute(
        "INSERT INTO initiative (plan_id, name, product_id, business_unit_id, estimated_value, timing, likely_buyer,"
        " trigger_event, status) SELECT ?, name, product_id, business_unit_id, estimated_value, timing, likely_buyer,"
        " trigger_event, status FROM initiative WHERE plan_id = ?"
        " RETURNING id, plan_id, name, product_id, business_unit_id, estimated_value, timing, likely_buyer, trigger_event, status",
        [target_plan_id, source_plan_id],
    ))
    return con.execute("SELECT count(*) FROM initiative WHERE plan_id = ?", [target_plan_id]).fetchall()[0][0]


def carry_forward_file_links(con: duckdb.DuckDBPyConnection, source_plan_id: int, target_plan_id: int, user_id: int | None) -> int:
    """Copy the file links (not the discussion); returns how many the target has."""
    audit.record_inserted(con, user_id, "comment", con.execute(
        "INSERT INTO comment (plan_id, author_id, kind, body, url, created_at)"
        " SELECT ?, author_id, kind, body, url, created_at FROM comment WHERE plan_id = ? AND kind = 'file'"
        " RETURNING id, plan_id, kind, body, url",
        [target_plan_id, source_plan_id],
    ))
    return con.execute("SELECT count(*) FROM comment WHERE plan_id = ? AND kind = 'file'", [target_plan_id]).fetchall()[0][0]
