"""Several processes on one PostgreSQL database (issue #18): app replicas and a cron import at once.

On DuckDB one process writes the file at a time and the per-process writer lock serialises
sessions; on PostgreSQL nothing but the database keeps app replicas apart. So here:
- a save in one app process shows in another on its next rerun (the read cache keys on the
  database's change counters, not on this process's writes);
- two connections saving one record from the same loaded version: the later is refused with
  StaleEdit (the versioned UPDATE's row count), never both "saved";
- a `planning import` commits in one transaction while app processes read: every read sees
  all of it or none of it, and nothing is lost or counted twice;
- an import killed inside its transaction leaves every table as it was.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import psycopg
import pytest

from planning import kpis, users, whitespace
from planning.db import Database
from planning.db.backup import table_fingerprints
from planning.errors import StaleEdit
from tests.conftest import DEFAULT_USER, ON_POSTGRES, ROOT

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="cross-process tests of PostgreSQL: PLANNING_TEST_BACKEND=postgres")

PLAN, UNIT, PRODUCT = 3, 1, 1  # Summit Logistics FY2026 (account 001DEMO00001) and one whitespace cell
DISCUSSION = "Discussion & files"
NEW_DEALS = 3000
WON_EACH = 1000

# A second app process: an AppTest of app.py driven by one JSON command per stdin line.
APP_PROCESS = r"""
import json, sys
from streamlit.testing.v1 import AppTest

at = None

def texts():
    return [t.value for t in at.text] + [m.value for m in at.markdown]

def reply(**fields):
    print(json.dumps(fields, default=str), flush=True)

for line in sys.stdin:
    command = json.loads(line)
    if command["do"] == "open":
        at = AppTest.from_file("app.py", default_timeout=60)
        at.session_state["current_user_name"] = command["user"]
        for key, value in command["query"].items():
            at.query_params[key] = value
        at.run()
        at.switch_page(command["page"]).run()
    elif command["do"] == "rerun":
        at.run()
    elif command["do"] == "post":
        next(w for w in at.text_area if w.label == "Comment or file description").input(command["text"])
        next(b for b in at.button if b.label == "Post").click().run()
    reply(exception=[str(e.message)[:300] for e in at.exception], success=[s.value for s in at.success],
          texts=texts(), sidebar=[c.value for c in at.sidebar.caption])
"""


class AppProcess:
    """Another app process (replica) on the same database."""

    def __init__(self, target: str):
        self.process = subprocess.Popen(
            [sys.executable, "-c", APP_PROCESS], cwd=ROOT, env=dict(os.environ, PLANNING_DB=target),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def send(self, **command) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"the app process died: {self.process.stderr.read()[-2000:] if self.process.stderr else ''}")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def other_app(demo_db):
    replica = AppProcess(demo_db.target)
    yield replica
    replica.close()


def _texts(at) -> list[str]:
    return [t.value for t in at.text] + [m.value for m in at.markdown]


def test_a_save_in_one_app_process_is_seen_by_the_other_on_its_next_rerun(app_test, other_app):
    here = app_test("pages/plan.py", query={"plan": str(PLAN), "tab": DISCUSSION})
    assert not here.exception, here.exception
    there = other_app.send(do="open", page="pages/plan.py", query={"plan": str(PLAN), "tab": DISCUSSION}, user=DEFAULT_USER)
    assert there["exception"] == []
    assert "Posted in the other replica" not in _texts(here)

    there = other_app.send(do="post", text="Posted in the other replica")
    assert (there["exception"], there["success"]) == ([], ["Posted."])
    here.run()  # this replica's next rerun: its cache must not hide the other's commit
    assert not here.exception, here.exception
    assert "Posted in the other replica" in _texts(here)

    next(w for w in here.text_area if w.label == "Comment or file description").input("Answered from this replica")
    next(b for b in here.button if b.label == "Post").click().run()
    assert [s.value for s in here.success] == ["Posted."]
    there = other_app.send(do="rerun")
    assert "Answered from this replica" in there["texts"]
    assert app_test.db.value("SELECT count(*) FROM comment WHERE body IN (?, ?)",
                             ["Posted in the other replica", "Answered from this replica"]) == 2


def _waiting_on_a_lock(con) -> bool:
    """Is another backend of this database blocked by `con`'s locks?"""
    with psycopg.connect(con.info.dsn, autocommit=True) as probe:
        return bool(probe.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                  " AND %s = ANY(pg_blocking_pids(pid))", [con.info.backend_pid]).fetchone()[0])


