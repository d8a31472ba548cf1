"""Scorecard templates: versioning (editing Active makes v2, plans keep v1), validation, options text."""

from __future__ import annotations

import pytest

from planning import scorecard_templates as templates
from planning import scorecards
from planning.errors import InvalidInput, NotAllowed
from tests.test_scorecard_scoring import TEMPLATE, make_plan, make_template, make_user

DEFAULT = "Strategic Account Health"


@pytest.fixture
def admin(fresh_db):
    return make_user(fresh_db, "Ada Admin", "admin")


def _frames(db, template_id):
    _, categories, questions = templates.template_frames(db, template_id)
    return categories.to_dict("records"), questions.to_dict("records")


def test_default_template_ships_active_with_six_categories(fresh_db):
    versions = templates.list_templates(fresh_db)
    assert versions[["name", "version", "status", "plans"]].to_dict("records") == [
        {"name": DEFAULT, "version": 1, "status": "Active", "plans": 0}]
    categories, questions = _frames(fresh_db, int(versions["id"][0]))
    assert [c["name"] for c in categories] == [
        "Relationship", "Strategic Fit", "Financial Health", "Competitive Position", "Adoption & Value",
        "Account Planning Discipline"]
    assert 15 <= len(questions) <= 25
    assert {q["type"] for q in questions} == {"rating", "yes_no", "choice", "number", "text"}
    assert [q["options"] for q in questions if q["text"] == "Is a competitor actively displacing us?"] == ["invert"]


def test_editing_the_active_template_creates_version_2_and_plans_keep_version_1(fresh_db, admin):
    v1 = fresh_db.value("SELECT id FROM scorecard_template WHERE name = ?", [DEFAULT])
    rep = make_user(fresh_db)
    scored = make_plan(fresh_db, rep, v1)
    scorecards.save_answers(fresh_db, rep, scored, {}, 0)
    categories, questions = _frames(fresh_db, v1)
    categories[0]["weight"] = 5
    questions.append({"category": "Relationship", "text": "Do we meet the board?", "type": "yes_no",
                      "weight": 1, "help_text": None, "options": ""})
    v2 = templates.save_template(fresh_db, admin, v1, categories, questions)
    assert v2 != v1
    assert templates.list_templates(fresh_db)[["id", "version", "status", "plans"]].to_dict("records") == [
        {"id": v2, "version": 2, "status": "Active", "plans": 0},
        {"id": v1, "version": 1, "status": "Archived", "plans": 1}]
    assert scorecards.scorecard_form(fresh_db, scored)["template_id"] == v1
    assert len(scorecards.scorecard_form(fresh_db, scored)["questions"]) == 21
    new_plan = make_plan(fresh_db, rep, None, name="New")
    assert len(scorecards.scorecard_form(fresh_db, new_plan)["questions"]) == 22
    assert fresh_db.value("SELECT weight FROM scorecard_category WHERE template_id = ? AND position = 0", [v2]) == 5


def test_a_draft_nobody_scored_with_is_edited_in_place(fresh_db, admin):
    ids = make_template(fresh_db, TEMPLATE, name="Pilot", status="Draft")
    categories, questions = _frames(fresh_db, ids["template"])
    questions[0]["text"] = "Relationship rating"
    assert templates.save_template(fresh_db, admin, ids["template"], categories, questions) == ids["template"]
    assert fresh_db.value("SELECT count(*) FROM scorecard_template WHERE name = 'Pilot'") == 1
    assert _frames(fresh_db, ids["template"])[1][0]["text"] == "Relationship rating"


def test_activating_a_version_archives_the_other_active_one(fresh_db, admin):
    v1 = fresh_db.value("SELECT id FROM scorecard_template WHERE name = ?", [DEFAULT])
    draft = fresh_db.value(
        "INSERT INTO scorecard_template (name, version, status) VALUES (?, 2, 'Draft') RETURNING id", [DEFAULT])
    templates.set_status(fresh_db, admin, draft, "Active")
    statuses = {r["id"]: r["status"] for r in fresh_db.rows("SELECT id, status FROM scorecard_template")}
    assert statuses == {v1: "Archived", draft: "Active"}


def test_only_admins_edit_templates(fresh_db):
    rep = make_user(fresh_db)
    v1 = fresh_db.value("SELECT id FROM scorecard_template")
    categories, questions = _frames(fresh_db, v1)
    with pytest.raises(NotAllowed) as refused:
        templates.save_template(fresh_db, rep, v1, categories, questions)
    assert str(refused.value) == "Rita Rep (rep) cannot edit scorecard templates: only admin can."
    with pytest.raises(NotAllowed, match="cannot change scorecard templates"):
        templates.set_status(fresh_db, rep, v1, "Archived")
    assert fresh_db.value("SELECT count(*) FROM scorecard_template") == 1


@pytest.mark.parametrize("edit, message", [
    ({"categories": [{"name": "", "weight": 1}]}, "Category row 1: give the category a name."),
    ({"categories": [{"name": "A", "weight": 1}, {"name": "A", "weight": 2}]}, "Category row 2: 'A' appears twice."),
    ({"categories": [{"name": "A", "weight": -1}]}, "Category 'A': the weight must be 0 or more, not -1."),
    ({"question": {"text": ""}}, "Question row 1: the question has no text."),
    ({"question": {"category": "Nope"}}, "Question row 1: category 'Nope' is not one of A."),
    ({"question": {"type": "stars"}}, "Question row 1: type 'stars' is not one of rating, yes_no, choice, number, text."),
    ({"question": {"type": "choice", "options": "Low=0"}},
     "Question row 1: a choice question needs at least two options with points."),
    ({"question": {"type": "choice", "options": "Low; High=5"}},
     "Question row 1: write options as 'label=points; label=points' with points ≥ 0 ('Low')."),
    ({"question": {"type": "number", "options": "ten=0; 20=5"}},
     "Question row 1: number thresholds must be numbers, as in '0=0; 10=50; 25=100'."),
    ({"question": {"type": "choice", "options": "a=0; b=0"}},
     "Question row 1: at least one option must score more than 0 points."),
    ({"question": {"type": "yes_no", "options": "reverse"}},
     "Question row 1: a yes/no question takes 'invert' or nothing as options, not 'reverse'."),
    ({"question": {"type": "text"}}, "A template needs at least one scored question (not free text, weight above 0)."),
])
def test_bad_template_edits_are_refused_with_a_reason(edit, message):
    categories = edit.get("categories", [{"name": "A", "weight": 1}])
    question = {"category": "A", "text": "Q", "type": "rating", "weight": 1, "help_text": None, "options": None}
    question |= edit.get("question", {})
    with pytest.raises(InvalidInput) as refused:
        templates.validate(categories, [question])
    assert str(refused.value) == message


@pytest.mark.parametrize("qtype, text, stored", [
    ("choice", "Vendor=0; Trusted Advisor=100", '{"choices": {"Vendor": 0.0, "Trusted Advisor": 100.0}}'),
    ("number", "10=50; 0=0; 25=100", '{"thresholds": [[0.0, 0.0], [10.0, 50.0], [25.0, 100.0]]}'),
    ("yes_no", "invert", '{"invert": true}'),
    ("yes_no", "", None),
    ("rating", "ignored", None),
])
def test_options_text_round_trips(qtype, text, stored):
    assert templates.parse_options(qtype, text, "Q") == stored
    if stored and qtype != "number":
        assert templates.options_text(qtype, stored) == text
