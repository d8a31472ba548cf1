"""Plan export: the HTML and PDF carry the plan's figures, only the chosen sections, and escaped user text."""

from __future__ import annotations

import io
from datetime import date
from html.parser import HTMLParser

import pypdf
import pytest

from planning import audit, export, kpis, plans, scorecards, users, vocab, whitespace
from planning.errors import InvalidInput, NotAllowed, NotFound
from tests.conftest import DEMO_ANCHOR, ON_POSTGRES, PG_SERVER

SUMMIT_FY2026 = 3  # demo: primary plan of Summit Logistics, follows FY2025 (plan 2)


class ExportReader(HTMLParser):
    """Text of each <section id=...>, every tag seen, and the img sources."""

    def __init__(self, page: str):
        super().__init__()
        self.sections: dict[str, str] = {}
        self.tags: set[str] = set()
        self.images: list[str] = []
        self.title = ""
        self._current: str | None = None
        self._in_h1 = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if tag == "section":
            self._current = attrs["id"]
            self.sections[self._current] = ""
        if tag == "img":
            self.images.append(attrs["src"])
        self._in_h1 = tag == "h1"

    def handle_endtag(self, tag):
        if tag == "section":
            self._current = None
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.title += data
        if self._current:
            self.sections[self._current] += data + "\n"


def html_of(db, plan_id: int, sections=None) -> ExportReader:
    return ExportReader(export.export_plan(db, plan_id, "html", sections, today=DEMO_ANCHOR).decode("utf-8"))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def summit_export(demo_template):
    """HTML and PDF of the demo's Summit Logistics FY2026 plan with every section (built once: charts are slow)."""
    from planning.db import Database

    # read only, so the template itself serves: a file, or on PostgreSQL a database name on the test server
    db = Database(f"{PG_SERVER.rsplit('/', 1)[0]}/{demo_template}" if ON_POSTGRES else demo_template)
    return {
        "figures": kpis.kpis_for_plan(db, SUMMIT_FY2026),
        "plan": plans.get_plan(db, SUMMIT_FY2026),
        "card": scorecards.plan_scorecard(db, SUMMIT_FY2026),
        "totals": whitespace.summarise(whitespace.plan_matrix(db, SUMMIT_FY2026)),
        "html": ExportReader(export.export_plan(db, SUMMIT_FY2026, "html", today=DEMO_ANCHOR).decode("utf-8")),
        "pdf": pdf_text(export.export_plan(db, SUMMIT_FY2026, "pdf", today=DEMO_ANCHOR)),
    }


def expected_figures(figures: dict) -> list[str]:
    return [
        f"${figures['target']:,.0f}", f"${figures['won']:,.0f}", f"${figures['pipeline']:,.0f}",
        f"${figures['weighted_pipeline']:,.0f}", f"${figures['expected']:,.0f}", f"{figures['pct_achieved']:.0%}",
    ]


def test_html_has_every_section_in_order(summit_export):
    assert list(summit_export["html"].sections) == export.SECTION_NAMES


def test_html_key_figures_are_the_plans_kpis(summit_export):
    text = summit_export["html"].sections["kpis"]
    for figure in expected_figures(summit_export["figures"]):
        assert figure in text
    assert f"Sales target\n{export.money(summit_export['figures']['target'])}" in text


def test_pdf_key_figures_are_the_plans_kpis(summit_export):
    for figure in expected_figures(summit_export["figures"]):
        assert figure in summit_export["pdf"]


def test_html_and_pdf_carry_header_scorecard_and_whitespace(summit_export):
    plan, card, totals = summit_export["plan"], summit_export["card"], summit_export["totals"]
    html = summit_export["html"]
    assert html.title == "Summit Logistics FY2026"
    assert "Summit Logistics FY2025" in html.sections["header"]  # the chain: follows its parent
    assert f"{card['score']:.1f} / 100" in html.sections["scorecard"]
    assert f"${totals['whitespace_value']:,.0f}" in html.sections["whitespace"]
    for text in (summit_export["pdf"], html.sections["header"]):
        assert plan["owner"] in text
    assert f"{card['score']:.1f} / 100" in summit_export["pdf"]
    assert f"${totals['whitespace_value']:,.0f}" in summit_export["pdf"]


def test_charts_and_stakeholder_map_are_embedded_images(summit_export):
    images = summit_export["html"].images
    assert sum(src.startswith("data:image/png;base64,") for src in images) == 3  # target, trajectory, pipeline
    assert sum(src.startswith("data:image/svg+xml;base64,") for src in images) == 1  # stakeholder map
    assert "script" not in summit_export["html"].tags


