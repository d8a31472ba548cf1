"""Plan export: one plan as a self-contained, print-friendly HTML document or a PDF, by section.

A document is built once as neutral blocks (facts, tables, text, images, notes) and then rendered
by `render_html` here or `planning.export_pdf.render_pdf`, so both formats carry the same content.
Every piece of user text is escaped by the renderers: a plan named `<script>` prints as text.
Named section presets (table export_preset) are saved by admins and used by everyone.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable

import pandas as pd

from planning import access, audit, kpis, objectives, plan_content, plans, scorecards, stakeholders, vocab, whitespace
from planning import export_charts as charts
from planning.db import Database
from planning.errors import InvalidInput, NotFound

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


@dataclass
class Facts:
    """Label → value pairs; an optional colour marks a value (a band, a status)."""
    pairs: list[tuple[str, str, str | None]]


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    fills: list[list[str | None]] | None = None  # background colour per cell
    caption: str | None = None


@dataclass
class Text:
    heading: str | None
    body: str


@dataclass
class Image:
    title: str
    png: bytes
    svg: str | None = None  # drawn pictures keep their SVG for the HTML


@dataclass
class Notes:
    heading: str
    items: list[str]


@dataclass
class Section:
    name: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    plan: dict
    generated_at: datetime
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"{self.plan['name']} — account plan"


# -- sections and presets ------------------------------------------------------------------


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
    access.require_role(user, {"admin"}, "save export presets")
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
    access.require_role(user, {"admin"}, "delete export presets")
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


def money(value: float | None) -> str:
    """Whole dollars with separators ($1,234,567), exact so exported figures can be checked."""
    if value is None or pd.isna(value):
        return "—"
    return f"-${abs(value):,.0f}" if value < 0 else f"${value:,.0f}"


def percent(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.0%}"


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, (date, pd.Timestamp)):  # datetime is a date too
        return f"{value:%d %b %Y}"
    return str(value)


def _table(frame: pd.DataFrame, columns: dict[str, str], formats: dict | None = None) -> Table:
    formats = formats or {}
    rows = [[formats.get(c, _text)(row[c]) for c in columns] for row in frame.to_dict("records")]
    return Table(list(columns.values()), rows)


# -- building the document -----------------------------------------------------------------


def build_document(db: Database, plan_id: int, sections: Iterable[str] | str | None = None, today: date | None = None) -> Document:
    """Gather the chosen sections of one plan into a Document (NotFound for an unknown plan)."""
    chosen = check_sections(sections)
    plan = plans.get_plan(db, plan_id)
    figures = kpis.kpis_for_plan(db, plan_id) if {"kpis", "charts"} & set(chosen) else None
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
    pairs = [
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
    cycle = "—" if figures["avg_cycle_days"] is None else f"{figures['avg_cycle_days']:.0f} days"
    coverage = "—" if figures["coverage"] is None else f"{figures['coverage']:.2f}×"
    pairs = [
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
    blocks = [Image("Target, won and expected", charts.png(charts.target_chart(figures)))]
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
        rows, fills = [], []
        for unit in units:
            row, fill = [unit], [None]
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
    blocks = [Facts([("Coverage", coverage["coverage_label"], coverage["coverage_colour"]),
                     ("Stakeholders mapped", str(len(data["stakeholders"])), None),
                     ("Alerts", str(coverage["alert_count"]), None)])]
    if len(coverage["alerts"]):
        blocks.append(Notes("Alerts", list(coverage["alerts"])))
    if not data["stakeholders"]:
        blocks.append(Notes("Stakeholder map", ["No stakeholders mapped on this plan yet."]))
        return blocks
    svg = charts.stakeholder_svg(data)
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
    blocks = []
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
    blocks = [Text(label, plan[key]) for key, label in STRATEGY_FIELDS if plan[key] and plan[key].strip()]
    blocks.append(Facts([("Relationship today", plan["relationship_current"] or "—", None),
                         ("Relationship desired", plan["relationship_desired"] or "—", None)]))
    return blocks


def _team(db: Database, plan: dict) -> list:
    team = plan_content.list_team(db, plan["id"])
    if team.empty:
        return [Notes("Team", ["Nobody is on the plan's team yet."])]
    return [_table(team, {"name": "Name", "role": "Role"})]


# -- rendering: HTML -----------------------------------------------------------------------

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #212121; margin: 2em auto; max-width: 60em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { border-bottom: 2px solid #1976d2; padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: 1em 0 .3em; } .meta { color: #616161; font-size: .9em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1.2em; } dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; font-size: .85em; }
th, td { border: 1px solid #bdbdbd; padding: .3em .5em; text-align: left; vertical-align: top; white-space: pre-line; }
th { background: #eeeeee; } .swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: .3em; vertical-align: middle; }
td.filled { color: #ffffff; font-weight: 600; } td.filled.light { color: #212121; } figure { margin: 1em 0; } figure img { max-width: 100%; }
.text { white-space: pre-wrap; } caption { caption-side: bottom; text-align: left; color: #616161; font-size: .9em; }
@media print { body { margin: 0; max-width: none; } section { break-inside: avoid-page; } h2 { break-after: avoid; } }
"""
LIGHT_FILLS = {"#f9a825", "#bdbdbd", "#66bb6a", "#9e9e9e"}  # dark text reads better on these


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def _html_block(block) -> str:
    if isinstance(block, Facts):
        items = "".join(
            f"<dt>{_e(label)}</dt><dd>{f'<span class=swatch style=background:{colour}></span>' if colour else ''}{_e(value)}</dd>"
            for label, value, colour in block.pairs
        )
        return f'<dl class="facts">{items}</dl>'
    if isinstance(block, Table):
        head = "".join(f"<th>{_e(c)}</th>" for c in block.columns)
        body = []
        for r, row in enumerate(block.rows):
            cells = []
            for c, value in enumerate(row):
                fill = block.fills[r][c] if block.fills else None
                style = f' class="filled{" light" if fill in LIGHT_FILLS else ""}" style="background:{fill}"' if fill else ""
                cells.append(f"<td{style}>{_e(value)}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        caption = f"<caption>{_e(block.caption)}</caption>" if block.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    if isinstance(block, Text):
        heading = f"<h3>{_e(block.heading)}</h3>" if block.heading else ""
        return f'{heading}<div class="text">{_e(block.body)}</div>'
    if isinstance(block, Image):
        if block.svg:
            source = "data:image/svg+xml;base64," + base64.b64encode(block.svg.encode()).decode()
        else:
            source = "data:image/png;base64," + base64.b64encode(block.png).decode()
        return f'<figure><img src="{source}" alt="{_e(block.title)}"><figcaption>{_e(block.title)}</figcaption></figure>'
    if isinstance(block, Notes):
        return f"<h3>{_e(block.heading)}</h3><ul>{''.join(f'<li>{_e(item)}</li>' for item in block.items)}</ul>"
    raise TypeError(f"unknown block {block!r}")


def render_html(document: Document) -> str:
    """A self-contained HTML page (inline CSS, images as data URIs, no script)."""
    sections = "".join(
        f'<section id="{s.name}"><h2>{_e(s.title)}</h2>{"".join(_html_block(b) for b in s.blocks)}</section>'
        for s in document.sections
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(document.title)}</title>'
        f"<style>{_CSS}</style></head><body><header><h1>{_e(document.plan['name'])}</h1>"
        f'<p class="meta">{_e(document.plan["account"])} · account plan exported {document.generated_at:%d %b %Y %H:%M}</p>'
        f"</header>{sections}</body></html>"
    )


# -- one call for pages and the CLI --------------------------------------------------------


def export_plan(db: Database, plan_id: int, fmt: str, sections: Iterable[str] | str | None = None, today: date | None = None) -> bytes:
    """The plan as HTML (UTF-8) or PDF bytes with the chosen sections."""
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown export format {fmt}: choose html or pdf.")
    document = build_document(db, plan_id, sections, today)
    if fmt == "html":
        return render_html(document).encode("utf-8")
    from planning.export_pdf import render_pdf  # reportlab loads only when a PDF is asked for
    return render_pdf(document)


def file_name(plan: dict, fmt: str) -> str:
    """plan-12-acme-fy2026.html: id plus a safe slug of the name."""
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in plan["name"].lower()).strip("-")
    slug = "-".join(part for part in slug.split("-") if part)[:60]
    return f"plan-{plan['id']}-{slug or 'export'}.{fmt}"
