"""`planning` command line: opens the database, calls the domain, prints results.

Subcommands live in planning/commands/, one module per concern, each with
`register(subparsers)` that adds its parser and sets `func(args, db) -> int`. Domain errors
(PlanningError) print as one line on stderr and exit 1; nothing prints a traceback for bad input.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from planning import commands
from planning.db import Database, resolve_path
from planning.errors import PlanningError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planning",
        description="Account Planner: strategic account plans over a DuckDB file.",
    )
    parser.add_argument(
        "--db",
        help="database file (default: $PLANNING_DB, else data/planning.duckdb)",
    )
    parser.add_argument(
        "--lock-timeout", type=float, default=30.0,
        help="seconds to wait while another process holds the database (default 30)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"planning.commands.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    db = Database(resolve_path(args.db), lock_timeout=args.lock_timeout)
    try:
        return args.func(args, db) or 0
    except PlanningError as exc:
        print(f"planning: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("planning: interrupted; nothing was committed by the unfinished step.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
