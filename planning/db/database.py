"""The one path to the database: open the DuckDB file, migrate it, run units of work.

DuckDB lets one process hold a file read-write at a time, and another process cannot even
open it read-only meanwhile. The app and the CLI run side by side (ops import from cron while
leaders browse), so nobody keeps the file open for long: every unit of work opens a connection,
does its work and closes it, retrying briefly while another process holds the lock. The app
holds the file for the length of one script run (`Database.held`), so the run's many connections
share one open database (duckdb's instance cache) and the file is free between runs.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from planning.db import changes
from planning.db.cache import (
    MISS,
    READ_CACHE,
    WRITES,
    cache_enabled,
    copy_result,
    freeze,
    record_write,
)
from planning.db.changes import Recorder, Writes
from planning.db.snapshot import before_migration
from planning.errors import DatabaseBusy, DatabaseDamaged, DatabaseUnwritable

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_PATH = Path("data/planning.duckdb")
LOCK_MESSAGE = re.compile(r"Could not set lock on file|Conflicting lock", re.I)
PID_IN_MESSAGE = re.compile(r"PID (\d+)")
# DuckDB's main header and its two alternating database headers: every checkpoint writes one
# with a higher iteration number, so their digest changes with every checkpointed write.
HEADER_BYTES = 3 * 4096

# One writer lock per database file, shared by every Database object of this process (#11).
_writer_locks: dict[str, threading.RLock] = {}
_writer_locks_guard = threading.Lock()


# The file held open for the length of a unit of app work (see Database.held), per file.
_held: dict[str, list] = {}  # realpath → [anchor connection, holders]
_held_guard = threading.Lock()

# Per file (realpath): the data_version() the change counters were last read at, and the counters.
_counters_memo: dict[str, tuple[tuple, dict | None]] = {}


def _writer_lock(key: str) -> threading.RLock:
    with _writer_locks_guard:
        return _writer_locks.setdefault(key, threading.RLock())


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """`--db` beats `PLANNING_DB`, which beats data/planning.duckdb.

    A `postgresql://` URL stays a string (a Path would fold its `//`): see planning.db.postgres.
    """
    target = path or os.environ.get("PLANNING_DB") or DEFAULT_PATH
    if is_database_url(target):
        return target  # type: ignore[return-value]
    return Path(target)


def is_database_url(target: object) -> bool:
    """A `postgresql://` (or `postgres://`) URL rather than a DuckDB file path."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


