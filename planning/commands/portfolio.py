"""`planning portfolio [--period YYYY] [--owner NAME] [--json]`: the leader's portfolio figures."""

from __future__ import annotations

import argparse
import json
from datetime import date

from planning import portfolio, users, vocab
from planning.db import Database
from planning.errors import NotFound
from planning.formatting import money, percent


def register(subparsers) -> None:
    parser = subparsers.add_parser("portfolio", help="headline figures, strategic accounts with/without a plan, plans vs target")
    parser.add_argument("--period", type=int, default=None, help="fiscal year (default: this year)")
    parser.add_argument("--owner", help="only this owner's plans and accounts (name or email)")
    parser.add_argument("--manager", help="only the reporting line under this manager (name or email)")
    parser.add_argument("--territory", help="only accounts in this territory")
    parser.add_argument("--region", help="only accounts in this region")
    parser.add_argument("--segment", choices=vocab.SEGMENTS, help="only accounts in this current segment")
    parser.add_argument("--tier", type=int, choices=vocab.TIERS, help="only accounts of this tier")
    parser.add_argument("--json", action="store_true", help="print JSON: headline, with_plan, without_plan, plans")
    parser.set_defaults(func=run)


def filters_from(args: argparse.Namespace, db: Database) -> portfolio.Filters:
    """Filters from the command line; owner and manager by name or email."""
    return portfolio.Filters(
        year=args.period or date.today().year,
        owner_id=users.find_user(db, args.owner)["id"] if args.owner else None,
        manager_id=users.find_user(db, args.manager)["id"] if args.manager else None,
        territory=args.territory, region=args.region, segment=args.segment, tier=args.tier,
    )


def run(args: argparse.Namespace, db: Database) -> int:
    if not db.exists():
        raise NotFound(f"{db.path} does not exist; run `planning init` first.")
    found = portfolio.report(db, filters_from(args, db))
    if args.json:
        print(json.dumps(found, indent=2, default=str))
        return 0
    print("\n".join(text_lines(found)))
    return 0


def text_lines(found: dict) -> list[str]:
    """The report as readable lines."""
    h = found["headline"]
    pct = percent(h["expected_pct"])
    lines = [
        f"Portfolio FY{found['filters']['period']}: {h['plans']} plan{'' if h['plans'] == 1 else 's'}",
        f"  target {money(h['target'])} · won {money(h['won'])} · weighted {money(h['weighted_pipeline'])}"
        f" · expected {money(h['expected'])} ({pct} of target) · variance {money(h['variance'])}",
        f"  behind {h['behind']} · on track {h['on_track']} · ahead {h['ahead']} · no target {h['no_target']}",
        f"Strategic accounts with a plan ({len(found['with_plan'])}):",
        *[f"  {a['account']} — {a['plan']} (owner {a['owner'] or '—'})" for a in found["with_plan"]],
        f"Strategic accounts without a plan ({len(found['without_plan'])}):",
        *[f"  {a['account']} — {a['strategic_because']} (owner {a['owner'] or '—'}, selection score "
          f"{'—' if a['selection_score'] is None else a['selection_score']})" for a in found["without_plan"]],
        "Plans, Behind first, biggest gap first:",
        *[f"  [{p['performance']}] {p['plan']}: expected {money(p['expected'])} of {money(p['target'])}"
          f" (variance {money(p['variance'])})" for p in found["plans"]],
    ]
    return lines
