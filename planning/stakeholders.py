"""Stakeholders mapped on a plan (graph and alerts arrive with issue #7)."""

from __future__ import annotations

import pandas as pd

from planning.db import Database


def list_stakeholders(db: Database, plan_id: int) -> pd.DataFrame:
    """Contacts on the plan with their buying role, support and coverage."""
    return db.df(
        """
        SELECT c.name, c.title, c.department, s.buying_role, s.support, s.coverage,
               s.influence, s.relationship_strength, u.name AS covered_by, s.last_contact_date
        FROM stakeholder s
        JOIN contact c ON c.id = s.contact_id
        LEFT JOIN app_user u ON u.id = s.covered_by_user_id
        WHERE s.plan_id = ?
        ORDER BY s.influence DESC NULLS LAST, c.name
        """,
        [plan_id],
    )
