"""`planning scorecard show`: JSON and table output, refusals on one line."""

from __future__ import annotations

import json

from planning import scorecards
from planning.cli import main
from tests.test_scorecard_scoring import TEMPLATE, make_plan, make_template, make_user


def _scored_plan(db) -> int:
    owner = make_user(db)
    ids = make_template(db, TEMPLATE)
    plan_id = make_plan(db, owner, ids["template"])
    scorecards.save_answers(db, owner, plan_id, {ids["Rating"]: {"value": "4"}, ids["Budget"]: {"value": "High"}}, 0)
    return plan_id


def test_show_json(fresh_db, capsys):
    # (75×3 + 100×1) / 4 = 81.25, rounded half away from zero.
    plan_id = _scored_plan(fresh_db)
    assert main(["--db", fresh_db.target, "scorecard", "show", "--plan", str(plan_id), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "plan_id": plan_id, "score": 81.3, "band": "Healthy", "completion": 33.3,
        "categories": [
            {"name": "Relationship", "weight": 3.0, "score": 75.0},
            {"name": "Money", "weight": 1.0, "score": 100.0},
            {"name": "Adoption", "weight": 2.0, "score": None},
        ],
        "gaps": ["Champion?", "Competitor displacing us?", "Growth %", "Usage"],
    }


def test_show_table(fresh_db, capsys):
    plan_id = _scored_plan(fresh_db)
    assert main(["--db", fresh_db.target, "scorecard", "show", "--plan", str(plan_id)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"Plan {plan_id}: score 81.3 (Healthy), 33.3% complete",
        "Category      Weight  Score",
        "Relationship       3   75.0",
        "Money              1  100.0",
        "Adoption           2      —",
        "Gaps (4): Champion?; Competitor displacing us?; Growth %; Usage",
    ]


def test_show_unknown_plan_fails_on_one_line(fresh_db, capsys):
    assert main(["--db", fresh_db.target, "scorecard", "show", "--plan", "999", "--json"]) == 1
    assert capsys.readouterr().err == "planning: There is no plan with id 999.\n"
