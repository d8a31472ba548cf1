"""Plan freshness and health across the portfolio, and the review-due queue.

Rules:
- a plan's review is stale when it was never reviewed or last reviewed more than 90 days before
  today (reviewed exactly 90 days ago is still fresh); it is due 90 days after the last review;
- each section has its own "last touched": scorecard = latest submission, stakeholders = latest
  stakeholder.updated_at, whitespace = latest whitespace_cell.updated_at, objectives = latest
  objective or action created, completed or audited change; a section is stale when never touched
  or touched more than 90 days ago;
- review-due queue: plans with a stale review or a stale section, most urgent first — never
  reviewed, then most days past the review date, then most stale sections, then biggest gap.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from planning import scorecards, stakeholders, whitespace
from planning.db import Database, cached_read
from planning.portfolio import SCOPE_SQL, Filters

STALE_AFTER_DAYS = 90
SECTIONS = {"scorecard": "scorecard_at", "stakeholders": "stakeholders_at", "whitespace": "whitespace_at",
            "objectives": "objectives_at"}

FRESHNESS_SQL = f"""
WITH {SCOPE_SQL},
scorecard AS (SELECT plan_id, max(submitted_at) AS moment FROM scorecard_submission GROUP BY plan_id),
people AS (SELECT plan_id, max(updated_at) AS moment FROM stakeholder GROUP BY plan_id),
cells AS (SELECT plan_id, max(updated_at) AS moment FROM whitespace_cell GROUP BY plan_id),
objective_changes AS (
    SELECT plan_id, created_at AS moment FROM objective
    UNION ALL SELECT plan_id, greatest(created_at, completed_at) FROM action
    UNION ALL SELECT o.plan_id, l.changed_at FROM audit_log l JOIN objective o ON l.entity = 'objective' AND l.entity_id = o.id
    UNION ALL SELECT a.plan_id, l.changed_at FROM audit_log l JOIN action a ON l.entity = 'action' AND l.entity_id = a.id
),
objectives AS (SELECT plan_id, max(moment) AS moment FROM objective_changes GROUP BY plan_id)
SELECT p.id AS plan_id, p.name AS plan, p.account, p.owner, p.status, p.last_reviewed_at,
       CAST($today AS DATE) - CAST(p.last_reviewed_at AS DATE) AS days_since_review,
       CAST(p.last_reviewed_at AS DATE) + {STALE_AFTER_DAYS} AS review_due,
       s.moment AS scorecard_at, pe.moment AS stakeholders_at, c.moment AS whitespace_at, o.moment AS objectives_at
FROM scoped_plans p
LEFT JOIN scorecard s ON s.plan_id = p.id LEFT JOIN people pe ON pe.plan_id = p.id
LEFT JOIN cells c ON c.plan_id = p.id LEFT JOIN objectives o ON o.plan_id = p.id
ORDER BY p.id
"""


def _stale(moment, today: date) -> bool:
    return moment is None or pd.isna(moment) or (today - pd.Timestamp(moment).date()).days > STALE_AFTER_DAYS


@cached_read
def plan_health(db: Database, filters: Filters, today: date | None = None) -> pd.DataFrame:
    """Per plan in scope: review freshness, per-section staleness, scorecard band, coverage status, whitespace."""
    today = today or date.today()
    frame = db.df(FRESHNESS_SQL, filters.params(today=today))
    frame["review_stale"] = [_stale(at, today) for at in frame["last_reviewed_at"]]
    frame["stale_sections"] = [
        [name for name, column in SECTIONS.items() if _stale(row[column], today)] for _, row in frame.iterrows()
    ]
    frame["stale_section_count"] = frame["stale_sections"].map(len)
    ids = frame["plan_id"].astype(int).tolist()
    if not ids:
        return frame.assign(score=None, band=None, coverage_status=None, whitespace_value=None)
    scores = scorecards.plan_scores(db, ids)[["plan_id", "score", "band"]]
    coverage = stakeholders.coverage_summary(db, ids, today)[["plan_id", "coverage_status", "coverage_label", "coverage_colour", "alert_count"]]
    space = whitespace.whitespace_totals(db, ids)[["plan_id", "sold", "in_progress", "whitespace_value"]]
    for extra in (scores, coverage, space):
        frame = frame.merge(extra, on="plan_id", how="left")
    return frame


def review_queue(health: pd.DataFrame) -> pd.DataFrame:
    """Plans whose review or any section is stale, most urgent first (see the module rules)."""
    due = health[health["review_stale"] | (health["stale_section_count"] > 0)].copy()
    due["never_reviewed"] = due["last_reviewed_at"].isna()
    due["days_overdue"] = due["days_since_review"] - STALE_AFTER_DAYS
    due = due.sort_values(
        ["never_reviewed", "days_overdue", "stale_section_count", "plan_id"], ascending=[False, False, False, True],
        na_position="first", kind="stable",
    )
    return due.reset_index(drop=True)
