"""The demo book's scorecards: history with a trend, gaps, carried-forward follow-ups, every band."""

from __future__ import annotations

from planning import scorecards


def test_current_plans_have_several_submissions_and_some_gaps(demo_db):
    per_plan = demo_db.rows(
        "SELECT p.id, count(s.id) AS n FROM plan p JOIN scorecard_submission s ON s.plan_id = p.id"
        " WHERE p.period_start >= DATE '2026-01-01' GROUP BY p.id")
    assert sum(1 for r in per_plan if r["n"] >= 4) >= 10
    gaps = demo_db.value("SELECT count(*) FROM scorecard_answer WHERE value IS NULL")
    assert 0 < gaps < demo_db.value("SELECT count(*) FROM scorecard_answer") / 4


def test_history_shows_a_visible_trend(demo_db):
    trends = demo_db.rows(
        """
        WITH s AS (SELECT plan_id, id FROM scorecard_submission WHERE NOT carried_forward)
        SELECT plan_id, min(id) AS first, max(id) AS last FROM s GROUP BY plan_id HAVING count(*) >= 4
        """)
    moved = 0
    for row in trends:
        history = scorecards.score_history(demo_db, row["plan_id"])
        overall = history[history["series"] == "Overall"].set_index("submission_id")["score"]
        moved += abs(overall[row["last"]] - overall[row["first"]]) >= 10
    assert moved >= 5


def test_follow_ups_start_from_carried_forward_answers(demo_db):
    carried = demo_db.rows(
        "SELECT s.plan_id, p.parent_plan_id FROM scorecard_submission s JOIN plan p ON p.id = s.plan_id"
        " WHERE s.carried_forward")
    assert carried and all(r["parent_plan_id"] is not None for r in carried)
    still_carried = demo_db.value(
        "SELECT count(*) FROM scorecard_submission s WHERE carried_forward"
        " AND id = (SELECT max(id) FROM scorecard_submission WHERE plan_id = s.plan_id)")
    assert still_carried >= 1  # some follow-ups nobody has re-confirmed yet


def test_every_band_and_an_unscored_plan(demo_db):
    scores = scorecards.plan_scores(demo_db)
    assert set(scores["band"].dropna()) == {"Healthy", "Watch", "At risk"}
    assert scores["score"].isna().sum() >= 1
