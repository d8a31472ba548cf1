"""Deep links on the Plan page: ?plan=ID, ?account=ID and ?tab=LABEL open what they name and survive a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

PAGE = "pages/plan.py"


def shown(at) -> tuple[int, str]:
    """The plan the page shows: the picker's id and the header's name."""
    assert not at.exception, at.exception
    return at.selectbox(key="plan_picker").value, at.subheader[0].value


def url(at) -> dict:
    # AppTest's first run renders the default page (Portfolio), which writes its own ?period=.
    return {key: at.query_params[key] for key in at.query_params if key != "period"}


def reload(app_test, at):
    """A new session opened on the URL the last run left in the address bar."""
    return app_test(PAGE, query=url(at))


@pytest.mark.parametrize("plan_id, name", [(3, "Summit Logistics FY2026"), (42, "Summit Logistics – Operations FY2026"),
                                           (1, "Summit Logistics FY2024")])  # FY2024 lies outside the sidebar's FY2026
def test_a_plan_link_opens_that_plan(app_test, plan_id, name):
    at = app_test(PAGE, query={"plan": str(plan_id)})
    assert shown(at) == (plan_id, name)
    assert url(at) == {"plan": str(plan_id), "account": "1"}


@pytest.mark.parametrize("account_id, plan_id, name", [(1, 3, "Summit Logistics FY2026"), (2, 6, "Lumen Health FY2026")])
def test_an_account_link_opens_its_primary_plan(app_test, account_id, plan_id, name):
    at = app_test(PAGE, query={"account": str(account_id)})
    assert shown(at) == (plan_id, name)
    assert url(at) == {"account": str(account_id), "plan": str(plan_id)}
    assert shown(reload(app_test, at)) == (plan_id, name)


def test_a_plan_in_the_link_wins_over_the_account(app_test):
    at = app_test(PAGE, query={"account": "2", "plan": "3"})
    assert shown(at) == (3, "Summit Logistics FY2026")
    assert url(at)["account"] == "1"  # corrected to the plan's account


@pytest.mark.parametrize("account, message", [
    ("9", "Account 9 has no plan yet — create one on the Plan page."),
    ("9999", "There is no account with id 9999."),
    ("acme", "“acme” is not an account id; showing the plans of the period instead."),
])
def test_an_account_link_that_cannot_open_a_plan_says_why(app_test, account, message):
    at = app_test(PAGE, query={"account": account})
    assert not at.exception
    assert at.warning[0].value == message
    assert url(at)["account"] != account


@pytest.mark.parametrize("tab", ["Export", "History", "Objectives & actions"])
def test_the_tab_in_the_url_opens_and_survives_a_reload(app_test, tab):
    # st.tabs(key="tab", bind="query-params"): a click on a tab writes ?tab= in the browser (see the e2e test).
    at = app_test(PAGE, query={"plan": "3", "tab": tab})
    assert at.session_state["tab"] == tab
    assert url(at) == {"plan": "3", "account": "1", "tab": tab}
    again = reload(app_test, at)
    assert again.session_state["tab"] == tab and shown(again)[0] == 3


def test_an_unknown_tab_falls_back_to_the_first(app_test):
    at = app_test(PAGE, query={"plan": "3", "tab": "Gossip"})
    assert at.session_state["tab"] == "Figures"
    assert "tab" not in url(at)


@pytest.mark.e2e
def test_in_chromium_a_tab_click_writes_the_url_and_a_reload_keeps_it(app_server, page):
    page.goto(f"{app_server.url}/plan?account=1")
    page.get_by_role("heading", name="Summit Logistics FY2026").wait_for()
    expect(page).to_have_url(re.compile(r"plan=3"))
    page.get_by_role("tab", name="Export").click()
    expect(page).to_have_url(re.compile(r"tab=Export"))
    page.reload()
    page.get_by_role("heading", name="Summit Logistics FY2026").wait_for()
    expect(page.get_by_role("tab", name="Export")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("button", name="Download HTML")).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0
