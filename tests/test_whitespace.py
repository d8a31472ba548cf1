"""Whitespace status derivation, values, peer estimates and totals on a hand-built book.

The book: account Shopwise (Retail, $500M revenue → Mid-market) has units Finance, IT and
Marketing and a FY2026 plan. Peers in Retail + Mid-market: Peerly (won 300 + 100 of Alpha,
60 of Gamma) and Staffco (no revenue, 1,000 employees → Mid-market; won 200 of Alpha).
Bigco (Retail, Large) and Powerco (Energy, Mid-market) are not peers.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from planning import whitespace
from planning.db import Database

PLAN_START, PLAN_END = date(2026, 1, 1), date(2026, 12, 31)


def insert(con, table: str, **values) -> int:
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    return con.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id", list(values.values())).fetchall()[0][0]


def make_opportunity(con, account_id: int, product_id: int, **overrides) -> int:
    values = {
        "account_id": account_id, "product_id": product_id, "name": "Deal", "stage": "Closed Won",
        "amount": 100, "close_date": date(2026, 6, 1), "is_closed": True, "is_won": True,
    } | overrides
    return insert(con, "opportunity", **values)


def build(db: Database) -> dict:
    """Fill a fresh database; returns the ids the tests name."""
    ids: dict = {}
    with db.transaction() as con:
        ids["owner"] = insert(con, "app_user", name="Olivia Owner", role="rep")
        ids["stranger"] = insert(con, "app_user", name="Sam Stranger", role="rep")
        ids["admin"] = insert(con, "app_user", name="Ada Admin", role="admin")
        ids["ops"] = insert(con, "app_user", name="Omar Ops", role="ops")
        for name, family in [("Alpha", "Core"), ("Beta", "Core"), ("Gamma", "Services")]:
            ids[name] = insert(con, "product", name=name, family=family)
        account = dict(industry="Retail", annual_revenue=500_000_000, owner_id=ids["owner"])
        ids["shopwise"] = insert(con, "account", name="Shopwise", **account)
        ids["peerly"] = insert(con, "account", name="Peerly", industry="Retail", annual_revenue=200_000_000)
        ids["staffco"] = insert(con, "account", name="Staffco", industry="Retail", employees=1_000)
        ids["bigco"] = insert(con, "account", name="Bigco", industry="Retail", annual_revenue=5_000_000_000)
        ids["powerco"] = insert(con, "account", name="Powerco", industry="Energy", annual_revenue=500_000_000)
        for unit in ("Finance", "IT", "Marketing"):
            ids[unit] = insert(con, "business_unit", account_id=ids["shopwise"], name=unit, kind="function")
        ids["plan"] = insert(
            con, "plan", account_id=ids["shopwise"], name="Shopwise FY2026", period_start=PLAN_START,
            period_end=PLAN_END, owner_id=ids["owner"], status="Active", is_primary=True,
        )
        shop, alpha, beta, gamma = ids["shopwise"], ids["Alpha"], ids["Beta"], ids["Gamma"]
        # Finance: Alpha won on the plan's last day; Beta won the day after; Gamma won by its stage only.
        make_opportunity(con, shop, alpha, business_unit_id=ids["Finance"], amount=100, close_date=PLAN_END)
        make_opportunity(con, shop, beta, business_unit_id=ids["Finance"], amount=50, close_date=date(2027, 1, 1))
        make_opportunity(con, shop, gamma, business_unit_id=ids["Finance"], amount=30, is_closed=None, is_won=None)
        # IT: Alpha won two years before the period; Beta open in the period; Gamma open after it and lost.
        make_opportunity(con, shop, alpha, business_unit_id=ids["IT"], amount=70, close_date=date(2024, 5, 1))
        make_opportunity(con, shop, beta, business_unit_id=ids["IT"], amount=40, stage="Negotiation",
                         is_closed=False, is_won=False, close_date=date(2026, 6, 30))
        make_opportunity(con, shop, beta, business_unit_id=ids["IT"], amount=15, stage="Prospecting",
                         is_closed=None, is_won=None, close_date=None)
        make_opportunity(con, shop, gamma, business_unit_id=ids["IT"], amount=25, stage="Prospecting",
                         is_closed=False, is_won=False, close_date=date(2027, 3, 1))
        make_opportunity(con, shop, gamma, business_unit_id=ids["IT"], amount=35, stage="Closed Lost",
                         is_closed=True, is_won=False)
        # Peers and non-peers.
        make_opportunity(con, ids["peerly"], alpha, amount=300, close_date=date(2025, 3, 1))
        make_opportunity(con, ids["peerly"], alpha, amount=100, close_date=date(2026, 3, 1))
        make_opportunity(con, ids["peerly"], gamma, amount=60)
        make_opportunity(con, ids["peerly"], beta, amount=500, close_date=date(2027, 2, 1))  # after plan end
        make_opportunity(con, ids["staffco"], alpha, amount=200)
        make_opportunity(con, ids["staffco"], beta, amount=80, stage="Closed Lost", is_won=False)
        make_opportunity(con, ids["bigco"], alpha, amount=999)
        make_opportunity(con, ids["powerco"], alpha, amount=888)
    return ids


def user(ids: dict, who: str, role: str | None = None) -> dict:
    names = {"owner": "Olivia Owner", "stranger": "Sam Stranger", "admin": "Ada Admin", "ops": "Omar Ops"}
    roles = {"owner": "rep", "stranger": "rep", "admin": "admin", "ops": "ops"}
    return {"id": ids[who], "name": names[who], "role": role or roles[who]}


@pytest.fixture
def book(fresh_db):
    ids = build(fresh_db)
    ids["db"] = fresh_db
    return ids


def cell(db: Database, plan_id: int, unit: str, product: str) -> dict:
    matrix = whitespace.plan_matrix(db, plan_id)
    found = matrix[(matrix["business_unit"] == unit) & (matrix["product"] == product)]
    assert len(found) == 1, f"no single cell {unit} × {product}"
    return found.iloc[0].to_dict()


@pytest.mark.parametrize(
    "unit, product, status, value, source, deal_count",
    [
        ("Finance", "Alpha", "Sold", 100.0, "won deals", 1),        # won on the plan's last day
        ("Finance", "Beta", "Open", None, None, 0),                   # won the day after the plan ends
        ("Finance", "Gamma", "Sold", 30.0, "won deals", 1),          # won by its stage (no own flags)
        ("IT", "Alpha", "Sold", 70.0, "won deals", 1),               # won two years before the period
        ("IT", "Beta", "In Progress", 55.0, "open deals", 2),        # open in period + open without close date
        ("IT", "Gamma", "Open", 60.0, "peer estimate", 0),           # open after plan end and lost: no deal
        ("Marketing", "Alpha", "Open", 300.0, "peer estimate", 0),   # nothing at all: whitespace
    ],
)
def test_status_and_value_derive_from_opportunities(book, unit, product, status, value, source, deal_count):
    found = cell(book["db"], book["plan"], unit, product)
    assert found["status"] == status and found["derived_status"] == status
    assert not found["manual"]
    assert (None if pd.isna(found["value"]) else found["value"]) == value
    assert (None if pd.isna(found["value_source"]) else found["value_source"]) == source
    assert found["deal_count"] == deal_count


def test_matrix_has_a_row_per_unit_and_a_column_per_product_grouped_by_family(book):
    matrix = whitespace.plan_matrix(book["db"], book["plan"])
    assert len(matrix) == 9
    assert list(dict.fromkeys(matrix["business_unit"])) == ["Finance", "IT", "Marketing"]
    first_row = matrix[matrix["business_unit"] == "Finance"]
    assert list(zip(first_row["family"], first_row["product"])) == [("Core", "Alpha"), ("Core", "Beta"), ("Services", "Gamma")]


@pytest.mark.parametrize(
    "product, estimate, peers",
    [
        # Peerly 300 + 100 = 400 and Staffco 200 → 300. Shopwise's own 170 would make it 200;
        # Bigco (Large) and Powerco (Energy) would raise it further.
        ("Alpha", 300.0, 2),
        ("Gamma", 60.0, 1),   # Peerly only
        ("Beta", None, 0),    # Peerly's Beta was won after the plan end, Staffco's was lost
    ],
)
def test_peer_estimate_is_the_median_won_spend_of_same_sector_and_size_band(book, product, estimate, peers):
    found = cell(book["db"], book["plan"], "Marketing", product)
    assert (None if pd.isna(found["peer_estimate"]) else found["peer_estimate"]) == estimate
    assert found["peer_count"] == peers
    assert bool(found["estimated"]) is (estimate is not None)
    assert pd.isna(found["entered_value"])


def test_peer_estimate_averages_the_middle_two_of_an_even_count(book):
    db = book["db"]
    with db.transaction() as con:
        extra = insert(con, "account", name="Fourth", industry="Retail", annual_revenue=900_000_000)
        make_opportunity(con, extra, book["Gamma"], amount=90)
    assert cell(db, book["plan"], "Marketing", "Gamma")["peer_estimate"] == 75.0


def test_size_bands_fall_back_from_revenue_to_employees(fresh_db):
    rows = [(50_000_000, None), (None, 499), (500_000_000, 100_000), (None, 5_000), (20_000_000_000, 1), (None, None)]
    with fresh_db.transaction() as con:
        for revenue, staff in rows:
            insert(con, "account", name=f"A{revenue}{staff}", annual_revenue=revenue, employees=staff)
    bands = fresh_db.rows(f"SELECT {whitespace.size_band_sql('a')} AS band FROM account a ORDER BY id")
    assert [r["band"] for r in bands] == ["Small", "Small", "Mid-market", "Large", "Enterprise", None]


def test_entered_value_beats_the_peer_estimate_and_is_not_flagged_estimated(book):
    owner = user(book, "owner")
    whitespace.set_cell(book["db"], owner, book["plan"], book["Marketing"], book["Alpha"], None,
                        estimated_value=1234.5, expected_version=0)
    found = cell(book["db"], book["plan"], "Marketing", "Alpha")
    assert (found["status"], found["manual"], found["value"], found["value_source"], found["estimated"]) == (
        "Open", False, 1234.5, "entered", False)
    assert found["peer_estimate"] == 300.0  # still shown beside it, in its own column


def test_manual_status_beats_derived_and_clearing_returns_to_derived(book):
    db, owner = book["db"], user(book, "owner")
    saved = whitespace.set_cell(db, owner, book["plan"], book["Finance"], book["Alpha"], "Competitor",
                                competitor="Rivalsoft", contract_end_date=date(2027, 6, 30), expected_version=0)
    found = cell(db, book["plan"], "Finance", "Alpha")
    assert (found["status"], found["manual"], found["derived_status"]) == ("Competitor", True, "Sold")
    assert (found["competitor"], found["contract_end_date"].date()) == ("Rivalsoft", date(2027, 6, 30))
    assert (found["value"], found["value_source"]) == (300.0, "peer estimate")
    whitespace.set_cell(db, owner, book["plan"], book["Finance"], book["Alpha"], None, expected_version=saved["version"])
    found = cell(db, book["plan"], "Finance", "Alpha")
    assert (found["status"], found["manual"], found["value"], found["version"]) == ("Sold", False, 100.0, 2)


def test_manual_sold_without_deals_takes_the_entered_value(book):
    whitespace.set_cell(book["db"], user(book, "owner"), book["plan"], book["Marketing"], book["Beta"], "Sold",
                        estimated_value=500, note="Bought through a reseller", expected_version=0)
    found = cell(book["db"], book["plan"], "Marketing", "Beta")
    assert (found["status"], found["manual"], found["value"], found["value_source"]) == ("Sold", True, 500.0, "entered")


def test_totals_add_values_by_status(book):
    totals = whitespace.whitespace_totals(book["db"], [book["plan"]]).iloc[0].to_dict()
    assert totals == {
        "plan_id": book["plan"], "sold": 200.0, "in_progress": 55.0, "open_value": 420.0,
        "competitor_value": 0.0, "whitespace_value": 420.0,
    }
    summary = whitespace.summarise(whitespace.plan_matrix(book["db"], book["plan"]))
    assert {k: summary[k] for k in totals if k != "plan_id"} == {k: v for k, v in totals.items() if k != "plan_id"}
    assert summary["peer_estimated_value"] == 420.0


def test_competitor_cells_count_in_whitespace_value(book):
    whitespace.set_cell(book["db"], user(book, "owner"), book["plan"], book["IT"], book["Gamma"], "Competitor",
                        competitor="Rivalsoft", estimated_value=1000, expected_version=0)
    totals = whitespace.whitespace_totals(book["db"]).set_index("plan_id").loc[book["plan"]]
    assert (totals["open_value"], totals["competitor_value"], totals["whitespace_value"]) == (360.0, 1000.0, 1360.0)


def test_row_and_column_totals(book):
    matrix = whitespace.plan_matrix(book["db"], book["plan"])
    rows = whitespace.row_totals(matrix).set_index("business_unit")
    assert rows.loc["IT"].to_dict() == {"sold": 70.0, "in_progress": 55.0, "whitespace": 60.0}
    columns = whitespace.column_totals(matrix).set_index("product")
    assert columns.loc["Alpha"].to_dict() == {"family": "Core", "sold": 170.0, "in_progress": 0.0, "whitespace": 300.0}


def test_plan_scoped_to_a_unit_shows_only_that_row(book):
    db = book["db"]
    with db.transaction() as con:
        scoped = insert(con, "plan", account_id=book["shopwise"], name="IT FY2026", period_start=PLAN_START,
                        period_end=PLAN_END, owner_id=book["owner"], business_unit_id=book["IT"])
    matrix = whitespace.plan_matrix(db, scoped)
    assert set(matrix["business_unit"]) == {"IT"}
    assert whitespace.whitespace_totals(db, [scoped])["sold"].tolist() == [70.0]


def test_deals_without_a_unit_get_their_own_row(book):
    db = book["db"]
    with db.transaction() as con:
        make_opportunity(con, book["shopwise"], book["Beta"], amount=11)
    matrix = whitespace.plan_matrix(db, book["plan"])
    assert list(dict.fromkeys(matrix["business_unit"])) == ["Finance", "IT", "Marketing", "No business unit"]
    assert cell(db, book["plan"], "No business unit", "Beta")["value"] == 11.0


def test_account_without_units_has_one_whole_account_row(book):
    db = book["db"]
    with db.transaction() as con:
        plan_id = insert(con, "plan", account_id=book["peerly"], name="Peerly FY2026", period_start=PLAN_START,
                         period_end=PLAN_END, owner_id=book["owner"])
    matrix = whitespace.plan_matrix(db, plan_id)
    assert set(matrix["business_unit"]) == {"Whole account"}
    sold = matrix.set_index("product")["value"]
    assert (sold["Alpha"], sold["Gamma"]) == (400.0, 60.0)


def test_cell_opportunities_list_the_deals_behind_a_cell(book):
    deals = whitespace.cell_opportunities(book["db"], book["plan"], book["IT"], book["Gamma"])
    assert sorted(zip(deals["outcome"], deals["amount"])) == [("Lost", 35.0)]  # the open one closes after the plan
    deals = whitespace.cell_opportunities(book["db"], book["plan"], book["IT"], book["Beta"])
    assert sorted(zip(deals["outcome"], deals["amount"])) == [("Open", 15.0), ("Open", 40.0)]


def test_totals_for_all_plans_agree_with_each_matrix(demo_db):
    totals = whitespace.whitespace_totals(demo_db).set_index("plan_id")
    assert len(totals) == demo_db.value("SELECT count(*) FROM plan")
    for plan_id in totals.index[:: max(1, len(totals) // 6)]:
        summary = whitespace.summarise(whitespace.plan_matrix(demo_db, int(plan_id)))
        for key in ("sold", "in_progress", "open_value", "competitor_value", "whitespace_value"):
            assert totals.loc[plan_id, key] == pytest.approx(summary[key]), (plan_id, key)


@pytest.mark.parametrize(
    "product, extra, estimate, peers",
    [
        # The account's own 1,000 is the largest spend: dropped from the end of the list.
        ("Beta", [("shopwise", 1000), ("peerly", 10), ("staffco", 20)], 15.0, 2),
        # A peer spent exactly what the account did: only the account's own entry is dropped.
        ("Gamma", [("staffco", 30)], 45.0, 2),
    ],
)
def test_the_account_itself_is_left_out_wherever_it_sorts(book, product, extra, estimate, peers):
    db = book["db"]
    with db.transaction() as con:
        for who, amount in extra:
            make_opportunity(con, book[who], book[product], amount=amount,
                             business_unit_id=book["IT"] if who == "shopwise" else None)
    found = cell(db, book["plan"], "Marketing", product)
    assert (found["peer_estimate"], found["peer_count"]) == (estimate, peers)
