"""A deterministic demo book of business that makes every page show something true.

Everything is derived from a seeded random generator and an anchor date (today by default),
so the same anchor always gives the same database, and the current fiscal year is the
anchor's calendar year: plans run over three fiscal years (anchor year − 2 … anchor year).
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from planning import vocab
from planning.db import Database

SEED = 42

USERS = [  # name, role, manager, region
    ("Ada Admin", "admin", None, None),
    ("Omar Ops", "ops", None, None),
    ("Dana Whitfield", "leader", None, "North America"),
    ("Marcus Chen", "leader", None, "International"),
    ("Priya Nair", "rep", "Dana Whitfield", "North America East"),
    ("Tom Becker", "rep", "Dana Whitfield", "North America East"),
    ("Sofia Alvarez", "rep", "Dana Whitfield", "North America West"),
    ("James O'Connor", "rep", "Dana Whitfield", "North America West"),
    ("Yuki Tanaka", "rep", "Marcus Chen", "APAC"),
    ("Lars Eriksson", "rep", "Marcus Chen", "EMEA"),
    ("Amara Okafor", "rep", "Marcus Chen", "EMEA"),
    ("Chloe Martin", "rep", "Marcus Chen", "APAC"),
    ("Ben Schultz", "rep", "Marcus Chen", "LATAM"),
]
REPS_BY_TERRITORY = {
    "North America East": ["Priya Nair", "Tom Becker"],
    "North America West": ["Sofia Alvarez", "James O'Connor"],
    "EMEA": ["Lars Eriksson", "Amara Okafor"],
    "APAC": ["Yuki Tanaka", "Chloe Martin"],
    "LATAM": ["Ben Schultz"],
}
REGION_OF_TERRITORY = {
    "North America East": "North America",
    "North America West": "North America",
    "EMEA": "International",
    "APAC": "International",
    "LATAM": "International",
}
COUNTRIES = {
    "North America East": ["United States", "Canada"],
    "North America West": ["United States"],
    "EMEA": ["Germany", "United Kingdom", "France", "Netherlands", "Sweden"],
    "APAC": ["Japan", "Australia", "Singapore"],
    "LATAM": ["Brazil", "Mexico"],
}

PRODUCTS = [  # name, family, list price
    ("Platform Standard", "Core Platform", 48_000),
    ("Platform Enterprise", "Core Platform", 145_000),
    ("Insights", "Analytics", 36_000),
    ("Forecasting AI", "Analytics", 62_000),
    ("Identity Guard", "Security", 41_000),
    ("Data Vault", "Security", 55_000),
    ("Implementation", "Services", 30_000),
    ("Premium Support", "Services", 24_000),
    ("Training", "Services", 9_000),
]

NAME_STEMS = [
    "Northwind", "Bluepeak", "Cedarline", "Helix", "Ironbridge", "Juniper", "Kestrel", "Lumen",
    "Meridian", "Nimbus", "Orchid", "Pinnacle", "Quarry", "Redwood", "Solstice", "Tidewater",
    "Umbra", "Vantage", "Westgate", "Xylo", "Yellowfin", "Zephyr", "Atlas", "Beacon", "Cobalt",
    "Driftwood", "Ember", "Falcon", "Granite", "Harbor", "Indigo", "Jasper", "Keystone",
    "Larkspur", "Monarch", "Northstar", "Oakridge", "Pioneer", "Quartz", "Riverside", "Summit",
    "Trident", "Unity", "Valor", "Willow", "Aurora", "Bright", "Crescent",
]
NAME_SUFFIXES = [
    "Logistics", "Health", "Bank", "Energy", "Foods", "Manufacturing", "Retail", "Insurance",
    "Telecom", "Pharma", "Motors", "Media", "Systems", "Airlines", "Chemicals", "Capital",
]
INDUSTRY_OF_SUFFIX = {
    "Logistics": "Transportation", "Health": "Healthcare", "Bank": "Financial Services",
    "Energy": "Energy", "Foods": "Consumer Goods", "Manufacturing": "Manufacturing",
    "Retail": "Retail", "Insurance": "Financial Services", "Telecom": "Telecommunications",
    "Pharma": "Healthcare", "Motors": "Manufacturing", "Media": "Media",
    "Systems": "Technology", "Airlines": "Transportation", "Chemicals": "Manufacturing",
    "Capital": "Financial Services",
}
BUSINESS_UNITS = [
    ("Finance", "function"), ("Operations", "function"), ("IT", "function"),
    ("Marketing", "function"), ("Europe Division", "geography"), ("Americas Division", "geography"),
    ("Consumer Division", "division"), ("Commercial Division", "division"),
]
# title, department, level (0 = top); each contact reports to someone one level up.
ORG_TITLES = [
    ("Chief Executive Officer", "Executive", 0),
    ("Chief Financial Officer", "Finance", 1),
    ("Chief Information Officer", "IT", 1),
    ("Chief Operating Officer", "Operations", 1),
    ("VP Procurement", "Finance", 2),
    ("VP Infrastructure", "IT", 2),
    ("VP Supply Chain", "Operations", 2),
    ("Director of Data", "IT", 3),
    ("Director of Security", "IT", 3),
    ("Procurement Manager", "Finance", 3),
    ("Operations Manager", "Operations", 3),
    ("IT Architect", "IT", 4),
]
FIRST_NAMES = [
    "Alice", "Bruno", "Carmen", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kara", "Liam", "Maya", "Noah", "Olga", "Pablo", "Rosa", "Samir", "Tara", "Umar", "Vera",
    "Wei", "Ximena", "Yara", "Zane", "Hannah", "Felix", "Nadia", "Oscar", "Leila",
]
LAST_NAMES = [
    "Anders", "Brooks", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ivanova",
    "Jensen", "Kowalski", "Lopez", "Moreau", "Novak", "Ortiz", "Patel", "Quinn", "Rossi",
    "Suzuki", "Thompson", "Urban", "Vargas", "Weber", "Xu", "Young", "Zimmer", "Khan", "Silva",
]
COMPETITORS = ["Acumen Software", "Brightline Cloud", "CoreStack Inc.", "Datasphere"]
OPEN_STAGES = [
    ("Prospecting", 0.22), ("Qualification", 0.22), ("Needs Analysis", 0.16),
    ("Value Proposition", 0.14), ("Proposal/Price Quote", 0.14), ("Negotiation/Review", 0.12),
]
SELECTION_CRITERIA = [
    ("Revenue potential", 3), ("Growth potential", 2), ("Product fit", 2), ("Existing relationships", 1),
]


def fiscal_years(anchor: date) -> list[int]:
    return [anchor.year - 2, anchor.year - 1, anchor.year]


def build_demo(db: Database, anchor: date | None = None, seed: int = SEED) -> dict[str, int]:
    """Fill an empty, migrated database with the demo book; returns row counts per table."""
    anchor = anchor or date.today()
    rng = random.Random(seed)
    with db.transaction() as con:
        users = _seed_users(con)
        products = _seed_products(con)
        accounts = _seed_accounts(con, rng, users, anchor)
        units = _seed_business_units(con, rng, accounts)
        _seed_opportunities(con, rng, accounts, units, products, users, anchor)
        contacts = _seed_contacts(con, rng, accounts)
        plans = _seed_plans(con, rng, accounts, units, users, anchor)
        _seed_team(con, rng, plans, users)
        _seed_stakeholders(con, rng, plans, contacts, anchor)
        _seed_scorecards(con, rng, plans, users, anchor)
        _seed_whitespace(con, rng, plans, units, products, anchor)
        _seed_objectives_and_actions(con, rng, plans, users, products, anchor)
        _seed_initiatives_and_comments(con, rng, plans, products, units, users, anchor)
        _seed_selection_scores(con, rng, accounts)
        _seed_kpi_snapshots(con, rng, plans, anchor)
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


# -- seeders ---------------------------------------------------------------------------------


def _insert_returning_ids(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> list[int]:
    """Insert a DataFrame's rows (columns named as in the table) and return the new ids in order."""
    con.register("_demo_rows", frame)
    columns = ", ".join(frame.columns)
    ids = con.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _demo_rows RETURNING id"
    ).fetchall()
    con.unregister("_demo_rows")
    return [row[0] for row in ids]


