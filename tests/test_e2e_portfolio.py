"""In Chromium: the Portfolio is the home page; choosing an owner rewrites the URL and the figures."""

import re

import pytest

from planning import portfolio
from planning.formatting import money

pytestmark = pytest.mark.e2e


def metric_value(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True)).first
    return metric.get_by_test_id("stMetricValue").inner_text()


def test_choosing_an_owner_changes_the_url_and_the_figures(app_server, page):
    page.set_default_timeout(60_000)
    owner = app_server.db.one("SELECT id, name FROM app_user WHERE name = 'Priya Nair'")
    page.goto(f"{app_server.url}/?period=2026")
    page.get_by_role("heading", name="Portfolio", exact=True).wait_for()
    page.get_by_test_id("stMetric").first.wait_for()
    before = metric_value(page, "Target")
    assert before == money(portfolio.headline(app_server.db, portfolio.Filters(2026))["target"], short=True)

    page.get_by_test_id("stSelectbox").filter(has_text="Owner").first.click()
    page.get_by_role("option", name=owner["name"], exact=True).click()
    page.wait_for_url(re.compile(rf"owner={owner['id']}"))
    expected = money(portfolio.headline(app_server.db, portfolio.Filters(2026, owner_id=owner["id"]))["target"], short=True)
    assert expected != before
    page.wait_for_function(
        """([label, value]) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(
               m => m.innerText.includes(label) && m.querySelector('[data-testid="stMetricValue"]').innerText === value)""",
        arg=["Target", expected],
    )
    assert metric_value(page, "Target") == expected
    assert page.get_by_test_id("stException").count() == 0
