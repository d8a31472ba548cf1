"""Database.held(): the app keeps the file open for one script run, and lets go after it (#17)."""

from __future__ import annotations

import subprocess
import sys
import threading

import duckdb
import pytest

from planning.db import database
from tests.conftest import ROOT

pytestmark = [pytest.mark.duckdb_only, pytest.mark.file_free]  # the DuckDB file held open for a script run

OPENER = """
import sys, duckdb
try:
    duckdb.connect(sys.argv[1]).close()
    print("opened")
except duckdb.IOException as exc:
    print("locked" if "lock" in str(exc).lower() else exc)
"""


def _other_process_can_open(path) -> str:
    return subprocess.run([sys.executable, "-c", OPENER, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60).stdout.strip()


def test_the_file_is_held_for_the_block_and_free_after_it(demo_db):
    with demo_db.held():
        assert _other_process_can_open(demo_db.path) == "locked"
        with demo_db.held():  # re-entrant: the inner block does not let go
            pass
        assert _other_process_can_open(demo_db.path) == "locked"
        assert demo_db.value("SELECT count(*) FROM plan") == 44  # reads work as ever
    assert _other_process_can_open(demo_db.path) == "opened"
    assert database._held == {}


def test_connections_inside_reuse_the_open_database(demo_db, monkeypatch):
    with demo_db.held():
        anchor = database._held[str(demo_db.path.resolve())][0]
        opened = []
        real = duckdb.connect
        monkeypatch.setattr(duckdb, "connect", lambda *a, **k: opened.append(a) or real(*a, **k))
        with demo_db.transaction() as con:
            con.execute("UPDATE plan SET vision = 'held' WHERE id = 3")
        assert anchor.execute("SELECT vision FROM plan WHERE id = 3").fetchall() == [("held",)]
    assert len(opened) == 1


def test_threads_share_one_hold_and_the_last_one_out_lets_go(demo_db):
    inside, release = threading.Barrier(3), threading.Event()

    def session():
        with demo_db.held():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=session) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    assert database._held[str(demo_db.path.resolve())][1] == 2
    release.set()
    for t in threads:
        t.join()
    assert database._held == {}
    assert _other_process_can_open(demo_db.path) == "opened"
