"""Saving scorecards: one atomic submission, who and when, stale-save refusal, permissions, carry-forward."""

from __future__ import annotations

import pytest

from planning import scorecard_templates, scorecards
from planning.errors import InvalidInput, NotAllowed, StaleEdit
from tests.test_scorecard_scoring import TEMPLATE, make_plan, make_template, make_user


@pytest.fixture
def setup(fresh_db):
    owner = make_user(fresh_db, "Rita Rep")
    ids = make_template(fresh_db, TEMPLATE)
    plan_id = make_plan(fresh_db, owner, ids["template"])
    return type("Setup", (), {"db": fresh_db, "owner": owner, "ids": ids, "plan_id": plan_id})


def _counts(db) -> tuple[int, int]:
    return (db.value("SELECT count(*) FROM scorecard_submission"), db.value("SELECT count(*) FROM scorecard_answer"))


def test_one_submit_saves_every_question_with_who_and_when(setup):
    ids = setup.ids
    submission_id = scorecards.save_answers(
        setup.db, setup.owner, setup.plan_id,
        {ids["Rating"]: {"value": "4", "note": " met the CFO "}, ids["Growth %"]: {"value": 12.0}}, 0)
    assert _counts(setup.db) == (1, 7)  # one row per template question, gaps stored as NULL
    rows = setup.db.rows(
        "SELECT question_id, value, note, answered_by FROM scorecard_answer WHERE submission_id = ? ORDER BY question_id",
        [submission_id])
    saved = {r["question_id"]: (r["value"], r["note"]) for r in rows}
    assert saved[ids["Rating"]] == ("4", "met the CFO")
    assert saved[ids["Growth %"]] == ("12", None)
    assert saved[ids["Usage"]] == (None, None)
    assert {r["answered_by"] for r in rows} == {setup.owner["id"]}
    sub = setup.db.one("SELECT submitted_by, submitted_at, carried_forward FROM scorecard_submission")
    assert sub["submitted_by"] == setup.owner["id"] and sub["submitted_at"] is not None and not sub["carried_forward"]
    form = scorecards.scorecard_form(setup.db, setup.plan_id)
    assert form["loaded_submission_id"] == submission_id
    assert {q["text"]: q["value"] for q in form["questions"]}["Rating"] == "4"


def test_a_section_save_keeps_the_other_questions_latest_answers(setup):
    ids = setup.ids
    first = scorecards.save_answers(setup.db, setup.owner, setup.plan_id,
                                    {ids["Rating"]: {"value": "4", "note": "met the CFO"}, ids["Growth %"]: {"value": 12.0}}, 0)
    # One section (here: Adoption, the usage rating alone) saved on its own; the rest is not listed.
    second = scorecards.save_answers(setup.db, setup.owner, setup.plan_id, {ids["Usage"]: {"value": "2"}}, first,
                                     keep_unlisted=True)
    rows = setup.db.rows("SELECT question_id, value, note FROM scorecard_answer WHERE submission_id = ?", [second])
    saved = {r["question_id"]: (r["value"], r["note"]) for r in rows}
    assert saved[ids["Rating"]] == ("4", "met the CFO") and saved[ids["Growth %"]] == ("12", None)
    assert saved[ids["Usage"]] == ("2", None) and len(saved) == 7
    audit = setup.db.rows("SELECT field FROM audit_log WHERE entity = 'scorecard_submission' AND entity_id = ?", [second])
    assert sorted(a["field"] for a in audit) == ["Usage", "plan_id", "template_id"]  # only the section's change
    # Still versioned: a section saved on a stale form is refused.
    with pytest.raises(StaleEdit):
        scorecards.save_answers(setup.db, setup.owner, setup.plan_id, {ids["Usage"]: {"value": "3"}}, first, keep_unlisted=True)


def test_submission_is_audited(setup):
    submission_id = scorecards.save_answers(setup.db, setup.owner, setup.plan_id, {setup.ids["Rating"]: {"value": "3"}}, 0)
    audit = setup.db.rows(
        "SELECT field, old_value, new_value, user_id FROM audit_log WHERE entity = 'scorecard_submission'"
        " AND entity_id = ? ORDER BY field", [submission_id])
    assert [(a["field"], a["old_value"], a["new_value"]) for a in audit] == [
        ("Rating", None, "3"), ("plan_id", None, str(setup.plan_id)), ("template_id", None, str(setup.ids["template"]))]
    assert {a["user_id"] for a in audit} == {setup.owner["id"]}


