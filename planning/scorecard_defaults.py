"""The default "Strategic Account Health" scorecard template shipped with every database.

Question types and how their answers become points (normalised to 0–100 by scorecards):
- rating: 1–5; yes_no: yes/no; choice: {"choices": {label: points}};
- number: {"thresholds": [[at_least, points], ...]} (highest threshold reached wins);
- text: free text, never scored.
"""

from __future__ import annotations

import json

import duckdb

DEFAULT_TEMPLATE_NAME = "Strategic Account Health"

# (category, weight, [(text, qtype, weight, help_text, options)])
DEFAULT_TEMPLATE: list[tuple[str, float, list[tuple]]] = [
    ("Relationship", 3, [
        ("How strong is our relationship with the economic buyer?", "rating", 2,
         "1 = never met, 5 = they call us for advice before they act.", None),
        ("Do we have an active champion who sells for us when we are not in the room?", "yes_no", 2,
         "A champion has power, influence and a personal win in our success.", None),
        ("How many executive-level relationships do we hold?", "number", 1,
         "Count VP level and above with at least one meeting this period.",
         {"thresholds": [[0, 0], [1, 40], [2, 70], [4, 100]]}),
        ("How does the customer see us?", "choice", 2,
         "The relationship status from the customer's point of view.",
         {"choices": {"Vendor": 0, "Preferred Supplier": 40, "Planning Partner": 75, "Trusted Advisor": 100}}),
    ]),
    ("Strategic Fit", 2, [
        ("Do our products address the customer's top three business priorities?", "rating", 2,
         "Use the customer's own annual report or strategy statements.", None),
        ("Is there an executive sponsor on our side for this account?", "yes_no", 1, None, None),
        ("Does the customer's growth plan create new demand for our portfolio?", "rating", 1,
         "1 = shrinking footprint, 5 = clear expansion roadmap.", None),
        ("Key strategic themes we align with", "text", 0, "Notes only: not scored.", None),
    ]),
    ("Financial Health", 2, [
        ("How healthy is the customer's business?", "rating", 1,
         "Revenue trend, margins, credit rating, public news.", None),
        ("Is budget allocated for the next purchase?", "choice", 2, None,
         {"choices": {"No budget": 0, "Budget being discussed": 50, "Budget approved": 100}}),
        ("Year-on-year growth of our revenue at this account (%)", "number", 1,
         "Won revenue this year against last year.",
         {"thresholds": [[-100, 0], [0, 40], [10, 70], [25, 100]]}),
    ]),
    ("Competitive Position", 2, [
        ("What share of the customer's spend in our categories do we hold?", "choice", 2, None,
         {"choices": {"Under 10%": 0, "10–30%": 35, "30–60%": 70, "Over 60%": 100}}),
        ("Is a competitor actively displacing us?", "yes_no", 2,
         "Answer 'no' when no competitor is actively working the account (a 'yes' scores 0).",
         {"invert": True}),
        ("How well differentiated is our offer in the customer's eyes?", "rating", 1, None, None),
        ("Main competitors present", "text", 0, "Notes only: not scored.", None),
    ]),
    ("Adoption & Value", 2, [
        ("How widely are our products used across the customer's business units?", "rating", 2,
         "1 = one team, 5 = standard across the company.", None),
        ("Has the customer confirmed measurable value from our products this year?", "yes_no", 2,
         "A business review, case study or reference counts.", None),
        ("Open critical support cases", "number", 1,
         "Fewer is better: 0 cases scores full points.",
         {"thresholds": [[0, 100], [1, 60], [3, 30], [6, 0]]}),
        ("Renewal risk", "choice", 1, None,
         {"choices": {"High": 0, "Medium": 50, "Low": 100}}),
    ]),
    ("Account Planning Discipline", 1, [
        ("Is the plan reviewed with the account team at least quarterly?", "yes_no", 1, None, None),
        ("How complete is the stakeholder map?", "rating", 1,
         "1 = one contact known, 5 = full buying centre mapped with support levels.", None),
    ]),
]


def install_default_template(con: duckdb.DuckDBPyConnection) -> int:
    """Create the default template (Active, version 1) if missing; returns its id."""
    existing = con.execute(
        "SELECT id FROM scorecard_template WHERE name = ? ORDER BY version DESC LIMIT 1",
        [DEFAULT_TEMPLATE_NAME],
    ).fetchall()
    if existing:
        return existing[0][0]
    template_id = con.execute(
        "INSERT INTO scorecard_template (name, version, status) VALUES (?, 1, 'Active') RETURNING id",
        [DEFAULT_TEMPLATE_NAME],
    ).fetchall()[0][0]
    for c_pos, (category, weight, questions) in enumerate(DEFAULT_TEMPLATE):
        category_id = con.execute(
            "INSERT INTO scorecard_category (template_id, name, weight, position) VALUES (?, ?, ?, ?) RETURNING id",
            [template_id, category, weight, c_pos],
        ).fetchall()[0][0]
        for q_pos, (text, qtype, q_weight, help_text, options) in enumerate(questions):
            con.execute(
                "INSERT INTO scorecard_question (category_id, text, qtype, weight, help_text, options, position)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [category_id, text, qtype, q_weight, help_text, json.dumps(options) if options else None, q_pos],
            )
    return template_id
