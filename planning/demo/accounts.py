"""Demo users, products, accounts (segments, tiers, territories), business units and account-selection scores."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd

from planning.demo.reference import (
    BUSINESS_UNITS,
    COUNTRIES,
    INDUSTRY_OF_SUFFIX,
    NAME_STEMS,
    NAME_SUFFIXES,
    PRODUCTS,
    REGION_OF_TERRITORY,
    REPS_BY_TERRITORY,
    SELECTION_CRITERIA,
    USERS,
    insert_returning_ids,
)


def seed_users(con) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name, role, manager, region in USERS:
        email = name.lower().replace("'", "").replace(" ", ".") + "@example.com"
        ids[name] = con.execute(
            "INSERT INTO app_user (external_id, name, email, role, manager_id, region) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [f"U{len(ids) + 1:03d}", name, email, role, ids.get(manager) if manager else None, region],
        ).fetchall()[0][0]
    return ids


def seed_products(con) -> dict[str, int]:
    frame = pd.DataFrame(
        [(f"P{i + 1:02d}", name, family, price) for i, (name, family, price) in enumerate(PRODUCTS)],
        columns=["external_id", "name", "family", "list_price"],
    )
    return dict(zip(frame["name"], insert_returning_ids(con, "product", frame)))


def _segment_plan(rng: random.Random, n: int) -> list[tuple[str, str, int]]:
    """(current segment, target segment, tier) for n accounts, strategic first."""
    mix = (
        [("Strategic Customer", "Strategic Customer", 1)] * 12
        + [("Steady Customer", "Strategic Customer", 1)] * 4
        + [("Steady Customer", "Steady Customer", 2)] * 10
        + [("Occasional Customer", "Steady Customer", 2)] * 6
        + [("Occasional Customer", "Occasional Customer", 3)] * 5
        + [("No Relationship", "Occasional Customer", 3)] * 4
        + [("Dormant", "Steady Customer", 2)] * 3
        + [("Dormant", "No Relationship", 3)] * 2
        + [("Negative Relationship", "Occasional Customer", 3)] * 2
    )
    return mix[:n]


def seed_accounts(con, rng: random.Random, users: dict[str, int], anchor: date) -> list[dict]:
    stems = rng.sample(NAME_STEMS, 48)
    territories = list(REPS_BY_TERRITORY)
    accounts = []
    for i, (stem, (segment, target, tier)) in enumerate(zip(stems, _segment_plan(rng, 48))):
        suffix = NAME_SUFFIXES[i % len(NAME_SUFFIXES)]
        territory = territories[i % len(territories)]
        size = {1: 6.0, 2: 2.0, 3: 0.7}[tier] * rng.uniform(0.5, 1.8)  # billions of revenue
        frequency = {1: 14, 2: 30, 3: 90}[tier]
        last_activity = anchor - timedelta(days=rng.randint(1, frequency * 2))
        accounts.append({
            "external_id": f"001DEMO{i + 1:05d}",
            "name": f"{stem} {suffix}",
            "industry": INDUSTRY_OF_SUFFIX[suffix],
            "annual_revenue": round(size * 1e9, 2),
            "employees": int(size * rng.uniform(2_500, 6_000)),
            "region": REGION_OF_TERRITORY[territory],
            "territory": territory,
            "country": rng.choice(COUNTRIES[territory]),
            "year_established": rng.randint(1920, 2012),
            "owner_id": users[rng.choice(REPS_BY_TERRITORY[territory])],
            "current_segment": segment,
            "target_segment": target,
            "tier": tier,
            "is_strategic": tier == 1 or (segment == "Steady Customer" and i % 7 == 0),
            "call_frequency_days": frequency,
            "last_activity_date": last_activity,
            "next_activity_due": last_activity + timedelta(days=frequency),
        })
    frame = pd.DataFrame(accounts)
    for account, new_id in zip(accounts, insert_returning_ids(con, "account", frame)):
        account["id"] = new_id
    # A few subsidiaries: the last accounts of some territories belong to a strategic parent.
    for child, parent in [(40, 0), (41, 1), (42, 2), (44, 4), (46, 6)]:
        accounts[child]["parent_id"] = accounts[parent]["id"]
        con.execute("UPDATE account SET parent_id = ? WHERE id = ?", [accounts[parent]["id"], accounts[child]["id"]])
    return accounts


def seed_business_units(con, rng: random.Random, accounts: list[dict]) -> dict[int, list[int]]:
    rows = []
    for account in accounts:
        count = {1: rng.randint(2, 4), 2: rng.randint(0, 2), 3: 0}[account["tier"]]
        for name, kind in rng.sample(BUSINESS_UNITS, count):
            rows.append((account["id"], name, kind))
    frame = pd.DataFrame(rows, columns=["account_id", "name", "kind"])
    units: dict[int, list[int]] = {a["id"]: [] for a in accounts}
    for (account_id, _, _), unit_id in zip(rows, insert_returning_ids(con, "business_unit", frame)):
        units[account_id].append(unit_id)
    return units


def seed_selection_scores(con, rng, accounts) -> None:
    for name, weight in SELECTION_CRITERIA:
        criterion_id = con.execute(
            "INSERT INTO selection_criterion (name, weight) VALUES (?, ?) RETURNING id", [name, weight]
        ).fetchall()[0][0]
        for account in accounts:
            score = max(1, min(5, 4 - account["tier"] + rng.randint(0, 2)))
            con.execute(
                "INSERT INTO account_selection_score VALUES (?, ?, ?)", [account["id"], criterion_id, score]
            )