def _seed_users(con) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name, role, manager, region in USERS:
        email = name.lower().replace("'", "").replace(" ", ".") + "@example.com"
        ids[name] = con.execute(
            "INSERT INTO app_user (external_id, name, email, role, manager_id, region) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [f"U{len(ids) + 1:03d}", name, email, role, ids.get(manager), region],
        ).fetchall()[0][0]
    return ids


def _seed_products(con) -> dict[str, int]:
    frame = pd.DataFrame(
        [(f"P{i + 1:02d}", name, family, price) for i, (name, family, price) in enumerate(PRODUCTS)],
        columns=["external_id", "name", "family", "list_price"],
    )
    return dict(zip(frame["name"], _insert_returning_ids(con, "product", frame)))


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


def _seed_accounts(con, rng: random.Random, users: dict[str, int], anchor: date) -> list[dict]:
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
    for account, new_id in zip(accounts, _insert_returning_ids(con, "account", frame)):
        account["id"] = new_id
    # A few subsidiaries: the last accounts of some territories belong to a strategic parent.
    for child, parent in [(40, 0), (41, 1), (42, 2), (44, 4), (46, 6)]:
        accounts[child]["parent_id"] = accounts[parent]["id"]
        con.execute("UPDATE account SET parent_id = ? WHERE id = ?", [accounts[parent]["id"], accounts[child]["id"]])
    return accounts


