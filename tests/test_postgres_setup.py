"""The PostgreSQL plumbing around the suite and the app: finding a test server, and a server that is not there."""

from __future__ import annotations

import os
import subprocess

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

NOBODY = "postgresql://postgres@127.0.0.1:1/planning"  # port 1: nothing listens there


def test_the_app_says_in_one_sentence_that_the_database_cannot_be_reached(monkeypatch):
    monkeypatch.setenv("PLANNING_DB", NOBODY)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception, at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith("Cannot reach the PostgreSQL database postgresql")  # (Markdown-escaped URL)
    assert error.endswith("Check that the server is running and the URL (--db or PLANNING\\_DB) is right.")


def test_the_test_server_script_refuses_a_named_server_that_does_not_answer():
    done = subprocess.run(["tools/test_postgres.sh"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PLANNING_TEST_PG=NOBODY))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"test_postgres: PLANNING_TEST_PG={NOBODY} does not answer\n"
