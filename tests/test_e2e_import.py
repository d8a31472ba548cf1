"""In headless Chromium: upload a CSV on the Import page, see the preview, commit it."""

import pytest

from tests.conftest import pick_user

pytestmark = pytest.mark.e2e


def test_upload_preview_and_commit(app_server, page, tmp_path):
    csv = tmp_path / "e2e-deals.csv"
    csv.write_text("Id,Opportunity Name,Stage,Amount,Close Date\nE2E-1,Browser deal,Prospecting,\"$9,000\",6/30/2026\n")
    page.goto(f"{app_server.url}/import")
    page.get_by_role("heading", name="Import", exact=True).wait_for()
    pick_user(page, "Omar Ops")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv))
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("would import: 1 inserted").wait_for()
    assert app_server.db.value("SELECT count(*) FROM opportunity WHERE external_id = 'E2E-1'") == 0
    page.get_by_role("button", name="Commit import").click()
    page.get_by_text("imported: 1 inserted").wait_for()
    assert app_server.db.one("SELECT name, amount FROM opportunity WHERE external_id = 'E2E-1'")["name"] == "Browser deal"
