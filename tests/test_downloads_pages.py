"""Every main table downloads as CSV and XLSX from its page, with formula-like cells neutralised.

AppTest keeps the bytes of a download button in the run's MediaFileManager, which it replaces
after the run; the `downloads` fixture records those managers so a test can read the real file
a user would get (`proto.url`, or `execute_deferred` for a button whose data is built on click).
"""

from __future__ import annotations

import io

import openpyxl
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.media_file_manager import MediaFileManager

from tests.test_plan_page import open_as

HOSTILE = "=HYPERLINK(\"http://evil.example\",\"click\")"


class Downloads:
    def __init__(self):
        self.managers: list[MediaFileManager] = []

    def read(self, button) -> bytes:
        """The bytes a click on `button` downloads."""
        return self.file(button).content

    def file(self, button):
        """The MemoryFile (content, filename, mimetype) a click on `button` downloads."""
        url = button.proto.url
        for manager in reversed(self.managers):
            try:
                if button.proto.deferred_file_id:
                    url = manager.execute_deferred(button.proto.deferred_file_id)
                return manager._storage.get_file(url.rsplit("/", 1)[1])
            except Exception:  # not this run's manager
                continue
        raise AssertionError(f"no file behind {button.proto.label}")

    def of(self, at, key: str) -> bytes:
        return self.read(next(b for b in at.get("download_button") if b.proto.id.endswith(key)))


@pytest.fixture
def downloads(monkeypatch) -> Downloads:
    found = Downloads()

    class Recording(MediaFileManager):
        def __init__(self, storage):
            super().__init__(storage)
            found.managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)
    return found


def csv_cells(data: bytes) -> list[str]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads accents right
    return [cell for line in data.decode("utf-8-sig").splitlines() for cell in line.split(",")]


def xlsx_cells(data: bytes) -> list:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [cell.value for row in sheet.iter_rows() for cell in row]


def assert_neutralised(downloads: Downloads, at, key: str, text: str) -> None:
    """Both files of `key` hold `text` only with a leading apostrophe."""
    xlsx = xlsx_cells(downloads.of(at, f"{key}_xlsx"))
    assert "'" + text in xlsx and text not in xlsx
    csv = downloads.of(at, f"{key}_csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv or "'" + text in csv
    assert not any(cell.startswith(text[:3]) for cell in csv_cells(downloads.of(at, f"{key}_csv")))


def test_opportunities_download_is_formula_safe(app_test, downloads):
    db = app_test.db
    db.execute("UPDATE opportunity SET name = ? WHERE id = (SELECT min(opportunity_id) FROM ("
               "SELECT o.id AS opportunity_id FROM opportunity o JOIN plan p ON p.account_id = o.account_id "
               "WHERE p.id = 3 AND o.close_date BETWEEN p.period_start AND p.period_end))", [HOSTILE])
    at = app_test("pages/plan.py", query={"plan": "3", "tab": "Opportunities"})  # only the open tab renders
    assert not at.exception
    assert_neutralised(downloads, at, "opportunities_download", HOSTILE)


def test_plans_list_download_is_formula_safe(app_test, downloads):
    app_test.db.execute("UPDATE plan SET name = '-2+3 plan' WHERE id = 3")
    at = app_test("pages/plan.py", query={"plan": "3"}, opened=("plan_list_open",))
    xlsx = xlsx_cells(downloads.of(at, "plans_download_xlsx"))
    assert "'-2+3 plan" in xlsx and "-2+3 plan" not in xlsx
    assert "'-2+3 plan" in csv_cells(downloads.of(at, "plans_download_csv"))


def test_whitespace_cells_download_is_formula_safe(app_test, downloads):
    db = app_test.db
    unit, product = db.one("SELECT business_unit_id, product_id FROM whitespace_cell WHERE plan_id = 3 LIMIT 1").values()
    db.execute("UPDATE whitespace_cell SET note = '@SUM(A1:A9)' WHERE plan_id = 3 AND product_id = ? "
               "AND business_unit_id IS NOT DISTINCT FROM ?", [product, unit])
    at = app_test("pages/whitespace.py", query={"plan": "3", "whitespace_tab": "Totals"})
    assert not at.exception
    xlsx = xlsx_cells(downloads.of(at, "whitespace_download_xlsx"))
    assert "'@SUM(A1:A9)" in xlsx and "@SUM(A1:A9)" not in xlsx
    assert "status_set_by_person" in xlsx and "business_unit_id" not in xlsx


def test_stakeholders_download_is_formula_safe(app_test, downloads):
    db = app_test.db
    db.execute("UPDATE contact SET name = '+cmd|calc' WHERE id = (SELECT min(contact_id) FROM stakeholder WHERE plan_id = 3)")
    at = app_test("pages/stakeholders.py", query={"plan": "3", "stakeholders_view": "Table"})
    assert not at.exception
    xlsx = xlsx_cells(downloads.of(at, "stakeholders_download_xlsx"))
    assert "'+cmd|calc" in xlsx and "+cmd|calc" not in xlsx
    assert "'+cmd|calc" in csv_cells(downloads.of(at, "stakeholders_download_csv"))


def test_import_rejects_download_is_formula_safe(app_test, downloads):  # app_test: PLANNING_DB → the demo copy
    at = open_as("Ada Admin")
    at.switch_page("pages/import.py").run()
    rows = "Id,Name,AccountId,StageName,Amount,CloseDate\nOPP-1,=1+1,NOPE,Prospecting,abc,2026-13-45\n"
    at.file_uploader(key="import_files").set_value([("deals.csv", rows.encode(), "text/csv")]).run()
    at.selectbox(key="import_kind_0").select("opportunities").run()
    at.checkbox(key="import_skip_0").check().run()
    at.button(key="import_preview_0").click().run()
    assert not at.exception
    xlsx = xlsx_cells(downloads.of(at, "import_rej_0_xlsx"))
    assert "'=1+1" in xlsx and "=1+1" not in xlsx
    assert "reason" in xlsx
