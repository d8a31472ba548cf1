"""Plan export: one plan as a self-contained, print-friendly HTML document or a PDF, by section.

A document is built once as neutral blocks (facts, tables, text, images, notes) and then rendered
by `render_html` here or `planning.export.pdf.render_pdf`, so both formats carry the same content.
Every piece of user text is escaped by the renderers: a plan named `<script>` prints as text.
Named section presets (table export_preset) are saved by admins and used by everyone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

import pandas as pd

from planning import (
    access,
    audit,
    kpis,
    objectives,
    plan_content,
    plans,
    scorecards,
    stakeholders,
    vocab,
    whitespace,
)
from planning.db import Database
from planning.errors import InvalidInput, NotFound
from planning.export import charts
from planning.export.document import Block, Document, Facts, Image, Notes, Section, Table, Text
from planning.export.html import render_html
from planning.formatting import MISSING, date_text, days, is_missing, money, multiple, percent

SECTIONS = {
    "header": "Plan",
    "kpis": "Key figures",
    "charts": "Charts",
    "scorecard": "Scorecard",
    "whitespace": "Whitespace",
    "stakeholders": "Stakeholders",
    "objectives": "Objectives and actions",
    "strategy": "SWOT and strategy",
    "team": "Team",
}
SECTION_NAMES = list(SECTIONS)
FORMATS = ("html", "pdf")
MATRIX_COLUMNS_PER_TABLE = 6  # products per whitespace table, so a printed page stays readable
STRATEGY_FIELDS = [
    ("vision", "Vision"), ("strategy", "Strategy"), ("strengths", "Strengths"), ("weaknesses", "Weaknesses"),
    ("opportunities", "Opportunities"), ("threats", "Threats"), ("goals", "Goals"),
    ("support_required", "Support required"), ("short_term_plan", "Short-term plan"),
]


# -- blocks --------------------------------------------------------------------------------


def check_sections(sections: Iterable[str] | str | None) -> list[str]:
    """The chosen sections in document order; None means all. Unknown names are refused."""
    if sections is None:
        return list(SECTION_NAMES)
    if isinstance(sections, str):
        sections = sections.split(",")
    chosen = [s.strip().lower() for s in sections if s and s.strip()]
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        raise InvalidInput(
            f"Unknown export section{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
            f"choose from {', '.join(SECTION_NAMES)}."
        )
    if not chosen:
        raise InvalidInput(f"Choose at least one section to export: {', '.join(SECTION_NAMES)}.")
    return [s for s in SECTION_NAMES if s in chosen]


def list_presets(db: Database) -> list[dict]:
    """Saved presets: id, name, sections (list), created_by (name), created_at."""
    found = db.rows(
        "SELECT p.id, p.name, p.sections, u.name AS created_by, p.created_at"
        " FROM export_preset p LEFT JOIN app_user u ON u.id = p.created_by ORDER BY lower(p.name)"
    )
    return [{**row, "sections": json.loads(row["sections"])} for row in found]


def preset_sections(db: Database, name: str) -> list[str]:
    """The sections of the preset called `name` (case-insensitive)."""
    found = db.value("SELECT sections FROM export_preset WHERE lower(name) = lower(?)", [name.strip()])
    if found is None:
        names = ", ".join(p["name"] for p in list_presets(db)) or "none saved yet"
        raise NotFound(f"There is no export preset called “{name}” (presets: {names}).")
    return check_sections(json.loads(found))


def save_preset(db: Database, user: dict | None, name: str, sections: Iterable[str]) -> int:
    """Create or replace the preset `name` (admins only); returns its id."""
    user = access.require_role(user, {"admin"}, "save export presets")
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Give the preset a name.")
    chosen = json.dumps(check_sections(list(sections)))
    with db.transaction() as con:
        old = con.execute("SELECT id, sections FROM export_preset WHERE lower(name) = lower(?)", [name]).fetchall()
        if old:
            preset_id, old_sections = old[0]
            con.execute("UPDATE export_preset SET sections = ? WHERE id = ?", [chosen, preset_id])
            audit.record(con, user["id"], "export_preset", preset_id, audit.changed_fields({"sections": old_sections}, {"sections": chosen}))
        else:
            preset_id = con.execute(
                "INSERT INTO export_preset (name, sections, created_by) VALUES (?, ?, ?) RETURNING id", [name, chosen, user["id"]]
            ).fetchall()[0][0]
            audit.record_created(con, user["id"], "export_preset", preset_id, {"name": name, "sections": chosen})
    return int(preset_id)


def delete_preset(db: Database, user: dict | None, name: str) -> None:
    user = access.require_role(user, {"admin"}, "delete export presets")
    with db.transaction() as con:
        old = con.execute("SELECT id, name, sections FROM export_preset WHERE lower(name) = lower(?)", [name.strip()]).fetchall()
        if not old:
            raise NotFound(f"There is no export preset called “{name}”.")
        con.execute("DELETE FROM export_preset WHERE id = ?", [old[0][0]])
        audit.record_deleted(con, user["id"], "export_preset", old[0][0], {"name": old[0][1], "sections": old[0][2]})


# -- deep links ----------------------------------------------------------------------------


def account_plan_id(db: Database, account_id: int, today: date | None = None) -> int:
    """The plan a link to an account opens: its primary plan covering today, else the best next one.

    Order: primary before not, period covering today before not, latest period first.
    """
    found = db.value(
        """
        SELECT id FROM plan WHERE account_id = ?
        ORDER BY is_primary DESC, (period_start <= ? AND period_end >= ?) DESC, period_end DESC, id DESC LIMIT 1
        """,
        [account_id, today or date.today(), today or date.today()],
    )
    if found is None:
        if db.value("SELECT count(*) FROM account WHERE id = ?", [account_id]) == 0:
            raise NotFound(f"There is no account with id {account_id}.")
        raise NotFound(f"Account {account_id} has no plan yet — create one on the Plan page.")
    return int(found)


# -- formatting ----------------------------------------------------------------------------


# Money is exact (whole dollars) in exports so exported figures can be checked.
def _text(value) -> str:
    if isinstance(value, (date, pd.Timestamp)):  # datetime is a date too
        return date_text(value)
    return MISSING if is_missing(value) else str(value)


def _table(frame: pd.DataFrame, columns: dict[str, str], formats: dict | None = None) -> Table:
    formats = formats or {}
    rows = [[formats.get(c, _text)(row[c]) for c in columns] for row in frame.to_dict("records")]
    return Table(list(columns.values()), rows)


# -- building the document -----------------------------------------------------------------


def build_document(db: Database, plan_id: int, sections: Iterable[str] | str | None = None, today: date | None = None) -> Document:
    """Gather the chosen sections of one plan into a Document (NotFound for an unknown plan)."""
    chosen = check_sections(sections)
    plan = plans.get_plan(db, plan_id)
    figures = kpis.kpis_for_plan(db, plan_id) if {"kpis", "charts"} & set(chosen) else {}  # only the KPI and chart sections read it
    builders = {
        "header": lambda: _header(db, plan), "kpis": lambda: _kpis(figures), "charts": lambda: _charts(db, plan, figures),
        "scorecard": lambda: _scorecard(db, plan), "whitespace": lambda: _whitespace(db, plan),
        "stakeholders": lambda: _stakeholders(db, plan, today), "objectives": lambda: _objectives(db, plan, today),
        "strategy": lambda: _strategy(plan), "team": lambda: _team(db, plan),
    }
    return Document(plan, datetime.now(), [Section(name, SECTIONS[name], builders[name]()) for name in chosen])


def _header(db: Database, plan: dict) -> list:
    chain = plans.plan_chain(db, plan["id"])
    period = plans.period_label(plan["period_start"], plan["period_end"])
    pairs: list[tuple[str, str, str | None]] = [
        ("Account", plan["account"], None),
        ("Business unit", plan["business_unit"] or "Whole account", None),
        ("Period", f"{period} ({plan['period_start']:%d %b %Y} – {plan['period_end']:%d %b %Y})", None),
        ("Owner", plan["owner"] or "—", None),
        ("Status", plan["status"], None),
        ("Primary plan", "Yes" if plan["is_primary"] else "No", None),
        ("Follows", chain["parent"]["name"] if chain["parent"] else "—", None),
        ("Followed by", ", ".join(c["name"] for c in chain["children"]) or "—", None),
        ("Last reviewed", _text(plan["last_reviewed_at"]), None),
    ]
    return [Facts(pairs)]


def _kpis(figures: dict) -> list:
    cycle, coverage = days(figures["avg_cycle_days"]), multiple(figures["coverage"])
    pairs: list[tuple[str, str]] = [
        ("Sales target", money(figures["target"])), ("Won revenue", money(figures["won"])),
        ("Pipeline", money(figures["pipeline"])), ("Weighted pipeline", money(figures["weighted_pipeline"])),
        ("Total expected revenue", money(figures["expected"])), ("Forecast target variance", money(figures["variance"])),
        ("% achieved", percent(figures["pct_achieved"])), ("Expected % of target", percent(figures["expected_pct"])),
        ("Pipeline coverage", coverage), ("Lost revenue", money(figures["lost"])),
        ("Deals won / lost / open", f"{figures['won_count']} / {figures['lost_count']} / {figures['open_count']}"),
        ("Win rate (count / value)", f"{percent(figures['win_rate_count'])} / {percent(figures['win_rate_value'])}"),
        ("Average sales cycle", cycle),
    ]
    return [Facts([(label, value, None) for label, value in pairs])]


def _charts(db: Database, plan: dict, figures: dict) -> list:
    blocks: list[Block] = [Image("Target, won and expected", charts.png(charts.target_chart(figures)))]
    trajectory = kpis.plan_trajectory(db, plan["id"])
    if not trajectory.empty:
        blocks.append(Image("Cumulative won and expected vs target", charts.png(charts.trajectory_chart(trajectory))))
    breakdown = kpis.pipeline_breakdown(db, plan["id"])
    if breakdown.empty:
        blocks.append(Notes("Open pipeline", ["No open pipeline in this period."]))
    else:
        blocks.append(Image("Open pipeline by stage", charts.png(charts.pipeline_chart(breakdown))))
    return blocks


def _scorecard(db: Database, plan: dict) -> list:
    card = scorecards.plan_scorecard(db, plan["id"])
    if card["submission"] is None:
        return [Notes("Scorecard", ["The scorecard has not been filled in yet."])]
    score = "—" if card["score"] is None or pd.isna(card["score"]) else f"{card['score']:.1f} / 100"
    band = card["band"] if isinstance(card["band"], str) else "—"
    facts = Facts([("Plan score", score, None), ("Band", band, vocab.BAND_COLOURS.get(band)),
                   ("Completion", f"{card['completion']:.0f}% of questions answered", None)])
    rows = [[c["name"], f"{c['weight']:g}", "—" if c["score"] is None else f"{c['score']:.1f}", c["band"] or "—",
             f"{c['answered']} of {c['questions']}"] for c in card["categories"]]
    fills = [[None, None, None, vocab.BAND_COLOURS.get(c["band"]), None] for c in card["categories"]]
    blocks = [facts, Table(["Category", "Weight", "Score", "Band", "Answered"], rows, fills)]
    if card["gaps"]:
        blocks.append(Notes(f"Gaps ({len(card['gaps'])} unanswered)", [f"{g['category']}: {g['question']}" for g in card["gaps"]]))
    return blocks


def _whitespace(db: Database, plan: dict) -> list:
    matrix = whitespace.plan_matrix(db, plan["id"])
    if matrix.empty:
        return [Notes("Whitespace", ["No products in the catalogue yet."])]
    totals = whitespace.summarise(matrix)
    facts = Facts([
        ("Sold", money(totals["sold"]), vocab.WHITESPACE_COLOURS["Sold"]),
        ("In progress", money(totals["in_progress"]), vocab.WHITESPACE_COLOURS["In Progress"]),
        ("Open whitespace", money(totals["open_value"]), vocab.WHITESPACE_COLOURS["Open"]),
        ("Competitor-held", money(totals["competitor_value"]), vocab.WHITESPACE_COLOURS["Competitor"]),
        ("Whitespace value", money(totals["whitespace_value"]), None),
        ("Open cells", str(totals["open_cells"]), None),
    ])
    return [facts, *matrix_tables(matrix)]


def matrix_tables(matrix: pd.DataFrame) -> list[Table]:
    """The whitespace matrix as tables of business units × up to MATRIX_COLUMNS_PER_TABLE products."""
    products = list(dict.fromkeys(zip(matrix["family"], matrix["product"])))
    units = list(dict.fromkeys(matrix["business_unit"]))
    cells = {(r["business_unit"], r["product"]): r for r in matrix.to_dict("records")}
    tables = []
    for first in range(0, len(products), MATRIX_COLUMNS_PER_TABLE):
        chunk = products[first:first + MATRIX_COLUMNS_PER_TABLE]
        rows: list[list[str]] = []
        fills: list[list[str | None]] = []
        for unit in units:
            row: list[str] = [unit]
            fill: list[str | None] = [None]
            for _, product in chunk:
                cell = cells.get((unit, product))
                if cell is None:
                    row.append("")
                    fill.append(None)
                    continue
                mark = " ✎" if cell["manual"] else ""
                value = "" if pd.isna(cell["value"]) else f"\n{money(cell['value'])}"
                competitor = f"\n{cell['competitor']}" if isinstance(cell["competitor"], str) and cell["competitor"] else ""
                row.append(f"{cell['status']}{mark}{value}{competitor}")
                fill.append(vocab.WHITESPACE_COLOURS.get(cell["status"]))
            rows.append(row)
            fills.append(fill)
        columns = ["Business unit"] + [f"{product} ({family})" for family, product in chunk]
        caption = "✎ status set by a person" if first == 0 else None
        tables.append(Table(columns, rows, fills, caption))
    return tables


def _stakeholders(db: Database, plan: dict, today: date | None) -> list:
    coverage = stakeholders.plan_coverage(db, plan["id"], today)
    data = stakeholders.stakeholder_map(db, plan["id"])
    blocks: list[Block] = [Facts([("Coverage", coverage["coverage_label"], coverage["coverage_colour"]),
                     ("Stakeholders mapped", str(len(data["stakeholders"])), None),
                     ("Alerts", str(coverage["alert_count"]), None)])]
    if len(coverage["alerts"]):
        blocks.append(Notes("Alerts", list(coverage["alerts"])))
    if not data["stakeholders"]:
        blocks.append(Notes("Stakeholder map", ["No stakeholders mapped on this plan yet."]))
        return blocks
    svg = charts.stakeholder_svg(data)
    assert svg is not None, "stakeholder_svg draws every non-empty map"
    blocks.append(Image("Stakeholder map (colour = support, size = influence; dashed = informal influence)", charts.svg_to_png(svg), svg))
    rows = [[s["name"], s["title"] or "—", s["buying_role"] or "—", s["support"] or "—", s["coverage"] or "—",
             _text(s["influence"]), _text(s["relationship_strength"]), s["covered_by"] or "—", _text(s["last_contact_date"])]
            for s in data["stakeholders"]]
    fills = [[None, None, None, vocab.SUPPORT_COLOURS.get(s["support"]), None, None, None, None, None] for s in data["stakeholders"]]
    blocks.append(Table(["Name", "Title", "Buying role", "Support", "Coverage", "Influence", "Relationship",
                         "Covered by", "Last contact"], rows, fills))
    return blocks


def _objectives(db: Database, plan: dict, today: date | None) -> list:
    found = objectives.list_objectives(db, plan["id"])
    actions = objectives.list_actions(db, plan["id"], today)
    if found.empty and actions.empty:
        return [Notes("Objectives and actions", ["No objectives or actions yet."])]
    blocks: list[Block] = []
    if not found.empty:
        measure = lambda v: "—" if v is None or pd.isna(v) else f"{v:,.0f}"  # noqa: E731
        blocks.append(_table(found, {"name": "Objective", "priority": "Priority", "status": "Status", "owner": "Owner",
                                     "due_date": "Due", "measure_current": "Measure", "measure_target": "Target",
                                     "outcome": "Outcome"},
                             {"measure_current": measure, "measure_target": measure}))
    if not actions.empty:
        overdue = lambda v: "yes" if v is not None and not pd.isna(v) and bool(v) else ""  # noqa: E731
        blocks.append(_table(actions, {"objective": "Objective", "title": "Action", "owner": "Owner", "due_date": "Due",
                                       "status": "Status", "overdue": "Overdue"}, {"overdue": overdue}))
    return blocks


def _strategy(plan: dict) -> list:
    blocks: list[Block] = [Text(label, plan[key]) for key, label in STRATEGY_FIELDS if plan[key] and plan[key].strip()]
    blocks.append(Facts([("Relationship today", plan["relationship_current"] or "—", None),
                         ("Relationship desired", plan["relationship_desired"] or "—", None)]))
    return blocks


def _team(db: Database, plan: dict) -> list:
    team = plan_content.list_team(db, plan["id"])
    if team.empty:
        return [Notes("Team", ["Nobody is on the plan's team yet."])]
    return [_table(team, {"name": "Name", "role": "Role"})]


# -- rendering: HTML -----------------------------------------------------------------------

def export_plan(db: Database, plan_id: int, fmt: str, sections: Iterable[str] | str | None = None, today: date | None = None) -> bytes:
    """The plan as HTML (UTF-8) or PDF bytes with the chosen sections."""
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown export format {fmt}: choose html or pdf.")
    document = build_document(db, plan_id, sections, today)
    if fmt == "html":
        return render_html(document).encode("utf-8")
    from planning.export.pdf import (
        render_pdf,  # reportlab loads only when a PDF is asked for
    )
    return render_pdf(document)


def file_name(plan: dict, fmt: str) -> str:
    """plan-12-acme-fy2026.html: id plus a safe slug of the name."""
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in plan["name"].lower()).strip("-")
    slug = "-".join(part for part in slug.split("-") if part)[:60]
    return f"plan-{plan['id']}-{slug or 'export'}.{fmt}"
