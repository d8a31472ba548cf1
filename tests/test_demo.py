"""The demo book looks like a real book of business and obeys the plan rules."""

from planning import demo, vocab
from tests.conftest import DEMO_ANCHOR


def test_demo_is_big_enough_for_every_page(demo_db):
    counts = demo.count_rows(demo_db)
    assert counts["account"] >= 40
    assert counts["plan"] >= 20
    assert counts["opportunity"] >= 1500
    assert counts["contact"] >= 200
    assert counts["stakeholder"] > 0 and counts["scorecard_answer"] > 0 and counts["whitespace_cell"] > 0
    assert counts["objective"] > 0 and counts["action"] > 0 and counts["team_member"] > 0


def test_demo_is_deterministic(demo_db, tmp_path):
    from planning.db import open_database

    again = open_database(tmp_path / "again.duckdb")
    demo.build_demo(again, anchor=DEMO_ANCHOR)
    query = "SELECT external_id, stage, amount, close_date FROM opportunity ORDER BY external_id"
    assert again.rows(query) == demo_db.rows(query)


def test_demo_covers_segments_tiers_territories_and_owners(demo_db):
    row = demo_db.one(
        "SELECT count(DISTINCT current_segment) AS segments, count(DISTINCT tier) AS tiers,"
        " count(DISTINCT territory) AS territories, count(DISTINCT owner_id) AS owners,"
        " count(parent_id) AS subsidiaries FROM account"
    )
    assert row["segments"] == len(vocab.SEGMENTS)
    assert row["tiers"] == 3
    assert row["territories"] >= 4
    assert row["owners"] >= 8
    assert row["subsidiaries"] >= 3


def test_exactly_one_primary_plan_per_planned_account(demo_db):
    rows = demo_db.rows("SELECT account_id, count(*) FILTER (WHERE is_primary) AS primaries FROM plan GROUP BY account_id")
    assert rows and all(r["primaries"] == 1 for r in rows)


def test_follow_up_chains_run_forward_on_one_account(demo_db):
    links = demo_db.rows(
        "SELECT c.account_id = p.account_id AS same_account, c.period_start > p.period_end AS later"
        " FROM plan c JOIN plan p ON p.id = c.parent_plan_id"
    )
    assert len(links) >= 10
    assert all(link["same_account"] and link["later"] for link in links)
    years = demo_db.value("SELECT count(DISTINCT year(period_start)) FROM plan")
    assert years == 3


def test_some_strategic_accounts_have_no_plan(demo_db):
    unplanned = demo_db.value(
        "SELECT count(*) FROM account a WHERE (a.current_segment = 'Strategic Customer' OR a.tier = 1)"
        " AND NOT EXISTS (SELECT 1 FROM plan p WHERE p.account_id = a.id)"
    )
    assert unplanned >= 3


def test_overlapping_business_unit_plans_exist(demo_db):
    overlapping = demo_db.value(
        "SELECT count(*) FROM plan scoped JOIN plan whole ON whole.account_id = scoped.account_id"
        " AND whole.business_unit_id IS NULL AND scoped.business_unit_id IS NOT NULL"
        " AND whole.period_start <= scoped.period_end AND scoped.period_start <= whole.period_end"
    )
    assert overlapping >= 2


def test_opportunities_span_won_lost_open_and_periods(demo_db):
    row = demo_db.one(
        "SELECT count(*) FILTER (WHERE is_won) AS won, count(*) FILTER (WHERE is_closed AND NOT is_won) AS lost,"
        " count(*) FILTER (WHERE NOT is_closed) AS open, count(DISTINCT year(close_date)) AS years,"
        " count(DISTINCT product_id) AS products, count(business_unit_id) AS with_unit FROM opportunity"
    )
    assert row["won"] > 300 and row["lost"] > 200 and row["open"] > 100
    assert row["years"] >= 3 and row["products"] >= 8 and row["with_unit"] > 100
