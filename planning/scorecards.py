"""Scorecards: answers, scores, bands, history, carry-forward and calibration.

Scoring rules (pinned by tests/test_scorecard_scoring.py):
- every scored answer becomes points normalised to 0–100:
  rating 1–5 → (value − 1) × 25; yes/no → yes 100, no 0 (reversed when options say
  {"invert": true}); choice → 100 × option points / the question's highest option points;
  number → the points of the highest threshold reached (below every threshold: 0 points),
  × 100 / the question's highest threshold points; free text is never scored;
- a question with weight 0 or of type text is not scored; an unanswered question is a gap:
  left out of every mean, never counted as zero;
- category score = weighted mean (question weights) of its answered questions;
- plan score = weighted mean (category weights) of the categories with at least one answer;
- completion = answered scored questions / scored questions of the template, in %;
- scores are rounded to one decimal (halves away from zero: 81.25 → 81.3); the band rounds that score half-up to a whole number
  first (66.5 → 67 → Healthy, 33.4 → 33 → At risk), then ≥ 67 Healthy, 34–66 Watch, ≤ 33 At risk.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from planning import access, audit, kpis
from planning.db import Database, cached_read, fetch_dicts
from planning.db.dialect import Dialects
from planning.errors import InvalidInput, NotFound, StaleEdit

HEALTHY_FROM = 67
WATCH_FROM = 34
NO_ANSWER = "(no answer)"
OPTIONS_TYPE = '{"choices": "MAP(VARCHAR, DOUBLE)", "thresholds": "DOUBLE[][]", "invert": "BOOLEAN"}'


def band_for(score: float | None) -> str | None:
    """Healthy / Watch / At risk for a 0–100 score (rounded half-up to a whole number first)."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    whole = math.floor(score + 0.5)
    if whole >= HEALTHY_FROM:
        return "Healthy"
    return "Watch" if whole >= WATCH_FROM else "At risk"


BAND_SQL = f"""CASE WHEN {{x}} IS NULL THEN NULL
    WHEN floor({{x}} + 0.5) >= {HEALTHY_FROM} THEN 'Healthy'
    WHEN floor({{x}} + 0.5) >= {WATCH_FROM} THEN 'Watch' ELSE 'At risk' END"""

# How each backend reads a question's options (JSON text) and a typed answer; the rest of the
# scoring SQL is one text for both.
_OPTIONS = Dialects(
    duckdb=f"""
question_info AS (
    SELECT q.id AS question_id, q.category_id, q.qtype, q.weight,
           q.o.invert AS invert, q.o.choices AS choices, q.o.thresholds AS thresholds
    FROM (SELECT *, from_json(options, '{OPTIONS_TYPE}') AS o FROM scorecard_question) AS q
    WHERE q.qtype <> 'text' AND q.weight > 0
),
option_points AS (
    SELECT question_id, e.key AS label, NULL::DOUBLE AS at_least, e.value AS points
    FROM (SELECT question_id, unnest(map_entries(choices)) AS e FROM question_info WHERE qtype = 'choice') AS c
    UNION ALL
    SELECT question_id, NULL, t[1], t[2]
    FROM (SELECT question_id, unnest(thresholds) AS t FROM question_info WHERE qtype = 'number') AS n
)""",
    postgres="""
question_info AS (
    SELECT q.id AS question_id, q.category_id, q.qtype, q.weight,
           (nullif(q.options, '')::jsonb ->> 'invert')::boolean AS invert, nullif(q.options, '')::jsonb AS o
    FROM scorecard_question q
    WHERE q.qtype <> 'text' AND q.weight > 0
),
option_points AS (
    SELECT question_id, e.key AS label, NULL::DOUBLE AS at_least, e.value::DOUBLE AS points
    FROM question_info, jsonb_each_text(CASE WHEN jsonb_typeof(o -> 'choices') = 'object' THEN o -> 'choices' END) AS e
    WHERE qtype = 'choice'
    UNION ALL
    SELECT question_id, NULL, (t ->> 0)::DOUBLE, (t ->> 1)::DOUBLE
    FROM question_info, jsonb_array_elements(CASE WHEN jsonb_typeof(o -> 'thresholds') = 'array' THEN o -> 'thresholds' END) AS t
    WHERE qtype = 'number'
)""",
)
# An answer's text as a number, NULL when it is not one (PostgreSQL: postgres_functions.sql).
_NUMBER = Dialects(duckdb="try_cast(a.value AS DOUBLE)", postgres="try_cast_double(a.value)")

