"""A deterministic large book of business for performance work (issue #10): the CSV generator.

`write_book` writes CRM-style CSV extracts (Salesforce API column names) for any number of
opportunities; `planning.demo.scale_seed.load_book` feeds them to a database through the normal
importer and then seeds plans, scorecard answers, whitespace cells and stakeholders.

Every pseudo-random column is a hash of (row number, column salt, seed) computed inside DuckDB,
so 1,000,000 opportunities are generated and written without a Python loop per row, and the
same (size, seed, anchor) always gives byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from planning.demo.reference import (  # one list of company names for both books
    NAME_STEMS,
    NAME_SUFFIXES,
)
from planning.errors import InvalidInput

SEED = 10
LARGE_OPPORTUNITIES = 1_000_000
FILES = ["User.csv", "Product.csv", "Account.csv", "Contact.csv", "Opportunity.csv"]
# Import order: references point backwards (owners → users, opportunities → accounts/products).
IMPORT_ORDER = [("users", "User.csv"), ("products", "Product.csv"), ("accounts", "Account.csv"),
                ("contacts", "Contact.csv"), ("opportunities", "Opportunity.csv")]

TERRITORIES = [  # territory, region, countries
    ("North America East", "North America", ["United States", "Canada"]),
    ("North America West", "North America", ["United States"]),
    ("North America Central", "North America", ["United States", "Mexico"]),
    ("UK & Ireland", "EMEA", ["United Kingdom", "Ireland"]),
    ("DACH", "EMEA", ["Germany", "Austria", "Switzerland"]),
    ("Southern Europe", "EMEA", ["France", "Spain", "Italy"]),
    ("Nordics", "EMEA", ["Sweden", "Norway", "Denmark", "Finland"]),
    ("ANZ", "APAC", ["Australia", "New Zealand"]),
    ("North Asia", "APAC", ["Japan", "South Korea"]),
    ("LATAM", "LATAM", ["Brazil", "Chile", "Colombia"]),
]
PRODUCT_FAMILIES = [  # family, [(product, list price)]
    ("Core Platform", [("Platform Standard", 48_000), ("Platform Enterprise", 145_000),
                       ("Platform Unlimited", 260_000), ("Sandbox Add-on", 12_000), ("Mobile Suite", 27_000)]),
    ("Analytics", [("Insights", 36_000), ("Forecasting AI", 62_000), ("Data Cloud", 90_000),
                   ("Dashboards Pro", 18_000), ("Embedded Analytics", 44_000)]),
    ("Security", [("Identity Guard", 41_000), ("Data Vault", 55_000), ("Shield Encryption", 33_000),
                  ("Audit Trail", 15_000), ("Threat Monitor", 52_000)]),
    ("Integration", [("API Gateway", 39_000), ("Connectors Pack", 21_000), ("Event Bus", 47_000),
                     ("ETL Studio", 29_000), ("Master Data Hub", 75_000)]),
    ("Services", [("Implementation", 30_000), ("Premium Support", 24_000), ("Training", 9_000),
                  ("Managed Services", 120_000), ("Health Check", 8_000)]),
]
INDUSTRIES = ["Financial Services", "Healthcare", "Manufacturing", "Retail", "Technology", "Energy",
              "Telecommunications", "Transportation", "Media", "Consumer Goods", "Public Sector", "Education"]
FIRST_NAMES = ["Alice", "Bruno", "Carmen", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
               "Kara", "Liam", "Maya", "Noah", "Olga", "Pablo", "Rosa", "Samir", "Tara", "Umar", "Vera",
               "Wei", "Ximena", "Yara", "Zane", "Hannah", "Felix", "Nadia", "Oscar", "Leila"]
LAST_NAMES = ["Anders", "Brooks", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ivanova",
              "Jensen", "Kowalski", "Lopez", "Moreau", "Novak", "Ortiz", "Patel", "Quinn", "Rossi",
              "Suzuki", "Thompson", "Urban", "Vargas", "Weber", "Xu", "Young", "Zimmer", "Khan", "Silva"]
# Org levels by a contact's rank inside its account (a tree with three reports per manager).
TITLES_BY_LEVEL = [
    [("Chief Executive Officer", "Executive")],
    [("Chief Financial Officer", "Finance"), ("Chief Information Officer", "IT"), ("Chief Operating Officer", "Operations")],
    [("VP Procurement", "Finance"), ("VP Infrastructure", "IT"), ("VP Supply Chain", "Operations"), ("VP Marketing", "Marketing")],
    [("Director of Data", "IT"), ("Director of Security", "IT"), ("Procurement Manager", "Finance"),
     ("Operations Manager", "Operations"), ("Marketing Manager", "Marketing")],
    [("IT Architect", "IT"), ("Business Analyst", "Operations"), ("Buyer", "Finance"), ("Engineer", "IT")],
]
BUSINESS_UNITS = ["Finance", "Operations", "IT", "Marketing", "Europe Division", "Americas Division",
                  "Consumer Division", "Commercial Division"]
OPEN_STAGES = [("Prospecting", 22), ("Qualification", 22), ("Needs Analysis", 16),
               ("Value Proposition", 14), ("Proposal/Price Quote", 14), ("Negotiation/Review", 12)]
COMPETITORS = ["Acumen Software", "Brightline Cloud", "CoreStack Inc.", "Datasphere", "Evergreen Systems"]


@dataclass(frozen=True)
class BookSize:
    """How many rows of each entity a book has; derived from the number of opportunities."""

    opportunities: int
    accounts: int
    contacts: int
    users: int
    products: int
    plans: int

    @classmethod
    def for_scale(cls, scale: str | int) -> BookSize:
        """`large` (1M opportunities) or a number of opportunities; the rest scale with it."""
        if isinstance(scale, str) and scale.strip().lower() == "large":
            n = LARGE_OPPORTUNITIES
        else:
            try:
                n = int(str(scale).replace("_", "").replace(",", ""))
            except ValueError:
                raise InvalidInput(f"--scale must be 'large' or a number of opportunities, not {scale!r}.") from None
            if n < 100:
                raise InvalidInput(f"--scale {n} is too small: use at least 100 opportunities.")
        return cls(
            opportunities=n,
            accounts=max(20, n // 50),
            contacts=max(100, n // 10),
            users=max(24, min(200, n // 5_000)),
            products=sum(len(items) for _, items in PRODUCT_FAMILIES),
            plans=max(5, n // 500),
        )


def values_sql(rows: list[tuple]) -> str:
    """Literal VALUES for small constant lists (our own constants, never user input)."""
    def literal(value) -> str:
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        return str(value)
    return ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)


# u(i, salt): a uniform number in [0, 1) that depends only on the row, the column and the seed.
MACROS = """
CREATE OR REPLACE TEMP MACRO u(i, salt) AS (hash(i, salt, getvariable('seed')) % 1000000007) / 1000000007.0;
CREATE OR REPLACE TEMP MACRO pick(i, salt, n) AS CAST(floor(u(i, salt) * n) AS INTEGER);
CREATE OR REPLACE TEMP MACRO normal(i, salt) AS
    sqrt(-2 * ln(1 - u(i, salt))) * cos(2 * pi() * u(i, salt + 1000));
