"""Per-session context every page needs: the database, the current user and the period."""

from __future__ import annotations

import gc
import runpy
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import StopException, get_script_run_ctx

from planning import overview, users
from planning.db import Database, open_database, resolve_path
from ui.text import md

APP_FILE = Path(__file__).resolve().parent.parent / "app.py"
_app_run = threading.local()
_heap_settled = threading.Lock()  # held for good once the first app run has frozen the heap


@contextmanager
def app_run():
    """Marks a script run that went through app.py (navigation, sign-in gate, sidebar)."""
    _app_run.active = True
    try:
        yield
    finally:
        _app_run.active = False
        settle_heap()


def settle_heap() -> None:
    """Once per process, after its first app run: keep what is alive then out of every later full GC.

    Streamlit collects all generations after every script run (`runner.postScriptGC`), holding the
    GIL while the run's last messages wait to be sent. The imports (Streamlit, pandas, Altair, DuckDB)
    leave ~150k objects that live as long as the process, and walking them cost every rerun ~0.1 s
    (a Plan tab switch: a third of its time, issue #17). `gc.freeze()` after one collection moves
    them to the permanent generation; later collections walk only what runs created since.
    """
    if _heap_settled.acquire(blocking=False):
        gc.collect()
        gc.freeze()


def _ensure_app_run() -> None:
    # With a pages/ folder beside app.py, Streamlit serves the first deep link after a server
    # start (e.g. /plan?plan=5) by running the page file alone, before any st.navigation call.
    # Run the whole app instead, so navigation, sign-in and sidebar are always there.
    if not getattr(_app_run, "active", False):
        runpy.run_path(str(APP_FILE), run_name="__main__")
        # End the run as st.stop() does, but without its request_stop(): a click in a fragment
        # during this run (a Plan tab) is queued to run after it, and request_stop() replaces
        # that queued rerun with a stop (Streamlit's ScriptRequests.request_stop), losing the click.
        if get_script_run_ctx(suppress_warning=True) is not None:
            raise StopException


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    # Migrate once per process and path; the Database object itself holds no connection.
    return open_database(path)


def database() -> Database:
    """The configured database (PLANNING_DB or data/planning.duckdb), migrated.

    In sign-in mode this is also the sign-in gate: it shows the sign-in (or "ask an admin")
    screen and stops the run unless the visitor is a known, active user. A page run that did
    not come through app.py is turned into a full app run first (see _ensure_app_run), so
    pages must call database() before writing anything.
    """
    _ensure_app_run()
    db = _database(str(resolve_path()))
    if sign_in_configured():
        st.session_state["current_user"] = _signed_in_user(db)
    return db


def current_user() -> dict | None:
    """The person using the app: signed in (OIDC mode) or picked in the sidebar (local mode)."""
    return st.session_state.get("current_user")


def sign_in_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (no secrets file: False)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # StreamlitSecretNotFoundError: no or unreadable secrets file
        # Fail closed: a secrets file that exists but cannot be read may hold [auth], and
        # falling back to local mode would let anyone pick an admin.
        unreadable = [f for f in st.get_option("secrets.files") if Path(f).is_file()]
        if unreadable:
            st.error(
                f"{md(unreadable[0])} cannot be read, so sign-in cannot be checked; fix the file "
                "(it must be valid TOML) and reload."
            )
            st.stop()
        return False


def _login_provider() -> str | None:
    # [auth] with client_id is the default provider; else the first [auth.NAME] section.
    auth = st.secrets["auth"]
    if "client_id" in auth:
        return None
    return next((name for name, value in auth.items() if hasattr(value, "keys")), None)


def _signed_in_user(db: Database) -> dict:
    """The user matching the OIDC sign-in; otherwise a sign-in or "ask an admin" screen, then stop."""
    if not st.user.get("is_logged_in", False):
        st.session_state["current_user"] = None
        st.title("Account Planner")
        st.write("Sign in with your company account to see and edit account plans.")
        provider = _login_provider()
        st.button("Sign in", type="primary", on_click=st.login, args=[provider] if provider else [])
        st.stop()
    email = st.user.get("email")
    user = users.user_for_email(db, email if isinstance(email, str) else None)
    if user is None:
        st.session_state["current_user"] = None
        st.title("Account Planner")
        st.error(
            f"You are signed in as {md(email or 'an account without an email')}, but no active Account Planner "
            "user has that email. Ask an admin to add you (Admin page, or `planning users add`)."
        )
        st.button("Sign out", on_click=st.logout)
        st.stop()
    return user


def _render_identity(db: Database, signed_in: dict | None) -> None:
    """Sidebar: who is using the app, and how they were identified."""
    if signed_in:
        user = signed_in
        st.session_state["current_user"] = user
        st.sidebar.caption(f"Signed in as **{md(user['name'])}** ({user['role']}) · {md(user['email'])}")
        st.sidebar.button("Sign out", on_click=st.logout, key="sign_out")
        return
    people = users.list_users(db)
    names = [u["name"] for u in people]
    # A visitor is nobody (reads only) until they pick who they are: never the first admin by default.
    chosen = st.sidebar.selectbox(
        "Signed in as (local mode)", names, index=None, key="current_user_name",
        placeholder="Pick who you are", help="Local mode: no sign-in is configured, so pick who you are.",
    )
    st.session_state["current_user"] = next((u for u in people if u["name"] == chosen), None)
    st.sidebar.caption(
        ":material/lock_open: **Local mode**: no sign-in is configured.",
        help="Anyone who can open this app can pick who they are: it is for one person on their own computer. "
             "Configure [auth] in .streamlit/secrets.toml before sharing this app.",
    )


def period() -> tuple[date, date, str]:
    """The sidebar's fiscal-year filter as (start, end, label)."""
    year = st.session_state.get("period_year") or date.today().year
    return date(year, 1, 1), date(year, 12, 31), f"FY{year}"


def render_sidebar(db: Database) -> None:
    """Database status, the current user and the period filter."""
    # In sign-in mode database() has already matched the person to a user, or stopped the run.
    signed_in = current_user() if sign_in_configured() else None
    status = overview.database_status(db)
    with st.sidebar:
        years = overview.fiscal_years(db) or [date.today().year]
        default_year = date.today().year if date.today().year in years else years[0]
        linked = st.query_params.get("period")
        if "period_year" not in st.session_state and linked and linked.isdigit() and int(linked) in years:
            st.session_state["period_year"] = int(linked)  # a shared ?period= link sets the sidebar too
        st.selectbox(
            "Fiscal year", years, index=years.index(default_year), key="period_year",
            help="Plans and figures are shown for this period.",
        )
        _render_identity(db, signed_in)
        st.divider()
        counts = status["counts"]
        st.caption(
            f"**Database** {md(status['path'])} (schema v{status['schema_version']})  \n"
            f"{counts['account']:,} accounts · {counts['opportunity']:,} opportunities · "
            f"{counts['contact']:,} contacts · {counts['plan']:,} plans"
        )
        last = status["last_import"]
        if last:
            st.caption(f"Last import: {md(last['file_name'])} ({last['kind']}), {last['finished_at']:%Y-%m-%d %H:%M}")
        else:
            st.caption("No import yet.")