# The scoring rule in SQL, over the submissions in `chosen` (a CTE the caller defines first).
_SCORING_TEMPLATE = """
{options},
question_max AS (SELECT question_id, max(points) AS max_points FROM option_points GROUP BY question_id),
chosen_answers AS (
    SELECT a.id AS answer_id, a.submission_id, a.question_id, a.value
    FROM scorecard_answer a JOIN chosen s ON s.id = a.submission_id
    WHERE a.value IS NOT NULL AND trim(a.value) <> ''
),
number_points AS (
    SELECT a.answer_id, (array_agg(t.points ORDER BY t.at_least DESC))[1] AS points
    FROM chosen_answers a
    JOIN option_points t ON t.question_id = a.question_id AND t.at_least IS NOT NULL
         AND t.at_least <= {number}
    GROUP BY a.answer_id
),
answer_points AS (
    SELECT * FROM (
        SELECT a.submission_id, qi.category_id, qi.weight,
               CASE qi.qtype
                   WHEN 'rating' THEN greatest(0, least(100, ({number} - 1) * 25))
                   WHEN 'yes_no' THEN CASE lower(trim(a.value))
                       WHEN 'yes' THEN CASE WHEN coalesce(qi.invert, FALSE) THEN 0 ELSE 100 END
                       WHEN 'no' THEN CASE WHEN coalesce(qi.invert, FALSE) THEN 100 ELSE 0 END END
                   WHEN 'choice' THEN 100 * cp.points / nullif(qm.max_points, 0)
                   WHEN 'number' THEN CASE WHEN {number} IS NOT NULL
                       THEN 100 * coalesce(np.points, 0) / nullif(qm.max_points, 0) END
               END AS points
        FROM chosen_answers a
        JOIN question_info qi ON qi.question_id = a.question_id
        LEFT JOIN question_max qm ON qm.question_id = a.question_id
        LEFT JOIN option_points cp ON qi.qtype = 'choice' AND cp.question_id = a.question_id AND cp.label = a.value
        LEFT JOIN number_points np ON np.answer_id = a.answer_id
    ) AS scored WHERE points IS NOT NULL
),
category_totals AS (SELECT category_id, count(*) AS questions FROM question_info GROUP BY category_id),
category_scores AS (
    SELECT s.id AS submission_id, s.plan_id, c.id AS category_id, c.name, c.weight, c.position,
           sum(ap.points * ap.weight) / nullif(sum(ap.weight), 0) AS score,
           count(ap.points) AS answered, coalesce(any_value(ct.questions), 0) AS questions
    FROM chosen s
    JOIN scorecard_category c ON c.template_id = s.template_id
    LEFT JOIN answer_points ap ON ap.submission_id = s.id AND ap.category_id = c.id
    LEFT JOIN category_totals ct ON ct.category_id = c.id
    GROUP BY s.id, s.plan_id, c.id, c.name, c.weight, c.position
),
submission_scores AS (
    SELECT submission_id, plan_id,
           sum(score * weight) / nullif(sum(weight) FILTER (WHERE score IS NOT NULL), 0) AS score,
           sum(answered) AS answered, sum(questions) AS questions
    FROM category_scores GROUP BY submission_id, plan_id
)
"""
SCORING_CTES = Dialects(
    duckdb=_SCORING_TEMPLATE.format(options=_OPTIONS.duckdb, number=_NUMBER.duckdb),
    postgres=_SCORING_TEMPLATE.format(options=_OPTIONS.postgres, number=_NUMBER.postgres),
)

LATEST_SUBMISSIONS = """
chosen AS (
    SELECT DISTINCT ON (plan_id) * FROM scorecard_submission
    WHERE CAST(? AS BIGINT[]) IS NULL OR list_contains(CAST(? AS BIGINT[]), plan_id)
    ORDER BY plan_id, id DESC
)"""


def _completion(answered: str, questions: str) -> str:
    return f"round(100.0 * coalesce({answered}, 0) / nullif({questions}, 0), 1)"


