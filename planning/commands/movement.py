"""`planning movement --plan ID [--since DATE] [--json]`: what moved in a plan's period since the previous import."""

from __future__ import annotations

import argparse
import json
from datetime import date

from planning import movement
from planning.db import Database
from planning.formatting import date_text, money

COLUMNS = ("crm_id", "name", "kind", "detail", "old", "new", "date")


def register(subparsers) -> None:
    parser = subparsers.add_parser("movement", help="deals that moved in a plan's period since the previous import")
    parser.add_argument("--plan", type=int, required=True, help="plan id")
    parser.add_argument("--since", type=date.fromisoformat, metavar="DATE",
                        help="count imports that finished on or after this day (default: after the previous import)")
    parser.add_argument("--json", action="store_true", help="print a JSON list of changes")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, db: Database) -> int:
    changes = movement.plan_movement(db, args.plan, args.since)
    if args.json:
        print(json.dumps([{**c, "date": c["date"].isoformat() if c["date"] else None} for c in changes], indent=2))
        return 0
    if not changes:
        since = args.since or movement.default_since(db)
        print("No deal moved" + (f" since {date_text(since)}." if since else ": there is no previous import yet."))
        return 0
    table = [[_text(c, key) for key in COLUMNS] for c in changes]
    widths = [max(len(key), *(len(row[i]) for row in table)) for i, key in enumerate(COLUMNS)]
    print("  ".join(key.ljust(w) for key, w in zip(COLUMNS, widths)).rstrip())
    for row in table:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
    return 0


def _text(change: dict, key: str) -> str:
    value = change[key]
    if key == "kind":
        return movement.KIND_LABELS[value]
    if key == "date":
        return f"{value:%Y-%m-%d %H:%M}"
    if key in ("old", "new") and change["kind"] in movement.AMOUNT_KINDS:
        return money(value)
    return "—" if value is None else str(value)
