"""Scorecard templates: versions (Draft, Active, Archived), their categories and questions.

Editing rules:
- only admins change templates;
- saving a template that is Active, or that any plan has been scored with, creates a new
  version (a new row, version + 1): the new version becomes Active, the old one Archived,
  and plans keep the version they were scored with (plan.template_id);
- a Draft nobody has scored with is edited in place;
- activating a version archives the other Active versions of the same name.
Options are edited as short text: choice "Label=points; Label=points", number
"at_least=points; at_least=points", yes/no "invert" (a yes scores 0), others blank.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pandas as pd

from planning import access, audit
from planning.db import Database, fetch_dicts
from planning.errors import InvalidInput, NotFound

QUESTION_TYPES = ["rating", "yes_no", "choice", "number", "text"]
TEMPLATE_STATUSES = ["Draft", "Active", "Archived"]


def list_templates(db: Database) -> pd.DataFrame:
    """Every template version with how many plans use it."""
    return db.df(
        """
        SELECT t.id, t.name, t.version, t.status, t.created_at,
               (SELECT count(*) FROM plan p WHERE p.template_id = t.id) AS plans
        FROM scorecard_template t ORDER BY t.name, t.version DESC
        """
    )


def options_text(qtype: str, options: str | None) -> str:
    """Options JSON as the short text the editor shows."""
    data = json.loads(options) if isinstance(options, str) and options else {}
    if qtype == "choice":
        return "; ".join(f"{label}={_num(points)}" for label, points in data.get("choices", {}).items())
    if qtype == "number":
        return "; ".join(f"{_num(at)}={_num(points)}" for at, points in data.get("thresholds", []))
    if qtype == "yes_no" and data.get("invert"):
        return "invert"
    return ""


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def parse_options(qtype: str, text: str | None, where: str) -> str | None:
    """The short options text as stored JSON; InvalidInput says what is wrong and where."""
    text = (text or "").strip()
    if qtype in ("rating", "text"):
        return None
    if qtype == "yes_no":
        if text.lower() in ("", "invert"):
            return json.dumps({"invert": True}) if text else None
        raise InvalidInput(f"{where}: a yes/no question takes 'invert' or nothing as options, not {text!r}.")
    pairs = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        label, sep, points = part.rpartition("=")
        try:
            value = float(points)
        except ValueError:
            value = None
        if not sep or not label.strip() or value is None or value < 0:
            raise InvalidInput(f"{where}: write options as 'label=points; label=points' with points ≥ 0 ({part!r}).")
        pairs.append((label.strip(), value))
    if len(pairs) < 2:
        raise InvalidInput(f"{where}: a {qtype} question needs at least two options with points.")
    if max(points for _, points in pairs) <= 0:
        raise InvalidInput(f"{where}: at least one option must score more than 0 points.")
    if qtype == "choice":
        return json.dumps({"choices": dict(pairs)})
    try:
        thresholds = sorted([float(label), points] for label, points in pairs)
    except ValueError:
        raise InvalidInput(f"{where}: number thresholds must be numbers, as in '0=0; 10=50; 25=100'.") from None
    return json.dumps({"thresholds": thresholds})


def template_frames(db: Database, template_id: int) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """A template, its categories (name, weight) and questions as editable frames."""
    template = db.one("SELECT * FROM scorecard_template WHERE id = ?", [template_id])
    if template is None:
        raise NotFound(f"There is no scorecard template with id {template_id}.")
    categories = db.df(
        "SELECT name, weight FROM scorecard_category WHERE template_id = ? ORDER BY position, id", [template_id]
    )
    questions = db.df(
        """
        SELECT c.name AS category, q.text, q.qtype AS type, q.weight, q.help_text, q.options
        FROM scorecard_question q JOIN scorecard_category c ON c.id = q.category_id
        WHERE c.template_id = ? ORDER BY c.position, c.id, q.position, q.id
        """,
        [template_id],
    )
    questions["options"] = [options_text(t, o) for t, o in zip(questions["type"], questions["options"])]
    return template, categories, questions


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""


def _weight(value: Any, where: str) -> float:
    try:
        weight = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{where}: the weight must be a number, not {value!r}.") from None
    if not weight >= 0:
        raise InvalidInput(f"{where}: the weight must be 0 or more, not {value!r}.")
    return weight


def validate(categories: list[dict], questions: list[dict]) -> tuple[list[tuple], list[tuple]]:
    """Checked (name, weight) categories and (category, text, type, weight, help, options) questions."""
    cats, seen = [], set()
    for n, row in enumerate(categories, start=1):
        if _blank(row.get("name")):
            raise InvalidInput(f"Category row {n}: give the category a name.")
        name = str(row["name"]).strip()
        if name in seen:
            raise InvalidInput(f"Category row {n}: {name!r} appears twice.")
        seen.add(name)
        cats.append((name, _weight(row.get("weight"), f"Category {name!r}")))
    if not cats:
        raise InvalidInput("A template needs at least one category.")
    qs = []
    for n, row in enumerate(questions, start=1):
        where = f"Question row {n}"
        if _blank(row.get("text")):
            raise InvalidInput(f"{where}: the question has no text.")
        category = "" if _blank(row.get("category")) else str(row["category"]).strip()
        if category not in seen:
            raise InvalidInput(f"{where}: category {category!r} is not one of {', '.join(sorted(seen))}.")
        qtype = "" if _blank(row.get("type")) else str(row["type"]).strip()
        if qtype not in QUESTION_TYPES:
            raise InvalidInput(f"{where}: type {qtype!r} is not one of {', '.join(QUESTION_TYPES)}.")
        weight = 0.0 if qtype == "text" else _weight(row.get("weight"), where)
        options = parse_options(qtype, None if _blank(row.get("options")) else str(row["options"]), where)
        help_text = None if _blank(row.get("help_text")) else str(row["help_text"]).strip()
        qs.append((category, str(row["text"]).strip(), qtype, weight, help_text, options))
    if not any(q[2] != "text" and q[3] > 0 for q in qs):
        raise InvalidInput("A template needs at least one scored question (not free text, weight above 0).")
    return cats, qs


def _write_content(con: duckdb.DuckDBPyConnection, template_id: int, cats: list[tuple], qs: list[tuple]) -> None:
    category_ids = {}
    for position, (name, weight) in enumerate(cats):
        category_ids[name] = con.execute(
            "INSERT INTO scorecard_category (template_id, name, weight, position) VALUES (?, ?, ?, ?) RETURNING id",
            [template_id, name, weight, position],
        ).fetchall()[0][0]
    con.executemany(
        "INSERT INTO scorecard_question (category_id, text, qtype, weight, help_text, options, position)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [[category_ids[c], text, qtype, w, help_text, options, pos]
         for pos, (c, text, qtype, w, help_text, options) in enumerate(qs)],
    )


def save_template(db: Database, user: dict | None, template_id: int,
                  categories: list[dict], questions: list[dict]) -> int:
    """Save edited categories and questions; returns the id of the version that holds them."""
    cats, qs = validate(categories, questions)
    with db.transaction() as con:
        user = access.require_role(user, {"admin"}, "edit scorecard templates")
        found = fetch_dicts(con, "SELECT * FROM scorecard_template WHERE id = ?", [template_id])
        if not found:
            raise NotFound(f"There is no scorecard template with id {template_id}.")
        template = found[0]
        used = con.execute(
            "SELECT count(*) FROM scorecard_submission WHERE template_id = ?", [template_id]
        ).fetchall()[0][0]
        if template["status"] == "Draft" and not used:
            con.execute(
                "DELETE FROM scorecard_question WHERE category_id IN"
                " (SELECT id FROM scorecard_category WHERE template_id = ?)", [template_id]
            )
            con.execute("DELETE FROM scorecard_category WHERE template_id = ?", [template_id])
            _write_content(con, template_id, cats, qs)
            audit.record(con, user["id"], "scorecard_template", template_id,
                         {"content": (None, f"{len(cats)} categories, {len(qs)} questions")})
            return template_id
        next_version = con.execute(
            "SELECT max(version) + 1 FROM scorecard_template WHERE name = ?", [template["name"]]
        ).fetchall()[0][0]
        status = "Active" if template["status"] == "Active" else "Draft"
        if status == "Active":
            con.execute("UPDATE scorecard_template SET status = 'Archived' WHERE id = ?", [template_id])
            audit.record(con, user["id"], "scorecard_template", template_id, {"status": ("Active", "Archived")})
        new_id = con.execute(
            "INSERT INTO scorecard_template (name, version, status) VALUES (?, ?, ?) RETURNING id",
            [template["name"], next_version, status],
        ).fetchall()[0][0]
        _write_content(con, new_id, cats, qs)
        audit.record_created(con, user["id"], "scorecard_template", new_id,
                             {"name": template["name"], "version": next_version, "status": status,
                              "based_on": template_id})
    return new_id


def set_status(db: Database, user: dict | None, template_id: int, status: str) -> None:
    """Activate, archive or return a template to Draft; activating archives the name's other Active versions."""
    if status not in TEMPLATE_STATUSES:
        raise InvalidInput(f"Template status {status!r} is not one of {', '.join(TEMPLATE_STATUSES)}.")
    with db.transaction() as con:
        user = access.require_role(user, {"admin"}, "change scorecard templates")
        found = fetch_dicts(con, "SELECT * FROM scorecard_template WHERE id = ?", [template_id])
        if not found:
            raise NotFound(f"There is no scorecard template with id {template_id}.")
        old = found[0]
        if old["status"] == status:
            return
        if status == "Active":
            others = con.execute(
                "UPDATE scorecard_template SET status = 'Archived' WHERE name = ? AND status = 'Active' AND id <> ?"
                " RETURNING id", [old["name"], template_id]
            ).fetchall()
            for (other_id,) in others:
                audit.record(con, user["id"], "scorecard_template", other_id, {"status": ("Active", "Archived")})
        con.execute("UPDATE scorecard_template SET status = ? WHERE id = ?", [status, template_id])
        audit.record(con, user["id"], "scorecard_template", template_id, {"status": (old["status"], status)})
