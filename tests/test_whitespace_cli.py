"""`planning whitespace --plan ID [--json]` prints the plan's cells and totals."""

from __future__ import annotations

import json

from planning import whitespace
from planning.cli import main
from tests.test_whitespace import build, user


def test_json_lists_cells_and_totals(fresh_db, capsys):
    ids = build(fresh_db)
    whitespace.set_cell(fresh_db, user(ids, "owner"), ids["plan"], ids["Marketing"], ids["Beta"], "Competitor",
                        competitor="Rivalsoft", estimated_value=1000, expected_version=0)
    assert main(["--db", fresh_db.target, "whitespace", "--plan", str(ids["plan"]), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert list(document) == ["cells", "totals"]
    assert len(document["cells"]) == 9
    assert document["cells"][:3] == [
        {"business_unit": "Finance", "product": "Alpha", "status": "Sold", "manual": False, "value": 100.0, "estimated": False},
        {"business_unit": "Finance", "product": "Beta", "status": "Open", "manual": False, "value": None, "estimated": False},
        {"business_unit": "Finance", "product": "Gamma", "status": "Sold", "manual": False, "value": 30.0, "estimated": False},
    ]
    marketing = {c["product"]: c for c in document["cells"] if c["business_unit"] == "Marketing"}
    assert marketing["Alpha"] == {"business_unit": "Marketing", "product": "Alpha", "status": "Open", "manual": False,
                                  "value": 300.0, "estimated": True}
    assert marketing["Beta"]["manual"] is True and marketing["Beta"]["value"] == 1000.0
    assert document["totals"] == {"sold": 200.0, "in_progress": 55.0, "open_value": 420.0,
                                  "competitor_value": 1000.0, "whitespace_value": 1420.0}


def test_table_marks_manual_cells_and_estimates(fresh_db, capsys):
    ids = build(fresh_db)
    assert main(["--db", fresh_db.target, "whitespace", "--plan", str(ids["plan"])]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["business", "unit", "product", "status", "value"]
    assert out[-1] == "sold 200.00, in progress 55.00, open value 420.00, competitor value 0.00, whitespace value 420.00"
    assert any(line.startswith("Marketing") and "Alpha" in line and line.endswith("300.00 estimate") for line in out)


def test_unknown_plan_is_one_line_on_stderr(fresh_db, capsys):
    assert main(["--db", fresh_db.target, "whitespace", "--plan", "404"]) == 1
    assert capsys.readouterr().err == "planning: There is no plan with id 404.\n"
