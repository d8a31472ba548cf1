"""`planning plan create|list`: create a plan for an account and period, list plans."""

from __future__ import annotations

import argparse
import json
import os
from datetime import date

from planning import plans, users
from planning.db import Database
from planning.errors import InvalidInput, NotFound


def register(subparsers) -> None:
    parser = subparsers.add_parser("plan", help="create and list account plans")
    actions = parser.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a plan; prints its id")
    create.add_argument("--account", required=True, help="account id, CRM id or exact name")
    create.add_argument("--start", required=True, type=_date, help="period start, YYYY-MM-DD")
    create.add_argument("--end", required=True, type=_date, help="period end, YYYY-MM-DD (inclusive)")
    create.add_argument("--target", required=True, type=_amount, help="sales target")
    create.add_argument("--name", help="plan name (default: account and period, e.g. 'Acme FY2026')")
    create.add_argument("--primary", action="store_true", help="make it the account's primary plan")
    create.add_argument("--business-unit", help="scope the plan to one of the account's business units")
    create.add_argument("--owner", help="owner's name or email (default: the acting user)")
    create.add_argument("--as", dest="acting", help="acting user's name or email (default: $PLANNING_USER, else the first admin)")
    create.set_defaults(func=run_create)
    listing = actions.add_parser("list", help="list plans")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def _amount(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount") from None


def acting_user(db: Database, name: str | None) -> dict:
    """--as, else $PLANNING_USER, else the first active admin (scripts run as ops' admin)."""
    name = name or os.environ.get("PLANNING_USER")
    if name:
        return users.find_user(db, name)
    admin = db.one("SELECT id FROM app_user WHERE role = 'admin' AND is_active ORDER BY id LIMIT 1")
    if admin is None:
        raise InvalidInput("No admin user exists to act as; pass --as NAME.")
    return users.get_user(db, admin["id"])


def run_create(args: argparse.Namespace, db: Database) -> int:
    db.migrate()
    user = acting_user(db, args.acting)
    account_id = plans.resolve_account(db, args.account)
    unit_id = plans.resolve_business_unit(db, account_id, args.business_unit) if args.business_unit else None
    owner_id = users.find_user(db, args.owner)["id"] if args.owner else None
    plan_id = plans.create_plan(
        db, user, account_id=account_id, period_start=args.start, period_end=args.end,
        sales_target=args.target, name=args.name, business_unit_id=unit_id, owner_id=owner_id,
        is_primary=args.primary,
    )
    print(plan_id)
    return 0


LIST_COLUMNS = [
    "id", "name", "account", "period_start", "period_end", "status", "is_primary", "owner", "business_unit", "sales_target", "parent_plan_id",
]


def run_list(args: argparse.Namespace, db: Database) -> int:
    if not db.exists():
        raise NotFound(f"{db.path} does not exist; run `planning init` first.")
    frame = plans.list_plans(db)[LIST_COLUMNS]
    if args.json:
        rows = json.loads(frame.to_json(orient="records", date_format="iso"))
        for row in rows:
            for key in ("period_start", "period_end"):
                row[key] = row[key][:10] if row[key] else None
        print(json.dumps(rows, indent=2))
    elif frame.empty:
        print("No plans yet — create one with `planning plan create`.")
    else:
        print(frame.to_string(index=False))
    return 0
