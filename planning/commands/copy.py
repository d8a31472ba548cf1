"""`planning copy --to URL`: this database, whole, into an empty one (DuckDB ⇄ PostgreSQL)."""

from __future__ import annotations

import argparse

from planning.db import Database
from planning.db.transfer import copy_database


def register(subparsers) -> None:
    parser = subparsers.add_parser("copy", help="copy the whole database into an empty one (e.g. DuckDB → PostgreSQL)")
    parser.add_argument("--to", required=True, metavar="TARGET",
                        help="an empty database: a postgresql:// URL or a new DuckDB file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, db: Database) -> int:
    target = Database(args.to, lock_timeout=db.lock_timeout)
    counts = copy_database(db, target)
    print(f"{db.path} → {target.path}: {sum(counts.values()):,} rows in {len(counts)} tables copied.")
    return 0
