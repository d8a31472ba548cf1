"""`planning forecast --plan ID | --all [--probabilities crm|calibrated] [--json]`: chance of hitting target."""

from __future__ import annotations

import argparse
import json

from planning import forecast
from planning.db import Database
from planning.errors import NotFound
from planning.formatting import money, percent

KEYS = ["p_hit_target", "p10", "p50", "p90", "probabilities", "deals"]


def register(subparsers) -> None:
    parser = subparsers.add_parser("forecast", help="chance of hitting target: P(revenue ≥ target), p10/p50/p90")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--plan", type=int, help="one plan's id")
    which.add_argument("--all", action="store_true", help="every plan")
    parser.add_argument("--probabilities", choices=forecast.SOURCES, default=forecast.DEFAULT_SOURCE,
                        help="each open deal's chance: the CRM's, or calibrated on the book's closed deals (default)")
    parser.add_argument("--json", action="store_true", help="print JSON (an object for --plan, a list for --all)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, db: Database) -> int:
    if not db.exists():
        raise NotFound(f"{db.path} does not exist; run `planning init` first.")
    if args.plan is not None:
        found = forecast.plan_forecast(db, args.plan, args.probabilities)
        shown = {key: found[key] for key in ["plan_id", "target", "won", "method", "open_deals", *KEYS]}
        if args.json:
            print(json.dumps(shown, indent=2))
        else:
            print(_line(shown))
            for stage in shown["probabilities"]["stages"]:
                print(f"  {stage['stage']}: {stage['deals']} open, history {stage['history']} closed ({stage['history_from']})")
        return 0
    frame = forecast.forecast_plans(db, None, args.probabilities)
    rows = [{key: _plain(value) for key, value in row.items()} for row in frame.to_dict("records")]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(_line(row))
    return 0


def _plain(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _line(row: dict) -> str:
    source = row["probabilities"]["source"] if isinstance(row["probabilities"], dict) else row["probabilities"]
    return (f"plan {row['plan_id']}: chance of target {percent(row['p_hit_target'])} · p10 {money(row['p10'])} · "
            f"p50 {money(row['p50'])} · p90 {money(row['p90'])} · target {money(row['target'])} · "
            f"{row['open_deals']} open deals, {source} probabilities, {row['method']}")
