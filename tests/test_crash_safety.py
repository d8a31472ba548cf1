"""Crash safety: an import killed (SIGKILL) in the middle of its write leaves the database as it was.

The importer validates in temporary tables, then writes everything in one transaction. A big
insert makes DuckDB write finished row groups into the database file before the commit (the
file grows), and the commit itself is the write-ahead-log record that follows. So "the file has
started to grow" is an outside observation that the child is inside its write transaction and
has not committed yet; killing it there must leave every table exactly as before.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from planning.db import Database
from planning.db.backup import table_fingerprints
from planning.importing import ingest
from tests.conftest import ROOT

# The kill is timed by the DuckDB file growing: PostgreSQL's version is in test_postgres_processes.py.
pytestmark = pytest.mark.duckdb_only

ROWS = 250_000
DEMO_ACCOUNTS = 48


@pytest.fixture(scope="module")
def big_extract(tmp_path_factory) -> Path:
    """250,000 new opportunities on the demo accounts (Salesforce API names), ~23 MB."""
    path = tmp_path_factory.mktemp("crash") / "Opportunity.csv"
    duckdb.connect().execute(
        f"""
        COPY (
            SELECT printf('006CRASH%07d', i) AS Id, printf('001DEMO%05d', 1 + i % {DEMO_ACCOUNTS}) AS AccountId,
                   printf('Crash test deal %d', i) AS Name,
                   ['Prospecting', 'Qualification', 'Negotiation', 'Closed Won', 'Closed Lost'][1 + i % 5] AS StageName,
                   1000 + (i * 37) % 90000 AS Amount, DATE '2026-01-01' + CAST(i % 365 AS INTEGER) AS CloseDate,
                   DATE '2025-06-01' + CAST(i % 200 AS INTEGER) AS CreatedDate
            FROM range({ROWS}) t(i)
        ) TO '{path}' (HEADER)
        """
    )
    return path


def fingerprints(path: Path) -> dict:
    con = duckdb.connect(str(path))
    try:
        return table_fingerprints(con)
    finally:
        con.close()


def import_and_kill_while_writing(db_path: Path, extract: Path) -> subprocess.Popen:
    """Start `planning import`, SIGKILL it as soon as its transaction writes into the file."""
    size_before = db_path.stat().st_size
    child = subprocess.Popen(
        [sys.executable, "-m", "planning.cli", "--db", str(db_path), "import", "opportunities", str(extract)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        if db_path.stat().st_size > size_before:
            os.kill(child.pid, signal.SIGKILL)
            break
        time.sleep(0.002)
    child.wait(timeout=30)
    return child


@pytest.fixture(scope="module")
def crashed(demo_template, tmp_path_factory, big_extract) -> dict:
    """A copy of the demo book whose big import was killed mid-write, with its pre-import fingerprints."""
    db_path = tmp_path_factory.mktemp("crashed") / "demo.duckdb"
    shutil.copy(demo_template, db_path)
    before = fingerprints(db_path)
    child = import_and_kill_while_writing(db_path, big_extract)
    return {"path": db_path, "before": before, "child": child}


def test_the_import_was_killed_not_finished(crashed):
    child = crashed["child"]
    assert child.returncode == -signal.SIGKILL, child.stderr.read().decode()[-500:]
    assert child.stdout.read() == b""  # it never printed its report


def test_after_the_kill_the_database_opens_and_every_table_is_as_before(crashed):
    after = fingerprints(crashed["path"])  # opens: no error, no repair step
    assert after == crashed["before"]


def test_the_same_import_runs_cleanly_after_the_crash(crashed, tmp_path, big_extract):
    db_path = tmp_path / "demo.duckdb"
    for source in crashed["path"].parent.iterdir():  # the file and any write-ahead log beside it
        shutil.copy(source, tmp_path / source.name)
    before = crashed["before"]

    report = ingest.import_csv(Database(db_path), "opportunities", big_extract)

    assert (report.inserted, report.updated, report.rejected) == (ROWS, 0, 0)
    after = fingerprints(db_path)
    assert after["opportunity"][0] == before["opportunity"][0] + ROWS
    assert after["import_batch"][0] == before["import_batch"][0] + 1
