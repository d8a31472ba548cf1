"""Scorecard page under AppTest: fill and submit the form, reload, stale saves, refusals, charts, templates."""

from __future__ import annotations

import json

import pytest

from planning import scorecards, users
from ui import scorecard_form

PLAN = "Lumen Health FY2026"  # owned by Sofia Alvarez (rep) in the demo book
RATING = "How strong is our relationship with the economic buyer?"
BUDGET = "Is budget allocated for the next purchase?"
CASES = "Open critical support cases"


@pytest.fixture
def plan_id(app_test) -> int:
    return app_test.db.value("SELECT id FROM plan WHERE name = ?", [PLAN])


def open_page(app_test, plan_id: int, user: str = "Sofia Alvarez", tab: str | None = None):
    """The page as `user`, on its Answers tab or on `tab` (only the open tab renders)."""
    at = app_test("pages/scorecard.py", query={"plan": str(plan_id), **({"scorecard_tab": tab} if tab else {})})
    # The sidebar's "Signed in as" picker writes these two; set them as it would.
    at.session_state["current_user_name"] = user
    at.session_state["current_user"] = users.find_user(app_test.db, user)
    at.run()
    assert not at.exception, at.exception
    return at


def keys(db, plan_id: int) -> dict[str, str]:
    """Widget keys of the form: question text → value key (and text + ' note')."""
    found = {}
    for q in scorecards.scorecard_form(db, plan_id)["questions"]:
        found[q["text"]] = scorecard_form.value_key(plan_id, q["question_id"])
        found[q["text"] + " note"] = scorecard_form.note_key(plan_id, q["question_id"])
    return found


def open_sections(at, plan_id: int, *numbers: int, is_open: bool = True):
    """Open (or close) sections by number, as a click on their headers does; then rerun."""
    for number in numbers:
        at.session_state[scorecard_form.section_key(plan_id, number)] = is_open
    at.run()
    assert not at.exception, at.exception
    return at


def save(at, section: str = "Relationship"):
    """Click one section's Save (each category of the form saves on its own)."""
    next(b for b in at.button if b.label == f"Save {section}").click().run()
    return at


def answers(db, plan_id: int) -> dict[str, tuple]:
    """The latest submission's answers: question text → (value, note, answered by)."""
    saved = db.rows(
        "SELECT q.text, a.value, a.note, u.name AS by FROM scorecard_answer a JOIN scorecard_question q"
        " ON q.id = a.question_id JOIN app_user u ON u.id = a.answered_by"
        " WHERE a.submission_id = (SELECT max(id) FROM scorecard_submission WHERE plan_id = ?)", [plan_id])
    return {r["text"]: (r["value"], r["note"], r["by"]) for r in saved}


def submissions(db, plan_id: int) -> int:
    return db.value("SELECT count(*) FROM scorecard_submission WHERE plan_id = ?", [plan_id])


def test_a_section_saves_persists_and_reloads_with_the_new_score(app_test, plan_id):
    db = app_test.db
    before = submissions(db, plan_id)
    at = open_page(app_test, plan_id)
    k = keys(db, plan_id)
    at.selectbox(key=k[RATING]).select("5")
    at.text_input(key=k[RATING + " note"]).input("Met the CFO twice")
    save(at, "Relationship")
    assert [s.value for s in at.success] == ["Relationship saved."]
    assert submissions(db, plan_id) == before + 1
    by_text = answers(db, plan_id)
    assert by_text[RATING] == ("5", "Met the CFO twice", "Sofia Alvarez")
    # The other sections' saved answers are kept in the new submission, not turned into gaps.
    assert by_text[BUDGET][0] == "Budget being discussed" and by_text[CASES][0] is None
    expected = scorecards.plan_scores(db, [plan_id]).iloc[0]
    assert at.metric[0].value == f"{expected['score']:.1f}"
    # A new session (a reload) shows the saved answers and the recomputed score.
    again = open_page(app_test, plan_id)
    assert again.selectbox(key=k[RATING]).value == "5"
    assert again.text_input(key=k[RATING + " note"]).value == "Met the CFO twice"
    assert [m.value for m in again.metric] == [f"{expected['score']:.1f}", f"{expected['completion']:.1f}%"]


