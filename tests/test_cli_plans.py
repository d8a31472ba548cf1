"""`planning plan create|list` and `planning kpis`: exact output, one-line refusals."""

from __future__ import annotations

import json

import pytest

from planning import kpis
from planning.cli import main


@pytest.fixture
def cli_db(fresh_db):
    with fresh_db.transaction() as con:
        con.execute("INSERT INTO app_user (name, email, role) VALUES "
                    "('Ada Admin', 'ada@example.com', 'admin'), ('Rita Rep', 'rita@example.com', 'rep')")
        acme = con.execute("INSERT INTO account (name, external_id) VALUES ('Acme', '001A') RETURNING id").fetchall()[0][0]
        con.execute("INSERT INTO business_unit (account_id, name) VALUES (?, 'North')", [acme])
        con.execute(
            "INSERT INTO opportunity (account_id, name, stage, amount, close_date, created_date) VALUES"
            " (?, 'Won deal', 'Closed Won', 1200, DATE '2026-03-01', DATE '2026-02-01'),"
            " (?, 'Open deal', 'Negotiation/Review', 1000, DATE '2026-12-31', NULL)",
            [acme, acme],
        )
    fresh_db.acme = acme
    return fresh_db


def run(db, capsys, *argv) -> tuple[int, str, str]:
    code = main(["--db", str(db.path), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_create_prints_the_new_id(cli_db, capsys):
    code, out, err = run(cli_db, capsys, "plan", "create", "--account", "Acme", "--start", "2026-01-01",
                         "--end", "2026-12-31", "--target", "10000", "--business-unit", "north", "--owner", "rita@example.com")
    assert (code, err) == (0, "")
    plan = cli_db.one("SELECT * FROM plan WHERE id = ?", [int(out.strip())])
    assert (plan["name"], plan["period_kind"], float(plan["sales_target"]), plan["is_primary"]) == ("Acme FY2026", "year", 10_000, True)
    assert cli_db.value("SELECT name FROM app_user WHERE id = ?", [plan["owner_id"]]) == "Rita Rep"
    assert cli_db.value("SELECT name FROM business_unit WHERE id = ?", [plan["business_unit_id"]]) == "North"


def test_plan_create_primary_and_name(cli_db, capsys):
    run(cli_db, capsys, "plan", "create", "--account", "001A", "--start", "2026-01-01", "--end", "2026-06-30", "--target", "1")
    code, out, _ = run(cli_db, capsys, "plan", "create", "--account", str(cli_db.acme), "--start", "2026-07-01",
                       "--end", "2026-12-31", "--target", "1", "--name", "H2 push", "--primary")
    assert code == 0
    assert cli_db.rows("SELECT name FROM plan WHERE is_primary") == [{"name": "H2 push"}]


@pytest.mark.parametrize("argv, message", [
    (["--account", "Nope"], "planning: No account has the id, CRM id or name 'Nope'.\n"),
    (["--account", "Acme", "--business-unit", "South"], "planning: The account has no business unit called 'South' (it has: North).\n"),
    (["--account", "Acme", "--end", "2025-01-01"], "planning: The period ends (2025-01-01) before it starts (2026-01-01); swap the dates.\n"),
    (["--account", "Acme", "--as", "Rita Rep", "--target", "-5"], "planning: The sales target must be zero or more.\n"),
])
def test_plan_create_refusals_are_one_line(cli_db, capsys, argv, message):
    base = {"--start": "2026-01-01", "--end": "2026-12-31", "--target": "100"}
    for flag, value in zip(argv[::2], argv[1::2]):
        base[flag] = value
    code, out, err = run(cli_db, capsys, "plan", "create", *[x for kv in base.items() for x in kv])
    assert (code, out, err) == (1, "", message)
    assert cli_db.value("SELECT count(*) FROM plan") == 0


def test_plan_list_json(cli_db, capsys):
    run(cli_db, capsys, "plan", "create", "--account", "Acme", "--start", "2026-01-01", "--end", "2026-12-31", "--target", "10000")
    code, out, _ = run(cli_db, capsys, "plan", "list", "--json")
    assert code == 0
    assert json.loads(out) == [{
        "id": 1, "name": "Acme FY2026", "account": "Acme", "period_start": "2026-01-01", "period_end": "2026-12-31",
        "status": "Draft", "is_primary": True, "owner": "Ada Admin", "business_unit": None, "sales_target": 10000.0,
        "parent_plan_id": None,
    }]
    code, out, _ = run(cli_db, capsys, "plan", "list")
    assert "Acme FY2026" in out.splitlines()[1]


def test_kpis_for_one_plan_as_json(cli_db, capsys):
    run(cli_db, capsys, "plan", "create", "--account", "Acme", "--start", "2026-01-01", "--end", "2026-12-31", "--target", "10000")
    code, out, _ = run(cli_db, capsys, "kpis", "--plan", "1", "--json")
    assert code == 0
    assert json.loads(out) == {
        "target": 10000.0, "won": 1200.0, "lost": 0.0, "pipeline": 1000.0, "weighted_pipeline": 900.0,
        "expected": 2100.0, "variance": -7900.0, "pct_achieved": 0.12, "expected_pct": 0.21,
        "coverage": 1000 / 8800, "won_count": 1, "lost_count": 0, "open_count": 1, "win_rate_count": 1.0,
        "win_rate_value": 1.0, "avg_cycle_days": 28.0,
    }


def test_kpis_for_all_plans_as_json_list(cli_db, capsys):
    for target in ("10000", "0"):
        run(cli_db, capsys, "plan", "create", "--account", "Acme", "--start", "2026-01-01", "--end", "2026-12-31", "--target", target)
    code, out, _ = run(cli_db, capsys, "kpis", "--all", "--json")
    rows = json.loads(out)
    assert [list(r) for r in rows] == [["plan_id", *kpis.KPI_KEYS]] * 2
    assert [(r["plan_id"], r["pct_achieved"], r["coverage"]) for r in rows] == [(1, 0.12, 1000 / 8800), (2, None, None)]


def test_kpis_table_is_readable(cli_db, capsys):
    run(cli_db, capsys, "plan", "create", "--account", "Acme", "--start", "2026-01-01", "--end", "2026-12-31", "--target", "10000")
    _, out, _ = run(cli_db, capsys, "kpis", "--plan", "1")
    assert "won                1,200.00" in out and "pct_achieved       12.0%" in out
    _, out, _ = run(cli_db, capsys, "kpis", "--all")
    assert out.splitlines()[0].split() == ["plan_id", "target", "won", "pipeline", "expected", "variance", "pct_achieved", "coverage"]


def test_kpis_for_an_unknown_plan_is_one_line(cli_db, capsys):
    assert run(cli_db, capsys, "kpis", "--plan", "42", "--json") == (1, "", "planning: There is no plan with id 42.\n")
