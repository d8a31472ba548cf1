"""Every page registered in app.py renders against the demo book without an exception."""

import pytest

from tests.conftest import registered_pages


def test_navigation_lists_the_seven_pages():
    assert registered_pages() == [
        "pages/portfolio.py", "pages/plan.py", "pages/scorecard.py",
        "pages/whitespace.py", "pages/stakeholders.py", "pages/import.py", "pages/admin.py",
    ]


@pytest.mark.parametrize("page", registered_pages())
def test_page_renders_without_exception(app_test, page):
    at = app_test(page)
    assert not at.exception, at.exception
    assert at.title, f"{page} shows no title"


def test_sidebar_shows_database_and_counts(app_test):
    at = app_test()
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert "48 accounts" in captions
    assert "demo book of business" in captions


def test_plan_opens_from_deep_link(app_test):
    plan_id = app_test.db.value("SELECT id FROM plan WHERE name LIKE '%FY2024' ORDER BY id LIMIT 1")
    name = app_test.db.value("SELECT name FROM plan WHERE id = ?", [plan_id])
    at = app_test("pages/plan.py", query={"plan": str(plan_id)})
    assert not at.exception
    assert at.selectbox(key="plan_picker").value == plan_id
    assert any(name in s.value for s in at.subheader)


@pytest.mark.parametrize("page", registered_pages())
def test_page_opens_the_database_before_writing_anything(page):
    # database() turns a page run that skipped app.py into a full app run; output written
    # before it would appear twice (ui.context._ensure_app_run).
    from tests.conftest import ROOT

    lines = [line for line in (ROOT / page).read_text().splitlines() if line and not line.startswith((" ", "#", '"', "from", "import"))]
    first_st = next(i for i, line in enumerate(lines) if "st." in line)
    first_db = next(i for i, line in enumerate(lines) if "database()" in line)
    assert first_db < first_st, f"{page}: call database() before any st.* output"


def test_a_period_link_sets_the_sidebar_year(app_test):
    at = app_test(query={"period": "2025"})
    assert at.sidebar.selectbox(key="period_year").value == 2025
