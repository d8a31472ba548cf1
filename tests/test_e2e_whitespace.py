"""In a real browser: the Whitespace page draws its heatmap with vega-embed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_heatmap_is_drawn_in_chromium(app_server, page, tmp_path):
    plan_id = app_server.db.value(
        "SELECT min(p.id) FROM plan p WHERE p.name LIKE '%FY2026' AND p.business_unit_id IS NULL"
        " AND EXISTS (SELECT 1 FROM business_unit b WHERE b.account_id = p.account_id)"
    )
    page.goto(f"{app_server.url}/whitespace?plan={plan_id}")
    page.get_by_role("heading", name="Whitespace").wait_for()
    drawn = page.locator(".vega-embed canvas, .vega-embed svg").first
    drawn.wait_for(state="visible")
    box = drawn.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    assert page.get_by_text("Open whitespace").count() >= 1
    page.screenshot(path=str(tmp_path / "whitespace.png"), full_page=True)