def _seed_business_units(con, rng: random.Random, accounts: list[dict]) -> dict[int, list[int]]:
    rows = []
    for account in accounts:
        count = {1: rng.randint(2, 4), 2: rng.randint(0, 2), 3: 0}[account["tier"]]
        for name, kind in rng.sample(BUSINESS_UNITS, count):
            rows.append((account["id"], name, kind))
    frame = pd.DataFrame(rows, columns=["account_id", "name", "kind"])
    units: dict[int, list[int]] = {a["id"]: [] for a in accounts}
    for (account_id, _, _), unit_id in zip(rows, _insert_returning_ids(con, "business_unit", frame)):
        units[account_id].append(unit_id)
    return units


def _seed_opportunities(con, rng, accounts, units, products, users, anchor: date) -> None:
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
    _insert_returning_ids(con, "opportunity", frame)


def _seed_contacts(con, rng, accounts) -> dict[int, list[dict]]:
    rows = []
    for account in accounts:
        count = {1: 12, 2: 8, 3: 5}[account["tier"]]
        for title, department, level in ORG_TITLES[:count]:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            domain = account["name"].split()[0].lower() + ".example"
            rows.append({
                "account_id": account["id"], "first_name": first, "last_name": last,
                "name": f"{first} {last}", "title": title, "department": department,
                "email": f"{first}.{last}@{domain}".lower(), "level": level,
            })
    frame = pd.DataFrame(rows)
    frame.insert(0, "external_id", [f"003DEMO{i + 1:06d}" for i in range(len(frame))])
    ids = _insert_returning_ids(con, "contact", frame.drop(columns=["level"]))
    by_account: dict[int, list[dict]] = {}
    for row, contact_id in zip(rows, ids):
        row["id"] = contact_id
        by_account.setdefault(row["account_id"], []).append(row)
    # Reports-to: each contact reports to the first contact one level up in the same
    # department, else to the CEO.
    for contacts in by_account.values():
        top = contacts[0]
        for contact in contacts[1:]:
            bosses = [c for c in contacts if c["level"] == contact["level"] - 1 and c["department"] == contact["department"]]
            boss = bosses[0] if bosses else top
            contact["reports_to_id"] = boss["id"]
            con.execute("UPDATE contact SET reports_to_id = ? WHERE id = ?", [boss["id"], contact["id"]])
    return by_account


