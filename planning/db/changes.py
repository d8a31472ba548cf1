"""Which data a write changed, so the read cache throws away only the reads that saw it.

Every unit of work runs on a `Recorder`: it notes the tables its INSERT / UPDATE / DELETE / COPY
statements write and the plans whose rights it checked (`access.require_plan_*`). At commit it
bumps per-table counters in the `data_change` table, in the same transaction, so another
process (a cron import, a second app) sees them too:

- `(table, 'all')` always — what portfolio-wide reads key on;
- `(table, 'plan:<id>')` when the table's rows belong to a plan and the unit of work acted on
  exactly one plan — what that plan's own reads key on;
- `(table, 'shared')` otherwise — what every plan's reads key on.

A statement that changes the schema (CREATE, ALTER, DROP of a real table; every migration) or a
write it cannot read the target of sets a new random `epoch`, which every key includes: nothing
cached before it is reachable afterwards. Restore sets a new epoch too (an older file's counters
may repeat values the cache already holds).

A cached read is recorded the same way: the words of every statement it runs (over-approximating
the tables it read is harmless; missing one would not be). See docs/design.md, "Read cache".
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterable
from typing import Any

import duckdb

from planning.db.dialect import DERIVED

TABLE = "data_change"
EPOCH = ("", "epoch")
# Tables whose every row belongs to one plan: a write to them on one plan changes no other plan's reads.
PLAN_OWNED = frozenset({
    "action", "comment", "influence_link", "initiative", "kpi_snapshot", "objective", "plan",
    "scorecard_answer", "scorecard_submission", "stakeholder", "team_member", "whitespace_cell",
})
NOT_TRACKED = frozenset({TABLE})

_NAME = r'(?:main\.)?"?([A-Za-z_][A-Za-z0-9_]*)"?'
_WRITE_TARGETS = re.compile(
    rf"\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+{_NAME}|\bUPDATE\s+{_NAME}(?:\s+(?:AS\s+)?\w+)?\s+SET\b"
    rf"|\bDELETE\s+FROM\s+{_NAME}|\bCOPY\s+{_NAME}\s+FROM\b",
    re.I,
)
_WRITE_VERB = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|COPY|TRUNCATE)\b", re.I)
_TEMPORARY = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TEMP(?:ORARY)?\b", re.I)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LEADING = re.compile(r"^\s*(?:--[^\n]*\n\s*)*(\w+)")

# The words of every statement the current cached read ran (None: no read is being recorded).
reading: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("reading", default=None)


def words(sql: str) -> set[str]:
    """The words of a statement; a derived table (dialect.DERIVED) counts as the tables it is made from."""
    found = {w.lower() for w in _WORD.findall(sql)}
    for derived, sources in DERIVED.items():
        if derived in found:
            found.update(sources)
    return found


class Writes:
    """What one unit of work changed: tables written, plans acted on, whether the schema moved."""

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.plans: set[int] = set()
        self.new_epoch = False

    def note(self, sql: str) -> None:
        for statement in sql.split(";"):
            leading = _LEADING.match(statement)
            if leading is None:
                continue
            verb = leading[1].upper()
            if verb in ("CREATE", "ALTER", "DROP"):
                if not _TEMPORARY.match(statement) and not _is_staging(statement):
                    self.new_epoch = True
                continue
            targets = [next(g for g in m.groups() if g) for m in _WRITE_TARGETS.finditer(statement)]
            if targets:
                self.tables.update(t.lower() for t in targets)
            elif verb in ("INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "TRUNCATE", "WITH") and _WRITE_VERB.search(statement):
                self.new_epoch = True  # a write whose target we cannot read: be safe

    def bumps(self) -> list[tuple[str, str]]:
        tracked = sorted(self.tables - NOT_TRACKED)
        one_plan = f"plan:{next(iter(self.plans))}" if len(self.plans) == 1 else None
        keys = [(t, "all") for t in tracked]
        keys += [(t, one_plan if one_plan and t in PLAN_OWNED else "shared") for t in tracked]
        return keys


def _is_staging(statement: str) -> bool:
    """The import's own working tables (import_rows, import_change, …) are not the book's data."""
    name = re.search(r"\b(?:TABLE|VIEW|INDEX|SEQUENCE)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?" + _NAME, statement, re.I)
    return bool(name and name[1].lower().startswith("import_") and name[1].lower() not in ("import_batch", "import_mapping"))


class Recorder:
    """A DuckDB connection that notes what each statement writes (reads: what they name)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, writes: Writes | None = None):
        self._con = con
        self.writes = writes
        self.dialect = getattr(con, "dialect", "duckdb")  # "duckdb" or "postgres" (planning.db.dialect)

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self._note(sql)
        return self._con.execute(sql, *args, **kwargs)

    def executemany(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self._note(sql)
        return self._con.executemany(sql, *args, **kwargs)

    def _note(self, sql: str) -> None:
        if self.writes is not None:
            self.writes.note(sql)
        seen = reading.get()
        if seen is not None:
            seen.update(words(sql))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def note_plan(con: Any, plan_id: int) -> None:
    """The unit of work on `con` acts on plan `plan_id` (called by the access checks)."""
    writes = getattr(con, "writes", None)
    if isinstance(writes, Writes):
        writes.plans.add(int(plan_id))


def commit_bumps(con: duckdb.DuckDBPyConnection, writes: Writes) -> None:
    """Move the counters for what `writes` changed, inside the unit of work's transaction."""
    if not has_table(con):
        return
    keys = writes.bumps()
    if keys:
        con.execute(
            f"INSERT INTO {TABLE} SELECT k.t, k.s, 1 FROM (SELECT unnest(?::VARCHAR[]) AS t, unnest(?::VARCHAR[]) AS s) k "
            f"ON CONFLICT (table_name, scope) DO UPDATE SET n = {TABLE}.n + 1",
            [[t for t, _ in keys], [s for _, s in keys]],
        )
    if writes.new_epoch:
        set_new_epoch(con)


def set_new_epoch(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"INSERT INTO {TABLE} VALUES (?, ?, (random() * 9e18)::BIGINT) ON CONFLICT (table_name, scope) DO UPDATE SET n = excluded.n",
        list(EPOCH),
    )


def has_table(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?", [TABLE]
    ).fetchone()[0])  # type: ignore[index]


def read_counters(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int] | None:
    """Every counter, or None on a database that predates them (then any write invalidates all)."""
    if not has_table(con):
        return None
    return {(t, s): n for t, s, n in con.execute(f"SELECT table_name, scope, n FROM {TABLE}").fetchall()}


def stamp(counters: dict[tuple[str, str], int], names: Iterable[str], plan_id: int | None) -> tuple:
    """What a read over `names` (scoped to one plan, or not) depends on, as comparable values."""
    get = counters.get
    values: tuple
    if plan_id is None:
        values = tuple(get((n, "all"), 0) for n in names)
    else:
        scope = f"plan:{plan_id}"
        values = tuple((get((n, "shared"), 0), get((n, scope), 0)) for n in names)
    return (get(EPOCH, 0), values)
