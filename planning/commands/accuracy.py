"""`planning accuracy [--json]`: how far ended plans' expected was from their final won, 90/60/30 days before the end."""

from __future__ import annotations

import argparse
import json

from planning import forecast_accuracy
from planning.db import Database
from planning.errors import NotFound
from planning.formatting import json_rows, percent


def register(subparsers) -> None:
    parser = subparsers.add_parser("accuracy", help="forecast accuracy of ended plans: expected 90/60/30 days before the end vs won")
    parser.add_argument("--json", action="store_true", help='print {"owners": [...], "plans": [...]}')
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, db: Database) -> int:
    if not db.exists():
        raise NotFound(f"{db.path} does not exist; run `planning init` first.")
    owners = json_rows(forecast_accuracy.owner_accuracy(db, None))
    if args.json:
        plans = json_rows(forecast_accuracy.plan_accuracy(db, None))
        print(json.dumps({"owners": owners, "plans": plans}, indent=2))
        return 0
    if not owners:
        print("No plan has ended yet: forecast accuracy needs a plan whose period is over.")
        return 0
    for owner in dict.fromkeys(row["owner"] for row in owners):
        parts = [_horizon(row) for row in owners if row["owner"] == owner]
        print(f"{owner}: " + " · ".join(parts))
    print("Mean absolute % error of expected vs final won (bias: mean % error, above 0 over-forecast).")
    return 0


def _horizon(row: dict) -> str:
    days, measured = row["horizon_days"], row["plans_measured"]
    if not measured:
        return f"{days} days: no snapshot by then ({row['plans']} plans)"
    bias = row["mean_pct_error"]
    return (f"{days} days {percent(row['mean_abs_pct_error'], 1)} (bias {'+' if bias >= 0 else ''}{percent(bias, 1)}, "
            f"{measured} of {row['plans']} plans)")