def _plan_text(account_name: str, year: int) -> dict:
    return {
        "vision": f"Become {account_name}'s platform partner for data-driven operations by {year + 2}.",
        "strategy": "Expand from the core platform into analytics and security, led by the CIO's modernisation programme.",
        "strengths": "Core platform is embedded in daily operations; strong support record.",
        "weaknesses": "Limited reach outside IT; procurement sees us as a vendor.",
        "opportunities": "Cloud migration budget approved; regulatory pressure on data retention.",
        "threats": "A competitor is piloting in one division; budget freeze risk in H2.",
        "goals": f"Grow won revenue 20% in {year}; secure an executive sponsor; expand to two new business units.",
        "support_required": "Executive sponsor meeting each half; solution architect for the analytics proof of value.",
        "short_term_plan": "Run the quarterly business review, then scope the analytics pilot with the data team.",
    }


def _seed_plans(con, rng, accounts, units, users, anchor: date) -> list[dict]:
    """Plans over three fiscal years with follow-up chains; one primary per planned account."""
    years = fiscal_years(anchor)
    won_by = {
        (row[0], row[1]): float(row[2])
        for row in con.execute(
            "SELECT account_id, year(close_date), coalesce(sum(amount) FILTER (WHERE is_won), 0) FROM opportunity"
            " WHERE account_id IS NOT NULL AND close_date IS NOT NULL GROUP BY ALL"
        ).fetchall()
    }
    template_id = con.execute("SELECT id FROM scorecard_template WHERE status = 'Active' ORDER BY id LIMIT 1").fetchall()[0][0]
    # Strategic accounts 0..11: 0-7 planned with chains over three years, 8-11 deliberately unplanned;
    # steady accounts 12-25 alternate: some with one or two years of plans.
    chains = {i: years for i in range(8)}
    chains.update({i: years[1:] for i in range(12, 24, 2)})
    chains.update({i: years[2:] for i in range(13, 26, 4)})
    chains.update({i: years[2:] for i in (16, 28, 33)})
    plans: list[dict] = []
    for index, chain_years in sorted(chains.items()):
        account = accounts[index]
        parent = None
        for year in chain_years:
            is_current = year == anchor.year
            potential = won_by.get((account["id"], year)) or 200_000.0
            # Targets around the year's won revenue, so plans land Behind, On track and Ahead.
            target = round(potential * rng.uniform(0.8, 1.5) / 1000) * 1000
            reviewed = anchor - timedelta(days=rng.choice([5, 12, 30, 45, 95, 130, 200]) if is_current else 400)
            plan = {
                "account_id": account["id"], "name": f"{account['name']} FY{year}",
                "period_start": date(year, 1, 1), "period_end": date(year, 12, 31), "period_kind": "year",
                "business_unit_id": None, "template_id": template_id,
                "status": ("Active" if index % 9 else "Draft") if is_current else "Completed",
                "owner_id": account["owner_id"], "is_primary": is_current, "parent_plan_id": parent,
                "sales_target": target,
                "relationship_current": vocab.RELATIONSHIP_STATUSES[min(3, index % 4)],
                "relationship_desired": vocab.RELATIONSHIP_STATUSES[min(3, index % 4 + 1)],
                "last_reviewed_at": datetime.combine(reviewed, datetime.min.time()) + timedelta(hours=10),
                **_plan_text(account["name"], year),
            }
            plan["id"] = con.execute(
                f"INSERT INTO plan ({', '.join(plan)}) VALUES ({', '.join('?' * len(plan))}) RETURNING id",
                list(plan.values()),
            ).fetchall()[0][0]
            plans.append(plan | {"current": is_current, "index": index})
            parent = plan["id"]
    # Overlapping business-unit plans on two strategic accounts in the current year.
    for index in (0, 1):
        account = accounts[index]
        unit_id = units[account["id"]][0]
        unit_name = con.execute("SELECT name FROM business_unit WHERE id = ?", [unit_id]).fetchall()[0][0]
        plan = {
            "account_id": account["id"], "name": f"{account['name']} – {unit_name} FY{anchor.year}",
            "period_start": date(anchor.year, 1, 1), "period_end": date(anchor.year, 12, 31), "period_kind": "year",
            "business_unit_id": unit_id, "template_id": template_id, "status": "Active",
            "owner_id": account["owner_id"], "is_primary": False, "parent_plan_id": None,
            "sales_target": 400_000 + 50_000 * index,
            "last_reviewed_at": datetime.combine(anchor - timedelta(days=20), datetime.min.time()),
        }
        plan["id"] = con.execute(
            f"INSERT INTO plan ({', '.join(plan)}) VALUES ({', '.join('?' * len(plan))}) RETURNING id",
            list(plan.values()),
        ).fetchall()[0][0]
        plans.append(plan | {"current": True, "index": index})
    # A half-year plan nested in nothing: shows that periods need not be years.
    account = accounts[30]
    half_start = date(anchor.year, 7, 1)
    plan = {
        "account_id": account["id"], "name": f"{account['name']} H2 {anchor.year} push",
        "period_start": half_start, "period_end": date(anchor.year, 12, 31), "period_kind": "half",
        "template_id": template_id, "status": "Active", "owner_id": account["owner_id"], "is_primary": True,
        "sales_target": 250_000, "last_reviewed_at": datetime.combine(anchor - timedelta(days=3), datetime.min.time()),
    }
    plan["id"] = con.execute(
        f"INSERT INTO plan ({', '.join(plan)}) VALUES ({', '.join('?' * len(plan))}) RETURNING id",
        list(plan.values()),
    ).fetchall()[0][0]
    plans.append(plan | {"current": True, "index": 30, "business_unit_id": None})
    return plans