def test_saving_one_section_keeps_unsaved_answers_in_another(app_test, plan_id):
    db = app_test.db
    at = open_sections(open_page(app_test, plan_id), plan_id, *range(1, 6))
    k = keys(db, plan_id)
    at.selectbox(key=k[BUDGET]).select("No budget")  # Financial Health: typed, not saved
    at.number_input(key=k[CASES]).set_value(2)  # Adoption & Value: typed, not saved
    at.selectbox(key=k[RATING]).select("5")  # Relationship: saved below
    save(at, "Relationship")
    assert [s.value for s in at.success] == ["Relationship saved."]
    by_text = answers(db, plan_id)
    assert by_text[RATING][0] == "5"
    assert by_text[BUDGET][0] == "Budget being discussed" and by_text[CASES][0] is None  # unsaved: not in the database
    # ...but still in the form, ready to save with their own sections.
    assert at.selectbox(key=k[BUDGET]).value == "No budget"
    assert at.number_input(key=k[CASES]).value == 2
    save(at, "Financial Health")
    assert [s.value for s in at.success] == ["Financial Health saved."]
    assert not at.error
    by_text = answers(db, plan_id)
    assert (by_text[RATING][0], by_text[BUDGET][0], by_text[CASES][0]) == ("5", "No budget", None)
    assert at.number_input(key=k[CASES]).value == 2


def test_sections_show_their_progress_and_the_form_its_total(app_test, plan_id):
    at = open_page(app_test, plan_id)
    form = scorecards.scorecard_form(app_test.db, plan_id)
    labels = [e.label for e in at.expander if " answered · weight " in e.label]
    categories = list(dict.fromkeys(q["category"] for q in form["questions"]))
    assert len(labels) == len(categories) == 6
    # Lumen Health's demo answers leave "Open critical support cases" (Adoption & Value) blank.
    assert ":material/pending: Adoption & Value · 3 of 4 answered · weight" in " ".join(labels)
    assert any(label.startswith(":material/check_circle: Relationship · 4 of 4 answered") for label in labels)
    answered = sum(q["value"] not in (None, "") for q in form["questions"])
    bar = at.get("progress")[0]
    assert bar.proto.text == f"{answered} of {len(form['questions'])} questions answered in 6 sections · each section saves on its own"
    assert [b.label for b in at.button if b.label.startswith("Save ")] == ["Save Relationship"]  # only the open one is built
    open_sections(at, plan_id, *range(1, 6))
    assert [b.label for b in at.button if b.label.startswith("Save ")][:6] == [f"Save {c}" for c in categories]


def test_a_section_is_built_when_first_opened_and_keeps_what_was_typed_when_closed(app_test, plan_id):
    db = app_test.db
    at = open_page(app_test, plan_id)
    k = keys(db, plan_id)
    assert k[BUDGET] not in [s.key for s in at.selectbox]  # Financial Health: closed, never opened
    section = next(n for n, e in enumerate(e for e in at.expander if " answered · weight " in e.label)
                   if "Financial Health" in e.label)
    open_sections(at, plan_id, section)
    at.selectbox(key=k[BUDGET]).select("No budget").run()
    open_sections(at, plan_id, section, is_open=False)
    assert at.selectbox(key=k[BUDGET]).value == "No budget"  # still built, still holding the typed answer
    save(at, "Financial Health")
    assert answers(db, plan_id)[BUDGET][0] == "No budget"


def test_a_second_session_saving_stale_answers_is_refused(app_test, plan_id):
    db = app_test.db
    first, second = open_page(app_test, plan_id), open_page(app_test, plan_id)
    k = keys(db, plan_id)
    old = second.selectbox(key=k[RATING]).value
    first.selectbox(key=k[RATING]).select("1" if old != "1" else "2")
    new = first.selectbox(key=k[RATING]).value
    save(first)
    assert [s.value for s in first.success] == ["Relationship saved."]
    after_first = submissions(db, plan_id)
    second.run()  # a rerun (any click) must keep the submission the form was opened on
    second.selectbox(key=k[RATING]).select("4")
    save(second)
    errors = [e.value for e in second.error]
    assert len(errors) == 1
    assert errors[0].startswith("This scorecard was saved by Sofia Alvarez at ")
    assert f"Changed answers: “{RATING}”: {old or '(no answer)'} → {new}." in errors[0]
    assert submissions(db, plan_id) == after_first
    # Reloading shows the other session's answer, ready to edit again.
    next(b for b in second.button if b.label == "Load the latest answers").click().run()
    assert second.selectbox(key=k[RATING]).value == new


