"""Concurrency: eight sessions write scorecards, whitespace cells and comments at once.

Sessions of the app are threads of one process. Each session here has its own Database object
and loads before it saves, as a form does; a save that lost the race is refused with StaleEdit
(and the session reloads), never silently applied over the other one.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from planning import plan_content, scorecards, users, whitespace
from planning.db import Database
from planning.errors import DatabaseBusy, StaleEdit
from planning.importing import ingest
from tests.conftest import demo_copy

SESSIONS = 8
SECONDS = 3.0
PLAN, UNIT, PRODUCT = 3, 1, 1  # a FY2026 whole-account plan of the demo book, one of its cells


def _cell(db: Database) -> dict | None:
    return db.one(
        "SELECT id, version FROM whitespace_cell WHERE plan_id = ? AND business_unit_id = ? AND product_id = ?",
        [PLAN, UNIT, PRODUCT],
    )


def _session(path, user: dict, number: int, log: dict, lock: threading.Lock) -> None:
    db = Database(path)
    deadline = time.monotonic() + SECONDS
    step = 0
    while time.monotonic() < deadline:
        step += 1
        kind = ("scorecard", "whitespace", "comment")[step % 3]
        try:
            if kind == "scorecard":
                form = scorecards.scorecard_form(db, PLAN)
                question = form["questions"][0]["question_id"]
                saved = scorecards.save_answers(db, user, PLAN, {question: {"value": None, "note": f"s{number}-{step}"}},
                                                form["loaded_submission_id"])
                result = (form["loaded_submission_id"], saved)
            elif kind == "whitespace":
                loaded = (_cell(db) or {"version": 0})["version"]
                saved = whitespace.set_cell(db, user, PLAN, UNIT, PRODUCT, "Open", note=f"s{number}-{step}",
                                            expected_version=loaded)
                result = (loaded, saved["version"])
            else:
                result = plan_content.add_comment(db, user, PLAN, f"session {number} step {step}")
            with lock:
                log[kind].append(result)
        except StaleEdit:
            with lock:
                log["stale"].append(kind)
        except Exception as exc:  # noqa: BLE001 - every other error is what this test looks for
            with lock:
                log["errors"].append(f"{type(exc).__name__}: {exc}")


@pytest.fixture(scope="module")
def race(demo_template, tmp_path_factory):
    """Run the eight sessions once on a copy of the demo book; returns (log, before, after, db)."""
    with demo_copy(demo_template, tmp_path_factory.mktemp("race")) as target:
        yield _race(Database(target))


def _race(db: Database):
    owner = users.get_user(db, db.value("SELECT owner_id FROM plan WHERE id = ?", [PLAN]))
    admin = users.find_user(db, "Ada Admin")
    before = _counts(db)
    log = {"scorecard": [], "whitespace": [], "comment": [], "stale": [], "errors": []}
    lock = threading.Lock()
    threads = [threading.Thread(target=_session, args=(db.target, (admin, owner)[i % 2], i, log, lock))
               for i in range(SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return log, before, _counts(db), db


def _counts(db: Database) -> dict:
    return db.one(
        """
        SELECT (SELECT count(*) FROM scorecard_submission WHERE plan_id = ?) AS submissions,
               (SELECT count(*) FROM comment WHERE plan_id = ?) AS comments,
               (SELECT count(*) FROM whitespace_cell WHERE plan_id = ? AND business_unit_id = ? AND product_id = ?) AS cells,
               (SELECT coalesce(max(id), 0) FROM audit_log) AS last_audit,
               (SELECT max(id) FROM scorecard_submission) AS last_submission
        """,
        [PLAN, PLAN, PLAN, UNIT, PRODUCT],
    )


def test_eight_sessions_write_without_errors(race):
    log, *_ = race
    assert log["errors"] == []
    assert all(log[kind] for kind in ("scorecard", "whitespace", "comment")), Counter({k: len(v) for k, v in log.items()})


def test_every_comment_is_stored_once_with_its_audit_rows(race):
    log, before, after, db = race
    assert after["comments"] - before["comments"] == len(log["comment"])
    audited = db.rows(
        "SELECT entity_id, count(*) AS n FROM audit_log WHERE entity = 'comment' AND id > ? GROUP BY 1",
        [before["last_audit"]],
    )
    # plan_id, kind and body: one audit row per field of each new comment.
    assert sorted(r["entity_id"] for r in audited) == sorted(log["comment"])
    assert {r["n"] for r in audited} == {3}


def test_scorecard_saves_form_one_chain_so_none_is_lost(race):
    log, before, after, db = race
    saves = sorted(log["scorecard"], key=lambda pair: pair[1])
    assert after["submissions"] - before["submissions"] == len(saves)
    # Each accepted save was based on the submission before it: nobody saved over an answer unseen.
    expected_loaded = [db.value("SELECT max(id) FROM scorecard_submission WHERE plan_id = ? AND id <= ?",
                                [PLAN, before["last_submission"]])] + [new for _, new in saves[:-1]]
    assert [loaded for loaded, _ in saves] == expected_loaded
    audited = db.value(
        "SELECT count(DISTINCT entity_id) FROM audit_log WHERE entity = 'scorecard_submission' AND field = 'plan_id'"
        " AND id > ?", [before["last_audit"]],
    )
    assert audited == len(saves)


def test_whitespace_cell_versions_count_every_save(race):
    log, before, after, db = race
    saves = sorted(log["whitespace"], key=lambda pair: pair[1])
    assert after["cells"] == 1  # never a duplicate cell from two first saves
    start = saves[0][0]
    assert saves == [(start + i, start + i + 1) for i in range(len(saves))]
    cell = _cell(db)
    assert cell["version"] == start + len(saves)
    bumps = db.rows(
        "SELECT old_value, new_value FROM audit_log WHERE entity = 'whitespace_cell' AND entity_id = ?"
        " AND field = 'version' AND id > ? ORDER BY id", [cell["id"], before["last_audit"]],
    )
    assert [(int(b["old_value"]), int(b["new_value"])) for b in bumps] == saves


def test_a_write_waiting_too_long_for_another_session_is_refused_clearly(demo_db):
    holding, release = threading.Event(), threading.Event()

    def hold():
        with demo_db.transaction():
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    try:
        with pytest.raises(DatabaseBusy) as refused:
            with Database(demo_db.path, lock_timeout=0.2).transaction():
                pass
    finally:
        release.set()
        holder.join()
    assert str(refused.value) == (
        f"The database {demo_db.path} is busy with another change in this app that did not finish within 0 s. "
        "Try again in a moment."
    )


def test_a_unit_of_work_may_open_another_on_the_same_thread(demo_db):
    with demo_db.transaction() as outer:
        with demo_db.transaction() as inner:
            inner.execute("CREATE TABLE t (x INTEGER)")
        outer.execute("SELECT 1").fetchall()
    assert demo_db.value("SELECT count(*) FROM t") == 0


def test_an_import_waits_for_an_edit_of_the_same_row_in_another_session(demo_db):
    """The Import page and an edit in another session: the import writes after the edit, no conflict."""
    contact = demo_db.one("SELECT c.external_id, a.external_id AS account FROM contact c JOIN account a"
                          " ON a.id = c.account_id WHERE c.id = 2")
    extract = f"Id,AccountId,Name,Title\n{contact['external_id']},{contact['account']},Leila Fischer,Head of Imports\n"
    editing = threading.Event()

    def edit():
        with demo_db.transaction() as con:
            con.execute("UPDATE contact SET title = 'Edited in the app' WHERE id = 2")
            editing.set()
            time.sleep(0.5)

    editor = threading.Thread(target=edit)
    editor.start()
    editing.wait(5)
    report = ingest.import_csv(demo_db, "contacts", extract.encode(), file_name="contacts.csv")
    editor.join()

    assert (report.updated, report.inserted) == (1, 0)
    assert demo_db.value("SELECT title FROM contact WHERE id = 2") == "Head of Imports"
    assert demo_db.rows("SELECT old_value, new_value FROM audit_log WHERE entity = 'contact' AND entity_id = 2"
                        " AND field = 'title'") == [{"old_value": "Edited in the app", "new_value": "Head of Imports"}]
