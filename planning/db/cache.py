"""The process's read cache: results of reads, valid while the data they read is unchanged.

An entry remembers which tables its read named and their change counters (planning.db.changes,
bumped by every write transaction of any process); a lookup compares them with the current
counters, so a write throws away only the reads that saw the data it changed.
"""

from __future__ import annotations

import dataclasses
import functools
import numbers
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from planning.db.database import Database

MISS = object()
WRITES: dict[str, int] = {}  # resolved path → transactions this process has run on it
WRITES_LOCK = threading.Lock()
T = TypeVar("T")


def _pandas_types() -> tuple[Any, ...]:
    """DataFrame, Series and Index once pandas is loaded; () before (so no value can be one).

    The CLI's light commands never import pandas; this module must not force it on them.
    """
    pd = sys.modules.get("pandas")
    return (pd.DataFrame, pd.Series, pd.Index) if pd is not None and hasattr(pd, "Index") else ()


def record_write(key: str) -> None:
    """One more committed unit of work on the database `key` (a file's real path, or a URL)."""
    resolved = key
    with WRITES_LOCK:
        WRITES[resolved] = WRITES.get(resolved, 0) + 1


def cache_enabled() -> bool:
    """PLANNING_CACHE=0 (or off/false/no) turns the read cache off; it is on by default."""
    return os.environ.get("PLANNING_CACHE", "1").strip().lower() not in ("0", "off", "false", "no")


class ReadCache:
    """Least-recently-used results of reads, bounded by entries and by (estimated) bytes.

    A key names the read and its arguments; the value carries the counters it was computed at
    (see Database._through_cache), so a stale entry is recomputed and replaced in place.
    """

    def __init__(self, max_entries: int = 512, max_bytes: int = 256 * 1024 ** 2):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.hits = self.misses = 0
        self._entries: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, valid: Callable[[Any], bool] | None = None) -> Any:
        """The value stored under `key` (MISS if none, or if `valid(value)` says it is out of date)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or (valid is not None and not valid(entry[0])):
                self.misses += 1
                return MISS
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: tuple, value: Any) -> None:
        size = _estimated_bytes(value)
        if size > self.max_bytes // 4:  # one huge result would evict everything else
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


READ_CACHE = ReadCache()


def cached_read(fn: Callable[..., T] | None = None, *, plan_scoped: bool = False) -> Any:
    """Decorate a read-only domain function `fn(db, ...)` so repeats on unchanged data are free.

    Its result must depend only on its arguments and the data (pass `today` in, don't read the
    clock inside); callers get a copy, so they may change it. `plan_scoped=True` declares that
    `fn(db, plan_id, ...)` reads, of the tables whose rows belong to a plan, only plan
    `plan_id`'s rows: a write to another plan then leaves its result valid (planning.db.changes).
    """
    if fn is None:
        return functools.partial(cached_read, plan_scoped=plan_scoped)
    read = fn

    @functools.wraps(read)
    def wrapper(db: Database, *args: Any, **kwargs: Any) -> T:
        if not cache_enabled():
            return read(db, *args, **kwargs)
        try:
            key = (read.__module__, read.__qualname__, freeze(args), freeze(kwargs))
            hash(key)
        except TypeError:
            return read(db, *args, **kwargs)
        plan_id = int(args[0]) if plan_scoped and args and isinstance(args[0], numbers.Integral) else None
        return db._through_cache(key, lambda: read(db, *args, **kwargs), plan_id=plan_id)

    return wrapper


def freeze(value: Any) -> Any:
    """A hashable, type-exact stand-in for query parameters (1, 1.0 and True stay distinct)."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return (type(value).__name__, tuple(freeze(v) for v in items))
    if isinstance(value, _pandas_types()[1:]) or type(value).__name__ == "ndarray":
        return ("array", freeze(value.tolist()))  # e.g. a column of plan ids
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and value.__dataclass_params__.frozen:  # type: ignore[attr-defined]  # typeshed declares only __dataclass_fields__
        return (type(value).__name__, freeze(dataclasses.asdict(value)))  # e.g. portfolio.Filters
    if value is None or isinstance(value, (str, bytes, numbers.Number)) or hasattr(value, "isoformat"):
        return (type(value).__name__, value)  # numbers.Number covers numpy scalars and Decimal
    raise TypeError(f"cannot key a read on {type(value).__name__}")


def copy_result(value: Any) -> Any:
    """A copy deep enough that a caller changing it cannot change the cached result."""
    frames = _pandas_types()[:2]
    if frames and isinstance(value, frames):
        return value.copy()
    if isinstance(value, dict):
        return {k: copy_result(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_result(v) for v in value]
    if isinstance(value, tuple):
        return tuple(copy_result(v) for v in value) if any(isinstance(v, (dict, list, *frames)) for v in value) else value
    return value  # numbers, strings, dates, None: immutable


def _estimated_bytes(value: Any) -> int:
    frames = _pandas_types()[:2]
    if frames and isinstance(value, frames):
        return int(value.memory_usage(index=True, deep=False).sum()) + 64 * value.size
    if isinstance(value, dict):
        return 64 + sum(64 + _estimated_bytes(v) for v in value.values())
    if isinstance(value, list | tuple) and value:
        sample = value[:100]
        return 64 + sum(_estimated_bytes(v) for v in sample) * len(value) // len(sample)
    return 64
