"""The database layer: the only package that opens DuckDB (see docs/design.md, "Database").

`database` holds connections, transactions and migrations; `cache` the process's read cache;
`snapshot` file copies; `backup` the backup and restore commands.
"""

from planning.db.cache import READ_CACHE, ReadCache, cache_enabled, cached_read
from planning.db.database import (
    DEFAULT_PATH,
    Database,
    Migration,
    fetch_dicts,
    open_database,
    resolve_path,
    shipped_migrations,
    table_names,
)
from planning.db.postgres import PostgresDatabase  # importing it registers the postgresql:// backend

__all__ = [
    "DEFAULT_PATH", "READ_CACHE", "Database", "Migration", "PostgresDatabase", "ReadCache", "cache_enabled", "cached_read",
    "fetch_dicts", "open_database", "resolve_path", "shipped_migrations", "table_names",
]
