"""`planning init [--demo]`: create or upgrade the database, optionally with the demo book."""

from __future__ import annotations

import argparse

from planning import demo
from planning.db import Database
from planning.errors import InvalidInput


def register(subparsers) -> None:
    parser = subparsers.add_parser("init", help="create or upgrade the database (optionally with demo data)")
    parser.add_argument("--demo", action="store_true", help="fill a new database with the demo book of business")
    parser.add_argument("--if-missing", action="store_true", help="do nothing when the database file already exists")
    parser.add_argument("--force", action="store_true", help="delete an existing database file first")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, db: Database) -> int:
    if args.if_missing and db.exists():
        applied = db.migrate()
        print(f"{db.path}: exists (schema version {db.schema_version()}{', upgraded' if applied else ''}).")
        return 0
    if args.force:
        db.discard()
    if args.demo and db.exists() and _has_accounts(db):
        raise InvalidInput(f"{db.path} already holds accounts; use --force to replace it with the demo book.")
    db.migrate()
    if args.demo:
        counts = demo.build_demo(db)
        summary = ", ".join(f"{n} {t}" for t, n in counts.items() if t in ("account", "opportunity", "plan", "contact"))
        print(f"{db.path}: demo book written ({summary}).")
    else:
        print(f"{db.path}: ready (schema version {db.schema_version()}).")
    return 0


def _has_accounts(db: Database) -> bool:
    has_table = db.value("SELECT count(*) FROM information_schema.tables WHERE table_name = 'account'")
    return bool(has_table and db.value("SELECT count(*) FROM account"))