@pytest.mark.parametrize("chosen", [["kpis"], ["header", "strategy"], ["scorecard", "whitespace", "team"]])
def test_toggled_off_sections_are_absent_from_html(demo_db, chosen):
    assert list(html_of(demo_db, SUMMIT_FY2026, chosen).sections) == chosen


def test_toggled_off_sections_are_absent_from_pdf(demo_db):
    text = pdf_text(export.export_plan(demo_db, SUMMIT_FY2026, "pdf", ["header", "team"], today=DEMO_ANCHOR))
    assert "Summit Logistics" in text and "Team" in text
    for absent in ("Key figures", "Sales target", "Scorecard", "Whitespace value", "Stakeholders", "Vision"):
        assert absent not in text


def test_user_text_is_escaped_in_html(demo_db):
    hostile = "<script>alert(1)</script>"
    demo_db.execute("UPDATE plan SET name = ?, strategy = ? WHERE id = ?", [hostile, "<img src=x onerror=alert(2)>", SUMMIT_FY2026])
    raw = export.export_plan(demo_db, SUMMIT_FY2026, "html", ["header", "strategy"]).decode()
    page = ExportReader(raw)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert page.title == hostile  # prints as text
    assert "<img src=x onerror=alert(2)>" in page.sections["strategy"]
    assert not {"script"} & page.tags and page.images == []


def test_non_ascii_text_prints_in_the_pdf(demo_db):
    demo_db.execute("UPDATE plan SET name = ?, vision = ? WHERE id = ?",
                    ["Société Générale – Zürich’s plan", "Être № 1 → ✎ 日本", SUMMIT_FY2026])
    text = pdf_text(export.export_plan(demo_db, SUMMIT_FY2026, "pdf", ["header", "strategy"]))
    assert "Société Générale – Zürich’s plan" in text
    assert "Être No 1 -> * ??" in text  # characters the bundled font lacks are folded, never a crash


@pytest.mark.parametrize("given, expected", [
    (None, export.SECTION_NAMES),
    ("team,header", ["header", "team"]),
    (" KPIs , charts ", ["kpis", "charts"]),
    (["strategy", "objectives"], ["objectives", "strategy"]),
])
def test_sections_are_put_in_document_order(given, expected):
    assert export.check_sections(given) == expected


@pytest.mark.parametrize("given, message", [
    ("header,swot", "Unknown export section swot: choose from header, kpis, charts, scorecard, whitespace, "
                    "stakeholders, objectives, strategy, team."),
    ("map,notes", "Unknown export sections map, notes: choose from header, kpis, charts, scorecard, whitespace, "
                  "stakeholders, objectives, strategy, team."),
    ("", "Choose at least one section to export: header, kpis, charts, scorecard, whitespace, stakeholders, "
         "objectives, strategy, team."),
])
def test_unknown_or_no_sections_are_refused(given, message):
    with pytest.raises(InvalidInput) as refused:
        export.check_sections(given)
    assert str(refused.value) == message


def test_unknown_plan_and_format_are_refused(demo_db):
    with pytest.raises(NotFound, match="There is no plan with id 999."):
        export.export_plan(demo_db, 999, "html")
    with pytest.raises(InvalidInput, match="Unknown export format docx: choose html or pdf."):
        export.export_plan(demo_db, SUMMIT_FY2026, "docx")


def test_file_name_is_a_safe_slug():
    assert export.file_name({"id": 42, "name": "Summit Logistics – Opérations FY2026"}, "pdf") == "plan-42-summit-logistics-op-rations-fy2026.pdf"
    assert export.file_name({"id": 7, "name": "<script>"}, "html") == "plan-7-script.html"


# -- presets -------------------------------------------------------------------------------


def user_named(db, name: str) -> dict:
    return users.find_user(db, name)


def test_admin_saves_a_preset_everyone_can_use(demo_db):
    admin = user_named(demo_db, "Ada Admin")
    preset_id = export.save_preset(demo_db, admin, "Executive summary", ["scorecard", "header", "kpis"])
    assert export.preset_sections(demo_db, "executive SUMMARY") == ["header", "kpis", "scorecard"]
    assert [(p["name"], p["sections"], p["created_by"]) for p in export.list_presets(demo_db)] == [
        ("Executive summary", ["header", "kpis", "scorecard"], "Ada Admin")]
    history = audit.history(demo_db, "export_preset", preset_id)
    assert set(history["field"]) == {"name", "sections"}


