"""The read cache: repeats are free, and no read is ever stale after a write by anyone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from planning import plans, users
from planning.db import Database, ReadCache, cached_read
from planning.db import cache as dbmodule
from planning.importing import ingest

pytestmark = pytest.mark.file_free  # other processes write the file between reads

ROOT = Path(__file__).resolve().parent.parent
ADMIN = users.COMMAND_LINE


@pytest.fixture(autouse=True)
def cache_on(monkeypatch):
    monkeypatch.delenv("PLANNING_CACHE", raising=False)
    dbmodule.READ_CACHE.clear()


@pytest.fixture
def opens(monkeypatch) -> list[int]:
    """How many connections Database opens from now on."""
    from planning.db.postgres import PostgresDatabase

    count = [0]
    for cls in (Database, PostgresDatabase):  # PostgresDatabase has its own _open (the pool)
        def counting(self, real=cls.__dict__["_open"]):
            count[0] += 1
            return real(self)

        monkeypatch.setattr(cls, "_open", counting)
    return count


@pytest.fixture
def counted_db(fresh_db) -> Database:
    fresh_db.execute("CREATE TABLE counter (n INTEGER, tags VARCHAR[])")
    fresh_db.execute("INSERT INTO counter VALUES (1, ARRAY['a'])")
    return fresh_db


READS = {
    "df": lambda db: db.df("SELECT n FROM counter")["n"].tolist(),
    "rows": lambda db: [r["n"] for r in db.rows("SELECT n FROM counter")],
    "one": lambda db: [db.one("SELECT n FROM counter")["n"]],
    "value": lambda db: [db.value("SELECT n FROM counter")],
}


@pytest.mark.parametrize("read", READS)
def test_a_warm_repeat_opens_no_connection(counted_db, opens, read):
    # Within one script run on either backend; on DuckDB also between runs (the file's stat tells).
    # PostgreSQL reads its change counters once per script run, so outside one it asks each time.
    with counted_db.held():
        assert READS[read](counted_db) == [1]
        first = opens[0]
        assert READS[read](counted_db) == [1]
        assert opens[0] == first
    if counted_db.dialect == "duckdb":
        assert READS[read](counted_db) == [1]
        first = opens[0]
        assert READS[read](counted_db) == [1]
        assert opens[0] == first


@pytest.mark.parametrize("read", READS)
def test_a_write_in_the_same_instant_is_seen_by_the_next_read(counted_db, read):
    # Many writes in the same mtime tick: the header digest and the WAL tell them apart.
    for n in range(2, 12):
        counted_db.execute("UPDATE counter SET n = ?", [n])
        assert READS[read](counted_db) == [n]


@pytest.mark.duckdb_only  # the file's stat and headers
def test_a_checkpointed_write_changes_the_version_even_with_the_same_mtime_and_size(counted_db, monkeypatch):
    before = counted_db.data_version()
    stat = counted_db.path.stat()
    with duckdb.connect(str(counted_db.path)) as con:  # outside Database: no process-local count
        con.execute("UPDATE counter SET n = 99")
    os.utime(counted_db.path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # a coarse clock: same tick
    after = counted_db.data_version()
    assert counted_db.path.stat().st_mtime_ns == stat.st_mtime_ns
    assert after != before
    assert counted_db.value("SELECT n FROM counter") == 99


@pytest.mark.duckdb_only  # the file's WAL
def test_an_uncheckpointed_commit_by_another_writer_is_seen(counted_db):
    with duckdb.connect(str(counted_db.path)):  # keeps the file open: the commit stays in the WAL
        assert counted_db.value("SELECT n FROM counter") == 1
        Database(counted_db.path).execute("UPDATE counter SET n = 5")  # another writer's unit of work
        assert Path(f"{counted_db.path}.wal").exists()
        assert counted_db.value("SELECT n FROM counter") == 5


def test_an_edit_through_a_domain_function_is_seen_by_the_next_read(demo_db):
    plan_id = int(plans.list_plans(demo_db)["id"].iloc[0])
    loaded = plans.get_plan(demo_db, plan_id)
    plans.get_plan(demo_db, plan_id)  # now cached
    plans.update_plan(demo_db, ADMIN, plan_id, {"sales_target": 1_234_000}, loaded=loaded)
    assert plans.get_plan(demo_db, plan_id)["sales_target"] == 1_234_000
    assert plans.list_plans(demo_db).set_index("id").loc[plan_id, "sales_target"] == 1_234_000


def test_an_import_is_seen_by_the_next_read(fresh_db):
    count = "SELECT count(*) FROM account"
    assert fresh_db.value(count) == 0
    ingest.import_csv(fresh_db, "accounts", b"Id,Name\n001A,Acme\n001B,Globex\n", file_name="Account.csv")
    assert fresh_db.value(count) == 2


def _cli_add_user(db: Database, name: str) -> None:
    """Another process's unit of work: `planning users add` through the CLI."""
    email = name.split()[0].lower() + "@example.com"
    done = subprocess.run([sys.executable, "-m", "planning.cli", "--db", db.target, "users", "add", name, email,
                           "--role", "admin"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_a_write_by_another_process_is_seen_by_the_next_read(counted_db):
    names = "SELECT name FROM app_user ORDER BY name"
    assert counted_db.df(names)["name"].tolist() == []
    _cli_add_user(counted_db, "Ada Lovelace")
    assert counted_db.df(names)["name"].tolist() == ["Ada Lovelace"]
    assert [u["name"] for u in users.list_users(counted_db)] == ["Ada Lovelace"]


def test_a_write_by_another_process_between_script_runs_is_seen_by_the_next_run(counted_db):
    names = "SELECT name FROM app_user ORDER BY name"
    with counted_db.held():  # one script run: read, then served warm
        assert counted_db.df(names)["name"].tolist() == []
        assert [u["name"] for u in users.list_users(counted_db)] == []
    _cli_add_user(counted_db, "Ada Lovelace")
    with counted_db.held():  # the next run
        assert counted_db.df(names)["name"].tolist() == ["Ada Lovelace"]
        assert [u["name"] for u in users.list_users(counted_db)] == ["Ada Lovelace"]


def test_a_commit_by_another_process_during_a_run_is_seen_by_the_next_run(counted_db):
    """PostgreSQL: another replica commits while this run is going; one run reads one state of the counters."""
    if counted_db.dialect != "postgres":
        pytest.skip("a running script holds the DuckDB file: no other process can write meanwhile")
    names = "SELECT name FROM app_user ORDER BY name"
    with counted_db.held():
        assert counted_db.df(names)["name"].tolist() == []
        _cli_add_user(counted_db, "Ada Lovelace")  # not this process: its write count does not move
        assert counted_db.df(names)["name"].tolist() == []  # this run keeps the counters it started with
    with counted_db.held():
        assert counted_db.df(names)["name"].tolist() == ["Ada Lovelace"]
    counted_db.execute("UPDATE app_user SET name = 'Ada King'")  # this process's own write: seen at once
    with counted_db.held():
        assert counted_db.df(names)["name"].tolist() == ["Ada King"]


def _change_frame(frame: pd.DataFrame) -> None:
    frame.loc[0, "n"] = 42


@pytest.mark.parametrize("mutate", [
    lambda db: _change_frame(db.df("SELECT n, tags FROM counter")),
    lambda db: db.rows("SELECT n, tags FROM counter")[0].__setitem__("n", 42),
    lambda db: db.rows("SELECT n, tags FROM counter")[0]["tags"].append("changed"),
    lambda db: db.one("SELECT n, tags FROM counter").__setitem__("n", 42),
    lambda db: db.value("SELECT tags FROM counter").append("changed"),
])
def test_callers_get_copies_they_may_change(counted_db, mutate):
    mutate(counted_db)
    mutate(counted_db)  # the second call changes a copy of the cached result
    assert counted_db.rows("SELECT n, tags FROM counter") == [{"n": 1, "tags": ["a"]}]
    assert counted_db.df("SELECT n FROM counter")["n"].tolist() == [1]
    assert counted_db.value("SELECT tags FROM counter") == ["a"]


@pytest.mark.parametrize("first, second", [([1], [True]), ([1], [1.0]), ({"x": 1}, {"x": 2}), ([None], [0])])
def test_parameters_key_the_cache_exactly(fresh_db, first, second):
    typeof = "pg_typeof" if fresh_db.dialect == "postgres" else "typeof"
    if isinstance(first, list) and fresh_db.dialect == "postgres" and None in first:
        sql = "SELECT coalesce(CAST(? AS VARCHAR), 'NULL')"  # PostgreSQL gives an untyped NULL no type
    elif isinstance(first, list):
        sql = f"SELECT CAST({typeof}(?) AS VARCHAR) || ':' || CAST(? AS VARCHAR)"
        first, second = first * 2, second * 2
    else:
        sql = "SELECT CAST($x AS VARCHAR)"
    assert fresh_db.value(sql, first) != fresh_db.value(sql, second)


def test_planning_cache_0_turns_it_off(counted_db, opens, monkeypatch):
    monkeypatch.setenv("PLANNING_CACHE", "0")
    for _ in range(3):
        assert counted_db.value("SELECT n FROM counter") == 1
    assert opens[0] == 3
    assert len(dbmodule.READ_CACHE) == 0


def test_a_result_read_while_someone_wrote_is_not_kept(counted_db):
    runs = []

    @cached_read
    def read_then_someone_writes(db: Database) -> int:
        runs.append(1)
        with db.connect() as con:
            n = con.execute("SELECT n FROM counter").fetchall()[0][0]
        if len(runs) == 1:
            Database(db.target).execute("UPDATE counter SET n = 7")  # lands while the read is running
        return n

    assert read_then_someone_writes(counted_db) == 1  # read before the write: not kept
    assert read_then_someone_writes(counted_db) == 7
    assert read_then_someone_writes(counted_db) == 7 and len(runs) == 2


def test_the_cache_is_bounded_least_recently_used_first():
    cache = ReadCache(max_entries=2, max_bytes=10_000)
    cache.put(("a",), 1)
    cache.put(("b",), 2)
    assert cache.get(("a",)) == 1  # a is now the most recent
    cache.put(("c",), 3)
    assert [cache.get((k,)) is dbmodule.MISS for k in "abc"] == [False, True, False]
    cache.put(("big",), pd.DataFrame({"x": range(10_000)}))  # more than a quarter of the budget
    assert cache.get(("big",)) is dbmodule.MISS and len(cache) == 2


@cached_read
def _plan_names(db: Database, account_id: int) -> list[str]:
    with db.connect() as con:
        return [r[0] for r in con.execute("SELECT name FROM plan WHERE account_id = ? ORDER BY id", [account_id]).fetchall()]


def test_cached_read_keys_domain_functions_on_their_arguments_and_the_data(demo_db, opens):
    with demo_db.held():  # one script run (PostgreSQL reads its change counters once per run)
        _keys_domain_functions(demo_db, opens)


def _keys_domain_functions(demo_db: Database, opens: list[int]) -> None:
    account_id = int(plans.list_plans(demo_db)["account_id"].iloc[0])
    names = _plan_names(demo_db, account_id)
    warm = opens[0]
    assert names and _plan_names(demo_db, account_id) == names and opens[0] == warm
    assert _plan_names(demo_db, account_id + 1) != names and opens[0] > warm
    demo_db.execute("UPDATE plan SET name = 'Renamed' WHERE account_id = ?", [account_id])
    assert set(_plan_names(demo_db, account_id)) == {"Renamed"}


@pytest.mark.parametrize("ids", [[1, 2], (1, 2), pd.Series([1, 2]), pd.Index([1, 2]), pd.Series([1, 2]).to_numpy()])
def test_id_columns_key_the_cache_by_their_values(counted_db, opens, ids):
    @cached_read
    def total(db: Database, plan_ids) -> int:
        with db.connect() as con:
            return con.execute("SELECT sum(x) FROM unnest(?::BIGINT[]) t(x)", [[int(i) for i in plan_ids]]).fetchall()[0][0]

    with counted_db.held():  # one script run (PostgreSQL reads its change counters once per run)
        assert total(counted_db, ids) == 3
        first = opens[0]
        assert total(counted_db, ids) == 3
        assert opens[0] == first


def test_the_app_shows_a_cli_write_on_its_next_rerun(app_test):
    at = app_test("pages/admin.py")
    before = at.dataframe[0].value["name"].tolist()
    at.run()  # a warm rerun: served from the cache
    assert at.dataframe[0].value["name"].tolist() == before
    done = subprocess.run([sys.executable, "-m", "planning.cli", "--db", app_test.db.target, "users", "add",
                           "Grace Hopper", "grace@example.com"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    at.run()
    assert sorted(at.dataframe[0].value["name"].tolist()) == sorted([*before, "Grace Hopper"])


def _writes(db: Database) -> int:
    return dbmodule.WRITES.get(db.key, 0)


def test_an_import_bumps_the_write_count_and_a_dry_run_does_not(fresh_db):
    before = _writes(fresh_db)
    ingest.import_csv(fresh_db, "accounts", b"Id,Name\n001A,Acme\n", file_name="Account.csv", dry_run=True)
    assert _writes(fresh_db) == before
    assert fresh_db.value("SELECT count(*) FROM account") == 0
    ingest.import_csv(fresh_db, "accounts", b"Id,Name\n001A,Acme\n", file_name="Account.csv")
    assert _writes(fresh_db) == before + 1
    assert fresh_db.value("SELECT count(*) FROM account") == 1  # the cached 0 is not served


def test_each_migration_bumps_the_write_count(tmp_path):
    db = Database(tmp_path / "m.duckdb")
    applied = db.migrate()
    assert applied
    assert _writes(db) == len(applied)
    assert db.schema_version() == max(applied)