def _seed_team(con, rng, plans, users) -> None:
    specialists = [("Sales Engineer", "Tom Becker"), ("Customer Success", "Chloe Martin"), ("Executive Sponsor", "Dana Whitfield")]
    for plan in plans:
        con.execute("INSERT INTO team_member (plan_id, user_id, role) VALUES (?, ?, 'Account Executive')", [plan["id"], plan["owner_id"]])
        for role, name in rng.sample(specialists, rng.randint(1, 2)):
            if users[name] != plan["owner_id"]:
                con.execute("INSERT INTO team_member (plan_id, user_id, role) VALUES (?, ?, ?)", [plan["id"], users[name], role])


def _seed_stakeholders(con, rng, plans, contacts, anchor: date) -> None:
    roles = ["Economic Buyer", "Decision Maker", "Champion", "Influencer", "Evaluator", "User", "Blocker", "Coach"]
    for plan in plans:
        people = contacts[plan["account_id"]]
        team = [r[0] for r in con.execute("SELECT user_id FROM team_member WHERE plan_id = ?", [plan["id"]]).fetchall()]
        mapped = people[: rng.randint(2, len(people))] if plan["index"] % 5 else people[:1]  # some single-threaded
        for position, person in enumerate(mapped):
            role = roles[position] if position < len(roles) else rng.choice(["User", "Influencer", "Evaluator"])
            if plan["index"] % 6 == 3 and role == "Economic Buyer":
                role = "Influencer"  # a few plans with no Economic Buyer mapped
            support = rng.choices(vocab.SUPPORT_LEVELS, [0.15, 0.35, 0.3, 0.15, 0.05])[0]
            if role == "Champion":
                support = "Mentor"
            coverage = rng.choices(vocab.COVERAGE_LEVELS, [0.1, 0.15, 0.3, 0.3, 0.15])[0]
            covered = coverage not in ("Unknown", "No Contact")
            con.execute(
                "INSERT INTO stakeholder (plan_id, contact_id, buying_role, support, coverage, influence,"
                " relationship_strength, covered_by_user_id, last_contact_date, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [plan["id"], person["id"], role, support, coverage,
                 max(1, 5 - person["level"] + rng.randint(-1, 0)), rng.randint(1, 5),
                 rng.choice(team) if covered else None,
                 anchor - timedelta(days=rng.randint(3, 160)) if covered else None,
                 None],
            )
        if len(mapped) >= 4:
            con.execute(
                "INSERT INTO influence_link (plan_id, from_contact_id, to_contact_id, note) VALUES (?, ?, ?, ?)",
                [plan["id"], mapped[3]["id"], mapped[1]["id"], "Trusted advisor on budget decisions"],
            )
    # Every coverage status shows somewhere (without drawing from rng, so later seeders stay identical):
    # the half-year push has no map yet (status 0); one business-unit plan maps no key player (status 1).
    half_year = next(p["id"] for p in plans if p.get("period_kind") == "half")
    con.execute("DELETE FROM influence_link WHERE plan_id = ?", [half_year])
    con.execute("DELETE FROM stakeholder WHERE plan_id = ?", [half_year])
    unit_plan = next(p["id"] for p in plans if p.get("business_unit_id") and p["index"] == 1)
    con.execute(
        "UPDATE stakeholder SET influence = least(influence, 3), buying_role = CASE WHEN buying_role IN"
        " ('Economic Buyer', 'Decision Maker') THEN 'Evaluator' ELSE buying_role END WHERE plan_id = ?",
        [unit_plan],
    )


