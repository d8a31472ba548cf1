"""PostgreSQL behind the DuckDB connection interface the domain modules speak (issue #18).

Domain code runs `con.execute(sql, params).fetchall()` / `.fetchone()` / `.df()` with DuckDB's
parameter styles (`?` and `$name`). `PgConnection` gives a psycopg connection that interface:
it rewrites the placeholders to psycopg's, the few DuckDB spellings that have a one-to-one
PostgreSQL spelling (`DOUBLE`, `INTERVAL 12 MONTH`), and answers an INSERT/UPDATE/DELETE with
DuckDB's one-row count so `audit.saved_one` checks both backends alike. SQL that differs by more
than spelling lives beside its query family as a `Dialects` pair (planning.db.dialect).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from planning.db.cache import WRITES
from planning.db.changes import Recorder
from planning.db.database import URL_BACKENDS, Database, resolve_path
from planning.errors import DatabaseUnreachable, DatabaseUnwritable

if TYPE_CHECKING:
    import pandas as pd

# PostgreSQL type OIDs, for DataFrames shaped like DuckDB's `.df()`.
_INTEGERS = {20: "int64", 21: "int16", 23: "int32"}
_FLOATS = {700, 701, 1700}
_DATES = {1082, 1114, 1184}
_BOOL = 16

_DML = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)
_RETURNING = re.compile(r"\bRETURNING\b", re.I)
_WORD_REWRITES = [
    (re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\bINTERVAL\s+(\d+)\s+(DAY|MONTH|YEAR|HOUR|MINUTE|SECOND)S?\b", re.I), r"INTERVAL '\1 \2'"),
    (re.compile(r"\bBEGIN TRANSACTION\b", re.I), "BEGIN"),
    # DuckDB sorts NULLs last in both directions; PostgreSQL puts them first when descending.
    (re.compile(r"\bDESC\b(?!\s+NULLS\b)", re.I), "DESC NULLS LAST"),
]


_SUBQUERY_START = re.compile(r"\b(?:FROM|JOIN)\s*\(", re.I)
_AFTER_SUBQUERY = re.compile(
    r"\s*(?:$|[),;]|(?:WHERE|GROUP|ORDER|LIMIT|OFFSET|JOIN|LEFT|RIGHT|INNER|FULL|CROSS|ON|USING|UNION|EXCEPT"
    r"|INTERSECT|HAVING|WINDOW|QUALIFY)\b)",
    re.I,
)


def _quoted_spans(sql: str) -> list[tuple[int, int]]:
    spans, i = [], 0
    while i < len(sql):
        if sql[i] in "'\"":
            end = i + 1
            while end < len(sql) and not (sql[end] == sql[i] and not sql.startswith(sql[i] * 2, end)):
                end += 2 if sql.startswith(sql[i] * 2, end) else 1
            spans.append((i, end))
            i = end + 1
        else:
            i += 1
    return spans


def alias_subqueries(sql: str) -> str:
    """Name every unnamed subquery in FROM/JOIN: DuckDB allows them bare, PostgreSQL 15 does not."""
    spans = _quoted_spans(sql)

    def quoted(pos: int) -> bool:
        return any(a <= pos <= b for a, b in spans)

    inserts = []
    for match in _SUBQUERY_START.finditer(sql):
        start = match.end() - 1
        if quoted(start):
            continue
        depth, pos = 0, start
        while pos < len(sql):
            if not quoted(pos):
                if sql[pos] == "(":
                    depth += 1
                elif sql[pos] == ")":
                    depth -= 1
                    if depth == 0:
                        break
            pos += 1
        if depth == 0 and _AFTER_SUBQUERY.match(sql, pos + 1):
            inserts.append(pos + 1)
    for n, pos in enumerate(reversed(inserts)):
        sql = f"{sql[:pos]} AS _subquery_{n}{sql[pos:]}"
    return sql


def translate(sql: str, with_params: bool) -> str:
    """DuckDB-flavoured SQL → psycopg SQL: placeholders, `%` escapes and one-to-one spellings.

    Placeholders: `?` → `%s`, `$name` → `%(name)s`, `$1` → `%(_1)s` (see `bind`). Text inside
    quotes and comments is left as it is.
    """
    return _translated(sql, with_params)[0]


def bind(sql: str, params: Sequence[Any] | dict | None) -> tuple[str, Sequence[Any] | dict | None]:
    """The statement and parameters psycopg takes for DuckDB's: positional `$1, $2 …` read a
    list by number (any number of times), so the list becomes a dict of `_1, _2 …`."""
    with_params = bool(params)
    text, numbered = _translated(sql, with_params)
    if not with_params:
        return text, None
    if numbered and not isinstance(params, dict):
        return text, {f"_{n}": value for n, value in enumerate(params or (), start=1)}
    return text, params


@lru_cache(maxsize=4096)
def _translated(sql: str, with_params: bool) -> tuple[str, bool]:
    """translate's text, and whether it holds numbered placeholders."""
    numbered = False
    out: list[str] = []
    plain: list[str] = []  # the current run of SQL outside quotes, rewritten word by word when it ends

    def flush() -> None:
        text = "".join(plain)
        for pattern, replacement in _WORD_REWRITES:
            text = pattern.sub(replacement, text)
        out.append(text)
        plain.clear()

    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            flush()
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:  # a doubled quote inside the literal
                        end += 2
                        continue
                    break
                end += 1
            literal = sql[i:end + 1]
            out.append(literal.replace("%", "%%") if with_params else literal)
            i = end + 1
            continue
        if ch == "-" and sql.startswith("--", i):
            flush()
            end = sql.find("\n", i)
            end = n if end < 0 else end
            comment = sql[i:end]
            out.append(comment.replace("%", "%%") if with_params else comment)
            i = end
            continue
        if with_params and ch == "?":
            plain.append("%s")
        elif with_params and ch == "$" and i + 1 < n and (sql[i + 1].isalnum() or sql[i + 1] == "_"):
            match = re.match(r"\$(\w+)", sql[i:])
            assert match is not None
            numbered = numbered or match[1].isdigit()
            plain.append(f"%(_{match[1]})s" if match[1].isdigit() else f"%({match[1]})s")
            i += len(match[0])
            continue
        elif with_params and ch == "%":
            plain.append("%%")
        else:
            plain.append(ch)
        i += 1
    flush()
    return alias_subqueries("".join(out)), numbered


