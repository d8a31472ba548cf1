"""Demo opportunities over three fiscal years, shaped by each account's segment and tier."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from planning import vocab
from planning.demo.reference import OPEN_STAGES, PRODUCTS, insert_returning_ids


def seed_opportunities(con, rng, accounts, units, products, users, anchor: date) -> None:
    first_day = date(anchor.year - 2, 1, 1)
    last_day = date(anchor.year + 1, 6, 30)
    span = (last_day - first_day).days
    product_names = list(products)
    rows = []
    for account in accounts:
        # Bigger, closer accounts buy more; dormant and negative ones barely at all.
        base = {1: 60, 2: 32, 3: 14}[account["tier"]]
        if account["current_segment"] in ("Dormant", "Negative Relationship", "No Relationship"):
            base = 6
        for _ in range(base + rng.randint(-4, 4)):
            close = first_day + timedelta(days=rng.randint(0, span))
            product = rng.choice(product_names)
            list_price = dict((p, price) for p, _, price in PRODUCTS)[product]
            amount = round(list_price * rng.uniform(0.4, 2.5), 2)
            if close < anchor - timedelta(days=20):
                won = rng.random() < 0.55
                stage, is_closed, is_won = ("Closed Won" if won else "Closed Lost"), True, won
            else:
                stage = rng.choices([s for s, _ in OPEN_STAGES], [w for _, w in OPEN_STAGES])[0]
                is_closed = is_won = False
            probability = None
            if not is_closed and rng.random() < 0.25:  # some reps override the stage default
                probability = round(rng.choice([0.15, 0.35, 0.6, 0.8]), 2)
            unit_ids = units[account["id"]]
            rows.append({
                "account_id": account["id"],
                "name": f"{account['name']} – {product} {close:%b %Y}",
                "stage": stage,
                "amount": None if rng.random() < 0.01 else amount,
                "probability": probability,
                "close_date": close,
                "created_date": close - timedelta(days=rng.randint(20, 200)),
                "is_closed": is_closed,
                "is_won": is_won,
                "product_id": products[product],
                "business_unit_id": rng.choice(unit_ids) if unit_ids and rng.random() < 0.85 else None,
                "owner_id": account["owner_id"],
                "type": rng.choices(vocab.OPPORTUNITY_TYPES, [0.35, 0.4, 0.25])[0],
            })
    # Early-stage deals without an account and open deals without a close date (real CRMs have both).
    for i in range(12):
        rows.append({
            "account_id": None, "name": f"Inbound lead {i + 1}", "stage": "Prospecting",
            "amount": 20_000.0 + 1_000 * i, "probability": None,
            "close_date": None if i % 2 else anchor + timedelta(days=30 + i), "created_date": anchor - timedelta(days=i),
            "is_closed": False, "is_won": False, "product_id": products["Insights"], "business_unit_id": None,
            "owner_id": users["Priya Nair"], "type": "new",
        })
    frame = pd.DataFrame(rows)
    frame.insert(0, "external_id", [f"006DEMO{i + 1:06d}" for i in range(len(frame))])
    frame["account_ref"] = None
    insert_returning_ids(con, "opportunity", frame)
