"""`planning portfolio [--json] [--period YYYY] [--owner NAME]`: exact output, one-line refusals."""

from __future__ import annotations

import json

import pytest

from planning.cli import main
from tests.portfolio_book import build_book


@pytest.fixture
def book(fresh_db):
    fresh_db.ids = build_book(fresh_db)
    return fresh_db


def run(db, capsys, *argv) -> tuple[int, str, str]:
    code = main(["--db", str(db.path), "portfolio", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_for_one_owner(book, capsys):
    code, out, err = run(book, capsys, "--json", "--period", "2026", "--owner", "Ann Rep")
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert set(found) == {"filters", "headline", "with_plan", "without_plan", "plans"}
    assert found["headline"] == {
        "plans": 3, "target": 150_000.0, "won": 80_000.0, "weighted_pipeline": 20_000.0, "expected": 100_000.0,
        "variance": -50_000.0, "pipeline": 40_000.0, "expected_pct": pytest.approx(2 / 3),
        "behind": 0, "on_track": 1, "ahead": 1, "no_target": 1,
    }
    assert found["with_plan"] == [{
        "account_id": book.ids["alpha"], "account": "Alpha", "owner": "Ann Rep", "territory": "East",
        "segment": "Strategic Customer", "tier": 2, "strategic_because": "Strategic Customer segment",
        "selection_score": 75.0, "plan_id": book.ids["p1"], "plan": "Alpha FY2026",
    }]
    assert [a["account"] for a in found["without_plan"]] == ["Delta"]
    assert [(p["plan"], p["performance"]) for p in found["plans"]] == [
        ("Alpha FY2026", "On track"), ("Alpha Unit X FY2026", "Ahead"), ("Delta FY2026", "No target"),
    ]


def test_period_chooses_the_year(book, capsys):
    code, out, _ = run(book, capsys, "--json", "--period", "2025")
    found = json.loads(out)
    assert found["headline"]["plans"] == 1
    assert [a["account"] for a in found["with_plan"]] == ["Delta"]


def test_text_output(book, capsys):
    code, out, _ = run(book, capsys, "--period", "2026", "--owner", "bob@example.com")
    assert code == 0
    assert out.splitlines() == [
        "Portfolio FY2026: 1 plan",
        "  target $200,000 · won $180,000 · weighted $0 · expected $180,000 (90% of target) · variance -$20,000",
        "  behind 0 · on track 1 · ahead 0 · no target 0",
        "Strategic accounts with a plan (1):",
        "  Bravo — Bravo FY2026 (owner Bob Rep)",
        "Strategic accounts without a plan (0):",
        "Plans, Behind first, biggest gap first:",
        "  [On track] Bravo FY2026: expected $180,000 of $200,000 (variance -$20,000)",
    ]


def test_unknown_owner_is_refused_on_one_line(book, capsys):
    code, out, err = run(book, capsys, "--owner", "Nobody")
    assert (code, out) == (1, "")
    assert err == "planning: No user is called or has the email 'Nobody'.\n"


def test_missing_database_is_refused(tmp_path, capsys):
    code = main(["--db", str(tmp_path / "none.duckdb"), "portfolio"])
    assert code == 1
    assert "does not exist; run `planning init` first." in capsys.readouterr().err