class PgResult:
    """What `execute` returns: DuckDB's cursor methods over a finished psycopg cursor."""

    def __init__(self, cursor: Any, counted: bool):
        self._cursor = cursor
        self._counted = counted
        self.description = cursor.description if not counted else [("Count", 20, None, None, None, None, None)]

    def fetchall(self) -> list[tuple]:
        if self._counted:
            return [(self._cursor.rowcount,)]
        return self._cursor.fetchall() if self._cursor.description else []

    def fetchone(self) -> tuple | None:
        if self._counted:
            return (self._cursor.rowcount,)
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchmany(self, size: int = 1) -> list[tuple]:
        return self._cursor.fetchmany(size)

    def df(self) -> pd.DataFrame:
        return frame(self.description, self.fetchall())

    fetchdf = df


def frame(description: Sequence[Any], rows: list[tuple]) -> pd.DataFrame:
    """Rows as a DataFrame typed the way DuckDB's `.df()` types them (DECIMAL → float, DATE → datetime)."""
    import pandas as pd

    names = [d[0] for d in description]
    columns = list(zip(*rows)) if rows else [() for _ in names]
    data: dict[str, Any] = {}
    for name, column, desc in zip(names, columns, description):
        oid = desc[1]
        values = list(column)
        has_null = any(v is None for v in values)
        if oid in _INTEGERS:
            data[name] = pd.Series(values, dtype="Int64" if has_null else _INTEGERS[oid])
        elif oid in _FLOATS:
            data[name] = pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")
        elif oid in _DATES:
            data[name] = pd.Series(pd.to_datetime(values), dtype="datetime64[us]") if values else pd.Series([], dtype="datetime64[us]")
        elif oid == _BOOL:
            data[name] = pd.Series(values, dtype="boolean" if has_null else "bool")
        else:
            data[name] = pd.Series(values, dtype=object if any(isinstance(v, (list, dict)) for v in values) else None)
    return pd.DataFrame(data, columns=names)


