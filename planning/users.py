"""People using the app: the users table (also the CRM's sales team), sign-in matching and
user management.

Rules for managing users (admins only, every change audited as entity "user"):
- the role is one of vocab.USER_ROLES; the email is well formed and unique (case-insensitive);
- the manager is another active user, and no chain of managers leads back to the user;
- at least one active admin always remains (nobody can lock every admin out);
- edits carry the version they loaded; a save against a newer version raises StaleEdit.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import duckdb

from planning import access, audit
from planning.db import Database, fetch_dicts
from planning.errors import InvalidInput, NotFound, StaleEdit
from planning.vocab import USER_ROLES

if TYPE_CHECKING:  # pandas loads with the first DataFrame; `planning import` never needs it
    import pandas as pd

USER_COLUMNS = "id, name, email, role, manager_id, region"
EDITABLE_FIELDS = ("name", "email", "role", "manager_id", "region", "is_active")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
AUDIT_ENTITY = "user"

# The command line manages users as this actor: whoever can write the database file can
# already change anything in it, and in sign-in mode it is how the first admin is created.
COMMAND_LINE = {"id": None, "name": "planning command line", "role": "admin"}


def list_users(db: Database) -> list[dict]:
    """Active users, by name."""
    return db.rows(f"SELECT {USER_COLUMNS} FROM app_user WHERE is_active ORDER BY name")


def get_user(db: Database, user_id: int) -> dict:
    user = db.one(f"SELECT {USER_COLUMNS} FROM app_user WHERE id = ?", [user_id])
    if user is None:
        raise NotFound(f"There is no user with id {user_id}.")
    return user


def find_user(db: Database, name_or_email: str) -> dict:
    """A user by exact email, else by name (case-insensitive)."""
    user = db.one(
        f"SELECT {USER_COLUMNS} FROM app_user"
        " WHERE lower(email) = lower(?) OR lower(name) = lower(?) ORDER BY lower(email) = lower(?) DESC LIMIT 1",
        [name_or_email, name_or_email, name_or_email],
    )
    if user is None:
        raise NotFound(f"No user is called or has the email {name_or_email!r}.")
    return user


def user_for_email(db: Database, email: str | None) -> dict | None:
    """The active user a signed-in email belongs to (case and spaces ignored), else None."""
    if not email or not email.strip():
        return None
    return db.one(
        f"SELECT {USER_COLUMNS} FROM app_user WHERE is_active AND lower(email) = lower(?) ORDER BY id LIMIT 1",
        [email.strip()],
    )


def user_record(db: Database, user_id: int) -> dict:
    """Every editable field of one user (active or not) plus its version, for an edit form."""
    with db.connect() as con:
        return _record(con, user_id)


def all_users(db: Database) -> pd.DataFrame:
    """Every user, active first, with the manager's name (the admin page's table)."""
    return db.df(
        """
        SELECT u.id, u.name, u.email, u.role, m.name AS manager, u.region, u.is_active, u.version
        FROM app_user u LEFT JOIN app_user m ON m.id = u.manager_id
        ORDER BY u.is_active DESC, u.name
        """
    )


def create_user(
    db: Database, actor: dict | None, name: str, email: str, role: str,
    manager_id: int | None = None, region: str | None = None,
) -> int:
    """Add a person who may use the app; returns the new id."""
    actor = access.require_role(actor, {"admin"}, "manage users")
    values = {"name": (name or "").strip(), "email": (email or "").strip(), "role": role,
              "manager_id": manager_id, "region": (region or "").strip() or None}
    with db.transaction() as con:
        _validate(con, None, values)
        user_id = con.execute(
            "INSERT INTO app_user (name, email, role, manager_id, region) VALUES (?, ?, ?, ?, ?) RETURNING id",
            [values["name"], values["email"], values["role"], values["manager_id"], values["region"]],
        ).fetchall()[0][0]
        audit.record_created(con, actor["id"], AUDIT_ENTITY, user_id, values)
    return user_id


def update_user(db: Database, actor: dict | None, loaded: dict, **changes: Any) -> dict:
    """Save `changes` (name, email, role, manager_id, region, is_active) to the user `loaded`
    was read from (its `id` and `version`); returns the saved record."""
    actor = access.require_role(actor, {"admin"}, "manage users")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"Users have no field {', '.join(sorted(unknown))}; editable: {', '.join(EDITABLE_FIELDS)}.")
    for field in ("name", "email", "region"):
        if isinstance(changes.get(field), str):
            changes[field] = changes[field].strip() or (None if field == "region" else "")
    with db.transaction() as con:
        current = _record(con, loaded["id"])
        if current["version"] != loaded["version"]:
            moved = audit.changed_fields({f: loaded.get(f) for f in EDITABLE_FIELDS},
                                         {f: current[f] for f in EDITABLE_FIELDS})
            raise StaleEdit(
                f"{current['name']} was changed by someone else after you opened it"
                f" ({', '.join(moved) or 'no visible field'}); reload the user and make your change again."
            )
        changed = audit.changed_fields(current, changes)
        if not changed:
            return current
        _validate(con, current["id"], {**current, **changes})
        assignments = ", ".join(f"{field} = ?" for field in changed)
        audit.saved_one(con.execute(
            f"UPDATE app_user SET {assignments}, version = version + 1 WHERE id = ? AND version = ?",
            [new for _, new in changed.values()] + [current["id"], current["version"]],
        ), "user")
        audit.record(con, actor["id"], AUDIT_ENTITY, current["id"], changed)
        return _record(con, current["id"])


def deactivate_user(db: Database, actor: dict | None, loaded: dict) -> dict:
    """Take away someone's access (their history, plans and audit rows stay)."""
    return update_user(db, actor, loaded, is_active=False)


