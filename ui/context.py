"""Per-session context every page needs: the database, the current user and the period."""

from __future__ import annotations

from datetime import date

import streamlit as st

from planning import overview, users
from planning.db import Database, open_database, resolve_path


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    # Migrate once per process and path; the Database object itself holds no connection.
    return open_database(path)


def database() -> Database:
    """The configured database (PLANNING_DB or data/planning.duckdb), migrated."""
    return _database(str(resolve_path()))


def current_user() -> dict | None:
    """The person using the app (picked in the sidebar in local mode)."""
    return st.session_state.get("current_user")


def period() -> tuple[date, date, str]:
    """The sidebar's fiscal-year filter as (start, end, label)."""
    year = st.session_state.get("period_year") or date.today().year
    return date(year, 1, 1), date(year, 12, 31), f"FY{year}"


def render_sidebar(db: Database) -> None:
    """Database status, the current user and the period filter."""
    status = overview.database_status(db)
    with st.sidebar:
        years = overview.fiscal_years(db) or [date.today().year]
        default_year = date.today().year if date.today().year in years else years[0]
        st.selectbox(
            "Fiscal year", years, index=years.index(default_year), key="period_year",
            help="Plans and figures are shown for this period.",
        )
        people = users.list_users(db)
        if people:
            names = [u["name"] for u in people]
            chosen = st.selectbox(
                "Signed in as (local mode)", names, key="current_user_name",
                help="Local mode: no sign-in is configured, so pick who you are.",
            )
            st.session_state["current_user"] = next(u for u in people if u["name"] == chosen)
        st.divider()
        counts = status["counts"]
        st.caption(
            f"**Database** `{status['path']}` (schema v{status['schema_version']})  \n"
            f"{counts['account']:,} accounts · {counts['opportunity']:,} opportunities · "
            f"{counts['contact']:,} contacts · {counts['plan']:,} plans"
        )
        last = status["last_import"]
        if last:
            st.caption(f"Last import: {last['file_name']} ({last['kind']}), {last['finished_at']:%Y-%m-%d %H:%M}")
        else:
            st.caption("No import yet.")
