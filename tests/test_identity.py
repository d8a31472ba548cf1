"""Who is using the app: OIDC sign-in when [auth] is configured, else a labelled local mode.

AppTest facts this relies on (streamlit 1.67): `at.secrets` replaces `st.secrets` for the run,
so `"auth" in st.secrets` sees it; `at.user` becomes `st.user`. `st.login()` itself reads the
real secrets file, so these tests never click "Sign in". With st.navigation, AppTest drops the
sidebar's elements from its tree after the first run, so sidebar assertions use first runs and
the local-mode user is chosen through session state before the run. After the first run,
AppTest runs a page file directly (app.py is skipped), so the gate is tested on its own too.
"""


import re

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from planning import users
from tests.conftest import ROOT

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-only-cookie-secret",
    "client_id": "account-planner",
    "client_secret": "test-only-client-secret",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}


def shown(markdown: str) -> str:
    """The text a Markdown element displays: our escapes (ui.text.md) removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


@pytest.fixture
def run_app(demo_db, monkeypatch):
    """Run app.py against the demo book with the given secrets and signed-in user."""
    monkeypatch.setenv("PLANNING_DB", str(demo_db.path))
    monkeypatch.chdir(ROOT)

    def run(secrets: dict | None = None, user: dict | None = None, page: str | None = None,
            state: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        for key, value in (state or {}).items():
            at.session_state[key] = value
        if secrets:
            at.secrets = secrets
        if user is not None:
            at.user = user
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    run.db = demo_db
    return run


def signed_in(email):
    return {"is_logged_in": True, "name": "Someone", "email": email}


def test_without_auth_the_app_runs_in_labelled_local_mode(run_app):
    at = run_app()
    assert not at.error  # no secrets file is not an error
    notice = next(c for c in at.sidebar.caption if "Local mode" in c.value)
    assert notice.value == ":material/lock_open: **Local mode**: no sign-in is configured."
    assert "before sharing this app" in notice.help
    assert not at.sidebar.warning  # a one-line notice, not half the sidebar
    picker = at.sidebar.selectbox(key="current_user_name")
    assert picker.label == "Signed in as (local mode)"
    assert not [b for b in at.button if b.label == "Sign in"]


def test_in_local_mode_a_visitor_is_nobody_until_they_pick_who_they_are(run_app):
    # Before: the first admin by default, so anyone who reached the port was an admin.
    at = run_app()
    assert at.sidebar.selectbox(key="current_user_name").value is None
    assert at.session_state["current_user"] is None
    at = run_app(page="pages/admin.py")
    assert "Only admins can add or change users; this list is read-only for you." in [i.value for i in at.info]


def test_local_mode_user_comes_from_the_sidebar_picker(run_app):
    at = run_app(state={"current_user_name": "Priya Nair"})
    assert at.sidebar.selectbox(key="current_user_name").value == "Priya Nair"
    assert at.session_state["current_user"] == users.find_user(run_app.db, "Priya Nair")


def test_with_auth_an_anonymous_visitor_sees_only_the_sign_in_screen(run_app):
    at = run_app(secrets={"auth": AUTH}, user={})
    assert [t.value for t in at.title] == ["Account Planner"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.sidebar.warning  # no local-mode picker: nobody can pick who they are
    assert not [s for s in at.selectbox if s.key == "current_user_name"]
    assert at.session_state["current_user"] is None


def test_with_auth_a_known_email_signs_in_as_that_user(run_app):
    at = run_app(secrets={"auth": AUTH}, user=signed_in("Priya.Nair@example.com"))
    priya = users.find_user(run_app.db, "Priya Nair")
    assert at.session_state["current_user"] == priya
    assert "Signed in as **Priya Nair** (rep) · priya.nair\u2060@example.com" in [c.value for c in at.sidebar.caption]
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert [t.value for t in at.title] == ["Portfolio"]  # the default page itself rendered
    assert not at.sidebar.warning


@pytest.mark.parametrize("email", ["stranger@example.com", "tom.becker@example.com"])
def test_with_auth_an_unknown_or_deactivated_email_is_told_to_ask_an_admin(run_app, email):
    ada = users.find_user(run_app.db, "Ada Admin")
    tom = users.user_record(run_app.db, users.find_user(run_app.db, "Tom Becker")["id"])
    users.deactivate_user(run_app.db, ada, tom)
    at = run_app(secrets={"auth": AUTH}, user=signed_in(email))
    assert [shown(e.value) for e in at.error] == [
        f"You are signed in as {email}, but no active Account Planner user has that email. "
        "Ask an admin to add you (Admin page, or `planning users add`)."
    ]
    assert [b.label for b in at.button] == ["Sign out"]
    assert [t.value for t in at.title] == ["Account Planner"]  # no page rendered
    assert at.session_state["current_user"] is None


def test_an_unreadable_secrets_file_fails_closed(run_app, tmp_path, monkeypatch):
    broken = tmp_path / "secrets.toml"
    broken.write_text("[auth\nclient_id = ")
    real_get_option = streamlit.get_option
    monkeypatch.setattr(
        streamlit, "get_option", lambda name: [str(broken)] if name == "secrets.files" else real_get_option(name)
    )
    at = run_app()
    assert [shown(e.value) for e in at.error] == [
        f"{broken} cannot be read, so sign-in cannot be checked; fix the file (it must be valid TOML) and reload."
    ]
    assert not at.sidebar.warning and not [s for s in at.selectbox if s.key == "current_user_name"]


def test_secrets_without_auth_section_stay_in_local_mode(run_app):
    at = run_app(secrets={"other": {"key": "value"}})
    assert any("Local mode" in c.value for c in at.sidebar.caption)


def test_with_auth_a_page_run_without_app_py_is_still_gated(run_app):
    at = run_app(secrets={"auth": AUTH}, user={}, page="pages/admin.py")
    assert [t.value for t in at.title] == ["Account Planner"]
    assert not at.dataframe


def _app_then_page():
    import streamlit as st

    from ui.context import app_run, database, render_sidebar

    with app_run():
        render_sidebar(database())  # what app.py runs before every page
        st.title("Confidential page")


@pytest.mark.parametrize("script", [_app_then_page])
@pytest.mark.parametrize(
    "user, shows_page",
    [({}, False), (signed_in("stranger@example.com"), False), (signed_in("priya.nair@example.com"), True)],
)
def test_the_sign_in_gate_runs_before_any_page_content(demo_db, monkeypatch, script, user, shows_page):
    # The gate on its own, as app.py runs it before every page (a page run that skipped app.py
    # is turned into a full app run: test_with_auth_a_page_run_without_app_py_is_still_gated).
    monkeypatch.setenv("PLANNING_DB", str(demo_db.path))
    at = AppTest.from_function(script, default_timeout=30)
    at.secrets = {"auth": AUTH}
    at.user = user
    at.run()
    assert not at.exception, at.exception
    assert ("Confidential page" in [t.value for t in at.title]) is shows_page


@pytest.mark.parametrize(
    "auth, login_args",
    [
        (AUTH, ()),
        ({"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "s",
          "okta": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}}, ("okta",)),
    ],
)
def test_sign_in_button_starts_the_oidc_login_with_the_configured_provider(run_app, monkeypatch, auth, login_args):
    calls = []
    monkeypatch.setattr(streamlit, "login", lambda *args: calls.append(args))
    at = run_app(secrets={"auth": auth}, user={})
    at.button[0].click().run()
    assert calls == [login_args]


@pytest.fixture
def signin_server(demo_db, tmp_path):
    """A real `streamlit run` whose secrets configure [auth] (no identity provider is contacted)."""
    from tests.conftest import streamlit_server

    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[auth]\n" + "".join(f'{k} = "{v}"\n' for k, v in AUTH.items()))
    with streamlit_server(demo_db.path, "--secrets.files", str(secrets)) as url:
        yield url


@pytest.mark.e2e
@pytest.mark.file_free  # the server opens the file
def test_first_deep_link_after_start_shows_only_the_sign_in(signin_server, page):
    # The first request after a start runs pages/admin.py without app.py (Streamlit's pages/
    # folder fallback): the gate in database() must still hide every user and audit row.
    page.goto(f"{signin_server}/admin")
    page.get_by_role("button", name="Sign in").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("ada.admin@example.com").count() == 0
    assert page.get_by_test_id("stDataFrame").count() == 0
    assert page.get_by_test_id("stException").count() == 0


def test_in_local_mode_nobody_cannot_import(run_app):
    # The importer treats "no user" as the local command-line operator; a visitor who has not
    # picked who they are must not get that.
    at = run_app(page="pages/import.py")
    assert "Pick who you are in the sidebar to import files: only ops and admin users can preview and import." in [
        i.value for i in at.info]
    at.file_uploader(key="import_files").set_value([("s.csv", b"Account Name\nAcme\n", "text/csv")]).run()
    assert not [b for b in at.button if b.label == "Preview"]