def would_create_cycle(con: duckdb.DuckDBPyConnection, user_id: int, manager_id: int) -> bool:
    """True when `manager_id` is `user_id` or already reports (directly or not) to `user_id`."""
    found = con.execute(
        """
        WITH RECURSIVE chain(id, depth) AS (
            SELECT CAST(? AS BIGINT), 0
            UNION ALL
            SELECT u.manager_id, c.depth + 1 FROM app_user u JOIN chain c ON u.id = c.id
            WHERE u.manager_id IS NOT NULL AND c.depth < 1000
        )
        SELECT count(*) FROM chain WHERE id = ?
        """,
        [manager_id, user_id],
    ).fetchall()[0][0]
    return found > 0


def _record(con: duckdb.DuckDBPyConnection, user_id: int) -> dict:
    found = fetch_dicts(con, f"SELECT {USER_COLUMNS}, is_active, version FROM app_user WHERE id = ?", [user_id])
    if not found:
        raise NotFound(f"There is no user with id {user_id}.")
    return found[0]


def _validate(con: duckdb.DuckDBPyConnection, user_id: int | None, values: dict) -> None:
    """Refuse values that break a rule of the module docstring, with the first problem found."""
    name, email, role = values["name"], values["email"], values["role"]
    if not name:
        raise InvalidInput("Give the user a name.")
    if not email or not EMAIL.fullmatch(email):
        raise InvalidInput(f"{email!r} is not an email address; sign-in matches people by email.")
    if role not in USER_ROLES:
        raise InvalidInput(f"{role!r} is not a role; choose one of {', '.join(USER_ROLES)}.")
    clash = con.execute(
        "SELECT name FROM app_user WHERE lower(email) = lower(?) AND id IS DISTINCT FROM ? LIMIT 1", [email, user_id]
    ).fetchall()
    if clash:
        raise InvalidInput(f"{clash[0][0]} already has the email {email}; every user needs their own.")
    _validate_manager(con, user_id, name, values["manager_id"])
    if user_id is not None and not (values["role"] == "admin" and values.get("is_active", True)):
        others = con.execute(
            "SELECT count(*) FROM app_user WHERE role = 'admin' AND is_active AND id <> ?", [user_id]
        ).fetchall()[0][0]
        was_admin = con.execute(
            "SELECT role = 'admin' AND is_active FROM app_user WHERE id = ?", [user_id]
        ).fetchall()[0][0]
        if was_admin and others == 0:
            raise InvalidInput(f"{name} is the last active admin; make someone else an admin first.")


def _validate_manager(con: duckdb.DuckDBPyConnection, user_id: int | None, name: str, manager_id: int | None) -> None:
    if manager_id is None:
        return
    manager = con.execute("SELECT name, is_active FROM app_user WHERE id = ?", [manager_id]).fetchall()
    if not manager:
        raise InvalidInput(f"There is no user with id {manager_id} to be {name}'s manager.")
    if not manager[0][1]:
        raise InvalidInput(f"{manager[0][0]} is deactivated and cannot be {name}'s manager.")
    if user_id is not None and manager_id == user_id:
        raise InvalidInput(f"{name} cannot be their own manager.")
    if user_id is not None and would_create_cycle(con, user_id, manager_id):
        raise InvalidInput(
            f"{manager[0][0]} cannot be {name}'s manager: {manager[0][0]} already reports to {name}, directly or through others."
        )