def _sql_type(column: pd.Series) -> str:
    import datetime as dt
    from decimal import Decimal

    import pandas as pd

    kind = column.dtype.kind
    if kind in "iu":
        return "BIGINT"
    if kind == "f":
        return "DOUBLE PRECISION"
    if kind == "b":
        return "BOOLEAN"
    if kind == "M":
        return "TIMESTAMP"
    sample = next((v for v in column if v is not None and not (isinstance(v, float) and pd.isna(v))), None)
    if isinstance(sample, bool):
        return "BOOLEAN"
    if isinstance(sample, int):
        return "BIGINT"
    if isinstance(sample, float):
        return "DOUBLE PRECISION"
    if isinstance(sample, Decimal):
        return "NUMERIC"
    if isinstance(sample, dt.datetime):
        return "TIMESTAMP"
    if isinstance(sample, dt.date):
        return "DATE"
    if column.dtype == "boolean":
        return "BOOLEAN"
    if str(column.dtype) == "Int64":
        return "BIGINT"
    return "TEXT"


def _plain(value: Any) -> Any:
    """A pandas cell as the Python value COPY writes (NaN/NaT/NA → NULL, numpy scalars → Python)."""
    import pandas as pd

    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item() if not isinstance(value, pd.Timestamp) else value.to_pydatetime()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


class PgConnection:
    """A psycopg connection in autocommit mode: `BEGIN`/`COMMIT` come from Database.transaction."""

    dialect = "postgres"

    def __init__(self, raw: Any):
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> PgResult:
        cursor = self.raw.cursor()
        cursor.execute(*bind(sql, params))
        counted = bool(_DML.match(sql)) and not _RETURNING.search(sql)
        return PgResult(cursor, counted)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> PgResult:
        cursor = self.raw.cursor()
        text, numbered = _translated(sql, True)
        cursor.executemany(text, [bind(sql, row)[1] for row in rows] if numbered else rows)
        return PgResult(cursor, True)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        """DuckDB's `register`: the DataFrame becomes a table the next statements can read.

        Here: a temporary table of the frame's columns, filled by COPY (dropped by `unregister`).
        """
        columns = ", ".join(f'"{column}" {_sql_type(frame[column])}' for column in frame.columns)
        cursor = self.raw.cursor()
        cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
        cursor.execute(f'CREATE TEMP TABLE "{name}" ({columns})')
        with cursor.copy(f'COPY "{name}" FROM STDIN') as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row([_plain(v) for v in row])

    def unregister(self, name: str) -> None:
        self.raw.cursor().execute(f'DROP TABLE IF EXISTS "{name}"')

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# This session's planner settings (docs/design.md §6). The app's reads are whole-book aggregates
# (reconciliation, portfolio) over up to millions of rows: JIT compiling them costs more than it
# saves (0.4 s of a 1.8 s query at 1M). A larger work_mem was measured and gained nothing, so the
# server's own stays.
SESSION_SETTINGS = "SET jit = off"


def connect(url: str, timeout: float = 10.0) -> PgConnection:
    import psycopg

    # prepare_threshold=None: never a server-side prepared statement, so every statement is planned
    # with its parameters' values (a generic plan cannot fold `$plan_ids IS NULL OR …` away).
    raw = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(timeout)), prepare_threshold=None)
    raw.execute(SESSION_SETTINGS)
    return PgConnection(raw)


# -- the database ------------------------------------------------------------------------

_pools: dict[str, list[PgConnection]] = {}  # url → idle connections, reused across script runs
_pools_guard = threading.Lock()
POOL_SIZE = 8
_holds = threading.local()  # per thread: how deep inside `held()` it is, and that run's token


def redacted(url: str) -> str:
    """The URL without its password, for messages and the Admin page."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def close_pool(url: str) -> None:
    """Close this process's idle connections to `url` (before dropping or copying that database)."""
    with _pools_guard:
        idle = _pools.pop(url, [])
    for con in idle:
        con.close()


