"""`planning stakeholders --plan ID [--json]`: a plan's stakeholder graph, coverage status and alerts."""

from __future__ import annotations

import argparse
import json
from datetime import date

from planning import stakeholder_graph, stakeholders
from planning.db import Database


def register(subparsers) -> None:
    parser = subparsers.add_parser("stakeholders", help="a plan's stakeholder map: graph, coverage status and alerts")
    parser.add_argument("--plan", type=int, required=True, metavar="ID", help="plan id")
    parser.add_argument("--today", type=date.fromisoformat, help="date the alerts are judged on (default: today)")
    parser.add_argument("--json", action="store_true", help="print nodes, edges, coverage_status and alerts as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, db: Database) -> int:
    coverage = stakeholders.plan_coverage(db, args.plan, args.today)
    nodes, edges, _ = stakeholder_graph.build_graph(stakeholders.stakeholder_map(db, args.plan))
    if args.json:
        print(json.dumps({"nodes": nodes, "edges": edges, "coverage_status": coverage["coverage_status"],
                          "alerts": coverage["alerts"]}, indent=2))
        return 0
    contacts = sum(1 for n in nodes if n["id"].startswith("contact-"))
    print(f"Plan {args.plan}: {contacts} stakeholders, {len(edges)} links; coverage status "
          f"{coverage['coverage_status']} ({coverage['coverage_label']}).")
    for alert in coverage["alerts"]:
        print(f"- {alert}")
    return 0
