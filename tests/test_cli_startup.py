"""The CLI starts light (issue #17): `--help` loads no command module, a command only its own."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys

from planning import cli

PROBE = """
import sys
from planning.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in ("pandas", "altair", "streamlit", "duckdb", "numpy", "planning.kpis") if m in sys.modules)
print("LOADED", heavy, file=sys.stderr)
sys.exit(code)
"""


def _loaded(*argv: str, db: str | None = None) -> tuple[subprocess.CompletedProcess, list[str]]:
    env = {**os.environ, **({"PLANNING_DB": db} if db else {})}
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env)
    line = [text for text in done.stderr.splitlines() if text.startswith("LOADED ")][-1]
    return done, json.loads(line.removeprefix("LOADED ").replace("'", '"'))


def test_the_command_table_matches_what_each_module_registers():
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers()
    found = {}
    for module in dict.fromkeys(module for module, _ in cli.COMMANDS.values()):
        before = set(subparsers.choices)
        importlib.import_module(f"planning.commands.{module}").register(subparsers)
        for action in subparsers._choices_actions:
            if action.dest not in before:
                found[action.dest] = (module, action.help)
    assert found == cli.COMMANDS


def test_help_lists_every_command_and_imports_no_domain_code():
    done, loaded = _loaded("--help")
    assert done.returncode == 0
    for name in cli.COMMANDS:
        assert name in done.stdout
    assert "copy the database into a new or empty directory" in done.stdout
    assert loaded == []


def test_a_subcommand_help_is_its_full_parser():
    done, _ = _loaded("--db", "x.duckdb", "kpis", "--help")
    assert done.returncode == 0
    assert "--plan" in done.stdout and "--all" in done.stdout


def test_kpis_for_one_plan_needs_no_pandas(demo_db):
    plan_id = demo_db.value("SELECT min(id) FROM plan")
    done, loaded = _loaded("kpis", "--plan", str(plan_id), "--json", db=str(demo_db.path))
    assert done.returncode == 0, done.stderr
    assert "pandas" not in loaded and "altair" not in loaded and "streamlit" not in loaded
    assert json.loads(done.stdout) == json.loads(json.dumps(__import__("planning.kpis").kpis.kpis_for_plan(demo_db, plan_id)))


def test_an_unknown_command_is_refused_by_argparse():
    done, _ = _loaded("frobnicate")
    assert done.returncode == 2
    assert "invalid choice: 'frobnicate'" in done.stderr


def test_an_import_needs_no_pandas(tmp_path):
    """`planning import` prints counts, notes and warnings: pandas (~0.4 s to load) is not needed."""
    db, extract = tmp_path / "book.duckdb", tmp_path / "Opportunity.csv"
    extract.write_text("Id,Name,StageName,CloseDate,Amount\n006A,Deal A,Prospecting,2026-03-01,1000\n")
    done, loaded = _loaded("import", "opportunities", str(extract), db=str(db))
    assert done.returncode == 0, done.stderr
    assert "1 inserted, 0 updated" in done.stdout
    extract.write_text("Id,Name,StageName,CloseDate,Amount\n006A,Deal A,Prospecting,2026-03-01,2000\n")
    again, loaded_again = _loaded("import", "opportunities", str(extract), db=str(db))
    assert again.returncode == 0, again.stderr
    assert "0 inserted, 1 updated" in again.stdout
    assert "pandas" not in loaded and "pandas" not in loaded_again