class PostgresDatabase(Database):
    """A PostgreSQL database as the system of record: several app processes, one database.

    No file lock: connections are pooled per process and kept between script runs. Saves are
    correct across processes because every versioned save is `UPDATE … WHERE version = ?` with a
    row-count check, imports are one transaction, and uniqueness is the database's. The read
    cache keys on the `data_change` counters, read afresh once per script run (`held`), so one
    replica sees another's commit on its next rerun.
    """

    dialect = "postgres"

    def __init__(self, path: str | os.PathLike | None = None, lock_timeout: float = 10.0):
        self.url = str(resolve_path(path))
        self.path = redacted(self.url)  # type: ignore[assignment]  # what messages name
        self.lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"PostgresDatabase({self.path!r})"

    @property
    def key(self) -> str:
        return self.url

    @property
    def target(self) -> str:
        return self.url

    def _open(self) -> PgConnection:  # type: ignore[override]
        import psycopg

        with _pools_guard:
            idle = _pools.get(self.url)
            if idle:
                return idle.pop()
        try:
            return connect(self.url, self.lock_timeout)
        except psycopg.OperationalError as exc:
            reason = " ".join(str(exc).split()).rstrip(".?") or type(exc).__name__  # libpq's lines and tabs as one
            raise DatabaseUnreachable(
                f"Cannot reach the PostgreSQL database {self.path} ({reason}). "
                "Check that the server is running and the URL (--db or PLANNING_DB) is right."
            ) from None

    def _release(self, con: PgConnection) -> None:
        import psycopg

        raw = con.raw
        if raw.closed or raw.broken or raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            con.close()
            return
        with _pools_guard:
            idle = _pools.setdefault(self.url, [])
            if len(idle) < POOL_SIZE:
                idle.append(con)
                return
        con.close()

    @contextmanager
    def connect(self) -> Iterator[Any]:
        import psycopg

        con = self._open()
        try:
            yield Recorder(con)  # type: ignore[arg-type]
        except psycopg.OperationalError as exc:
            raise self.file_error(exc) from exc
        finally:
            self._release(con)

    def file_error(self, exc: Exception) -> Exception:
        """The one sentence for a server that cannot store a write or went away; other errors unchanged.

        A full disk rolls the unit of work back ("nothing was saved"). A connection lost mid-work
        cannot say whether a COMMIT it sent arrived, so the sentence asks the user to check.
        """
        import psycopg

        if isinstance(exc, psycopg.errors.DiskFull):
            return DatabaseUnwritable(
                f"The PostgreSQL server of {self.path} has no disk space left, so nothing was saved. "
                "Ask its operator to free some and try again."
            )
        if isinstance(exc, psycopg.OperationalError) and getattr(exc, "sqlstate", None) in (None, "57P01", "57P02", "57P03"):
            return DatabaseUnreachable(
                f"The connection to the PostgreSQL database {self.path} was lost. Reload the page to see "
                "whether your last change was saved, and try again."
            )
        return exc

    @contextmanager
    def held(self) -> Iterator[None]:
        """One script run: the change counters are read once, at its first cached read."""
        depth = getattr(_holds, "depth", 0)
        if depth == 0:
            _holds.token = object()
        _holds.depth = depth + 1
        try:
            yield
        finally:
            _holds.depth -= 1

    def data_version(self) -> tuple:
        """Inside a script run: this process's writes and the run. Outside: new on every call."""
        token = getattr(_holds, "token", None) if getattr(_holds, "depth", 0) else object()
        return (self.url, WRITES.get(self.url, 0), id(token), token)

    def _identity(self, version: tuple) -> tuple:
        return (version[0],)

    def exists(self) -> bool:
        with self.connect() as con:
            return bool(con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migration'"
            ).fetchone()[0])

    def discard(self) -> None:
        """Drop every table and sequence of the URL's schema (`planning init --force`)."""
        with self.transaction() as con:
            for kind, name in con.execute(
                "SELECT 'TABLE', table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                " AND table_type = 'BASE TABLE' UNION ALL SELECT 'SEQUENCE', sequence_name FROM"
                " information_schema.sequences WHERE sequence_schema = current_schema() ORDER BY 1 DESC"
            ).fetchall():
                con.execute(f'DROP {kind} IF EXISTS "{name}" CASCADE')

    def migrate(self) -> list[int]:
        """As for DuckDB, under an advisory lock so replicas starting together migrate once, after
        (re)defining the DuckDB functions the SQL uses (postgres_functions.sql)."""
        with self.connect() as con:
            con.execute("SELECT pg_advisory_lock(7245019)")
            try:
                con.execute(resources.files("planning.db").joinpath("postgres_functions.sql").read_text(encoding="utf-8"))
                return self._apply_migrations(con)
            finally:
                con.execute("SELECT pg_advisory_unlock(7245019)")

    def _before_migrations(self, con: Any, old_version: int) -> None:
        """No file copy: the operator's PostgreSQL backups (and `planning backup`) apply."""


URL_BACKENDS["postgresql"] = PostgresDatabase
