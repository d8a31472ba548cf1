"""`planning import KIND FILE`: validate a CRM extract whole, then import it in one transaction."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from planning import users
from planning.db import Database
from planning.errors import ImportRefused
from planning.importing import ingest
from planning.importing.mapping import KINDS, parse_overrides


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help="import a CSV extract (accounts, opportunities, contacts, products, users, business-units)",
        description="Validate the whole file, then import it in one transaction. Any problem refuses the file "
                    "(nothing is written) unless --skip-bad-rows. Stage names new to the stage table get "
                    f"{ingest.DEFAULT_NEW_STAGE_PROBABILITY:.0%} probability (won 100 %, lost 0 %) unless the "
                    "file's own probabilities say otherwise.",
    )
    parser.add_argument("kind", choices=KINDS, metavar="KIND", help=f"one of: {', '.join(KINDS)}")
    parser.add_argument("file", metavar="FILE", help="the CSV extract (UTF-8 or cp1252; comma, semicolon or tab)")
    parser.add_argument("--dry-run", action="store_true", help="validate and preview; write nothing")
    parser.add_argument("--skip-bad-rows", action="store_true",
                        help="import the valid rows; write the rejected ones to FILE.rejected.csv with a reason")
    parser.add_argument("--map", action="append", metavar="SOURCE=FIELD", default=[],
                        help="map a column to a field (empty FIELD ignores the column); repeatable")
    parser.add_argument("--user", metavar="NAME_OR_EMAIL", help="who imports (needs role ops or admin)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, db: Database) -> int:
    db.migrate()
    user = users.find_user(db, args.user) if args.user else None
    try:
        report = ingest.import_csv(
            db, args.kind, args.file, user=user, mapping=parse_overrides(args.map),
            dry_run=args.dry_run, skip_bad_rows=args.skip_bad_rows,
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
        print(json.dumps(data, default=str))
    else:
        print(report.summary() + (f" Rejected rows: {rejected_path}." if rejected_path else ""))
        for warning in report.warnings:
            print(f"  warning: {warning}")
    return 0
