"""`planning demo --scale large|N (--out DIR | --db PATH|URL)`: the large book for performance work."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

from planning.db import Database, open_database
from planning.db.transfer import copy_database, refuse_filled
from planning.demo import scale, scale_seed
from planning.errors import InvalidInput


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="generate a large deterministic book of business (CSV extracts and/or a database)",
        description="Write the large book as CRM-style CSVs (--out) and/or load it into a new database "
                    "through the importer with plans, scorecards, whitespace and stakeholders (--db).",
    )
    parser.add_argument("--scale", default="large",
                        help="'large' (20,000 accounts, 1,000,000 opportunities) or a number of opportunities")
    parser.add_argument("--out", help="folder for Account.csv, Opportunity.csv, Contact.csv, Product.csv, User.csv")
    # --db is also a global option; SUPPRESS keeps `planning --db X demo` working.
    parser.add_argument("--db", default=argparse.SUPPRESS, help="load the book into this new database file, or an empty PostgreSQL database (URL)")
    parser.add_argument("--anchor", type=date.fromisoformat, default=None,
                        help="the 'today' of the book, YYYY-MM-DD (default: today); same arguments → same files")
    parser.add_argument("--seed", type=int, default=scale.SEED, help=f"random seed (default {scale.SEED})")
    parser.add_argument("--json", action="store_true", help="print the counts and timings as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, db: Database) -> int:
    loading = "db" in vars(args) and args.db is not None
    if not args.out and not loading:
        raise InvalidInput("Say where the book goes: --out DIR for CSV files, --db PATH for a database, or both.")
    size = scale.BookSize.for_scale(args.scale)
    anchor = args.anchor or date.today()
    on_postgres = loading and db.dialect == "postgres"
    if on_postgres:
        refuse_filled(db, "load the large book")
    elif loading and db.exists():
        raise InvalidInput(f"{db.path} already exists; the large book is loaded into a new database only.")
    summary: dict = {"size": asdict(size), "anchor": anchor.isoformat()}
    with tempfile.TemporaryDirectory(prefix="planning-book-") as scratch:
        out = Path(args.out) if args.out else Path(scratch)
        started = time.perf_counter()
        summary["files"] = scale.write_book(out, size.opportunities, anchor=anchor, seed=args.seed)
        summary["write_seconds"] = round(time.perf_counter() - started, 2)
        if loading:
            started = time.perf_counter()
            summary["imports"] = load(db, out, Path(scratch), anchor, size.plans, args.seed)
            summary["load_seconds"] = round(time.perf_counter() - started, 2)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    files = ", ".join(f"{n:,} in {name}" for name, n in summary["files"].items())
    print(f"Book written in {summary['write_seconds']} s: {files}" + (f" → {args.out}" if args.out else ""))
    if loading:
        print(f"{db.path}: loaded through the importer with {size.plans:,} plans in {summary['load_seconds']} s.")
    return 0


def load(db: Database, book: Path, scratch: Path, anchor: date, plans: int, seed: int) -> dict:
    """Load the book through the importer into `db`, a new DuckDB file or an empty PostgreSQL database.

    The planning content (plans, scorecards, stakeholders) is seeded with DuckDB macros over the
    CSVs, so for PostgreSQL the book is built in a scratch DuckDB file and moved over with
    `copy_database` (one transaction; it refuses a database that already holds data).
    """
    if db.dialect == "postgres":
        local = open_database(scratch / "book.duckdb")
        imports = scale_seed.load_book(local, book, anchor=anchor, plans=plans, seed=seed)
        copy_database(local, db)
        return imports
    target = open_database(db.path, lock_timeout=db.lock_timeout)
    try:
        return scale_seed.load_book(target, book, anchor=anchor, plans=plans, seed=seed)
    except BaseException:
        # the file is ours and new: never leave a half-loaded book behind
        for leftover in (db.path, db.path.with_name(db.path.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
