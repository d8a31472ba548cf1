"""Stakeholders page: the stakeholder table, downloadable as CSV and XLSX."""

from __future__ import annotations

from planning import stakeholders
from planning.db import Database
from ui.downloads import download_buttons
from ui.tables import table as show

INTERNAL_COLUMNS = ["id", "plan_id", "contact_id", "reports_to_id", "covered_by_user_id", "version"]


def render_table(db: Database, plan_id: int) -> None:
    table = stakeholders.list_stakeholders(db, plan_id).drop(columns=INTERNAL_COLUMNS)
    show(table)
    download_buttons(table, f"plan-{plan_id}-stakeholders", "stakeholders_download")
