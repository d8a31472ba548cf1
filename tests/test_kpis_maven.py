"""KPIs on a real CRM extract: Maven's CRM Sales Opportunities, 2017 plans, checked with pandas."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from planning import kpis, plans
from planning.importing import ingest

ACCOUNTS = ["Acme Corporation", "Kan-code", "Sonron", "Zumgoity"]


@pytest.fixture
def maven(fresh_db, datasets):
    folder = datasets / "crm-sales-opportunities"
    for kind, file in [("accounts", "accounts.csv"), ("products", "products.csv"), ("opportunities", "sales_pipeline.csv")]:
        ingest.import_csv(fresh_db, kind, folder / file, skip_bad_rows=True)
    fresh_db.pipeline = pd.read_csv(folder / "sales_pipeline.csv", parse_dates=["close_date"])
    return fresh_db


def test_won_and_lost_of_2017_plans_match_pandas(maven):
    admin = maven.one("SELECT id, name, role FROM app_user WHERE role = 'admin' LIMIT 1")
    if admin is None:
        with maven.transaction() as con:
            admin = {"id": con.execute("INSERT INTO app_user (name, role) VALUES ('Test Admin', 'admin') RETURNING id").fetchall()[0][0],
                     "name": "Test Admin", "role": "admin"}
    pipeline = maven.pipeline
    in_2017 = pipeline[(pipeline["close_date"] >= "2017-01-01") & (pipeline["close_date"] <= "2017-12-31")]
    for account in ACCOUNTS:
        plan_id = plans.create_plan(
            maven, admin, account_id=plans.resolve_account(maven, account),
            period_start=date(2017, 1, 1), period_end=date(2017, 12, 31), sales_target=500_000,
        )
        deals = in_2017[in_2017["account"] == account]
        won = deals.loc[deals["deal_stage"] == "Won", "close_value"].sum()
        lost = deals.loc[deals["deal_stage"] == "Lost", "close_value"].sum()
        figures = kpis.kpis_for_plan(maven, plan_id)
        assert (figures["won"], figures["lost"]) == (pytest.approx(won), pytest.approx(lost)), account
        assert figures["won_count"] == (deals["deal_stage"] == "Won").sum()
        assert figures["lost_count"] == (deals["deal_stage"] == "Lost").sum()
        assert figures["won"] > 0


def test_all_won_revenue_of_the_file(maven):
    """Every account planned for 2017: portfolio won = the README's 10,005,534 less unassigned deals."""
    pipeline = maven.pipeline
    expected = pipeline.loc[(pipeline["deal_stage"] == "Won") & pipeline["account"].notna(), "close_value"].sum()
    with maven.transaction() as con:
        con.execute(
            "INSERT INTO plan (account_id, name, period_start, period_end, sales_target)"
            " SELECT id, name || ' 2017', DATE '2017-01-01', DATE '2017-12-31', 0 FROM account"
        )
    assert kpis.portfolio_totals(maven)["won"] == pytest.approx(expected)
