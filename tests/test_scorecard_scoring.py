"""Scorecard maths: normalisation per question type, weights, gaps, bands (scorecards module docstring)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from planning import scorecards
from planning.db import Database

# -- factories shared by the scorecard test files -----------------------------------------------


def make_user(db: Database, name: str = "Rita Rep", role: str = "rep", manager_id: int | None = None) -> dict:
    with db.connect() as con:
        user_id = con.execute(
            "INSERT INTO app_user (name, email, role, manager_id) VALUES (?, ?, ?, ?) RETURNING id",
            [name, f"{name.split()[0].lower()}@example.com", role, manager_id],
        ).fetchall()[0][0]
    return {"id": user_id, "name": name, "role": role}


def make_plan(db: Database, owner: dict, template_id: int | None = None, **overrides) -> int:
    values = {
        "account_id": None, "name": "Acme FY2026", "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31), "owner_id": owner["id"], "template_id": template_id,
        "sales_target": 100_000,
    } | overrides
    with db.connect() as con:
        if values["account_id"] is None:
            values["account_id"] = con.execute(
                "INSERT INTO account (name) VALUES ('Acme') RETURNING id").fetchall()[0][0]
        return con.execute(
            f"INSERT INTO plan ({', '.join(values)}) VALUES ({', '.join('?' * len(values))}) RETURNING id",
            list(values.values()),
        ).fetchall()[0][0]


def make_template(db: Database, categories: list, name: str = "Test card", status: str = "Active") -> dict[str, int]:
    """categories: [(name, weight, [(text, qtype, weight, options-dict-or-None)])]; returns text → question id."""
    ids = {}
    with db.connect() as con:
        template_id = con.execute(
            "INSERT INTO scorecard_template (name, version, status) VALUES (?, 1, ?) RETURNING id", [name, status]
        ).fetchall()[0][0]
        ids["template"] = template_id
        for c_pos, (category, weight, questions) in enumerate(categories):
            category_id = con.execute(
                "INSERT INTO scorecard_category (template_id, name, weight, position) VALUES (?, ?, ?, ?) RETURNING id",
                [template_id, category, weight, c_pos],
            ).fetchall()[0][0]
            for q_pos, (text, qtype, q_weight, options) in enumerate(questions):
                ids[text] = con.execute(
                    "INSERT INTO scorecard_question (category_id, text, qtype, weight, options, position)"
                    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    [category_id, text, qtype, q_weight, json.dumps(options) if options else None, q_pos],
                ).fetchall()[0][0]
    return ids


CHOICES = {"choices": {"Low": 0, "Mid": 5, "High": 10}}
THRESHOLDS = {"thresholds": [[0, 0], [10, 2], [20, 4]]}
TEMPLATE = [
    ("Relationship", 3, [
        ("Rating", "rating", 2, None),
        ("Champion?", "yes_no", 1, None),
        ("Competitor displacing us?", "yes_no", 1, {"invert": True}),
    ]),
    ("Money", 1, [
        ("Budget", "choice", 1, CHOICES),
        ("Growth %", "number", 3, THRESHOLDS),
        ("Notes", "text", 0, None),
    ]),
    ("Adoption", 2, [("Usage", "rating", 1, None)]),
]


@pytest.fixture
def card(fresh_db):
    """A plan scored with TEMPLATE, its owner and the question ids."""
    owner = make_user(fresh_db)
    ids = make_template(fresh_db, TEMPLATE)
    plan_id = make_plan(fresh_db, owner, ids["template"])

    return type("Card", (), {"db": fresh_db, "owner": owner, "ids": ids, "plan_id": plan_id})


def _answer_by_text(card, answers: dict[str, str]) -> dict:
    loaded = card.db.value("SELECT coalesce(max(id), 0) FROM scorecard_submission WHERE plan_id = ?", [card.plan_id])
    scorecards.save_answers(card.db, card.owner, card.plan_id, {card.ids[t]: {"value": v} for t, v in answers.items()}, loaded)
    return scorecards.plan_scorecard(card.db, card.plan_id)


def test_weighted_means_of_questions_then_categories(card):
    result = _answer_by_text(card, {
        "Rating": "4", "Champion?": "yes", "Competitor displacing us?": "yes",
        "Budget": "Mid", "Growth %": "15", "Notes": "Cost control",
    })
    scores = {c["name"]: c["score"] for c in result["categories"]}
    # Relationship (75×2 + 100×1 + 0×1) / 4; Money (50×1 + 50×3) / 4; Adoption unanswered.
    assert scores == {"Relationship": 62.5, "Money": 50.0, "Adoption": None}
    assert result["score"] == 59.4  # (62.5×3 + 50×1) / 4 = 59.375; Adoption's weight left out
    assert result["band"] == "Watch"
    assert result["completion"] == 83.3  # 5 of 6 scored questions (free text is not scored)
    assert result["gaps"] == [{"category": "Adoption", "question": "Usage"}]


@pytest.mark.parametrize("question, value, points", [
    ("Rating", "1", 0.0), ("Rating", "2", 25.0), ("Rating", "3", 50.0), ("Rating", "5", 100.0),
    ("Champion?", "yes", 100.0), ("Champion?", "no", 0.0),
    ("Competitor displacing us?", "yes", 0.0), ("Competitor displacing us?", "no", 100.0),
    ("Budget", "Low", 0.0), ("Budget", "Mid", 50.0), ("Budget", "High", 100.0),
    ("Growth %", "-5", 0.0), ("Growth %", "0", 0.0), ("Growth %", "9.5", 0.0), ("Growth %", "10", 50.0),
    ("Growth %", "19.99", 50.0), ("Growth %", "20", 100.0), ("Growth %", "1000", 100.0),
])
def test_each_answer_is_normalised_to_0_100(card, question, value, points):
    result = _answer_by_text(card, {question: value})
    # One answer: its category score and the plan score are that answer's points.
    assert result["score"] == points
    assert [c["score"] for c in result["categories"] if c["score"] is not None] == [points]


def test_gaps_are_left_out_never_zero(card):
    result = _answer_by_text(card, {"Rating": "4"})
    assert [c["score"] for c in result["categories"]] == [75.0, None, None]
    assert result["score"] == 75.0
    assert result["completion"] == 16.7
    assert [g["question"] for g in result["gaps"]] == [
        "Champion?", "Competitor displacing us?", "Budget", "Growth %", "Usage"]


def test_free_text_alone_scores_nothing(card):
    result = _answer_by_text(card, {"Notes": "Only a note"})
    assert result["score"] is None and result["band"] is None
    assert result["completion"] == 0.0
    assert all(c["score"] is None for c in result["categories"])


def test_all_unanswered_submission_has_no_score(card):
    result = _answer_by_text(card, {})
    assert (result["score"], result["band"], result["completion"]) == (None, None, 0.0)
    assert len(result["gaps"]) == 6


def test_unscored_plan_has_no_score(card):
    scores = scorecards.plan_scores(card.db, [card.plan_id])
    assert scores.to_dict("records") == [{"plan_id": card.plan_id, "score": None, "band": None, "completion": 0.0}]


@pytest.mark.parametrize("score, band", [
    (100, "Healthy"), (67, "Healthy"), (66.5, "Healthy"), (66.4, "Watch"), (34, "Watch"),
    (33.5, "Watch"), (33.4, "At risk"), (33, "At risk"), (0, "At risk"), (None, None),
])
def test_bands_round_to_a_whole_number_first(score, band):
    assert scorecards.band_for(score) == band


@pytest.mark.parametrize("points, score, band", [
    (665, 66.5, "Healthy"), (664, 66.4, "Watch"), (335, 33.5, "Watch"), (334, 33.4, "At risk"),
])
def test_sql_bands_agree_with_band_for(fresh_db, points, score, band):
    owner = make_user(fresh_db)
    ids = make_template(fresh_db, [("Only", 1, [("Pick", "choice", 1, {"choices": {"a": points, "b": 1000}})])])
    plan_id = make_plan(fresh_db, owner, ids["template"])
    scorecards.save_answers(fresh_db, owner, plan_id, {ids["Pick"]: {"value": "a"}}, 0)
    row = scorecards.plan_scores(fresh_db, [plan_id]).iloc[0]
    assert (row["score"], row["band"]) == (score, band)


def test_plan_scores_for_many_plans_in_one_call(card):
    _answer_by_text(card, {"Rating": "5"})
    other = make_plan(card.db, card.owner, card.ids["template"], name="Other")
    scores = scorecards.plan_scores(card.db)
    assert scores.to_dict("records") == [
        {"plan_id": card.plan_id, "score": 100.0, "band": "Healthy", "completion": 16.7},
        {"plan_id": other, "score": None, "band": None, "completion": 0.0},
    ]
    assert list(scorecards.plan_scores(card.db, [other])["plan_id"]) == [other]


def test_latest_submission_counts_and_history_keeps_all(card):
    _answer_by_text(card, {"Rating": "2"})
    _answer_by_text(card, {"Rating": "4", "Usage": "5"})
    history = scorecards.score_history(card.db, card.plan_id)
    overall = history[history["series"] == "Overall"]
    assert list(overall["score"]) == [25.0, 85.0]  # then (75×3 + 100×2) / 5
    latest = history[history["submission_id"] == history["submission_id"].max()]
    assert dict(zip(latest["series"], latest["score"].astype(object).where(latest["score"].notna(), None))) == {
        "Overall": 85.0, "Relationship": 75.0, "Money": None, "Adoption": 100.0}
    assert scorecards.plan_scores(card.db, [card.plan_id])["score"].tolist() == [85.0]
