"""The plan header's health summary comes from the scorecard, stakeholder and whitespace engines."""

from planning import plans, scorecards, stakeholders, whitespace


def test_plan_health_agrees_with_each_engine(demo_db):
    plan_id = demo_db.value("SELECT min(id) FROM plan WHERE name LIKE '%FY2026'")
    health = plans.plan_health(demo_db, plan_id)
    score = scorecards.plan_scores(demo_db, [plan_id]).iloc[0]
    coverage = stakeholders.coverage_summary(demo_db, [plan_id]).iloc[0]
    totals = whitespace.whitespace_totals(demo_db, [plan_id]).iloc[0]
    assert (health["score"], health["band"]) == (score["score"], score["band"])
    assert health["coverage_status"] == coverage["coverage_status"]
    assert health["whitespace_value"] == totals["whitespace_value"]


def test_an_unscored_plan_has_no_band(fresh_db):
    with fresh_db.transaction() as con:
        account = con.execute("INSERT INTO account (name) VALUES ('Solo') RETURNING id").fetchall()[0][0]
        plan_id = con.execute(
            "INSERT INTO plan (account_id, name, period_start, period_end) VALUES (?, 'P', DATE '2026-01-01', DATE '2026-12-31') RETURNING id",
            [account],
        ).fetchall()[0][0]
    health = plans.plan_health(fresh_db, plan_id)
    assert (health["score"], health["band"], health["coverage_status"], health["whitespace_value"]) == (None, None, 0, 0.0)