def test_a_stale_save_is_refused_and_names_the_changed_answers(setup):
    ids = setup.ids
    first = scorecards.save_answers(setup.db, setup.owner, setup.plan_id, {ids["Rating"]: {"value": "3"}}, 0)
    colleague = make_user(setup.db, "Carl Colleague", "admin")
    # Both open the form on `first`; the colleague saves first.
    scorecards.save_answers(setup.db, colleague, setup.plan_id,
                            {ids["Rating"]: {"value": "4"}, ids["Champion?"]: {"value": "yes"}}, first)
    before = _counts(setup.db)
    with pytest.raises(StaleEdit) as refused:
        scorecards.save_answers(setup.db, setup.owner, setup.plan_id, {ids["Rating"]: {"value": "1"}}, first)
    message = str(refused.value)
    assert message.startswith("This scorecard was saved by Carl Colleague at ")
    assert message.endswith(
        ", after you opened it, so your answers were not saved. Changed answers: “Rating”: 3 → 4; "
        "“Champion?”: (no answer) → yes. Reload the latest answers and apply your changes again.")
    assert _counts(setup.db) == before


_OTHER_PROCESS_SAVE = """
import sys
from planning import scorecards, users
from planning.db import Database
from planning.errors import StaleEdit
# A long lock timeout: it waits out this process's save however loaded the machine is.
db, plan_id, question, loaded = Database(sys.argv[1], lock_timeout=120), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
try:
    scorecards.save_answers(db, users.find_user(db, "Carl Colleague"), plan_id, {question: {"value": "5"}}, loaded)
    print("saved")
except StaleEdit:
    print("stale")
"""