@cached_read
def plan_scores(db: Database, plan_ids: list[int] | None = None) -> pd.DataFrame:
    """Latest score, band and completion % of many plans in one query (score None when unanswered)."""
    ids = None if plan_ids is None else [int(i) for i in plan_ids]
    frame = db.df(
        f"""
        WITH {LATEST_SUBMISSIONS}, {SCORING_CTES.on(db)}
        SELECT p.id AS plan_id, round(ss.score, 1) AS score,
               {BAND_SQL.format(x='round(ss.score, 1)')} AS band,
               coalesce({_completion('ss.answered', 'ss.questions')}, 0.0) AS completion
        FROM plan p LEFT JOIN submission_scores ss ON ss.plan_id = p.id
        WHERE CAST(? AS BIGINT[]) IS NULL OR list_contains(CAST(? AS BIGINT[]), p.id)
        ORDER BY p.id
        """,
        [ids, ids, ids, ids],
    )
    frame = frame.astype({"score": object, "band": object})
    return frame.where(frame.notna(), None)


def score_history(db: Database, plan_id: int) -> pd.DataFrame:
    """Every submission of a plan: plan ("Overall") and category scores over time, long format."""
    return db.df(
        f"""
        WITH chosen AS (SELECT * FROM scorecard_submission WHERE plan_id = ?), {SCORING_CTES.on(db)}
        SELECT s.id AS submission_id, s.submitted_at, u.name AS submitted_by, s.carried_forward,
               'Overall' AS series, -1 AS position, round(ss.score, 1) AS score,
               {_completion('ss.answered', 'ss.questions')} AS completion
        FROM chosen s JOIN submission_scores ss ON ss.submission_id = s.id
        LEFT JOIN app_user u ON u.id = s.submitted_by
        UNION ALL
        SELECT s.id, s.submitted_at, u.name, s.carried_forward, cs.name, cs.position, round(cs.score, 1),
               {_completion('cs.answered', 'cs.questions')}
        FROM chosen s JOIN category_scores cs ON cs.submission_id = s.id
        LEFT JOIN app_user u ON u.id = s.submitted_by
        ORDER BY submitted_at, submission_id, position
        """,
        [plan_id],
    )


# A save reads the plan's latest submission, then adds one: the plan's row is locked first so two
# saves of one plan (by two processes on PostgreSQL) run one after the other and the later sees the
# earlier (StaleEdit). On DuckDB one process writes the file and its writer lock serialises saves.
_LOCK_PLAN = Dialects(duckdb="SELECT id FROM plan WHERE id = ?", postgres="SELECT id FROM plan WHERE id = ? FOR UPDATE")


def _pin_template(con: duckdb.DuckDBPyConnection, plan_id: int, template_id: int) -> None:
    """A plan scored for the first time keeps that template version. Only then is the plan row
    written, so a usual save leaves every read of the plan table cached (planning.db.changes)."""
    if con.execute("SELECT template_id IS NULL FROM plan WHERE id = ?", [plan_id]).fetchall()[0][0]:
        con.execute("UPDATE plan SET template_id = ? WHERE id = ?", [template_id, plan_id])


def plan_template_id(con: duckdb.DuckDBPyConnection, plan_id: int) -> int:
    """The template version a plan is scored with: its own, else the Active default."""
    row = con.execute(
        """
        SELECT coalesce(p.template_id, (SELECT id FROM scorecard_template WHERE status = 'Active'
                                        ORDER BY name = 'Strategic Account Health' DESC, version DESC LIMIT 1))
        FROM plan p WHERE p.id = ?
        """,
        [plan_id],
    ).fetchall()
    if not row:
        raise NotFound(f"There is no plan with id {plan_id}.")
    if row[0][0] is None:
        raise NotFound("No Active scorecard template exists: an admin must activate one on the Scorecard page.")
    return row[0][0]


def _latest_submission(con: duckdb.DuckDBPyConnection, plan_id: int) -> dict | None:
    found = fetch_dicts(
        con,
        "SELECT s.*, u.name AS submitted_by_name FROM scorecard_submission s"
        " LEFT JOIN app_user u ON u.id = s.submitted_by WHERE s.plan_id = ? ORDER BY s.id DESC LIMIT 1",
        [plan_id],
    )
    return found[0] if found else None


def _template_questions(con: duckdb.DuckDBPyConnection, template_id: int) -> list[dict]:
    return fetch_dicts(
        con,
        """
        SELECT q.id AS question_id, c.id AS category_id, c.name AS category, c.weight AS category_weight,
               q.text, q.qtype, q.weight, q.help_text, q.options
        FROM scorecard_category c JOIN scorecard_question q ON q.category_id = c.id
        WHERE c.template_id = ? ORDER BY c.position, c.id, q.position, q.id
        """,
        [template_id],
    )


