"""Scorecards: answers and scores (full scoring arrives with issue #5)."""

from __future__ import annotations

import pandas as pd

from planning.db import Database


def latest_answers(db: Database, plan_id: int) -> pd.DataFrame:
    """The plan's most recent submission: category, question and answer."""
    return db.df(
        """
        SELECT c.name AS category, q.text AS question, a.value AS answer, a.answered_at
        FROM scorecard_answer a
        JOIN scorecard_question q ON q.id = a.question_id
        JOIN scorecard_category c ON c.id = q.category_id
        WHERE a.submission_id = (
            SELECT max(id) FROM scorecard_submission WHERE plan_id = ?)
        ORDER BY c.position, q.position
        """,
        [plan_id],
    )
