"""The demo book's fixed vocabulary: people, products, company names, titles and stages, plus small shared helpers."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

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


def insert_returning_ids(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> list[int]:
    """Insert a DataFrame's rows (columns named as in the table) and return the new ids in order."""
    con.register("_demo_rows", frame)
    columns = ", ".join(frame.columns)
    ids = con.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _demo_rows RETURNING id"
    ).fetchall()
    con.unregister("_demo_rows")
    return [row[0] for row in ids]


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