def _answer_value(rng: random.Random, qtype: str, options: str | None, quality: float) -> str | None:
    """A plausible answer whose quality (0..1) follows the account's health (inverted questions too)."""
    opts = json.loads(options) if options else {}
    if qtype == "rating":
        return str(max(1, min(5, round(1 + 4 * quality + rng.uniform(-0.8, 0.8)))))
    if qtype == "yes_no":
        good = rng.random() < quality
        return "no" if good == bool(opts.get("invert")) else "yes"
    if qtype == "choice":
        choices = sorted(opts["choices"].items(), key=lambda item: item[1])
        pick = round(quality * (len(choices) - 1) + rng.uniform(-0.6, 0.6))
        return choices[max(0, min(len(choices) - 1, pick))][0]
    if qtype == "number":
        # Thresholds may reward high values or low ones (support cases): pick by points, not by position.
        by_points = sorted(opts["thresholds"], key=lambda t: t[1])
        pick = max(0, min(len(by_points) - 1, round(quality * (len(by_points) - 1) + rng.uniform(-0.5, 0.5))))
        at_least = by_points[pick][0]
        return str(int(at_least) + (rng.randint(0, 2) if at_least >= 0 else 0))
    return rng.choice(["Cloud modernisation; cost control.", "Regulatory reporting and audit readiness.", None])


def _seed_scorecards(con, rng, plans, users, anchor: date) -> None:
    """Several submissions per current plan with a visible trend, carried-forward follow-ups, some gaps."""
    questions = con.execute(
        "SELECT q.id, q.qtype, q.options FROM scorecard_question q JOIN scorecard_category c ON c.id = q.category_id"
        " WHERE c.template_id = (SELECT min(template_id) FROM plan WHERE template_id IS NOT NULL)"
        " ORDER BY c.position, q.position"
    ).fetchall()
    _replay_foundation_draws(rng, plans, questions)
    own = random.Random(SEED * 5)  # a private stream: the seeders after this one stay as they were
    health = {}  # account index → quality carried along the follow-up chain
    last_answers: dict[int, list] = {}  # plan id → its latest answers, for carried-forward follow-ups
    rows = []
    for plan in plans:
        if plan["index"] % 11 == 10:
            continue  # a plan nobody has scored yet
        quality = health.setdefault(plan["index"], own.uniform(0.2, 0.85))
        trend = own.choice([-0.09, -0.05, 0.04, 0.07, 0.1])
        end = min(plan["period_end"], anchor)
        if plan["current"]:
            dates = [plan["period_start"] + timedelta(days=20 + 75 * k) for k in range(5)]
            dates = [d for d in dates if d <= end] or [end]
        else:
            dates = [date(plan["period_start"].year, 6, 30), date(plan["period_start"].year, 12, 15)]
        parent_answers = last_answers.get(plan.get("parent_plan_id"))
        if plan["current"] and parent_answers:
            when = datetime.combine(plan["period_start"], datetime.min.time()) + timedelta(hours=8)
            rows.append((plan, when, True, parent_answers))
            if plan["index"] % 7 == 5:
                last_answers[plan["id"]] = parent_answers
                continue  # still carried forward: nobody has re-confirmed it yet
        for k, day in enumerate(dates):
            quality = min(0.97, max(0.05, quality + trend + own.uniform(-0.04, 0.04)))
            gap_rate = 0.3 if k == 0 else 0.08
            answers = [
                (qid, None if own.random() < gap_rate else _answer_value(own, qtype, options, quality),
                 "Discussed at the account review." if own.random() < 0.1 else None)
                for qid, qtype, options in questions
            ]
            when = datetime.combine(day, datetime.min.time()) + timedelta(hours=9 + k)
            rows.append((plan, when, False, answers))
            last_answers[plan["id"]] = answers
        health[plan["index"]] = quality
    for plan, when, carried, answers in rows:
        submission_id = con.execute(
            "INSERT INTO scorecard_submission (plan_id, template_id, submitted_by, submitted_at, carried_forward)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            [plan["id"], plan["template_id"], plan["owner_id"], when, carried],
        ).fetchall()[0][0]
        con.executemany(
            "INSERT INTO scorecard_answer (submission_id, plan_id, question_id, value, note, answered_by, answered_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[submission_id, plan["id"], qid, value, note, plan["owner_id"], when] for qid, value, note in answers],
        )