@pytest.mark.file_free  # the other process opens the file
def test_two_processes_saving_the_same_form_keep_one_and_refuse_the_other(setup, monkeypatch):
    """A save in this process has read the latest submission when another process saves the same form."""
    import subprocess
    import sys
    import threading
    from pathlib import Path

    ids = setup.ids
    first = scorecards.save_answers(setup.db, setup.owner, setup.plan_id, {ids["Rating"]: {"value": "3"}}, 0)
    make_user(setup.db, "Carl Colleague", "admin")
    has_read, proceed = threading.Event(), threading.Event()
    real = scorecards._latest_submission

    def read_then_wait(con, plan_id):
        latest = real(con, plan_id)
        has_read.set()
        proceed.wait(timeout=30)
        return latest

    monkeypatch.setattr(scorecards, "_latest_submission", read_then_wait)
    outcome: list[str] = []

    def save_here():
        try:
            scorecards.save_answers(setup.db, setup.owner, setup.plan_id, {ids["Rating"]: {"value": "1"}}, first)
            outcome.append("saved")
        except StaleEdit:
            outcome.append("stale")

    here = threading.Thread(target=save_here)
    here.start()
    assert has_read.wait(timeout=30)
    other = subprocess.Popen(
        [sys.executable, "-c", _OTHER_PROCESS_SAVE, setup.db.target, str(setup.plan_id), str(ids["Rating"]), str(first)],
        cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        other.wait(timeout=8)  # without a lock it saves now; with one it waits for this process's save
    except subprocess.TimeoutExpired:
        pass
    proceed.set()
    here.join(timeout=60)
    out, err = other.communicate(timeout=60)
    assert other.returncode == 0, err
    assert sorted([*outcome, out.strip()]) == ["saved", "stale"]
    assert setup.db.value("SELECT count(*) FROM scorecard_submission") == 2


def test_a_first_save_is_refused_when_someone_scored_the_plan_meanwhile(setup):
    scorecards.save_answers(setup.db, setup.owner, setup.plan_id, {setup.ids["Budget"]: {"value": "High"}}, 0)
    with pytest.raises(StaleEdit, match="“Budget”: \\(no answer\\) → High"):
        scorecards.save_answers(setup.db, setup.owner, setup.plan_id, {setup.ids["Budget"]: {"value": "Low"}}, 0)


def test_someone_outside_the_plan_team_is_refused(setup):
    stranger = make_user(setup.db, "Sam Stranger")
    with pytest.raises(NotAllowed) as refused:
        scorecards.save_answers(setup.db, stranger, setup.plan_id, {setup.ids["Rating"]: {"value": "5"}}, 0)
    assert str(refused.value) == (
        f"Sam Stranger (rep) cannot change plan {setup.plan_id}: only its owner, its team members, the owner's "
        "manager and admins can. Ask the plan owner to add you to the team.")
    assert _counts(setup.db) == (0, 0)


def test_nobody_signed_in_is_refused(setup):
    with pytest.raises(NotAllowed, match="^nobody signed in cannot change plan"):
        scorecards.save_answers(setup.db, None, setup.plan_id, {}, 0)


@pytest.mark.parametrize("question, value, message", [
    ("Rating", "7", "“Rating” takes a rating from 1 to 5, not '7'."),
    ("Champion?", "maybe", "“Champion?” takes yes or no, not 'maybe'."),
    ("Budget", "Huge", "“Budget” takes one of Low, Mid, High; 'Huge' is not one of them."),
    ("Growth %", "ten", "“Growth %” takes a number, not 'ten'."),
    ("Growth %", "inf", "“Growth %” takes a finite number, not 'inf'."),
])
def test_bad_answers_are_refused_whole(setup, question, value, message):
    with pytest.raises(InvalidInput) as refused:
        scorecards.save_answers(setup.db, setup.owner, setup.plan_id,
                                {setup.ids["Rating"]: {"value": "3"}, setup.ids[question]: {"value": value}}, 0)
    assert str(refused.value) == message
    assert _counts(setup.db) == (0, 0)


def test_a_question_of_another_template_is_refused(setup, fresh_db):
    foreign = fresh_db.value("SELECT min(id) FROM scorecard_question")  # the default template's first question
    with pytest.raises(InvalidInput, match=f"Question\\(s\\) {foreign} are not part of this plan's scorecard template."):
        scorecards.save_answers(setup.db, setup.owner, setup.plan_id, {foreign: {"value": "3"}}, 0)


def test_a_plan_without_template_is_scored_with_the_active_default(fresh_db):
    owner = make_user(fresh_db)
    plan_id = make_plan(fresh_db, owner, None)
    default_id = fresh_db.value("SELECT id FROM scorecard_template WHERE name = 'Strategic Account Health'")
    form = scorecards.scorecard_form(fresh_db, plan_id)
    assert form["template_id"] == default_id and len(form["questions"]) == 21
    scorecards.save_answers(fresh_db, owner, plan_id, {}, 0)
    assert fresh_db.value("SELECT template_id FROM plan WHERE id = ?", [plan_id]) == default_id


# -- carry-forward -------------------------------------------------------------------------------


def test_carry_forward_copies_the_latest_answers_marked_until_reconfirmed(setup):
    ids = setup.ids
    scorecards.save_answers(setup.db, setup.owner, setup.plan_id, {ids["Rating"]: {"value": "2"}}, 0)
    latest = scorecards.save_answers(setup.db, setup.owner, setup.plan_id,
                                     {ids["Rating"]: {"value": "4", "note": "QBR"}, ids["Budget"]: {"value": "High"}}, 1)
    follow_up = make_plan(setup.db, setup.owner, None, name="Acme FY2027", parent_plan_id=setup.plan_id)
    with setup.db.transaction() as con:
        copied = scorecards.carry_forward(con, setup.plan_id, follow_up, setup.owner["id"])
    assert copied == 7
    sub = setup.db.one("SELECT id, template_id, carried_forward FROM scorecard_submission WHERE plan_id = ?", [follow_up])
    assert sub["carried_forward"] and sub["template_id"] == ids["template"]
    assert setup.db.value("SELECT template_id FROM plan WHERE id = ?", [follow_up]) == ids["template"]
    form = scorecards.scorecard_form(setup.db, follow_up)
    assert {q["text"]: (q["value"], q["note"]) for q in form["questions"] if q["value"]} == {
        "Rating": ("4", "QBR"), "Budget": ("High", None)}
    assert scorecards.plan_scores(setup.db, [follow_up])["score"].tolist() == \
        scorecards.plan_scores(setup.db, [setup.plan_id])["score"].tolist()
    assert latest != sub["id"]
    # A person re-confirming (saving) clears the mark.
    scorecards.save_answers(setup.db, setup.owner, follow_up, {ids["Rating"]: {"value": "4"}}, sub["id"])
    assert scorecards.scorecard_form(setup.db, follow_up)["submission"]["carried_forward"] is False


def test_carry_forward_of_an_unscored_plan_copies_nothing(setup):
    follow_up = make_plan(setup.db, setup.owner, None, name="Acme FY2027")
    with setup.db.transaction() as con:
        assert scorecards.carry_forward(con, setup.plan_id, follow_up, setup.owner["id"]) == 0
    assert _counts(setup.db) == (0, 0)


def test_carry_forward_into_a_newer_template_version_matches_questions_by_text(setup):
    ids = setup.ids
    scorecards.save_answers(setup.db, setup.owner, setup.plan_id,
                            {ids["Rating"]: {"value": "4"}, ids["Usage"]: {"value": "2"}}, 0)
    admin = make_user(setup.db, "Ada Admin", "admin")
    _, categories, questions = scorecard_templates.template_frames(setup.db, ids["template"])
    questions.loc[questions["text"] == "Usage", "text"] = "Usage across business units"
    v2 = scorecard_templates.save_template(setup.db, admin, ids["template"],
                                           categories.to_dict("records"), questions.to_dict("records"))
    follow_up = make_plan(setup.db, setup.owner, v2, name="Acme FY2027")
    with setup.db.transaction() as con:
        assert scorecards.carry_forward(con, setup.plan_id, follow_up, admin["id"]) == 6  # the renamed one is a gap
    form = scorecards.scorecard_form(setup.db, follow_up)
    assert form["template_id"] == v2
    assert {q["text"]: q["value"] for q in form["questions"] if q["value"]} == {"Rating": "4"}