def _cell(db: Database) -> tuple[int, str | None]:
    """The cell's version and note, read on a connection of its own: past the read cache, which
    (by design) sees only writes made through the app's units of work, not this test's raw ones."""
    with psycopg.connect(db.target) as con:
        row = con.execute("SELECT version, note FROM whitespace_cell WHERE plan_id = %s AND business_unit_id = %s"
                          " AND product_id = %s", [PLAN, UNIT, PRODUCT]).fetchone()
    return (row[0], row[1]) if row else (0, None)


def _cell_version(db: Database) -> int:
    return _cell(db)[0]


def _race(db: Database, uncommitted_sql: str, params: list, save) -> tuple[bool, dict]:
    """Run `uncommitted_sql` on a connection of its own and, before it commits, `save()` in a thread
    (the app's code on its own connection). Returns whether the save was seen waiting on the first
    connection's locks, and what the save did: {"saved": …} / {"stale": message} / {"error": …}."""
    outcome: dict = {}

    def save_from_the_app():
        try:
            outcome["saved"] = save()
        except StaleEdit as exc:
            outcome["stale"] = str(exc)
        except Exception as exc:  # noqa: BLE001 - anything else is what this test reports
            outcome["error"] = f"{type(exc).__name__}: {exc}"

    with psycopg.connect(db.target, autocommit=False) as first:
        first.execute(uncommitted_sql, params)
        second = threading.Thread(target=save_from_the_app)
        second.start()
        deadline = time.monotonic() + 30
        while not _waiting_on_a_lock(first) and second.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        waiting = _waiting_on_a_lock(first)
        first.commit()
    second.join(timeout=30)
    assert not second.is_alive()
    return waiting, outcome


def test_a_save_racing_an_uncommitted_save_of_the_same_record_is_refused_with_stale_edit(demo_db):
    """Connection 1 has updated the cell from version v and not committed; a save from version v
    through the app's code (its own connection) waits on the row, then finds version v gone."""
    ada = users.find_user(demo_db, DEFAULT_USER)
    whitespace.set_cell(demo_db, ada, PLAN, UNIT, PRODUCT, "Open", note="start", expected_version=_cell_version(demo_db))
    loaded = _cell_version(demo_db)
    waiting, outcome = _race(
        demo_db, "UPDATE whitespace_cell SET note = 'first', version = version + 1"
                 " WHERE plan_id = %s AND business_unit_id = %s AND product_id = %s AND version = %s",
        [PLAN, UNIT, PRODUCT, loaded],
        lambda: whitespace.set_cell(Database(demo_db.target), ada, PLAN, UNIT, PRODUCT, "Sold",
                                    note="second", expected_version=loaded))
    assert waiting, outcome  # its version check passed; its UPDATE waited on the row
    # Refused by the UPDATE's row count (audit.saved_one), after the first save committed.
    assert outcome == {"stale": "Someone saved this whitespace cell after you opened it. Reload it and apply your edit again."}
    assert _cell(demo_db) == (loaded + 1, "first")


def test_two_first_saves_of_a_new_cell_racing_one_creates_it_the_other_is_stale(demo_db):
    """Connection 1 has created the cell and not committed; the app's first save of the same cell
    (it loaded "no cell", version 0) waits on the unique index (migration 0220), then is refused."""
    ada = users.find_user(demo_db, DEFAULT_USER)
    free = demo_db.one(
        "SELECT u.id AS unit, pr.id AS product FROM business_unit u JOIN plan p ON p.account_id = u.account_id"
        " CROSS JOIN product pr WHERE p.id = ? AND NOT EXISTS (SELECT 1 FROM whitespace_cell c WHERE c.plan_id = p.id"
        " AND c.business_unit_id = u.id AND c.product_id = pr.id) ORDER BY u.id, pr.id LIMIT 1", [PLAN])
    waiting, outcome = _race(
        demo_db, "INSERT INTO whitespace_cell (plan_id, business_unit_id, product_id, status, note)"
                 " VALUES (%s, %s, %s, 'Sold', 'first')",
        [PLAN, free["unit"], free["product"]],
        lambda: whitespace.set_cell(Database(demo_db.target), ada, PLAN, free["unit"], free["product"],
                                    "Open", note="second", expected_version=0))
    assert waiting, outcome
    assert list(outcome) == ["stale"], outcome
    assert outcome["stale"].startswith("Someone else saved this cell at the same moment.")
    with psycopg.connect(demo_db.target) as con:
        assert con.execute("SELECT count(*), min(note) FROM whitespace_cell WHERE plan_id = %s AND business_unit_id = %s"
                           " AND product_id = %s", [PLAN, free["unit"], free["product"]]).fetchone() == (1, "first")


