"""In Chromium: two app replicas over one PostgreSQL, as behind a load balancer with sticky
sessions (docs/deployment.md). A comment posted through one is on the other's page at its next
rerun, and the other's reply is back on the first (issue #18)."""

from urllib.parse import quote

import pytest

from tests.conftest import DEFAULT_USER, ON_POSTGRES, pick_user, streamlit_server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.replicas,
    pytest.mark.skipif(not ON_POSTGRES, reason="replicas share a PostgreSQL database (PLANNING_TEST_BACKEND=postgres)"),
]


def open_discussion(browser, url: str, plan: int):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/plan?plan={plan}&tab={quote('Discussion & files')}")
    signed_in(page)
    return page


def signed_in(page) -> None:
    """Local mode: a (re)loaded page is a new session, which starts as nobody."""
    page.get_by_role("button", name="Post").wait_for()
    pick_user(page, DEFAULT_USER)


def post(page, text: str) -> None:
    page.get_by_label("Comment or file description").fill(text)
    page.get_by_role("button", name="Post").click()
    page.get_by_text("Posted.", exact=True).wait_for()


def test_a_comment_posted_on_one_replica_is_on_the_other_at_its_next_rerun(demo_db, browser):
    plan = demo_db.value("SELECT min(id) FROM plan WHERE name LIKE '%FY2026'")
    with streamlit_server(demo_db.target) as first, streamlit_server(demo_db.target) as second:
        on_first, on_second = open_discussion(browser, first, plan), open_discussion(browser, second, plan)
        post(on_first, "Posted through replica one")
        on_second.reload()  # a new script run on the other process: it reads the change counters afresh
        signed_in(on_second)
        on_second.get_by_text("Posted through replica one", exact=True).wait_for()
        post(on_second, "Answered through replica two")
        on_first.reload()
        signed_in(on_first)
        on_first.get_by_text("Answered through replica two", exact=True).wait_for()
        assert on_first.get_by_test_id("stException").count() == on_second.get_by_test_id("stException").count() == 0
    assert demo_db.value("SELECT count(*) FROM comment WHERE plan_id = ? AND body LIKE '%through replica%'", [plan]) == 2
