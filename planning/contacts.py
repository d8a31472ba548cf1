"""Contacts: the people of a customer account and who reports to whom.

Most contacts arrive from the CRM with their reports-to; reps add or correct the ones the CRM
lacks from a plan's stakeholder page, so writes here are checked against that plan's editors.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from planning import access, audit
from planning.db import Database, fetch_dicts
from planning.errors import InvalidInput, NotFound, StaleEdit

EDITABLE_FIELDS = ("name", "title", "department", "email", "reports_to_id")


def list_contacts(db: Database, account_id: int) -> pd.DataFrame:
    """Contacts of an account with the name of whom they report to, by name."""
    return db.df(
        """
        SELECT c.id, c.name, c.title, c.department, c.email, c.reports_to_id, b.name AS reports_to, c.version
        FROM contact c LEFT JOIN contact b ON b.id = c.reports_to_id
        WHERE c.account_id = ? ORDER BY c.name, c.id
        """,
        [account_id],
    )


def get_contact(db: Database, contact_id: int) -> dict:
    with db.connect() as con:
        return _contact(con, contact_id)


def _contact(con: duckdb.DuckDBPyConnection, contact_id: int) -> dict:
    found = fetch_dicts(
        con, "SELECT id, account_id, name, title, department, email, reports_to_id, version FROM contact WHERE id = ?",
        [contact_id],
    )
    if not found:
        raise NotFound(f"There is no contact with id {contact_id}.")
    return found[0]


def _plan_account(con: duckdb.DuckDBPyConnection, plan_id: int) -> int:
    found = con.execute("SELECT account_id FROM plan WHERE id = ?", [plan_id]).fetchall()
    if not found:
        raise NotFound(f"There is no plan with id {plan_id}.")
    return found[0][0]


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"Contacts have no field {', '.join(sorted(unknown))}; use {', '.join(EDITABLE_FIELDS)}.")
    cleaned = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
    if "name" in cleaned and not cleaned["name"]:
        raise InvalidInput("A contact needs a name.")
    email = cleaned.get("email")
    if email and ("@" not in email or " " in email):
        raise InvalidInput(f"{email!r} is not an email address (expected name@company.com).")
    return cleaned


def _check_reports_to(con, account_id: int, contact_id: int | None, reports_to_id: int | None) -> None:
    """The manager must be a contact of the same account and not below the contact itself."""
    if reports_to_id is None:
        return
    boss = _contact(con, int(reports_to_id))
    if boss["account_id"] != account_id:
        raise InvalidInput(f"{boss['name']} works for another account; a contact can only report to someone of the same account.")
    if contact_id is None:
        return
    if int(reports_to_id) == contact_id:
        raise InvalidInput("A contact cannot report to themselves.")
    # Walk up from the proposed manager: meeting the contact again would close a loop.
    chain = con.execute(
        """
        WITH RECURSIVE up(id, depth) AS (
            SELECT ?::BIGINT, 0
            UNION ALL
            SELECT c.reports_to_id, up.depth + 1 FROM up JOIN contact c ON c.id = up.id
            WHERE c.reports_to_id IS NOT NULL AND up.depth < 100
        )
        SELECT count(*) FROM up WHERE id = ?
        """,
        [int(reports_to_id), contact_id],
    ).fetchall()[0][0]
    if chain:
        raise InvalidInput(
            f"{boss['name']} already reports (directly or indirectly) to this contact; "
            "reporting to them would make a reports-to cycle."
        )


def add_contact(db: Database, user: dict | None, plan_id: int, name: str, title: str | None = None,
                department: str | None = None, email: str | None = None, reports_to_id: int | None = None) -> int:
    """Add a contact to the account of plan `plan_id` (editors of that plan may); returns its id."""
    values = _clean({"name": name or "", "title": title, "department": department, "email": email,
                     "reports_to_id": reports_to_id})
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        account_id = _plan_account(con, plan_id)
        _check_reports_to(con, account_id, None, values["reports_to_id"])
        contact_id = con.execute(
            "INSERT INTO contact (account_id, name, title, department, email, reports_to_id)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [account_id, values["name"], values["title"], values["department"], values["email"], values["reports_to_id"]],
        ).fetchall()[0][0]
        audit.record_created(con, user["id"], "contact", contact_id, values | {"account_id": account_id})
    return contact_id


def update_contact(db: Database, user: dict | None, plan_id: int, contact_id: int, changes: dict[str, Any],
                   loaded: dict | None = None) -> dict:
    """Change a contact of plan `plan_id`'s account; returns the fields that changed as (old, new).

    `loaded` is the contact as the form opened it (with `version`): a save after someone else's
    is refused with StaleEdit naming what they changed.
    """
    values = _clean(changes)
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        account_id = _plan_account(con, plan_id)
        old = _contact(con, contact_id)
        if old["account_id"] != account_id:
            raise InvalidInput(f"{old['name']} is not a contact of this plan's account.")
        if loaded is not None and loaded["version"] != old["version"]:
            moved = audit.changed_fields({f: loaded.get(f) for f in EDITABLE_FIELDS}, {f: old[f] for f in EDITABLE_FIELDS})
            raise StaleEdit(
                f"Someone saved the contact {old['name']} after you opened it (changed: "
                f"{', '.join(f.removesuffix('_id').replace('_', ' ') for f in moved) or 'nothing visible'}). "
                "Reload and apply your edit again."
            )
        if "reports_to_id" in values:
            _check_reports_to(con, account_id, contact_id, values["reports_to_id"])
        changed = audit.changed_fields(old, values)
        if changed:
            assignments = ", ".join(f"{field} = ?" for field in changed)
            audit.saved_one(con.execute(
                f"UPDATE contact SET {assignments}, version = version + 1 WHERE id = ? AND version = ?",
                [new for _, new in changed.values()] + [contact_id, old["version"]],
            ), "contact")
            audit.record(con, user["id"], "contact", contact_id, changed)
    return changed
