"""`planning whitespace --plan ID [--json]`: a plan's whitespace cells and totals."""

from __future__ import annotations

import argparse
import json

from planning import whitespace
from planning.db import Database
from planning.formatting import amount

TOTAL_KEYS = ["sold", "in_progress", "open_value", "competitor_value", "whitespace_value"]


def register(subparsers) -> None:
    parser = subparsers.add_parser("whitespace", help="a plan's whitespace matrix (business units × products) and totals")
    parser.add_argument("--plan", type=int, required=True, metavar="ID", help="plan id")
    parser.add_argument("--json", action="store_true", help="print JSON: cells and totals")
    parser.set_defaults(func=run)


def report(db: Database, plan_id: int) -> dict:
    """The CLI's JSON document for one plan."""
    matrix = whitespace.plan_matrix(db, plan_id)
    cells = [
        {
            "business_unit": row.business_unit, "product": row.product, "status": row.status,
            "manual": bool(row.manual), "value": amount(row.value), "estimated": bool(row.estimated),
        }
        for row in matrix.itertuples()
    ]
    summary = whitespace.summarise(matrix)
    return {"cells": cells, "totals": {key: amount(summary[key]) for key in TOTAL_KEYS}}


def run(args: argparse.Namespace, db: Database) -> int:
    document = report(db, args.plan)
    if args.json:
        print(json.dumps(document, indent=2))
        return 0
    width = max([len(c["business_unit"]) for c in document["cells"]] + [13])
    print(f"{'business unit':<{width}}  {'product':<22} {'status':<30} value")
    for c in document["cells"]:
        status = c["status"] + (" (manual)" if c["manual"] else "")
        value = "" if c["value"] is None else f"{c['value']:>14,.2f}" + (" estimate" if c["estimated"] else "")
        print(f"{c['business_unit']:<{width}}  {c['product']:<22} {status:<30} {value}")
    print(", ".join(f"{key.replace('_', ' ')} {value:,.2f}" for key, value in document["totals"].items()))
    return 0