def _answers_of(con: duckdb.DuckDBPyConnection, submission_id: int | None) -> dict[int, dict]:
    if submission_id is None:
        return {}
    rows = fetch_dicts(
        con, "SELECT question_id, value, note FROM scorecard_answer WHERE submission_id = ?", [submission_id]
    )
    return {r["question_id"]: r for r in rows}


@cached_read(plan_scoped=True)
def scorecard_form(db: Database, plan_id: int) -> dict:
    """What the rep form needs: the template's questions prefilled with the latest answers.

    Returns {template_id, submission (latest or None), loaded_submission_id (0 = none yet),
    questions: [question dict + value, note, choices]}.
    """
    with db.connect() as con:
        latest = _latest_submission(con, plan_id)
        template_id = latest["template_id"] if latest else plan_template_id(con, plan_id)
        questions = _template_questions(con, template_id)
        answers = _answers_of(con, latest["id"] if latest else None)
    for q in questions:
        answer = answers.get(q["question_id"], {})
        q["value"], q["note"] = answer.get("value"), answer.get("note")
        options = json.loads(q["options"]) if q["options"] else {}
        q["choices"] = list(options.get("choices", {}))
    return {
        "template_id": template_id,
        "submission": latest,
        "loaded_submission_id": latest["id"] if latest else 0,
        "questions": questions,
    }


@cached_read(plan_scoped=True)
def plan_scorecard(db: Database, plan_id: int) -> dict:
    """Latest score, band, completion, category scores and gaps of one plan."""
    ids = [plan_id]
    with db.connect() as con:
        categories = fetch_dicts(
            con,
            f"""
            WITH {LATEST_SUBMISSIONS}, {SCORING_CTES.on(db)}
            SELECT name, weight, round(score, 1) AS score, {BAND_SQL.format(x='round(score, 1)')} AS band,
                   answered, questions
            FROM category_scores ORDER BY position, category_id
            """,
            [ids, ids],
        )
        latest = _latest_submission(con, plan_id)
    overall = plan_scores(db, ids).iloc[0]
    form = scorecard_form(db, plan_id)
    gaps = [
        {"category": q["category"], "question": q["text"]}
        for q in form["questions"]
        if q["qtype"] != "text" and q["weight"] > 0 and (q["value"] is None or not str(q["value"]).strip())
    ]
    return {
        "plan_id": plan_id, "score": overall["score"], "band": overall["band"],
        "completion": float(overall["completion"]), "categories": categories, "gaps": gaps if latest else [],
        "submission": latest,
    }


# -- writing answers ----------------------------------------------------------------------------------------