"""


def _constants(con: duckdb.DuckDBPyConnection) -> None:
    territories = [(k, t, r, c) for k, (t, r, c) in enumerate(TERRITORIES)]
    con.execute(f"CREATE TABLE territory (k, territory, region, countries) AS VALUES {values_sql([(k, t, r, 0) for k, t, r, _ in territories])}")
    con.execute("CREATE TABLE territory_country (k INTEGER, j INTEGER, country VARCHAR)")
    con.execute(f"INSERT INTO territory_country VALUES {values_sql([(k, j, c) for k, _, _, cs in territories for j, c in enumerate(cs)])}")
    con.execute("UPDATE territory SET countries = (SELECT count(*) FROM territory_country tc WHERE tc.k = territory.k)")
    products = [(k, name, family, price) for k, (name, family, price) in
                enumerate((p, fam, price) for fam, items in PRODUCT_FAMILIES for p, price in items)]
    con.execute(f"CREATE TABLE prod (k, name, family, price) AS VALUES {values_sql(products)}")
    for table, items in (("stem", NAME_STEMS), ("suffix", NAME_SUFFIXES), ("industry", INDUSTRIES),
                         ("first_name", FIRST_NAMES), ("last_name", LAST_NAMES), ("unit", BUSINESS_UNITS)):
        con.execute(f"CREATE TABLE {table} (k, v) AS VALUES {values_sql(list(enumerate(items)))}")
    titles = [(level, j, t, d) for level, items in enumerate(TITLES_BY_LEVEL) for j, (t, d) in enumerate(items)]
    con.execute(f"CREATE TABLE title (level, j, title, department) AS VALUES {values_sql(titles)}")


def _generate(con: duckdb.DuckDBPyConnection, size: BookSize, anchor: date) -> None:
    """Build the five extracts as tables g_user, g_product, g_account, g_contact and view g_opportunity."""
    con.execute(MACROS)
    con.execute("SET VARIABLE anchor = CAST(? AS DATE)", [anchor])
    _constants(con)
    _users_and_products(con, size)
    _accounts(con, size)
    _contacts(con, size)
    _opportunities(con, size)


def _users_and_products(con: duckdb.DuckDBPyConnection, size: BookSize) -> None:
    """An admin, an ops person, one leader per territory, reps spread over the territories."""
    n_terr = len(TERRITORIES)
    con.execute(
        """
        CREATE TABLE g_user AS
        WITH base AS (SELECT range AS i FROM range(?))
        SELECT i,
               '005Sc' || lpad(CAST(i AS VARCHAR), 13, '0') AS "Id",
               fn.v || ' ' || ln.v || CASE WHEN i >= 30 * 28 THEN ' ' || CAST(i AS VARCHAR) ELSE '' END AS "Name",
               lower(fn.v || '.' || ln.v || '.' || CAST(i AS VARCHAR)) || '@example.com' AS "Email",
               CASE WHEN i < 2 THEN NULL WHEN i < 2 + ? THEN NULL
                    ELSE '005Sc' || lpad(CAST(2 + (i - 2) % ? AS VARCHAR), 13, '0') END AS "ManagerId",
               CASE WHEN i < 2 THEN NULL ELSE t.region END AS "Region",
               CASE WHEN i < 2 THEN NULL ELSE t.territory END AS "Territory",
               CASE WHEN i = 0 THEN 'admin' WHEN i = 1 THEN 'ops' WHEN i < 2 + ? THEN 'leader' ELSE 'rep' END AS "Role",
               CASE WHEN i < 2 THEN NULL ELSE (i - 2) % ? END AS territory_k
        FROM base
        JOIN first_name fn ON fn.k = i % 30
        JOIN last_name ln ON ln.k = (i // 30) % 28
        LEFT JOIN territory t ON t.k = (i - 2) % ?
        """,
        [size.users, n_terr, n_terr, n_terr, n_terr, n_terr],
    )
    con.execute(
        """
        CREATE TABLE g_product AS
        SELECT k AS i, '01tSc' || lpad(CAST(k AS VARCHAR), 13, '0') AS "Id",
               'SKU-' || lpad(CAST(k + 1 AS VARCHAR), 4, '0') AS "ProductCode",
               name AS "Name", family AS "Family", CAST(price AS DECIMAL(18, 2)) AS "ListPrice"
        FROM prod
        """
    )


def _accounts(con: duckdb.DuckDBPyConnection, size: BookSize) -> None:
    """Row 0 is the biggest account; revenue falls off like a Pareto (Zipf) law with rank."""
    n_terr = len(TERRITORIES)
    con.execute(
        """
        CREATE TABLE g_account AS
        WITH base AS (
            SELECT range AS i, pick(range, 11, ?) AS territory_k, CAST(range AS DOUBLE) / ? AS rank_share
            FROM range(?)
        ), sized AS (
            SELECT *, 5e6 * pow(? / (i + 1.0), 0.85) * (0.7 + 0.6 * u(i, 12)) AS revenue FROM base
        )
        SELECT i, territory_k,
               '001Sc' || lpad(CAST(i AS VARCHAR), 13, '0') AS "Id",
               st.v || ' ' || sf.v || CASE WHEN i >= 768 THEN ' ' || CAST(i // 768 + 1 AS VARCHAR) ELSE '' END AS "Name",
               CASE WHEN i > 50 AND u(i, 13) < 0.04
                    THEN '001Sc' || lpad(CAST(pick(i, 14, i) AS VARCHAR), 13, '0') END AS "ParentId",
               ind.v AS "Industry",
               CAST(round(revenue, -3) AS DECIMAL(18, 2)) AS "AnnualRevenue",
               CAST(greatest(5, round(revenue / (150000 + 250000 * u(i, 15)))) AS INTEGER) AS "NumberOfEmployees",
               tc.country AS "BillingCountry",
               t.territory AS "Territory", t.region AS "Region",
               -- the owner is one of the reps of the account's territory
               '005Sc' || lpad(CAST(2 + territory_k + ? * (1 + pick(i, 17, (? - 3 - territory_k) // ?)) AS VARCHAR), 13, '0') AS "OwnerId",
               CASE WHEN rank_share < 0.05 AND u(i, 18) < 0.8 THEN 'Strategic Customer'
                    WHEN rank_share < 0.30 THEN CASE WHEN u(i, 18) < 0.15 THEN 'Strategic Customer'
                                                     WHEN u(i, 18) < 0.75 THEN 'Steady Customer' ELSE 'Occasional Customer' END
                    WHEN u(i, 18) < 0.35 THEN 'Occasional Customer'
                    WHEN u(i, 18) < 0.80 THEN 'No Relationship'
                    WHEN u(i, 18) < 0.95 THEN 'Dormant' ELSE 'Negative Relationship' END AS "Segment",
               CAST(NULL AS VARCHAR) AS "Target Segment",
               CASE WHEN rank_share < 0.05 THEN 1 WHEN rank_share < 0.25 THEN 2 ELSE 3 END AS "Tier",
               CASE WHEN rank_share < 0.10 THEN 'true' ELSE 'false' END AS "Strategic"
        FROM sized
        JOIN stem st ON st.k = i % 48
        JOIN suffix sf ON sf.k = (i // 48 + 7 * i) % 16  -- unique (stem, suffix) within 768 rows
        JOIN industry ind ON ind.k = pick(i, 16, 12)
        JOIN territory t ON t.k = territory_k
        JOIN territory_country tc ON tc.k = territory_k AND tc.j = pick(i, 19, t.countries)
        """,
        [n_terr, size.accounts, size.accounts, size.accounts, n_terr, size.users, n_terr],
    )
    # Target segment: the first four only; big accounts aim one step up.
    con.execute(
        """
        UPDATE g_account SET "Target Segment" = CASE
            WHEN "Segment" = 'Strategic Customer' THEN 'Strategic Customer'
            WHEN "Segment" = 'Steady Customer' THEN CASE WHEN "Tier" <= 2 AND u(i, 20) < 0.4 THEN 'Strategic Customer' ELSE 'Steady Customer' END
            WHEN "Segment" = 'Occasional Customer' THEN CASE WHEN u(i, 20) < 0.3 THEN 'Steady Customer' ELSE 'Occasional Customer' END
            WHEN "Segment" = 'No Relationship' THEN CASE WHEN u(i, 20) < 0.2 THEN 'Occasional Customer' ELSE 'No Relationship' END
            ELSE 'No Relationship' END
        """
    )


def _contacts(con: duckdb.DuckDBPyConnection, size: BookSize) -> None:
    """Skewed towards big accounts; contact r of an account reports to its contact (r - 1) // 3."""
    con.execute(
        """
        CREATE TABLE g_contact AS
        WITH base AS (
            SELECT range AS i,
                   CASE WHEN range < ? THEN range ELSE CAST(floor(? * pow(u(range, 31), 2.0)) AS BIGINT) END AS account_i
            FROM range(?)
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY account_i ORDER BY i) - 1 AS r FROM base
        ), levelled AS (
            SELECT *, CASE WHEN r = 0 THEN 0 WHEN r < 4 THEN 1 WHEN r < 13 THEN 2 WHEN r < 40 THEN 3 ELSE 4 END AS level
            FROM ranked
        )
        SELECT c.i, c.account_i, c.r,
               '003Sc' || lpad(CAST(c.i AS VARCHAR), 13, '0') AS "Id",
               a."Id" AS "AccountId",
               fn.v AS "FirstName", ln.v AS "LastName",
               ti.title AS "Title", ti.department AS "Department",
               boss.i AS boss_i,
               lower(fn.v || '.' || ln.v || '.' || CAST(c.i AS VARCHAR)) || '@' ||
                   lower(replace(a."Name", ' ', '')) || '.example.com' AS "Email"
        FROM levelled c
        JOIN g_account a ON a.i = c.account_i
        JOIN first_name fn ON fn.k = pick(c.i, 32, 30)
        JOIN last_name ln ON ln.k = pick(c.i, 33, 28)
        JOIN title ti ON ti.level = c.level
             AND ti.j = pick(c.i, 34, (SELECT count(*) FROM title t2 WHERE t2.level = c.level))
        LEFT JOIN ranked boss ON boss.account_i = c.account_i AND boss.r = (c.r - 1) // 3 AND c.r > 0
        """,
        [min(size.accounts, size.contacts), size.accounts, size.contacts],
    )


def _opportunities(con: duckdb.DuckDBPyConnection, size: BookSize) -> None:
    """A view streamed into the CSV: close dates from three years back to one ahead of the anchor;
    closed in the past (won ~42 %), open in the future; amounts log-normal, bigger at big accounts."""
    stage_case, low, total = "CASE", 0, sum(w for _, w in OPEN_STAGES)
    for name, weight in OPEN_STAGES:
        low += weight
        stage_case += f" WHEN u(b.i, 44) < {low / total!r} THEN '{name}'"
    stage_case += f" ELSE '{OPEN_STAGES[-1][0]}' END"
    con.execute(
        """
        CREATE VIEW g_opportunity AS
        WITH base AS (
            SELECT range AS i,
                   CAST(floor(? * pow(u(range, 41), 2.5)) AS BIGINT) AS account_i,
                   getvariable('anchor') - 1095 + pick(range, 42, 1460) AS close_date,
                   u(range, 43) AS outcome
            FROM range(?)
        ), staged AS (
            SELECT b.*,
                   CASE WHEN close_date >= getvariable('anchor') OR (close_date > getvariable('anchor') - 30 AND outcome < 0.2)
                        THEN {open_stage}
                        WHEN outcome < 0.42 THEN 'Closed Won' ELSE 'Closed Lost' END AS stage,
                   pick(i, 45, ?) AS product_k
            FROM base b
        )
        SELECT o.i, o.account_i,
               '006Sc' || lpad(CAST(o.i AS VARCHAR), 13, '0') AS "Id",
               CASE WHEN o.stage = 'Prospecting' AND u(o.i, 46) < 0.03 THEN NULL ELSE a."Id" END AS "AccountId",
               a."Name" || ' - ' || p.name || ' - ' || strftime(o.close_date, '%B %Y') AS "Name",
               o.stage AS "StageName",
               CASE WHEN u(o.i, 47) < 0.003 THEN NULL ELSE CAST(round(least(5e7,
                    exp(ln(p.price * 0.6) + 0.9 * normal(o.i, 48)) * (1 + 1.5 * pow(1 - CAST(o.account_i AS DOUBLE) / ?, 8))), 2)
                    AS DECIMAL(18, 2)) END AS "Amount",
               CASE WHEN o.stage NOT LIKE 'Closed%' AND u(o.i, 49) < 0.08
                    THEN CAST(5 * pick(o.i, 50, 19) + 5 AS INTEGER) END AS "Probability",
               o.close_date AS "CloseDate",
               o.close_date - CAST(7 + least(540, floor(-ln(1 - u(o.i, 51)) * 75)) AS INTEGER) AS "CreatedDate",
               CASE WHEN o.stage LIKE 'Closed%' THEN 'true' ELSE 'false' END AS "IsClosed",
               CASE WHEN o.stage = 'Closed Won' THEN 'true' ELSE 'false' END AS "IsWon",
               CASE WHEN u(o.i, 52) < 0.85 THEN a."OwnerId"
                    ELSE '005Sc' || lpad(CAST(2 + ? + pick(o.i, 53, greatest(1, ? - 2 - ?)) AS VARCHAR), 13, '0') END AS "OwnerId",
               CASE WHEN u(o.i, 54) < 0.45 THEN 'new' WHEN u(o.i, 54) < 0.75 THEN 'expansion' ELSE 'renewal' END AS "Type",
               p.name AS "Product__c",
               CASE WHEN u(o.i, 55) < 0.7 THEN un.v END AS "Business_Unit__c"
        FROM staged o
        JOIN g_account a ON a.i = o.account_i
        JOIN prod p ON p.k = o.product_k
        JOIN unit un ON un.k = pick(o.i, 56, 8)
        """.replace("{open_stage}", stage_case).replace("?", "{}").format(
            # integers of our own: a view cannot hold prepared parameters
            size.accounts, size.opportunities, size.products, size.accounts,
            len(TERRITORIES), size.users, len(TERRITORIES)),
    )


EXPORT_SQL = {
    "User.csv": 'SELECT "Id", "Name", "Email", "ManagerId", "Region", "Territory", "Role" FROM g_user ORDER BY i',
    "Product.csv": 'SELECT "Id", "ProductCode", "Name", "Family", "ListPrice" FROM g_product ORDER BY i',
    "Account.csv": 'SELECT "Id", "Name", "ParentId", "Industry", "AnnualRevenue", "NumberOfEmployees", "BillingCountry",'
                   ' "Territory", "Region", "OwnerId", "Segment", "Target Segment", "Tier", "Strategic" FROM g_account ORDER BY i',
    "Contact.csv": 'SELECT c."Id", c."AccountId", c."FirstName", c."LastName", c."Title", c."Department",'
                   ' b."Id" AS "ReportsToId", c."Email" FROM g_contact c LEFT JOIN g_contact b ON b.i = c.boss_i ORDER BY c.i',
    "Opportunity.csv": 'SELECT "Id", "AccountId", "Name", "StageName", "Amount", "Probability", "CloseDate", "CreatedDate",'
                       ' "IsClosed", "IsWon", "OwnerId", "Type", "Product__c", "Business_Unit__c" FROM g_opportunity ORDER BY i',
}


def write_book(out_dir: str | Path, scale: str | int = "large", *, anchor: date, seed: int = SEED) -> dict[str, int]:
    """Write the five CSV extracts into out_dir; returns rows written per file."""
    size = BookSize.for_scale(scale)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    with duckdb.connect() as con:
        # Opportunities stream from a view into the CSV; the cap keeps the generator lean.
        con.execute("SET memory_limit = '512MB'")
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET VARIABLE seed = CAST(? AS BIGINT)", [seed])
        _generate(con, size, anchor)
        for name, sql in EXPORT_SQL.items():
            target = out / name
            copied = con.execute(f"COPY ({sql}) TO '{_sql_path(target)}' (HEADER, DELIMITER ',', DATEFORMAT '%Y-%m-%d')")
            counts[name] = copied.fetchall()[0][0]
    return counts


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
