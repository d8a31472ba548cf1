"""A person opens each page through the sidebar in a real Chromium: titles render, no errors."""

import pytest

from tests.conftest import registered_pages

pytestmark = pytest.mark.e2e

TITLES = ["Portfolio", "Plan", "Scorecard", "Whitespace", "Stakeholders", "Import", "Admin"]


def test_every_page_opens_from_the_sidebar(app_server, page):
    page.goto(app_server.url)
    nav = page.get_by_test_id("stSidebarNav")
    nav.wait_for()
    assert len(TITLES) == len(registered_pages())
    for title in TITLES:
        nav.get_by_text(title, exact=True).click()
        page.get_by_role("heading", name=title, exact=True).wait_for()
        page.wait_for_load_state("networkidle")
        assert page.get_by_test_id("stException").count() == 0, f"{title} shows an exception"
