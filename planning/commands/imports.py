"""`planning import KIND FILE`: validate a CRM extract whole, then import it in one transaction."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from planning import users
from planning.db import Database
from planning.errors import ImportRefused
from planning.importing import ingest, stages
from planning.importing.mapping import KINDS, parse_overrides


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help="import a CSV extract (accounts, opportunities, contacts, products, users, business-units)",
        description="Validate the whole file (CSV or .xlsx), then import it in one transaction. The CRM is "
                    "recognised from the headers (Salesforce, HubSpot, Pipedrive, Dynamics 365, plain names). Any "
                    "problem refuses the file (nothing is written) unless --skip-bad-rows. A stage name new to the "
                    "stage table takes the CRM's documented default, Won/Lost in its name, or the file's own "
                    "probabilities; otherwise the import is refused until you confirm it with --stage "
                    "(or `planning stages set`).",
    )
    parser.add_argument("kind", choices=KINDS, metavar="KIND", help=f"one of: {', '.join(KINDS)}")
    parser.add_argument("file", metavar="FILE", help="the CSV extract (UTF-8 or cp1252; comma, semicolon or tab)")
    parser.add_argument("--dry-run", action="store_true", help="validate and preview; write nothing")
    parser.add_argument("--skip-bad-rows", action="store_true",
                        help="import the valid rows; write the rejected ones to FILE.rejected.csv with a reason")
    parser.add_argument("--map", action="append", metavar="SOURCE=FIELD", default=[],
                        help="map a column to a field (empty FIELD ignores the column); repeatable")
    parser.add_argument("--stage", action="append", metavar="NAME=open:PCT|won|lost", default=[],
                        help="confirm a new stage: open with a probability (open:30), won or lost; repeatable")
    parser.add_argument("--date-order", choices=["DMY", "MDY"],
                        help="read slash dates day-first or month-first when no date of the file settles it")
    parser.add_argument("--user", metavar="NAME_OR_EMAIL", help="who imports (needs role ops or admin)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, db: Database) -> int:
    with db.held():  # one open of the file for the whole command (each open of a 1M book: ~25 ms)
        return _run(args, db)


def _run(args: argparse.Namespace, db: Database) -> int:
    db.migrate()
    user = users.find_user(db, args.user) if args.user else None
    try:
        confirmed = dict(stages.parse_confirmation(text) for text in args.stage)
        report = ingest.import_csv(
            db, args.kind, args.file, user=user, mapping=parse_overrides(args.map),
            dry_run=args.dry_run, skip_bad_rows=args.skip_bad_rows, stage_probabilities=confirmed,
            date_order=args.date_order,
        )
    except ImportRefused as exc:
        print(f"planning: {exc}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    rejected_path = None
    if report.rejected:
        rejected_path = Path(f"{args.file}.rejected.csv")
        rejected_path.write_bytes(report.rejected_csv())
    if args.json:
        data = {key: value for key, value in report.as_dict().items()}
        data["rejected_file"] = str(rejected_path) if rejected_path else None
        data["notes"] = report.notes()
        print(json.dumps(data, default=str))
    else:
        print(report.summary() + (f" Rejected rows: {rejected_path}." if rejected_path else ""))
        for note in report.notes():
            print(f"  {note}")
        for stage in report.new_stages:
            state = "won" if stage["is_won"] else "lost" if stage["is_closed"] else f"open {stage['probability']:.0%}"
            needs = " — needs confirming: --stage 'NAME=open:PCT|won|lost'" if stage["pending"] else ""
            print(f"  new stage {stage['name']!r}: {state} (from {stage['decided_by']}; {stage['rows']} rows, "
                  f"first on line {stage['first_line']}){needs}")
        for warning in report.warnings:
            print(f"  warning: {warning}")
    return 0


def register_stages(subparsers) -> None:
    parser = subparsers.add_parser(
        "stages", help="list the stage table, or set a stage's default (open with a probability, won or lost)",
        description="`planning stages` lists every stage with its default probability and state; "
                    "`planning stages set NAME open 30` (or won / lost) adds or changes one, e.g. to confirm "
                    "the new stages an import names.")
    parser.add_argument("action", nargs="?", choices=["list", "set"], default="list")
    parser.add_argument("name", nargs="?", help="the stage name (set)")
    parser.add_argument("state", nargs="?", choices=["open", "won", "lost"], help="open, won or lost (set)")
    parser.add_argument("probability", nargs="?", help="percent for an open stage, e.g. 30 (set)")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=run_stages)


def run_stages(args: argparse.Namespace, db: Database) -> int:
    db.migrate()
    try:
        if args.action == "set":
            if not args.name or not args.state:
                raise ImportRefused("planning stages set needs NAME and a state: open PERCENT, won or lost.")
            probability = (stages.parse_probability(args.probability or "", f"{args.name} open")
                           if args.state == "open" else 1.0 if args.state == "won" else 0.0)
            with db.transaction() as con:
                done = stages.set_stage(con, args.name, args.state, probability)
            print(f"Stage {args.name!r} {done}: {args.state}" + (f" {probability:.0%}" if args.state == "open" else ""))
            return 0
    except ImportRefused as exc:
        print(f"planning: {exc}", file=sys.stderr)
        return 1
    with db.connect() as con:
        rows = stages.list_stages(con)
    if args.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            print(f"{row['name']}\t{row['state']}\t{row['probability']:.0%}")
    return 0
