"""A deterministic demo book of business that makes every page show something true.

Everything is derived from a seeded random generator and an anchor date (today by default),
so the same anchor always gives the same database, and the current fiscal year is the
anchor's calendar year: plans run over three fiscal years (anchor year − 2 … anchor year).
"""

from __future__ import annotations

import random
from datetime import date, datetime

from planning.db import Database
from planning.demo.accounts import (
    seed_accounts,
    seed_business_units,
    seed_products,
    seed_selection_scores,
    seed_users,
)
from planning.demo.contacts import seed_contacts
from planning.demo.opportunities import seed_opportunities
from planning.demo.plans import (
    seed_initiatives_and_comments,
    seed_kpi_snapshots,
    seed_objectives_and_actions,
    seed_plans,
    seed_stakeholders,
    seed_team,
)
from planning.demo.reference import SEED
from planning.demo.scorecards import seed_scorecards
from planning.demo.whitespace import seed_whitespace


def build_demo(db: Database, anchor: date | None = None, seed: int = SEED) -> dict[str, int]:
    """Fill an empty, migrated database with the demo book; returns row counts per table."""
    anchor = anchor or date.today()
    rng = random.Random(seed)
    with db.transaction() as con:
        users = seed_users(con)
        products = seed_products(con)
        accounts = seed_accounts(con, rng, users, anchor)
        units = seed_business_units(con, rng, accounts)
        seed_opportunities(con, rng, accounts, units, products, users, anchor)
        contacts = seed_contacts(con, rng, accounts)
        plans = seed_plans(con, rng, accounts, units, users, anchor)
        seed_team(con, rng, plans, users)
        seed_stakeholders(con, rng, plans, contacts, anchor)
        seed_scorecards(con, rng, plans, users, anchor)
        seed_whitespace(con, rng, plans, units, products, anchor)
        seed_objectives_and_actions(con, rng, plans, users, products, anchor)
        seed_initiatives_and_comments(con, rng, plans, products, units, users, anchor)
        seed_selection_scores(con, rng, accounts)
        seed_kpi_snapshots(con, rng, plans, anchor)
        con.execute(
            "INSERT INTO import_batch (file_name, kind, sha256, rows_read, inserted, user_id,"
            " started_at, finished_at, status) VALUES ('demo book of business', 'demo', '', 0, 0, ?, ?, ?, 'committed')",
            [users["Omar Ops"], datetime.now(), datetime.now()],
        )
    return count_rows(db)


def count_rows(db: Database) -> dict[str, int]:
    tables = [
        "app_user", "account", "business_unit", "product", "opportunity", "contact", "plan",
        "team_member", "stakeholder", "influence_link", "scorecard_answer", "whitespace_cell",
        "objective", "action", "initiative", "comment",
    ]
    with db.connect() as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}
