"""In a real Chromium the stakeholder graph is drawn: the agraph iframe holds a canvas with pixels on it."""

import pytest

pytestmark = pytest.mark.e2e

# Counts canvas pixels that are not fully transparent (vis-network draws on a transparent canvas).
PAINTED_PIXELS = """canvas => {
    const ctx = canvas.getContext('2d');
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) painted++; }
    return {width: canvas.width, height: canvas.height, painted: painted};
}"""


def test_stakeholder_graph_is_drawn_on_a_canvas(app_server, page):
    plan = app_server.db.value("SELECT id FROM plan WHERE name = 'Tidewater Foods FY2026'")
    # vis-network validates its options and reports a bad one on the console (e.g. groups: null).
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{app_server.url}/stakeholders?plan={plan}")
    page.get_by_role("heading", name="Stakeholders", exact=True).wait_for()
    canvas = page.frame_locator('iframe[title="streamlit_agraph.agraph"]').locator("canvas")
    canvas.wait_for(timeout=30_000)
    drawn = {"painted": 0}
    for _ in range(40):  # physics settles over a second or two; poll until something is painted
        drawn = canvas.evaluate(PAINTED_PIXELS)
        if drawn["painted"] > 500:
            break
        page.wait_for_timeout(250)
    assert drawn["width"] > 0 and drawn["height"] > 0
    assert drawn["painted"] > 500, drawn
    assert page.get_by_test_id("stException").count() == 0
    assert not [text for text in console if "Invalid type received" in text or "Unknown option detected" in text], console