def _replay_foundation_draws(rng: random.Random, plans, questions) -> None:
    """Consume the shared stream exactly as the first scorecard seeder did (later seeders depend on it)."""
    for plan in plans:
        if plan["index"] % 11 == 10:
            continue
        rng.uniform(0.15, 0.95)
        for _ in range(3 if plan["current"] else 1):
            rng.uniform(-0.12, 0.15)
            for _, qtype, options in questions:
                if rng.random() < 0.12:
                    continue
                if qtype in ("rating", "choice"):
                    rng.uniform(-1, 1) if qtype == "rating" else rng.uniform(-0.6, 0.6)
                elif qtype == "yes_no":
                    rng.random()
                elif qtype == "number":
                    rng.choice(json.loads(options)["thresholds"])
                else:
                    rng.choice(["Cloud modernisation; cost control.", "Regulatory reporting.", ""])


NOT_A_FIT_REASONS = [
    "Customer standardised on an in-house tool.",
    "Group policy: security products are bought centrally by the parent company.",
    "No budget until the ERP migration finishes.",
    "Regulator forbids storing this data outside the country.",
]
MANUAL_OVERRIDES = [  # status, note: what reps know and the CRM doesn't
    ("Sold", "Bought through a reseller; not in the CRM."),
    ("In Progress", "Pilot agreed verbally; opportunity not created yet."),
    ("Unknown", "Division reorganising; revisit after the spin-off."),
]


def _seed_whitespace(con, rng, plans, units, products, anchor: date) -> None:
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
    rows_out = []
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


def _seed_objectives_and_actions(con, rng, plans, users, products, anchor: date) -> None:
    objectives = [
        ("Expand analytics footprint", "Growth", {"stage": ["Closed Won"], "product": ["Insights", "Forecasting AI"]}, "sum", 250_000),
        ("Secure executive sponsor", "Relationship", None, None, None),
        ("Close three new-logo deals in new business units", "Growth", {"type": ["new"]}, "count", 3),
        ("Renew core platform contract early", "Retention", {"stage": ["Closed Won"], "type": ["renewal"]}, "sum", 150_000),
        ("Run a quarterly business review", "Relationship", None, None, None),
    ]
    action_titles = [
        "Book discovery workshop with the data team", "Send ROI summary to the CFO",
        "Prepare the QBR deck", "Introduce our CTO to their CIO", "Map the procurement process",
        "Follow up on security questionnaire",
    ]
    for plan in plans:
        if not plan["current"] and plan["index"] % 2:
            continue
        chosen = rng.sample(objectives, rng.randint(2, 4))
        for name, otype, flt, kind, target in chosen:
            status = rng.choice(vocab.OBJECTIVE_STATUSES[:4]) if plan["current"] else rng.choice(["Achieved", "Cancelled", "Deferred"])
            objective_id = con.execute(
                "INSERT INTO objective (plan_id, name, type, owner_id, priority, status, due_date, measure_kind,"
                " measure_filter, measure_target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [plan["id"], name, otype, plan["owner_id"], rng.choice(vocab.PRIORITIES), status,
                 plan["period_end"] - timedelta(days=rng.randint(0, 150)), kind,
                 json.dumps(flt) if flt else None, target],
            ).fetchall()[0][0]
            for title in rng.sample(action_titles, rng.randint(1, 3)):
                due = anchor + timedelta(days=rng.randint(-40, 60)) if plan["current"] else plan["period_end"] - timedelta(days=30)
                done = due < anchor and rng.random() < 0.6
                con.execute(
                    "INSERT INTO action (plan_id, objective_id, title, owner_id, due_date, status, completed_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [plan["id"], objective_id, title, plan["owner_id"], due, "Done" if done else rng.choice(["Not Started", "In Progress"]),
                     datetime.combine(due, datetime.min.time()) if done else None],
                )
        if plan["current"]:
            con.execute(
                "INSERT INTO action (plan_id, title, owner_id, due_date, status) VALUES (?, ?, ?, ?, 'Not Started')",
                [plan["id"], "Update the stakeholder map after the reorganisation", plan["owner_id"], anchor + timedelta(days=14)],
            )


