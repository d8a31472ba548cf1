"""Demo whitespace cells: manual statuses, competitors and estimates reps would enter."""

from __future__ import annotations

import random
from datetime import date, timedelta

from planning.demo.reference import (
    COMPETITORS,
    MANUAL_OVERRIDES,
    NOT_A_FIT_REASONS,
    PRODUCTS,
    SEED,
)


def seed_whitespace(con, rng, plans, units, products, anchor: date) -> None:
    """Cells reps recorded: estimates, competitors with contract ends, Not a Fit reasons, overrides.

    The shared `rng` is consumed exactly as before so the seeders after this one are unchanged;
    the extra variety comes from a private generator. Cells nobody touched stay derived, and
    their Open ones fall back to peer estimates.
    """
    own = random.Random(f"{SEED}-whitespace")
    competitor_ids = [
        con.execute("INSERT INTO competitor (name) VALUES (?) RETURNING id", [name]).fetchall()[0][0]
        for name in COMPETITORS
    ]
    prices = {products[name]: price for name, _, price in PRODUCTS}
    rows_out: list[tuple] = []
    for plan in plans:
        rows = units[plan["account_id"]] if plan.get("business_unit_id") is None else [plan["business_unit_id"]]
        rows = rows or [None]
        if not plan["current"]:
            # Last year's plans kept a few notes too, so follow-ups have something to carry forward.
            for unit_id in rows[:1]:
                product_id = own.choice(list(prices))
                rows_out.append((plan["id"], unit_id, product_id, "Competitor", None, own.choice(competitor_ids),
                                 date(plan["period_end"].year + 1, own.randint(1, 12), 28), "Incumbent since 2019.",
                                 plan["owner_id"]))
            continue
        for unit_id in rows:
            chosen = rng.sample(list(prices), 4)
            for product_id in chosen:
                kind = rng.choice(["estimate", "estimate", "competitor", "not_fit", "unknown"])
                value = round(prices[product_id] * rng.uniform(0.8, 2.0), -3)
                cell: tuple[str | None, float | None, int | None, date | None, str | None]
                if kind == "estimate":
                    cell = (None, value, None, None, None)
                elif kind == "competitor":
                    competitor_id = rng.choice(competitor_ids)
                    end = anchor + timedelta(days=rng.randint(60, 500))
                    cell = ("Competitor", value if own.random() < 0.7 else None, competitor_id, end, None)
                elif kind == "not_fit":
                    cell = ("Not a Fit / Blocked", None, None, None, own.choice(NOT_A_FIT_REASONS))
                else:
                    cell = ("Unknown", None, None, None, None)
                rows_out.append((plan["id"], unit_id, product_id, *cell, plan["owner_id"]))
            if own.random() < 0.5:
                product_id = own.choice([p for p in prices if p not in chosen])
                status, note = own.choice(MANUAL_OVERRIDES)
                value = round(prices[product_id] * own.uniform(0.5, 1.5), -3) if status != "Unknown" else None
                rows_out.append((plan["id"], unit_id, product_id, status, value, None, None, note, plan["owner_id"]))
    con.executemany(
        "INSERT INTO whitespace_cell (plan_id, business_unit_id, product_id, status, estimated_value,"
        " competitor_id, contract_end_date, note, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows_out,
    )
