"""Reconciliation: opportunities no plan counts (with the reason) and ones two overlapping plans count."""

from decimal import Decimal

import pytest

from planning.importing import reconciliation
from planning.importing.ingest import import_csv
from tests.import_helpers import csv_bytes


@pytest.fixture
def book(fresh_db):
    import_csv(fresh_db, "accounts", csv_bytes("Id,Name", "A1,Acme", "A2,Globex", "A3,Initech"))
    import_csv(fresh_db, "opportunities", csv_bytes(
        "Id,AccountId,Name,StageName,Amount,CloseDate,Business Unit",
        "IN,A1,counted once,Prospecting,100,2026-06-30,",
        "EDGE,A1,counted on the last day,Prospecting,100,2026-12-31,",
        "TWICE,A1,counted twice,Prospecting,300,2026-02-15,Retail",
        "OUT,A1,outside the period,Prospecting,50,2027-01-01,",
        "NOPLAN,A2,account without plan,Prospecting,70,2026-05-01,",
        "NOACC,,no account,Prospecting,10,2026-05-01,",
        "NODATE,A3,no close date,Prospecting,20,,",
    ))
    acme = fresh_db.value("SELECT id FROM account WHERE external_id = 'A1'")
    retail = fresh_db.value("SELECT id FROM business_unit WHERE name = 'Retail'")
    fresh_db.execute(
        "INSERT INTO plan (account_id, name, period_start, period_end, business_unit_id) VALUES "
        "(?, 'Acme FY2026', '2026-01-01', '2026-12-31', NULL), (?, 'Acme Retail H1', '2026-01-01', '2026-06-30', ?), "
        "(?, 'Initech FY2026', '2026-01-01', '2026-12-31', NULL)",
        [acme, acme, retail, fresh_db.value("SELECT id FROM account WHERE external_id = 'A3'")],
    )
    return fresh_db


def test_uncounted_opportunities_carry_their_reason(book):
    rows = reconciliation.uncounted(book)[["external_id", "reason"]].values.tolist()
    assert sorted(rows) == sorted([
        ["NOPLAN", "account without a plan"], ["OUT", "close date outside every plan period"],
        ["NOACC", "no account"], ["NODATE", "no close date"]])


def test_uncounted_summary_counts_and_sums_by_reason(book):
    summary = reconciliation.uncounted_summary(book)
    assert summary.to_dict("records") == [
        {"reason": "account without a plan", "opportunities": 1, "amount": Decimal("70.00")},
        {"reason": "close date outside every plan period", "opportunities": 1, "amount": Decimal("50.00")},
        {"reason": "no account", "opportunities": 1, "amount": Decimal("10.00")},
        {"reason": "no close date", "opportunities": 1, "amount": Decimal("20.00")}]


def test_overlapping_plans_double_count_only_the_scoped_opportunity(book):
    doubles = reconciliation.double_counted(book)
    assert doubles[["external_id", "plans", "plan_names"]].values.tolist() == [
        ["TWICE", 2, "Acme FY2026 | Acme Retail H1"]]


def test_nothing_to_reconcile_in_an_empty_book(fresh_db):
    assert reconciliation.uncounted_summary(fresh_db).empty
    assert reconciliation.double_counted(fresh_db).empty


def test_the_summary_is_the_list_grouped_on_the_demo_book(demo_db):
    """The summary subtracts the counted opportunities; the list anti-joins them: both must agree."""
    listed = reconciliation.uncounted(demo_db, limit=1_000_000)
    grouped = {reason: (len(rows), round(float(rows["amount"].fillna(0).sum()), 2)) for reason, rows in listed.groupby("reason")}
    summary = {r["reason"]: (r["opportunities"], round(float(r["amount"]), 2)) for r in reconciliation.uncounted_summary(demo_db).to_dict("records")}
    assert summary == grouped and sum(n for n, _ in summary.values()) > 0