def test_someone_outside_the_plan_team_cannot_save(app_test, plan_id):
    before = submissions(app_test.db, plan_id)
    at = open_page(app_test, plan_id, user="Ben Schultz")
    save(at)
    assert [e.value for e in at.error] == [
        f"Ben Schultz (rep) cannot change plan {plan_id}: only its owner, its team members, the owner's manager "
        "and admins can. Ask the plan owner to add you to the team."]
    assert submissions(app_test.db, plan_id) == before


def test_history_profile_and_calibration_charts(app_test, plan_id):
    at = open_page(app_test, plan_id)
    assert not at.get("vega_lite_chart")  # the Answers tab: the other tabs' charts are not built (issue #17)
    assert [m.label for m in at.metric] == ["Score", "Completion"]
    at = open_page(app_test, plan_id, tab="History")
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(specs) == 2
    history, profile = specs
    assert history["layer"][0]["mark"]["type"] == "rect"
    # Every line is in the legend: the thick overall score first, then one per category.
    lines = history["layer"][1]
    assert lines["mark"]["type"] == "line" and lines["encoding"]["color"]["legend"]["orient"] == "bottom"  # not legend=None
    categories = list(dict.fromkeys(q["category"] for q in scorecards.scorecard_form(app_test.db, plan_id)["questions"]))
    assert lines["encoding"]["color"]["scale"]["domain"] == ["Overall", *categories]
    assert lines["encoding"]["color"]["scale"]["range"][0] == "#212121"
    assert history["title"]["text"] == "Plan and category scores" and "overall score" in history["title"]["subtitle"]
    assert profile["mark"]["type"] == "bar"
    assert profile["encoding"]["color"]["scale"] == {
        "domain": ["Healthy", "Watch", "At risk"], "range": ["#2e7d32", "#f9a825", "#c62828"]}
    assert not any(b.label.startswith("Save ") for b in at.button)  # the form is on the hidden Answers tab
    at = open_page(app_test, plan_id, tab="Calibration")
    (calibration,) = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert calibration["encoding"]["x"]["field"] == "band"
    assert [m.label for m in at.metric] == ["Score", "Completion"]


def test_carried_forward_answers_are_flagged_until_saved(app_test):
    db = app_test.db
    plan_id = db.value(
        "SELECT plan_id FROM scorecard_submission s WHERE carried_forward AND id = "
        "(SELECT max(id) FROM scorecard_submission WHERE plan_id = s.plan_id) ORDER BY plan_id LIMIT 1")
    owner = db.value("SELECT u.name FROM plan p JOIN app_user u ON u.id = p.owner_id WHERE p.id = ?", [plan_id])
    at = open_page(app_test, plan_id, user=owner)
    assert any("carried forward" in w.value for w in at.warning)
    save(at)
    assert not any("carried forward" in w.value for w in at.warning)
    assert db.value("SELECT carried_forward FROM scorecard_submission WHERE plan_id = ? ORDER BY id DESC LIMIT 1",
                    [plan_id]) is False


def test_admin_edits_the_active_template_into_version_2(app_test, plan_id):
    db = app_test.db
    v1 = db.value("SELECT id FROM scorecard_template WHERE status = 'Active'")
    at = open_page(app_test, plan_id, user="Ada Admin", tab="Templates")
    at.session_state[f"tpl_cats_{v1}"] = {"edited_rows": {0: {"weight": 4}}, "added_rows": [], "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "Save template").click().run()
    assert not at.exception and not at.error
    v2 = db.value("SELECT id FROM scorecard_template WHERE status = 'Active'")
    assert v2 != v1
    assert db.value("SELECT version FROM scorecard_template WHERE id = ?", [v2]) == 2
    assert db.value("SELECT weight FROM scorecard_category WHERE template_id = ? ORDER BY position LIMIT 1", [v2]) == 4
    assert db.value("SELECT template_id FROM plan WHERE id = ?", [plan_id]) == v1
