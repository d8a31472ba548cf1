"""`planning kpis --plan ID | --all [--json]`: a plan's KPIs, or every plan's."""

from __future__ import annotations

import argparse
import json

from planning import kpis
from planning.db import Database
from planning.errors import NotFound


def register(subparsers) -> None:
    parser = subparsers.add_parser("kpis", help="print plan KPIs (target, won, pipeline, expected...)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--plan", type=int, help="one plan's id")
    which.add_argument("--all", action="store_true", help="every plan")
    parser.add_argument("--json", action="store_true", help="print JSON (an object for --plan, a list for --all)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, db: Database) -> int:
    if not db.exists():
        raise NotFound(f"{db.path} does not exist; run `planning init` first.")
    if args.plan is not None:
        figures = kpis.kpis_for_plan(db, args.plan)
        if args.json:
            print(json.dumps(figures, indent=2))
        else:
            width = max(map(len, figures))
            for key, value in figures.items():
                print(f"{key:<{width}}  {_format(key, value)}")
        return 0
    rows = kpis.records(kpis.plan_kpis(db))
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        keys = ["plan_id", "target", "won", "pipeline", "expected", "variance", "pct_achieved", "coverage"]
        table = [[_format(k, r[k]) for k in keys] for r in rows]
        widths = [max(len(k), *(len(row[i]) for row in table)) if table else len(k) for i, k in enumerate(keys)]
        print("  ".join(k.rjust(w) for k, w in zip(keys, widths)))
        for row in table:
            print("  ".join(v.rjust(w) for v, w in zip(row, widths)))
    return 0


def _format(key: str, value) -> str:
    if value is None:
        return "—"
    if key in ("pct_achieved", "expected_pct", "win_rate_count", "win_rate_value"):
        return f"{value:.1%}"
    if key == "coverage":
        return f"{value:.2f}×"
    if key.endswith("_count") or key == "plan_id":
        return str(value)
    if key == "avg_cycle_days":
        return f"{value:.0f} days"
    return f"{value:,.2f}"
