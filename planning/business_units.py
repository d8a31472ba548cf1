"""Business units: an account's divisions, functions or geographies (the whitespace rows).

Who may change them: ops and admins (reference data), and anyone who may edit a plan of
the account (a rep shapes the rows of their own whitespace matrix).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from planning import access, audit
from planning.db import Database, fetch_dicts
from planning.errors import InvalidInput, NotAllowed, NotFound, StaleEdit

KINDS = ["division", "function", "geography"]


def list_units(db: Database, account_id: int) -> pd.DataFrame:
    """The account's business units with how many opportunities and plans use each."""
    return db.df(
        """
        SELECT bu.id, bu.name, bu.kind,
               (SELECT count(*) FROM opportunity o WHERE o.business_unit_id = bu.id) AS opportunities,
               (SELECT count(DISTINCT plan_id) FROM (
                    SELECT id AS plan_id FROM plan WHERE business_unit_id = bu.id
                    UNION ALL SELECT plan_id FROM whitespace_cell WHERE business_unit_id = bu.id
                    UNION ALL SELECT plan_id FROM initiative WHERE business_unit_id = bu.id)) AS plans
        FROM business_unit bu WHERE bu.account_id = ?
        ORDER BY lower(bu.name)
        """,
        [account_id],
    )


def _require_unit_editor(con: duckdb.DuckDBPyConnection, user: dict | None, account_id: int) -> dict:
    """Refuse unless `user` may change the account's business units; returns the user."""
    if user and user["role"] in access.REFERENCE_DATA_ROLES:
        return user
    plan_ids = [r[0] for r in con.execute("SELECT id FROM plan WHERE account_id = ?", [account_id]).fetchall()]
    if user and any(access.can_edit_plan(con, user, plan_id) for plan_id in plan_ids):
        return user
    who = f"{user['name']} ({user['role']})" if user else "nobody signed in"
    raise NotAllowed(
        f"{who} cannot change this account's business units: ops, admins and people who may edit "
        "one of its plans can."
    )


def _clean(con, account_id: int, name: str | None, kind: str | None, unit_id: int | None = None) -> tuple[str, str | None]:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A business unit needs a name.")
    kind = (kind or "").strip().lower() or None
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"{kind!r} is not a kind of business unit; choose {', '.join(KINDS)} or none.")
    clash = con.execute(
        "SELECT name FROM business_unit WHERE account_id = ? AND lower(name) = lower(?) AND id IS DISTINCT FROM ?",
        [account_id, name, unit_id],
    ).fetchall()
    if clash:
        raise InvalidInput(f"This account already has a business unit called {clash[0][0]!r}.")
    return name, kind


def _unit(con, unit_id: int) -> dict:
    found = fetch_dicts(con, "SELECT id, account_id, name, kind FROM business_unit WHERE id = ?", [unit_id])
    if not found:
        raise NotFound(f"There is no business unit with id {unit_id}.")
    return found[0]


def add_unit(db: Database, user: dict | None, account_id: int, name: str, kind: str | None = None) -> int:
    """Add a business unit to an account; returns its id."""
    with db.transaction() as con:
        if not con.execute("SELECT 1 FROM account WHERE id = ?", [account_id]).fetchall():
            raise NotFound(f"There is no account with id {account_id}.")
        user = _require_unit_editor(con, user, account_id)
        name, kind = _clean(con, account_id, name, kind)
        unit_id = con.execute(
            "INSERT INTO business_unit (account_id, name, kind) VALUES (?, ?, ?) RETURNING id", [account_id, name, kind]
        ).fetchall()[0][0]
        audit.record_created(con, user["id"], "business_unit", unit_id, {"account_id": account_id, "name": name, "kind": kind})
    return unit_id


def rename_unit(db: Database, user: dict | None, unit_id: int, name: str, kind: str | None = None,
                *, loaded_name: str | None = None) -> None:
    """Rename a business unit (and set its kind).

    `loaded_name` is the name the form showed: if someone renamed the unit since, the rename is
    refused (StaleEdit) rather than silently replacing theirs.
    """
    with db.transaction() as con:
        old = _unit(con, unit_id)
        user = _require_unit_editor(con, user, old["account_id"])
        if loaded_name is not None and old["name"] != loaded_name:
            raise StaleEdit(f"Someone renamed {loaded_name!r} to {old['name']!r} after you opened the form; "
                            "nothing was changed. Check the new name and rename again if you still want to.")
        name, kind = _clean(con, old["account_id"], name, kind, unit_id)
        changes = audit.changed_fields(old, {"name": name, "kind": kind})
        if changes:
            audit.saved_one(con.execute("UPDATE business_unit SET name = ?, kind = ? WHERE id = ? AND name = ?",
                                        [name, kind, unit_id, old["name"]]), "business unit")
            audit.record(con, user["id"], "business_unit", unit_id, changes)


def delete_unit(db: Database, user: dict | None, unit_id: int) -> None:
    """Delete a business unit nobody uses; refuse while opportunities or plans refer to it."""
    with db.transaction() as con:
        old = _unit(con, unit_id)
        user = _require_unit_editor(con, user, old["account_id"])
        opportunities, plans = con.execute(
            """
            SELECT (SELECT count(*) FROM opportunity WHERE business_unit_id = ?),
                   (SELECT count(DISTINCT plan_id) FROM (
                        SELECT id AS plan_id FROM plan WHERE business_unit_id = ?
                        UNION ALL SELECT plan_id FROM whitespace_cell WHERE business_unit_id = ?
                        UNION ALL SELECT plan_id FROM initiative WHERE business_unit_id = ?) AS uses)
            """,
            [unit_id] * 4,
        ).fetchall()[0]
        if opportunities or plans:
            uses = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in ((opportunities, "opportunity"), (plans, "plan")) if n]
            uses = [u.replace("opportunitys", "opportunities") for u in uses]
            verb = "uses" if len(uses) == 1 and (opportunities or plans) == 1 else "use"
            raise InvalidInput(
                f"Business unit {old['name']!r} cannot be deleted: {' and '.join(uses)} still {verb} it "
                "(plan scope, whitespace cells or initiatives). Move them to another unit first."
            )
        con.execute("DELETE FROM business_unit WHERE id = ?", [unit_id])
        audit.record_deleted(con, user["id"], "business_unit", unit_id, {"account_id": old["account_id"], "name": old["name"], "kind": old["kind"]})
