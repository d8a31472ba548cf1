"""`planning scorecard show --plan ID [--json]`: a plan's latest scorecard score, band and categories."""

from __future__ import annotations

import argparse
import json

from planning import plans, scorecards
from planning.db import Database


def register(subparsers) -> None:
    parser = subparsers.add_parser("scorecard", help="show a plan's scorecard score, band and category scores")
    actions = parser.add_subparsers(dest="scorecard_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="the latest score of one plan")
    show.add_argument("--plan", type=int, required=True, help="plan id")
    show.add_argument("--json", action="store_true", help="print JSON instead of a table")
    show.set_defaults(func=run)


def summary(db: Database, plan_id: int) -> dict:
    """The JSON shape of `scorecard show`."""
    plans.get_plan(db, plan_id)  # NotFound for an unknown id
    card = scorecards.plan_scorecard(db, plan_id)
    return {
        "plan_id": plan_id,
        "score": card["score"],
        "band": card["band"],
        "completion": card["completion"],
        "categories": [{"name": c["name"], "weight": c["weight"], "score": c["score"]} for c in card["categories"]],
        "gaps": [g["question"] for g in card["gaps"]],
    }


def run(args: argparse.Namespace, db: Database) -> int:
    result = summary(db, args.plan)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    score = "not scored yet" if result["score"] is None else f"{result['score']:.1f} ({result['band']})"
    print(f"Plan {args.plan}: score {score}, {result['completion']:.1f}% complete")
    width = max([len(c["name"]) for c in result["categories"]] + [8])
    print(f"{'Category':<{width}}  {'Weight':>6}  {'Score':>5}")
    for c in result["categories"]:
        value = "—" if c["score"] is None else f"{c['score']:.1f}"
        print(f"{c['name']:<{width}}  {c['weight']:>6g}  {value:>5}")
    if result["gaps"]:
        print(f"Gaps ({len(result['gaps'])}): " + "; ".join(result["gaps"]))
    return 0
