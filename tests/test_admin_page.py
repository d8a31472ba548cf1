"""The Admin page: users (forms for admins only), the audit log viewer and the database panel."""

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning import users
from planning.db import shipped_migrations
from tests.conftest import ROOT


@pytest.fixture
def admin_page(demo_db, monkeypatch):
    """The Admin page as the local-mode user `who`."""
    monkeypatch.setenv("PLANNING_DB", demo_db.target)
    monkeypatch.chdir(ROOT)

    def open_as(who: str = "Ada Admin", tab: str | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        at.session_state["current_user_name"] = who
        at.run()
        if tab:
            at.query_params["admin_tab"] = tab  # only the open tab renders
        at.switch_page("pages/admin.py").run()
        assert not at.exception, at.exception
        return at

    open_as.db = demo_db
    return open_as


def click(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def test_admin_sees_users_and_both_forms(admin_page):
    at = admin_page()
    assert [t.value for t in at.title] == ["Admin"]
    table = at.dataframe[0].value
    assert len(table) == 13
    hidden = {name for name, column in json.loads(at.dataframe[0].proto.columns).items() if column.get("hidden")}
    assert {"id", "version"} <= hidden  # internal columns are not shown
    assert {"Add user", "Save user"} <= {b.label for b in at.button}
    assert not [i for i in at.info if "read-only" in i.value]


@pytest.mark.parametrize("who", ["Priya Nair", "Dana Whitfield", "Omar Ops"])
def test_non_admins_get_a_read_only_users_list(admin_page, who):
    at = admin_page(who)
    assert "Only admins can add or change users; this list is read-only for you." in [i.value for i in at.info]
    assert not {"Add user", "Save user"} & {b.label for b in at.button}
    assert len(at.dataframe[0].value) == 13


def test_adding_a_user_through_the_form_persists_it(admin_page):
    at = admin_page()
    at.text_input(key="add_name").input("Nina Park")
    at.text_input(key="add_email").input("nina.park@example.com")
    at.selectbox(key="add_role").select("leader")
    click(at, "Add user")
    assert not at.error
    assert "Added Nina Park as leader." in [s.value for s in at.success]
    nina = users.find_user(admin_page.db, "nina.park@example.com")
    assert (nina["name"], nina["role"], nina["manager_id"]) == ("Nina Park", "leader", None)


def test_invalid_user_is_refused_with_the_domain_message(admin_page):
    at = admin_page()
    at.text_input(key="add_name").input("Nina Park")
    at.text_input(key="add_email").input("not-an-email")
    click(at, "Add user")
    assert [e.value for e in at.error] == ["'not-an-email' is not an email address; sign-in matches people by email."]
    assert admin_page.db.value("SELECT count(*) FROM app_user") == 13


def test_editing_a_user_saves_role_and_deactivation(admin_page):
    at = admin_page()
    tom = users.find_user(admin_page.db, "Tom Becker")
    at.selectbox(key="admin_edit_user").select(tom["id"]).run()
    at.selectbox(key=f"edit_role_{tom['id']}").select("leader")
    at.checkbox(key=f"edit_active_{tom['id']}").uncheck()
    click(at, "Save user")
    assert "Saved Tom Becker." in [s.value for s in at.success]
    saved = users.user_record(admin_page.db, tom["id"])
    assert (saved["role"], saved["is_active"], saved["version"]) == ("leader", False, 2)


def test_edit_against_a_newer_version_is_refused(admin_page):
    at = admin_page()
    tom = users.find_user(admin_page.db, "Tom Becker")
    at.selectbox(key="admin_edit_user").select(tom["id"]).run()
    # Another admin saves Tom's region while this form is open.
    ada = users.find_user(admin_page.db, "Ada Admin")
    users.update_user(admin_page.db, ada, users.user_record(admin_page.db, tom["id"]), region="EMEA")
    at.selectbox(key=f"edit_role_{tom['id']}").select("leader")
    click(at, "Save user")
    assert [e.value for e in at.error] == [
        "Tom Becker was changed by someone else after you opened it (region); reload the user and make your change again."
    ]
    assert users.user_record(admin_page.db, tom["id"])["role"] == "rep"


def test_audit_log_filters_by_entity_and_user_and_downloads_csv(admin_page):
    db = admin_page.db
    ada = users.find_user(db, "Ada Admin")
    users.create_user(db, ada, "Nina Park", "nina@example.com", "rep")
    at = admin_page(tab="Audit log")
    at.selectbox(key="audit_entity").select("user").run()
    at.selectbox(key="audit_user").select(ada["id"]).run()
    log = at.dataframe[0].value  # the users table is on the hidden Users tab
    assert sorted(log["field"]) == ["email", "name", "role"]
    assert set(log["user"]) == {"Ada Admin"}
    assert "3 changes, newest first." in [c.value for c in at.caption]
    assert [b.label for b in at.get("download_button")] == ["Download CSV"]


def test_audit_log_date_filter_can_exclude_everything(admin_page):
    at = admin_page(tab="Audit log")
    at.date_input(key="audit_until").set_value(date(2000, 1, 1)).run()
    assert "No changes match these filters." in [i.value for i in at.info]


def test_database_panel_shows_schema_version(admin_page):
    at = admin_page(tab="Database")
    assert at.metric[0].label == "Schema version"
    assert at.metric[0].value == str(shipped_migrations()[-1].version)
    assert not at.exception
    if admin_page.db.dialect == "postgres":
        assert any(i.value.startswith("PostgreSQL database: no automatic copies") for i in at.info)


@pytest.mark.duckdb_only  # the pre-migration copies beside the DuckDB file
def test_database_panel_shows_automatic_backups(admin_page):
    at = admin_page(tab="Database")
    assert any(i.value.startswith("No automatic backup yet") for i in at.info)
    folder = Path(admin_page.db.path).parent / "backups"
    folder.mkdir()
    (folder / "demo-v2-20261101-120000-000000.duckdb").write_bytes(b"x" * 10)
    at.run()
    backups = at.dataframe[-1].value
    assert list(backups["file"]) == ["demo-v2-20261101-120000-000000.duckdb"]
    assert list(backups["schema_version"]) == [2]


@pytest.mark.e2e
def test_admin_page_in_a_browser_is_labelled_local_mode(app_server, page):
    page.goto(app_server.url)
    page.get_by_test_id("stSidebarNav").get_by_text("Admin", exact=True).click()
    page.get_by_role("heading", name="Admin", exact=True).wait_for()
    page.get_by_test_id("stSidebar").get_by_text("Local mode", exact=True).wait_for()
    page.get_by_role("tab", name="Audit log").click()
    page.get_by_text("Changed by").first.wait_for()
    assert page.get_by_test_id("stException").count() == 0