def _seed_initiatives_and_comments(con, rng, plans, products, units, users, anchor: date) -> None:
    for plan in plans:
        if not plan["current"]:
            continue
        product = rng.choice(list(products))
        unit_ids = units[plan["account_id"]]
        con.execute(
            "INSERT INTO initiative (plan_id, name, product_id, business_unit_id, estimated_value, timing, likely_buyer, trigger_event)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [plan["id"], f"{product} for {'the ' + 'division' if unit_ids else 'the group'}", products[product],
             rng.choice(unit_ids) if unit_ids else None, round(rng.uniform(40_000, 300_000), -3),
             f"Q{rng.randint(1, 4)} {anchor.year + 1}", "Chief Information Officer",
             rng.choice(["New CIO appointed", "Contract renewal with a competitor", "Regulatory deadline", "Merger integration"])],
        )
        con.execute(
            "INSERT INTO comment (plan_id, author_id, body, created_at) VALUES (?, ?, ?, ?)",
            [plan["id"], plan["owner_id"], "QBR went well: the CFO asked for a proposal on analytics.",
             datetime.combine(anchor - timedelta(days=rng.randint(2, 40)), datetime.min.time())],
        )
        con.execute(
            "INSERT INTO comment (plan_id, author_id, kind, body, url, created_at) VALUES (?, ?, 'file', ?, ?, ?)",
            [plan["id"], plan["owner_id"], "Org chart from the customer", "https://files.example.com/orgchart.pdf",
             datetime.combine(anchor - timedelta(days=rng.randint(40, 90)), datetime.min.time())],
        )


def _seed_kpi_snapshots(con, rng, plans, anchor: date) -> None:
    """Weekly KPI history for current plans: expected climbs towards today's figures, target holds."""
    from planning import kpis

    current = [p["id"] for p in plans if p["current"]]
    today = kpis.kpi_frame(con, current)
    rows = []
    for figures in today.itertuples():
        progress = 0.45 + rng.uniform(-0.1, 0.1)
        for week in range(26, -1, -1):
            day = anchor - timedelta(weeks=week)
            share = 1.0 if week == 0 else min(1.0, progress + (1 - progress) * (26 - week) / 26 + rng.uniform(-0.04, 0.04))
            won = round(figures.won * min(1.0, share * 0.95), 2) if week else figures.won
            pipeline = round(figures.pipeline * (1.6 - 0.6 * share), 2) if week else figures.pipeline
            expected = figures.expected * share
            rows.append((figures.plan_id, day, figures.target, won, pipeline, max(0.0, expected - won), expected))
    con.executemany(
        "INSERT INTO kpi_snapshot (plan_id, snapshot_date, target, won, pipeline, weighted_pipeline, expected)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _seed_selection_scores(con, rng, accounts) -> None:
    for name, weight in SELECTION_CRITERIA:
        criterion_id = con.execute(
            "INSERT INTO selection_criterion (name, weight) VALUES (?, ?) RETURNING id", [name, weight]
        ).fetchall()[0][0]
        for account in accounts:
            score = max(1, min(5, 4 - account["tier"] + rng.randint(0, 2)))
            con.execute(
                "INSERT INTO account_selection_score VALUES (?, ?, ?)", [account["id"], criterion_id, score]
            )
