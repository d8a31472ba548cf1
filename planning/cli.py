"""`planning` command line: opens the database, calls the domain, prints results.

Subcommands live in planning/commands/, one module per concern, each with
`register(subparsers)` that adds its parser and sets `func(args, db) -> int`. Domain errors
(PlanningError) print as one line on stderr and exit 1; nothing prints a traceback for bad input.

Startup is kept light (issue #17): `COMMANDS` names every subcommand, its module and its one-line
help, so `planning --help` imports no command module at all, and a command imports only its own
module (which imports only what it uses: `kpis` never loads pandas). tests/test_cli_startup.py
checks that this table matches what the modules register.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand → (module in planning/commands, the help its register() gives), in `--help` order
COMMANDS: dict[str, tuple[str, str]] = {
    "accuracy": ("accuracy", "forecast accuracy of ended plans: expected 90/60/30 days before the end vs won"),
    "backup": ("backup", "copy the database into a new or empty directory"),
    "restore": ("backup", "replace the database with a backup made by `planning backup`"),
    "copy": ("copy", "copy the whole database into an empty one (e.g. DuckDB → PostgreSQL)"),
    "demo": ("demo", "generate a large deterministic book of business (CSV extracts and/or a database)"),
    "export": ("export", "export a plan as HTML or PDF; manage export presets"),
    "forecast": ("forecast", "chance of hitting target: P(revenue ≥ target), p10/p50/p90"),
    "import": ("imports", "import a CSV extract (accounts, opportunities, contacts, products, users, business-units)"),
    "init": ("init", "create or upgrade the database (optionally with demo data)"),
    "kpis": ("kpis", "print plan KPIs (target, won, pipeline, expected...)"),
    "movement": ("movement", "deals that moved in a plan's period since the previous import"),
    "plan": ("plans", "create and list account plans"),
    "portfolio": ("portfolio", "headline figures, strategic accounts with/without a plan, plans vs target"),
    "scorecard": ("scorecard", "show a plan's scorecard score, band and category scores"),
    "stages": ("stages", "list the stage table, or set a stage's default (open with a probability, won or lost)"),
    "stakeholders": ("stakeholders", "a plan's stakeholder map: graph, coverage status and alerts"),
    "users": ("users", "list or add the people who may use the app"),
    "whitespace": ("whitespace", "a plan's whitespace matrix (business units × products) and totals"),
}
_GLOBAL_WITH_VALUE = ("--db", "--lock-timeout")


def _chosen_command(argv: list[str]) -> str | None:
    """The subcommand word in argv (skipping the global options and their values), if any."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _GLOBAL_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the chosen subcommand's module is imported (all of them when argv is None)."""
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
    chosen = None if argv is None else _chosen_command(argv)
    wanted = {module for module, _ in COMMANDS.values()} if argv is None else (
        {COMMANDS[chosen][0]} if chosen in COMMANDS else set())
    registered: set[str] = set()
    for name, (module, help_text) in COMMANDS.items():
        if module in wanted and module not in registered:
            importlib.import_module(f"planning.commands.{module}").register(subparsers)
            registered.add(module)
        elif name not in subparsers.choices:
            subparsers.add_parser(name, help=help_text)  # named in --help; never parsed
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from planning.db import Database, resolve_path
    from planning.errors import PlanningError

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