def _clean_value(question: dict, raw: Any) -> str | None:
    """The stored text of an answer, or None for a gap; InvalidInput names the question."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or str(raw).strip() == "":
        return None
    text, qtype = str(raw).strip(), question["qtype"]
    where = f"“{question['text']}”"
    if qtype == "rating":
        if text not in {"1", "2", "3", "4", "5"}:
            raise InvalidInput(f"{where} takes a rating from 1 to 5, not {text!r}.")
    elif qtype == "yes_no":
        text = text.lower()
        if text not in ("yes", "no"):
            raise InvalidInput(f"{where} takes yes or no, not {text!r}.")
    elif qtype == "choice":
        choices = list(json.loads(question["options"] or "{}").get("choices", {}))
        if text not in choices:
            raise InvalidInput(f"{where} takes one of {', '.join(choices)}; {text!r} is not one of them.")
    elif qtype == "number":
        try:
            number = float(text)
        except ValueError:
            raise InvalidInput(f"{where} takes a number, not {text!r}.") from None
        if not math.isfinite(number):
            raise InvalidInput(f"{where} takes a finite number, not {text!r}.")
        text = str(int(number)) if number.is_integer() else repr(number)
    return text


def _describe_changes(questions: dict[int, dict], before: dict[int, dict], after: dict[int, dict]) -> list[str]:
    changes = []
    for qid, question in questions.items():
        old, new = before.get(qid, {}), after.get(qid, {})
        if (old.get("value") or None) != (new.get("value") or None):
            changes.append(f"“{question['text']}”: {old.get('value') or NO_ANSWER} → {new.get('value') or NO_ANSWER}")
        elif (old.get("note") or None) != (new.get("note") or None):
            changes.append(f"“{question['text']}” (note): {old.get('note') or '(none)'} → {new.get('note') or '(none)'}")
    return changes


def save_answers(
    db: Database,
    user: dict | None,
    plan_id: int,
    answers: Mapping[int, Mapping[str, Any]],
    loaded_submission_id: int,
    *,
    keep_unlisted: bool = False,
) -> int:
    """Save one complete submission (all answers together); returns its id.

    `answers` maps question id → {"value": ..., "note": ...}; questions left out are gaps, or with
    `keep_unlisted` (one section of the form saved on its own) keep their latest saved answer.
    `loaded_submission_id` is the latest submission the form showed (0 when there was none):
    if the plan's scorecard was saved since, StaleEdit names the answers that changed.
    """
    now = datetime.now()
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        con.execute(_LOCK_PLAN.on(con), [plan_id])
        latest = _latest_submission(con, plan_id)
        template_id = latest["template_id"] if latest else plan_template_id(con, plan_id)
        questions = {q["question_id"]: q for q in _template_questions(con, template_id)}
        current = _answers_of(con, latest["id"] if latest else None)
        if (latest["id"] if latest else 0) != (loaded_submission_id or 0):
            changed = _describe_changes(questions, _answers_of(con, loaded_submission_id or None), current)
            assert latest is not None, "the form was loaded from a submission, so the plan has one"
            who = f"{latest['submitted_by_name'] or 'someone'} at {latest['submitted_at']:%Y-%m-%d %H:%M}"
            detail = ("Changed answers: " + "; ".join(changed) + ".") if changed else "No answer changed, but it was re-confirmed."
            raise StaleEdit(
                f"This scorecard was saved by {who}, after you opened it, so your answers were not saved. "
                f"{detail} Reload the latest answers and apply your changes again."
            )
        unknown = sorted(set(int(q) for q in answers) - set(questions))
        if unknown:
            raise InvalidInput(f"Question(s) {', '.join(map(str, unknown))} are not part of this plan's scorecard template.")
        kept = {qid: current.get(qid, {}) for qid in questions if keep_unlisted and qid not in answers}
        cleaned = {
            qid: {"value": kept[qid].get("value"), "note": kept[qid].get("note")} if qid in kept else
                 {"value": _clean_value(q, (answers.get(qid) or {}).get("value")),
                  "note": (str((answers.get(qid) or {}).get("note") or "").strip() or None)}
            for qid, q in questions.items()
        }
        submission_id = con.execute(
            "INSERT INTO scorecard_submission (plan_id, template_id, submitted_by, submitted_at, carried_forward)"
            " VALUES (?, ?, ?, ?, FALSE) RETURNING id",
            [plan_id, template_id, user["id"], now],
        ).fetchall()[0][0]
        con.executemany(
            "INSERT INTO scorecard_answer (submission_id, plan_id, question_id, value, note, answered_by, answered_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[submission_id, plan_id, qid, a["value"], a["note"], user["id"], now] for qid, a in cleaned.items()],
        )
        _pin_template(con, plan_id, template_id)
        changes = {
            questions[qid]["text"]: (current.get(qid, {}).get("value"), a["value"])
            for qid, a in cleaned.items()
            if (current.get(qid, {}).get("value") or None) != a["value"]
        }
        audit.record(con, user["id"], "scorecard_submission", submission_id,
                     {"plan_id": (None, plan_id), "template_id": (None, template_id), **changes})
    return submission_id


def carry_forward(con: duckdb.DuckDBPyConnection, source_plan_id: int, target_plan_id: int, user_id: int | None) -> int:
    """Copy the source plan's latest answers to the target as a carried-forward submission; rows copied.

    Runs inside the caller's transaction. The target keeps its own template version when it has
    one: answers move to the question with the same category name and text; others become gaps.
    The submission stays marked carried_forward until a person saves the scorecard again.
    """
    source = _latest_submission(con, source_plan_id)
    if source is None:
        return 0
    target_template = con.execute("SELECT template_id FROM plan WHERE id = ?", [target_plan_id]).fetchall()
    if not target_template:
        raise NotFound(f"There is no plan with id {target_plan_id}.")
    template_id = target_template[0][0] or source["template_id"]
    _pin_template(con, target_plan_id, template_id)
    submission_id = con.execute(
        "INSERT INTO scorecard_submission (plan_id, template_id, submitted_by, submitted_at, carried_forward)"
        " VALUES (?, ?, ?, ?, TRUE) RETURNING id",
        [target_plan_id, template_id, user_id, datetime.now()],
    ).fetchall()[0][0]
    copied = con.execute(
        """
        INSERT INTO scorecard_answer (submission_id, plan_id, question_id, value, note, answered_by, answered_at)
        SELECT ?, ?, tq.id, a.value, a.note, a.answered_by, a.answered_at
        FROM scorecard_answer a
        JOIN scorecard_question sq ON sq.id = a.question_id
        JOIN scorecard_category sc ON sc.id = sq.category_id
        JOIN scorecard_category tc ON tc.template_id = ? AND tc.name = sc.name
        JOIN scorecard_question tq ON tq.category_id = tc.id AND tq.text = sq.text AND tq.qtype = sq.qtype
        WHERE a.submission_id = ?
        RETURNING id
        """,
        [submission_id, target_plan_id, template_id, source["id"]],
    ).fetchall()
    audit.record(con, user_id, "scorecard_submission", submission_id,
                 {"plan_id": (None, target_plan_id), "carried_forward_from_plan": (None, source_plan_id)})
    return len(copied)


# -- calibration (beyond the anchors) ------------------------------------------------------------------------
# Does the score predict anything? Plans grouped by their latest band against what they actually
# won. The membership rule below mirrors docs/design.md (same account, same business unit when the plan
# is scoped, close date inside the period inclusive; flags fall back to the stage table); the KPI
# engine (planning/kpis.py) owns the canonical fragment and may replace this query.

BAND_ORDER = ["Healthy", "Watch", "At risk", "Not scored"]


def calibration(db: Database, start=None, end=None) -> pd.DataFrame:
    """Plans (overlapping [start, end]) grouped by score band: win rate and won vs target per band.

    Outcomes are the KPI engine's figures (kpis.plan_kpis), so the plan-membership rule is not
    restated here; the band is each plan's latest score.
    """
    scoped = db.df(
        "SELECT id AS plan_id, CAST(sales_target AS DOUBLE) AS target FROM plan"
        " WHERE (CAST(? AS DATE) IS NULL OR period_end >= ?) AND (CAST(? AS DATE) IS NULL OR period_start <= ?)",
        [start, start, end, end],
    )
    columns = ["band", "plans", "avg_score", "won_count", "closed_count", "win_rate", "won", "target", "won_vs_target"]
    if scoped.empty:
        return pd.DataFrame(columns=columns)
    ids = scoped["plan_id"].tolist()
    figures = kpis.plan_kpis(db, ids)[["plan_id", "won", "won_count", "lost_count"]]
    frame = scoped.merge(plan_scores(db, ids)[["plan_id", "score", "band"]], on="plan_id").merge(figures, on="plan_id")
    frame["band"] = frame["band"].fillna("Not scored")
    frame["closed_count"] = frame["won_count"] + frame["lost_count"]
    frame["won"] = frame["won"].fillna(0.0)
    grouped = frame.groupby("band", sort=False).agg(
        plans=("plan_id", "count"), avg_score=("score", "mean"), won_count=("won_count", "sum"),
        closed_count=("closed_count", "sum"), won=("won", "sum"), target=("target", "sum"),
    ).reset_index()
    grouped["avg_score"] = grouped["avg_score"].round(1)
    grouped["win_rate"] = (grouped["won_count"] / grouped["closed_count"].where(grouped["closed_count"] > 0)).round(3)
    grouped["won_vs_target"] = (grouped["won"] / grouped["target"].where(grouped["target"] > 0)).round(3)
    grouped["order"] = grouped["band"].map(BAND_ORDER.index)
    return grouped.sort_values("order")[columns].reset_index(drop=True)


def latest_answers(db: Database, plan_id: int) -> pd.DataFrame:
    """The plan's most recent submission as a table: category, question, answer, note (kept for exports)."""
    return db.df(
        """
        SELECT c.name AS category, q.text AS question, a.value AS answer, a.note, a.answered_at
        FROM scorecard_answer a
        JOIN scorecard_question q ON q.id = a.question_id
        JOIN scorecard_category c ON c.id = q.category_id
        WHERE a.submission_id = (SELECT max(id) FROM scorecard_submission WHERE plan_id = ?)
        ORDER BY c.position, q.position
        """,
        [plan_id],
    )
