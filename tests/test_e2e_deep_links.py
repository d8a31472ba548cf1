"""A pasted link opens the right page with the whole app around it, even as a server's first visit."""

import pytest
from playwright.sync_api import expect

from tests.conftest import streamlit_server

pytestmark = pytest.mark.e2e


def test_first_visit_by_deep_link_gets_navigation_sidebar_and_plan(demo_db, page):
    plan_id, name = demo_db.rows("SELECT id, name FROM plan WHERE name LIKE '%FY2025' ORDER BY id LIMIT 1")[0].values()
    # A brand-new server: Streamlit would run pages/plan.py alone (no app.py) for this first request.
    with streamlit_server(demo_db.path) as url:
        page.goto(f"{url}/plan?plan={plan_id}")
        page.get_by_role("heading", name=name).wait_for()
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_text("Portfolio", exact=True)).to_have_count(1)  # st.navigation titles, not file names
        expect(nav.get_by_text("portfolio", exact=True)).to_have_count(0)
        expect(page.get_by_text("Fiscal year")).to_have_count(1)           # the shared sidebar
        expect(page.get_by_role("heading", name="Plan", exact=True)).to_have_count(1)
        assert page.get_by_test_id("stException").count() == 0