def test_saving_under_an_existing_name_replaces_the_sections(demo_db):
    admin = user_named(demo_db, "Ada Admin")
    first = export.save_preset(demo_db, admin, "Customer", ["header"])
    second = export.save_preset(demo_db, admin, "customer", ["header", "strategy"])
    assert first == second
    assert export.preset_sections(demo_db, "Customer") == ["header", "strategy"]
    changes = audit.history(demo_db, "export_preset", first)
    assert '["header", "strategy"]' in set(changes["new_value"])


def test_only_admins_save_or_delete_presets(demo_db):
    rep = user_named(demo_db, "Priya Nair")
    with pytest.raises(NotAllowed) as refused:
        export.save_preset(demo_db, rep, "Mine", ["header"])
    assert str(refused.value) == "Priya Nair (rep) cannot save export presets: only admin can."
    with pytest.raises(NotAllowed):
        export.delete_preset(demo_db, rep, "Mine")
    assert export.list_presets(demo_db) == []


@pytest.mark.parametrize("name, sections, message", [
    ("  ", ["header"], "Give the preset a name."),
    ("Bad", ["header", "gossip"], "Unknown export section gossip: choose from"),
])
def test_bad_presets_are_refused(demo_db, name, sections, message):
    with pytest.raises(InvalidInput, match=message):
        export.save_preset(demo_db, user_named(demo_db, "Ada Admin"), name, sections)


def test_unknown_preset_names_the_saved_ones(demo_db):
    export.save_preset(demo_db, user_named(demo_db, "Ada Admin"), "Board", ["kpis"])
    with pytest.raises(NotFound) as missing:
        export.preset_sections(demo_db, "Boardroom")
    assert str(missing.value) == "There is no export preset called “Boardroom” (presets: Board)."


def test_deleting_a_preset(demo_db):
    admin = user_named(demo_db, "Ada Admin")
    export.save_preset(demo_db, admin, "Old", ["kpis"])
    export.delete_preset(demo_db, admin, "old")
    assert export.list_presets(demo_db) == []


# -- account links -------------------------------------------------------------------------


def test_an_account_link_opens_the_primary_current_plan(demo_db):
    assert export.account_plan_id(demo_db, 1, DEMO_ANCHOR) == SUMMIT_FY2026


def test_without_a_primary_plan_the_current_one_wins(demo_db):
    demo_db.execute("UPDATE plan SET is_primary = FALSE WHERE account_id = 1")
    assert export.account_plan_id(demo_db, 1, date(2025, 6, 1)) == 2  # FY2025 covers that day


@pytest.mark.parametrize("account_id, message", [
    (9, "Account 9 has no plan yet — create one on the Plan page."),
    (9999, "There is no account with id 9999."),
])
def test_account_links_without_a_plan_say_why(demo_db, account_id, message):
    with pytest.raises(NotFound) as missing:
        export.account_plan_id(demo_db, account_id)
    assert str(missing.value) == message


def test_whitespace_matrix_has_every_cell_with_its_status_colour(demo_db):
    matrix = whitespace.plan_matrix(demo_db, SUMMIT_FY2026)
    tables = export.matrix_tables(matrix)
    assert all(len(t.columns) <= export.MATRIX_COLUMNS_PER_TABLE + 1 for t in tables)
    cells = [(value, fill) for t in tables for row, fills in zip(t.rows, t.fills) for value, fill in zip(row[1:], fills[1:])]
    assert len([c for c in cells if c[0]]) == len(matrix)
    for value, fill in cells:
        status = value.split("\n")[0].removesuffix(" ✎")
        assert fill == vocab.WHITESPACE_COLOURS[status]
    competitors = set(matrix["competitor"].dropna())
    assert competitors and all(any(name in value for value, _ in cells) for name in competitors)


def test_overdue_actions_are_flagged(demo_db):
    page = html_of(demo_db, SUMMIT_FY2026, ["objectives"])
    later = ExportReader(export.export_plan(demo_db, SUMMIT_FY2026, "html", ["objectives"], today=date(2030, 1, 1)).decode())
    assert "Overdue" in page.sections["objectives"]
    open_actions = demo_db.value("SELECT count(*) FROM action WHERE plan_id = ? AND status NOT IN ('Done', 'Cancelled')",
                                 [SUMMIT_FY2026])
    assert later.sections["objectives"].count("\nyes\n") == open_actions > 0
