"""`planning export plan ID --format html|pdf [--sections] [--preset] -o FILE` and the preset commands."""

from __future__ import annotations

import pytest

from planning.cli import main
from tests.test_export import SUMMIT_FY2026, ExportReader, pdf_text

VALID = "header, kpis, charts, scorecard, whitespace, stakeholders, objectives, strategy, team"


def run(db, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db.path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_html_export_with_chosen_sections(demo_db, tmp_path, capsys):
    target = tmp_path / "summit.html"
    code, out, _ = run(demo_db, capsys, "export", "plan", str(SUMMIT_FY2026), "--sections", "team,header", "-o", str(target))
    assert code == 0
    page = ExportReader(target.read_text("utf-8"))
    assert list(page.sections) == ["header", "team"]
    assert out == f"Wrote plan 3 as HTML ({target.stat().st_size:,} bytes, sections header,team) to {target}.\n"


def test_pdf_export_from_the_file_name(demo_db, tmp_path, capsys):
    target = tmp_path / "summit.pdf"
    code, out, _ = run(demo_db, capsys, "export", "plan", "3", "--sections", "header,kpis", "-o", str(target))
    assert code == 0 and out.startswith("Wrote plan 3 as PDF")
    assert target.read_bytes().startswith(b"%PDF-")
    assert "Summit Logistics FY2026" in pdf_text(target.read_bytes())


@pytest.mark.parametrize("args, message", [
    (["--sections", "header,gossip"], f"planning: Unknown export section gossip: choose from {VALID}.\n"),
    (["--preset", "Nope"], "planning: There is no export preset called “Nope” (presets: none saved yet).\n"),
    (["--preset", "X", "--sections", "header"], "planning: Give --sections or --preset, not both.\n"),
])
def test_refusals_are_one_line_and_write_nothing(demo_db, tmp_path, capsys, args, message):
    target = tmp_path / "out.html"
    code, out, err = run(demo_db, capsys, "export", "plan", "3", *args, "-o", str(target))
    assert (code, out, err) == (1, "", message)
    assert not target.exists()


def test_unknown_plan(demo_db, tmp_path, capsys):
    code, _, err = run(demo_db, capsys, "export", "plan", "999", "-o", str(tmp_path / "x.html"))
    assert (code, err) == (1, "planning: There is no plan with id 999.\n")


def test_presets_saved_listed_and_used(demo_db, tmp_path, capsys):
    code, out, _ = run(demo_db, capsys, "export", "save-preset", "Board pack", "--sections", "kpis,header", "--as", "Ada Admin")
    assert (code, out) == (0, "Saved export preset “Board pack”.\n")
    assert run(demo_db, capsys, "export", "presets")[1] == "Board pack: header,kpis\n"
    target = tmp_path / "board.html"
    assert run(demo_db, capsys, "export", "plan", "3", "--preset", "board pack", "-o", str(target))[0] == 0
    assert list(ExportReader(target.read_text("utf-8")).sections) == ["header", "kpis"]


def test_a_rep_cannot_save_presets(demo_db, capsys):
    code, _, err = run(demo_db, capsys, "export", "save-preset", "Mine", "--sections", "kpis", "--as", "Priya Nair")
    assert (code, err) == (1, "planning: Priya Nair (rep) cannot save export presets: only admin can.\n")
