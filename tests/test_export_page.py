"""Plan page, Export tab: section checkboxes, preset picker, HTML/PDF downloads, admins save presets."""

from __future__ import annotations

from planning import export
from tests.test_downloads_pages import downloads  # noqa: F401  (fixture)
from tests.test_export import ExportReader, pdf_text
from tests.test_plan_page import open_as

PLAN = "3"  # Summit Logistics FY2026; every test opens the Export tab (?tab=Export): only the open tab renders


def button(at, key: str):
    return next(b for b in at.get("download_button") if b.proto.id.endswith(key))


def untick(at, *names: str):
    for name in names:
        at.checkbox(key=f"export_section_{name}").uncheck()
    return at.run()


def test_every_section_is_ticked_and_both_downloads_offered(app_test, downloads):  # noqa: F811
    at = app_test("pages/plan.py", query={"plan": PLAN, "tab": "Export"})
    assert not at.exception
    ticked = {name: at.checkbox(key=f"export_section_{name}").value for name in export.SECTION_NAMES}
    assert ticked == dict.fromkeys(export.SECTION_NAMES, True)
    assert [button(at, key).proto.label for key in ("export_html", "export_pdf")] == ["Download HTML", "Download PDF"]
    pdf = downloads.file(button(at, "export_pdf"))
    assert (pdf.filename, pdf.mimetype) == ("plan-3-summit-logistics-fy2026.pdf", "application/pdf")
    assert pdf.content.startswith(b"%PDF-")


def test_untick_sections_and_download_only_the_rest(app_test, downloads):  # noqa: F811
    at = app_test("pages/plan.py", query={"plan": PLAN, "tab": "Export"})
    at = untick(at, "charts", "scorecard", "whitespace", "stakeholders", "objectives", "team")
    page = ExportReader(downloads.read(button(at, "export_html")).decode("utf-8"))
    assert list(page.sections) == ["header", "kpis", "strategy"]
    text = pdf_text(downloads.read(button(at, "export_pdf")))
    assert "Key figures" in text and "Whitespace value" not in text


def test_no_section_ticked_disables_the_downloads(app_test):
    at = untick(app_test("pages/plan.py", query={"plan": PLAN, "tab": "Export"}), *export.SECTION_NAMES)
    assert at.warning[0].value == "Tick at least one section to export."
    assert button(at, "export_html").proto.disabled and button(at, "export_pdf").proto.disabled


def test_a_preset_ticks_its_sections(app_test):
    admin = app_test.db.one("SELECT id, name, role FROM app_user WHERE name = 'Ada Admin'")
    export.save_preset(app_test.db, admin, "Customer copy", ["header", "objectives", "team"])
    at = app_test("pages/plan.py", query={"plan": PLAN, "tab": "Export"})
    at.selectbox(key="export_preset").select("Customer copy").run()
    ticked = [name for name in export.SECTION_NAMES if at.checkbox(key=f"export_section_{name}").value]
    assert ticked == ["header", "objectives", "team"]


def test_an_admin_saves_the_ticked_sections_as_a_preset(app_test):
    at = open_as("Ada Admin", {"plan": PLAN, "tab": "Export"})
    at = untick(at, "charts", "whitespace")
    at.text_input(key="export_preset_name").input("Lean")
    next(b for b in at.button if b.label == "Save preset").click().run()
    assert not at.exception
    assert at.success[0].value == "Preset “Lean” saved."
    assert export.preset_sections(app_test.db, "Lean") == [
        "header", "kpis", "scorecard", "stakeholders", "objectives", "strategy", "team"]


def test_a_rep_sees_no_preset_form(app_test):
    at = open_as("Priya Nair", {"plan": PLAN, "tab": "Export"})
    assert not at.exception
    assert "export_preset_name" not in [t.key for t in at.text_input]
