"""People using the app: the users table (also the CRM's sales team)."""

from __future__ import annotations

from planning.db import Database
from planning.errors import NotFound


def list_users(db: Database) -> list[dict]:
    """Active users, by name."""
    return db.rows("SELECT id, name, email, role, manager_id, region FROM app_user WHERE is_active ORDER BY name")


def get_user(db: Database, user_id: int) -> dict:
    user = db.one("SELECT id, name, email, role, manager_id, region FROM app_user WHERE id = ?", [user_id])
    if user is None:
        raise NotFound(f"There is no user with id {user_id}.")
    return user


def find_user(db: Database, name_or_email: str) -> dict:
    """A user by exact email, else by name (case-insensitive)."""
    user = db.one(
        "SELECT id, name, email, role, manager_id, region FROM app_user"
        " WHERE lower(email) = lower(?) OR lower(name) = lower(?) ORDER BY lower(email) = lower(?) DESC LIMIT 1",
        [name_or_email, name_or_email, name_or_email],
    )
    if user is None:
        raise NotFound(f"No user is called or has the email {name_or_email!r}.")
    return user