SAVER = r"""
import sys
from planning import users, whitespace
from planning.db import Database
from planning.errors import StaleEdit

db = Database(sys.argv[1])
plan, unit, product, rounds, me = map(int, sys.argv[2:7])
ada = users.find_user(db, "Ada Admin")
for step in range(rounds):
    loaded = db.value("SELECT version FROM whitespace_cell WHERE plan_id = ? AND business_unit_id = ? AND product_id = ?",
                      [plan, unit, product]) or 0
    print("loaded", loaded, flush=True)
    sys.stdin.readline()  # the test says go to both processes at once
    try:
        whitespace.set_cell(db, ada, plan, unit, product, "Open", note=f"p{me}-{step}", expected_version=loaded)
        print("saved", loaded, flush=True)
    except StaleEdit:
        print("stale", loaded, flush=True)
"""


def _died(processes) -> list[str]:
    """What the processes that stopped answering wrote to stderr."""
    for p in processes:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
    return [p.stderr.read()[-1500:] for p in processes]


def test_two_processes_saving_one_record_from_the_same_version_one_wins_one_gets_stale_edit(demo_db):
    ada = users.find_user(demo_db, DEFAULT_USER)
    whitespace.set_cell(demo_db, ada, PLAN, UNIT, PRODUCT, "Open", note="start", expected_version=_cell_version(demo_db))
    start = _cell_version(demo_db)
    rounds = 6
    savers = [subprocess.Popen([sys.executable, "-c", SAVER, demo_db.target, str(PLAN), str(UNIT), str(PRODUCT), str(rounds), str(n)],
                               cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for n in (1, 2)]
    outcomes = []
    try:
        for _ in range(rounds):
            loaded = [p.stdout.readline().split() for p in savers]
            assert [w[:1] for w in loaded] == [["loaded"], ["loaded"]], _died(savers)
            for p in savers:
                p.stdin.write("go\n")
                p.stdin.flush()
            answers = [p.stdout.readline().split() for p in savers]
            assert all(answers), _died(savers)
            outcomes.append(sorted((answer[0], version) for answer, (_, version) in zip(answers, loaded)))
    finally:
        for p in savers:
            p.stdin.close()
            p.wait(timeout=30)
    for pair in outcomes:  # when both loaded the same version, exactly one of them saved
        if pair[0][1] == pair[1][1]:
            assert [outcome for outcome, _ in pair] == ["saved", "stale"], outcomes
    saved = sum(outcome == "saved" for pair in outcomes for outcome, _ in pair)
    assert _cell_version(demo_db) == start + saved
    bumps = demo_db.value("SELECT count(*) FROM audit_log WHERE entity = 'whitespace_cell' AND field = 'version'"
                          " AND CAST(new_value AS INTEGER) > ?", [start])
    assert bumps == saved  # every save audited once, none lost, none applied over another


def _extract(path: Path) -> None:
    """NEW_DEALS won deals of $1,000 on Summit Logistics, closing in FY2026."""
    duckdb.connect().execute(
        f"""
        COPY (SELECT printf('006XPROC%05d', i) AS Id, '001DEMO00001' AS AccountId, printf('Cross-process deal %d', i) AS Name,
                     'Closed Won' AS StageName, {WON_EACH} AS Amount, DATE '2026-03-01' AS CloseDate,
                     DATE '2026-01-15' AS CreatedDate
              FROM range({NEW_DEALS}) t(i)) TO '{path}' (HEADER)
        """
    )


def _book(db: Database) -> tuple[int, float]:
    """Opportunities and their total amount, read in one statement (one snapshot)."""
    row = db.one("SELECT count(*) AS n, coalesce(sum(amount), 0) AS total FROM opportunity")
    return row["n"], float(row["total"])


def test_an_import_commits_all_at_once_while_two_app_processes_read(app_test, other_app, tmp_path):
    db = app_test.db
    extract = tmp_path / "cron.csv"
    _extract(extract)
    before = _book(db)
    won_before = kpis.kpis_for_plan(db, PLAN)
    here = app_test("pages/plan.py", query={"plan": str(PLAN)})
    assert not here.exception, here.exception
    there = other_app.send(do="open", page="pages/plan.py", query={"plan": str(PLAN)}, user=DEFAULT_USER)
    assert there["exception"] == []
    sidebar_before = next(c for c in there["sidebar"] if "opportunities" in c)

    cli = subprocess.Popen([sys.executable, "-m", "planning.cli", "--db", db.target, "import", "opportunities", str(extract)],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = set()
    while cli.poll() is None:  # both replicas keep reading while cron imports
        seen.add(_book(db))
        here.run()
        assert not here.exception, here.exception
        assert other_app.send(do="rerun")["exception"] == []
    out, err = cli.communicate()
    assert (cli.returncode, err) == (0, ""), out
    assert out.startswith(f"cron.csv (opportunities, Salesforce opportunities export) imported: {NEW_DEALS} inserted, 0 updated")

    after = (before[0] + NEW_DEALS, before[1] + NEW_DEALS * WON_EACH)
    assert seen <= {before, after}  # never a part of the import
    assert _book(db) == after
    figures = kpis.kpis_for_plan(db, PLAN)  # counted once, in the plan's KPIs too
    assert (figures["won_count"], figures["won"]) == (won_before["won_count"] + NEW_DEALS, won_before["won"] + NEW_DEALS * WON_EACH)
    there = other_app.send(do="rerun")
    sidebar_after = next(c for c in there["sidebar"] if "opportunities" in c)
    assert sidebar_after == sidebar_before.replace(f"{before[0]:,} opportunities", f"{after[0]:,} opportunities")
    assert db.value("SELECT count(*) FROM import_batch WHERE file_name = 'cron.csv'") == 1


def _backend_in_transaction(db: Database) -> bool:
    """Is another backend writing `opportunity` in a transaction it has not committed? (An INSERT
    or UPDATE takes a ROW EXCLUSIVE lock on the table and holds it until the transaction ends.)"""
    with psycopg.connect(db.target, autocommit=True) as con:
        return bool(con.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE c.relname = 'opportunity' AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()"
        ).fetchone()[0])


def test_an_import_killed_inside_its_transaction_leaves_every_table_as_it_was(demo_db, tmp_path):
    extract = tmp_path / "big.csv"
    duckdb.connect().execute(
        f"""
        COPY (SELECT printf('006KILL%07d', i) AS Id, printf('001DEMO%05d', 1 + i % 48) AS AccountId,
                     printf('Killed deal %d', i) AS Name, 'Prospecting' AS StageName, 1000 + i % 5000 AS Amount,
                     DATE '2026-06-01' AS CloseDate, DATE '2026-01-15' AS CreatedDate
              FROM range(200000) t(i)) TO '{extract}' (HEADER)
        """
    )
    with demo_db.connect() as con:
        before = table_fingerprints(con)
    child = subprocess.Popen([sys.executable, "-m", "planning.cli", "--db", demo_db.target, "import", "opportunities", str(extract)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    started = time.monotonic()
    killed = False
    while time.monotonic() - started < 120 and child.poll() is None:
        if _backend_in_transaction(demo_db):
            os.kill(child.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.01)
    child.wait(timeout=30)
    assert killed and child.returncode == -signal.SIGKILL, child.stderr.read().decode()[-1500:] if child.stderr else ""
    deadline = time.monotonic() + 30  # the server notices the dead client and rolls its transaction back
    while _backend_in_transaction(demo_db) and time.monotonic() < deadline:
        time.sleep(0.1)
    with demo_db.connect() as con:
        assert table_fingerprints(con) == before
