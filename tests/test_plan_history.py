"""A plan's history: every audited change to anything in the plan, and nothing of another plan."""

from __future__ import annotations

import pytest

from planning import audit, contacts, plan_content, plans, scorecards, stakeholders, users, whitespace
from tests.test_audit_coverage import CASES, PLAN

# The CASES of tests/test_audit_coverage.py that change plan PLAN or something in it (their contact is
# not one of PLAN's stakeholders, so contact edits are covered by the first test instead).
IN_THE_PLAN = sorted(name for name in CASES if name.split(".")[0] in {
    "objectives", "plan_content", "scorecards", "stakeholders", "whitespace"} or name in {"plans.update_plan", "plans.mark_reviewed"})


@pytest.fixture
def owner(demo_db) -> dict:
    return users.get_user(demo_db, demo_db.value("SELECT owner_id FROM plan WHERE id = ?", [PLAN]))


def rows(history) -> list[tuple]:
    shown = history[["user", "section", "record", "field", "old_value", "new_value"]]
    return [tuple(None if v != v else v for v in row) for row in shown.itertuples(index=False, name=None)]


def test_history_lists_plan_scorecard_whitespace_stakeholder_contact_team_and_file_changes(demo_db, owner):
    name = owner["name"]
    form = scorecards.scorecard_form(demo_db, PLAN)
    answers = {q["question_id"]: {"value": q["value"], "note": q["note"]} for q in form["questions"]}
    question = form["questions"][0]  # a rating answered 4 in the demo
    answers[question["question_id"]]["value"] = "2"

    plans.update_plan(demo_db, owner, PLAN, {"vision": "Own their logistics data"}, loaded=plans.get_plan(demo_db, PLAN))
    scorecards.save_answers(demo_db, owner, PLAN, answers, form["loaded_submission_id"])
    whitespace.set_cell(demo_db, owner, PLAN, 2, 2, "Open", estimated_value=5000)
    stakeholders.update_stakeholder(demo_db, owner, 3, 1, {"influence": 2})
    contacts.update_contact(demo_db, owner, PLAN, 1, {"title": "Chief Data Officer"})
    plan_content.set_team_member(demo_db, owner, PLAN, 4, "Sales Engineer")
    plan_content.add_comment(demo_db, owner, PLAN, "Deck", "https://files.example.com/deck.pdf")

    history = audit.plan_history(demo_db, PLAN)
    old_title = demo_db.value("SELECT old_value FROM audit_log WHERE entity = 'contact' AND field = 'title'")
    old_influence = demo_db.value("SELECT old_value FROM audit_log WHERE entity = 'stakeholder' AND field = 'influence'")
    plan_name = demo_db.value("SELECT name FROM plan WHERE id = ?", [PLAN])
    template = demo_db.value("SELECT template_id FROM scorecard_submission ORDER BY id DESC LIMIT 1")
    assert rows(history) == [
        (name, "Discussion & files", "Deck", "Link", None, "https://files.example.com/deck.pdf"),
        (name, "Discussion & files", "Deck", "Body", None, "Deck"),
        (name, "Discussion & files", "Deck", "Kind", None, "file"),
        (name, "Discussion & files", "Deck", "Plan", None, str(PLAN)),
        (name, "Team", plan_name, "Marcus Chen", None, "Sales Engineer"),
        (name, "Contacts", "Ines Silva", "Title", old_title, "Chief Data Officer"),
        (name, "Stakeholders", "Ines Silva", "Influence", old_influence, "2"),
        (name, "Whitespace", "Americas Division · Platform Enterprise", "Estimated value", None, "5000"),
        (name, "Whitespace", "Americas Division · Platform Enterprise", "Status", None, "Open"),
        (name, "Whitespace", "Americas Division · Platform Enterprise", "Product", None, "2"),
        (name, "Whitespace", "Americas Division · Platform Enterprise", "Business unit", None, "2"),
        (name, "Whitespace", "Americas Division · Platform Enterprise", "Plan", None, str(PLAN)),
        (name, "Scorecard", "Scorecard", question["text"], "4", "2"),
        (name, "Scorecard", "Scorecard", "Template", None, str(template)),
        (name, "Scorecard", "Scorecard", "Plan", None, str(PLAN)),
        (name, "Plan", plan_name, "Vision", demo_db.value("SELECT old_value FROM audit_log WHERE field = 'vision'"),
         "Own their logistics data"),
    ]
    assert not history["changed_at"].isna().any()


def test_a_deleted_record_keeps_its_history_and_another_plans_changes_stay_out(demo_db, owner):
    stakeholders.remove_stakeholder(demo_db, owner, 3)
    other = users.find_user(demo_db, "Ada Admin")
    plans.update_plan(demo_db, other, 2, {"vision": "Someone else's plan"}, loaded=plans.get_plan(demo_db, 2))
    history = audit.plan_history(demo_db, PLAN)
    assert set(history["section"]) == {"Stakeholders"}
    assert ("Plan", str(PLAN)) in set(zip(history["field"], history["old_value"]))
    assert "Someone else's plan" not in set(history["new_value"])


@pytest.mark.parametrize("name", IN_THE_PLAN)
def test_every_write_to_the_plan_shows_in_its_history(demo_db, owner, name):
    _, call, _ = CASES[name]
    last = demo_db.value("SELECT coalesce(max(id), 0) FROM audit_log")
    call(demo_db, owner)
    written = demo_db.value(
        "SELECT count(*) FROM audit_log WHERE id > ? AND field <> 'version' AND (entity <> 'plan' OR entity_id = ?)", [last, PLAN])
    assert written
    assert len(audit.plan_history(demo_db, PLAN)) == written
