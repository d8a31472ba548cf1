"""`planning users list` / `planning users add`: manage who may use the app from a shell.

In sign-in mode this is how the first admin is created; see users.COMMAND_LINE.
"""

from __future__ import annotations

import argparse

from planning import users
from planning.db import Database
from planning.vocab import USER_ROLES


def register(subparsers) -> None:
    parser = subparsers.add_parser("users", help="list or add the people who may use the app")
    actions = parser.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every user with role, manager and status")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(func=run_list)
    adding = actions.add_parser("add", help="add a user (matched by email when people sign in)")
    adding.add_argument("name")
    adding.add_argument("email")
    adding.add_argument("--role", choices=USER_ROLES, default="rep")
    adding.add_argument("--manager", help="the manager's name or email")
    adding.add_argument("--region")
    adding.set_defaults(func=run_add)


def run_list(args: argparse.Namespace, db: Database) -> int:
    db.migrate()
    table = users.all_users(db)
    if args.json:
        print(table.to_json(orient="records", indent=2))
    else:
        print(table.drop(columns=["version"]).to_string(index=False))
    return 0


def run_add(args: argparse.Namespace, db: Database) -> int:
    db.migrate()
    manager_id = users.find_user(db, args.manager)["id"] if args.manager else None
    user_id = users.create_user(db, users.COMMAND_LINE, args.name, args.email, args.role, manager_id, args.region)
    print(f"Added {args.name} <{args.email}> as {args.role} (user {user_id}).")
    return 0