@dataclass(frozen=True)
class Migration:
    """NNNN_name.sql runs as SQL; NNNN_name.py runs its `apply(con)` (for data seeds)."""

    version: int
    name: str
    source: str
    is_python: bool

    def apply(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.is_python:
            module = importlib.import_module(f"planning.db.migrations.{self.source}")
            module.apply(con)
        else:
            sql = resources.files("planning.db.migrations").joinpath(self.source).read_text(encoding="utf-8")
            con.execute(sql)


def shipped_migrations() -> list[Migration]:
    """Numbered migrations shipped in planning/db/migrations, in order. (Not `migrations`: importing the
    migrations subpackage binds that name on planning.db to the package, so an import of the function
    after any migration file had loaded got the package.)"""
    found = []
    for entry in resources.files("planning.db.migrations").iterdir():
        match = re.fullmatch(r"(\d{4})_(\w+)\.(sql|py)", entry.name)
        if match:
            is_python = match[3] == "py"
            source = entry.name[:-3] if is_python else entry.name
            found.append(Migration(int(match[1]), match[2], source, is_python))
    return sorted(found, key=lambda m: m.version)


# A database URL's backend class; planning.db.postgres registers itself (planning/db/__init__ imports it).
URL_BACKENDS: dict[str, type[Database]] = {}


class Database:
    """A DuckDB file and how to reach it; cheap to create, holds no connection.

    `Database(url)` with a `postgresql://` URL gives a PostgresDatabase instead (issue #18), so
    every caller picks the backend by the one setting, `--db` / `PLANNING_DB`.
    """

    dialect = "duckdb"

    def __new__(cls, path: str | os.PathLike | None = None, lock_timeout: float = 10.0) -> Database:
        if cls is Database and is_database_url(resolve_path(path)):
            return super().__new__(URL_BACKENDS["postgresql"])
        return super().__new__(cls)

    def __init__(self, path: str | os.PathLike | None = None, lock_timeout: float = 10.0):
        self.path = resolve_path(path)
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"

    @property
    def key(self) -> str:
        """What this process's locks, write counts and cache entries are keyed on."""
        return os.path.realpath(self.path)

    @property
    def target(self) -> str:
        """What `--db` / `PLANNING_DB` would say to reach this database from another process."""
        return str(self.path)

    # -- connections -------------------------------------------------------------------

    def _open(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as exc:
                if not LOCK_MESSAGE.search(str(exc)):
                    raise self.file_error(exc) from exc
                if time.monotonic() >= deadline:
                    pid = PID_IN_MESSAGE.search(str(exc))
                    holder = f"process {pid[1]}" if pid else "another process"
                    raise DatabaseBusy(
                        f"The database {self.path} is in use by {holder} (an import or another "
                        f"write) and stayed locked for {self.lock_timeout:.0f} s. "
                        "Try again when it has finished."
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection: the file lock is released as soon as the block ends."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = self._open()
        try:
            yield Recorder(con)  # type: ignore[misc]  # a DuckDBPyConnection that notes what it runs
        except duckdb.IOException as exc:
            raise self.file_error(exc) from exc
        finally:
            con.close()

    def file_error(self, exc: Exception) -> Exception:
        """The one sentence for an I/O failure on the database file itself; other errors unchanged.

        A full disk is "nothing was saved" (the unit of work rolled back); a file that is not, or
        no longer, a DuckDB database is "restore a backup". An I/O error about some other file
        (a CSV being read) is left to its caller.
        """
        text = str(exc)
        if "No space left" in text or "Disk full" in text:
            return DatabaseUnwritable(
                f"The disk holding {self.path} is full, so nothing was saved. Free some space and try again."
            )
        if str(self.path) in text and ("not a valid DuckDB database" in text or "Could not read" in text
                                       or "Corrupt" in text or "checksum" in text.lower()):
            return DatabaseDamaged(
                f"The database file {self.path} is damaged (truncated or overwritten) and cannot be read; "
                "nothing was changed. Restore the latest backup with `planning restore DIR`."
            )
        return exc

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the file open while the block runs (the app wraps every script run in this).

        Every `connect()` inside then reuses the open database (duckdb's instance cache): a Plan
        page run opens the file ~35 times, which costs 16–42 ms each at 1M opportunities with
        nothing held and 0.3–0.6 ms while one connection is held. Re-entrant and shared across
        threads: the file is let go when the last holder leaves, so between two reruns another
        process (a cron `planning import`) can take the file; it waits at most one script run.
        """
        key = self.key
        with _held_guard:
            entry = _held.get(key)
            if entry is not None:
                entry[1] += 1
        if entry is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            anchor: duckdb.DuckDBPyConnection | None = self._open()  # may wait, then raise DatabaseBusy
            with _held_guard:
                entry = _held.get(key)
                if entry is None:
                    _held[key] = [anchor, 1]
                    anchor = None
                    # A new hold is a new script run: read the change counters afresh once, so
                    # another process's commit since the last run is seen whatever the file's stat says.
                    _counters_memo.pop(key, None)
                else:  # another thread got there first
                    entry[1] += 1
            if anchor is not None:
                anchor.close()
        try:
            yield
        finally:
            with _held_guard:
                entry = _held[key]
                entry[1] -= 1
                last = entry[1] == 0
                if last:
                    del _held[key]
            if last:
                entry[0].close()

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold this process's writer lock on the file (re-entrant; see `transaction`)."""
        lock = _writer_lock(self.key)
        if not lock.acquire(timeout=self.lock_timeout):
            raise DatabaseBusy(
                f"The database {self.path} is busy with another change in this app that did not finish "
                f"within {self.lock_timeout:.0f} s. Try again in a moment."
            )
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def transaction(self, con: duckdb.DuckDBPyConnection | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """One unit of work: everything inside commits together or not at all.

        Every write goes through here, so every commit moves this process's write count (the
        read cache's key). A caller that must prepare its connection first (the import's memory
        limit and staging tables, the migration bookkeeping) passes it as `con`.

        Units of work on one file run one at a time within a process (sessions are threads).
        DuckDB's snapshot isolation would otherwise let two sessions both pass a version check
        and both insert (write skew: a lost scorecard or a duplicate whitespace cell), or fail
        with "Conflict on update". Serialised, each unit reads what the previous one committed,
        so StaleEdit checks see every earlier save; other processes are kept out by the file lock.
        """
        with self.write_lock(), (nullcontext(con) if con is not None else self.connect()) as con:
            writes = Writes()
            if not isinstance(con, Recorder):
                writes.new_epoch = True  # the caller may also write on the raw connection, unseen
                con = Recorder(con)  # type: ignore[assignment]
            recorder: Recorder = con  # type: ignore[assignment]
            outer, recorder.writes = recorder.writes, writes
            try:
                con.execute("BEGIN TRANSACTION")
                try:
                    yield con
                    changes.commit_bumps(con, writes)
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")  # a full disk shows here; connect() turns it into one sentence
            finally:
                recorder.writes = outer
            record_write(self.key)

    # -- reads ---------------------------------------------------------------------------

    # Reads go through the process's read cache (see ReadCache): a repeat of the same query on
    # unchanged data opens no connection. Every result handed out is a copy of the cached one.

    def df(self, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        """Run a query and return a DataFrame."""
        return self.cached(_fetch_df, sql, params)

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[dict]:
        """Run a query and return a list of dicts (column name → value)."""
        return self.cached(fetch_dicts, sql, params)

    def one(self, sql: str, params: Sequence[Any] | dict | None = None) -> dict | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def value(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        row = self.cached(_fetch_all, sql, params)
        return row[0][0] if row else None

    def cached(self, read: Callable[..., Any], *args: Any) -> Any:
        """`read(con, *args)` on a short-lived connection, or its cached result for this data version.

        `read` must only read, and its result must depend only on its arguments and the data.
        """
        if not cache_enabled():
            with self.connect() as con:
                return read(con, *args)
        try:
            key = (read.__module__, read.__qualname__, freeze(args))
            hash(key)
        except TypeError:  # an unhashable argument: nothing to key on, read straight through
            with self.connect() as con:
                return read(con, *args)
        return self._through_cache(key, lambda: self._read_fresh(read, args))

    def _read_fresh(self, read: Callable[..., Any], args: tuple) -> Any:
        with self.connect() as con:
            return read(con, *args)

    def _through_cache(self, key: tuple, compute: Callable[[], Any], plan_id: int | None = None) -> Any:
        """The cached result of `compute` while none of the data it read has changed since.

        An entry keeps the words of every statement the read ran and the change counters of those
        tables when it was computed (planning.db.changes); a write to other tables, or to another
        plan's rows when the read is scoped to one plan, leaves it valid. Nested cached reads pass
        their words up, so an outer read depends on everything an inner one read.
        """
        version = self.data_version()
        memo = _counters_memo.get(version[0])
        if memo is None or memo[0] != version:
            # The file changed: the counters and (likely) the read share one open of the file.
            with self.held():
                return self._through_counted_cache(key, compute, plan_id, version)
        return self._through_counted_cache(key, compute, plan_id, version)

    def _through_counted_cache(self, key: tuple, compute: Callable[[], Any], plan_id: int | None,
                               version: tuple) -> Any:
        # The date is part of the key: reads that default `today` to the clock never outlive it.
        counters, identity = self._counters(version)
        key = (date.today(), identity, *key)
        outer = changes.reading.get()
        if counters is None:  # a database from before the counters: any write invalidates all
            return self._through_whole_file(key, compute)
        found = READ_CACHE.get(key, lambda entry: changes.stamp(counters, entry[1], plan_id) == entry[2])
        if found is not MISS:
            result, names, _ = found
            if outer is not None:
                outer.update(names)
            return copy_result(result)
        token = changes.reading.set(set())
        try:
            result = compute()
            names = tuple(sorted(changes.reading.get() or ()))
        finally:
            changes.reading.reset(token)
        if outer is not None:
            outer.update(names)
        stamped = changes.stamp(counters, names, plan_id)
        # Store only if nothing it read changed meanwhile: the result belongs to exactly that state.
        after, after_identity = self._counters()
        if after is not None and after_identity == identity and changes.stamp(after, names, plan_id) == stamped:
            READ_CACHE.put(key, (result, names, stamped))
        return copy_result(result)

    def _through_whole_file(self, key: tuple, compute: Callable[[], Any]) -> Any:
        before = self.data_version()
        found = READ_CACHE.get((before, key))
        if found is not MISS:
            return copy_result(found)
        result = compute()
        if self.data_version() == before:
            READ_CACHE.put((before, key), result)
        return copy_result(result)

    def _counters(self, version: tuple | None = None) -> tuple[dict | None, tuple]:
        """The file's change counters (read again only when the file changed) and its identity."""
        version = version or self.data_version()
        identity = self._identity(version)
        memo = _counters_memo.get(version[0])
        if memo is not None and memo[0] == version:
            return memo[1], identity
        token = changes.reading.set(None)  # the counters query is not part of any read's data
        try:
            with self.connect() as con:
                counters = changes.read_counters(con)
        finally:
            changes.reading.reset(token)
        _counters_memo[version[0]] = (version, counters)
        return counters, identity

    def _identity(self, version: tuple) -> tuple:
        try:
            stat = os.stat(self.path)
            return (version[0], stat.st_dev, stat.st_ino)  # a replaced file is another file
        except FileNotFoundError:
            return (version[0], None)

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> None:
        with self.transaction() as con:
            con.execute(sql, params or [])

    # -- schema ------------------------------------------------------------------------

    def migrate(self) -> list[int]:
        """Apply every shipped migration not yet recorded; returns the versions applied."""
        with self.connect() as con:
            return self._apply_migrations(con)

    def _apply_migrations(self, con: duckdb.DuckDBPyConnection) -> list[int]:
        """The pending migrations on `con`, each in its own transaction and recorded."""
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migration ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        done = {row[0] for row in con.execute("SELECT version FROM schema_migration").fetchall()}
        pending = [m for m in shipped_migrations() if m.version not in done]
        if done and pending:
            self._before_migrations(con, max(done))
        for migration in pending:
            with self.transaction(con):
                migration.apply(con)
                con.execute(
                    "INSERT INTO schema_migration VALUES (?, ?, ?)",
                    [migration.version, migration.name, datetime.now()],
                )
        return [m.version for m in pending]

    def _before_migrations(self, con: duckdb.DuckDBPyConnection, old_version: int) -> None:
        """An existing database is about to change shape: keep a copy of the file first (issue #11)."""
        before_migration(con, self.path, old_version)

    def schema_version(self) -> int:
        return self.value("SELECT coalesce(max(version), 0) FROM schema_migration") or 0

    def data_version(self) -> tuple:
        """Changes whenever any process commits to the file: a cache key that needs no lock.

        Made of: the file's identity, size and mtime; a digest of DuckDB's database headers
        (every checkpoint writes a header with a higher iteration number, so two writes within
        one mtime tick still differ); the size and mtime of the write-ahead log (every commit
        not yet checkpointed appends to it); and this process's own count of transactions.
        """
        stamps: list[tuple | None] = []
        try:
            with open(self.path, "rb") as file:
                stat = os.fstat(file.fileno())
                header = hashlib.blake2b(file.read(HEADER_BYTES), digest_size=16).digest()
            stamps.append((stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, header))
        except FileNotFoundError:
            stamps.append(None)
        try:
            wal = os.stat(f"{self.path}.wal")
            stamps.append((wal.st_ino, wal.st_size, wal.st_mtime_ns))
        except FileNotFoundError:
            stamps.append(None)
        return (self.key, *stamps, WRITES.get(self.key, 0))

    def exists(self) -> bool:
        return self.path.exists()

    def discard(self) -> None:
        """Delete the whole database (`planning init --force`)."""
        for suffix in ("", ".wal"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)


def fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None) -> list[dict]:
    """Rows of a query on an open connection as dicts."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _fetch_df(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _fetch_all(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def open_database(path: str | os.PathLike | None = None, lock_timeout: float = 10.0) -> Database:
    """The database at `path` (or the configured default), migrated to the current version."""
    db = Database(path, lock_timeout=lock_timeout)
    db.migrate()
    return db


def table_names(db: Database) -> list[str]:
    return [
        r["table_name"]
        for r in db.rows(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
