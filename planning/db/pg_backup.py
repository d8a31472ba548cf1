"""`planning backup` / `planning restore` on PostgreSQL: pg_dump and pg_restore (issue #18).

A backup folder holds `planning.pgdump` (pg_dump's custom format) and the same backup.json a
DuckDB backup has: sha256 of the dump and the fingerprint of every table. The fingerprints and
the dump come from one snapshot: a REPEATABLE READ transaction exports its snapshot, reads the
fingerprints and keeps it open while `pg_dump --snapshot` dumps exactly that state, so replicas
may go on writing meanwhile.

Restore is all-or-nothing and checks before it changes anything: the dump is first restored
into a scratch database on the same server (created and dropped again; the role needs
CREATEDB) and checked there as a DuckDB backup is (schema version, every table, fingerprints).
Then `pg_restore --clean --if-exists --single-transaction` replaces the URL's database in one
transaction: app replicas keep their connections, wait on the restore's locks and see the
restored data when it commits. A database that does not exist yet is created. The replaced data
is not kept (a PostgreSQL database has no file beside it): take `planning backup` first, and the
operator's own PostgreSQL backups (base backups, point-in-time recovery) still apply.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from planning.db import changes
from planning.db.snapshot import table_fingerprints
from planning.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Iterator

    from planning.db.postgres import PostgresDatabase

DUMP_FILE = "planning.pgdump"
_MAINTENANCE_DB = "postgres"


def tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, else the newest Debian server's, else a clear refusal."""
    found = shutil.which(name)
    if not found:
        candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
        found = str(candidates[-1]) if candidates else None
    if not found:
        raise InvalidInput(
            f"`planning backup`/`restore` on PostgreSQL need {name}, which is not installed "
            "(Debian: apt-get install postgresql-client). Until then, the operator's PostgreSQL backups apply."
        )
    return found


def with_database(url: str, name: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/")) or (urlsplit(url).username or _MAINTENANCE_DB)


def _client(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment passing the password as PGPASSWORD (not argv)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        host = parts.hostname or ""
        user = parts.username or ""
        netloc = f"{user}@" if user else ""
        netloc += f"[{host}]" if ":" in host else host
        netloc += f":{parts.port}" if parts.port else ""
        url = urlunsplit(parts._replace(netloc=netloc))
    return url, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise InvalidInput(f"{what} failed: {detail[-1] if detail else f'exit status {done.returncode}'}")


def _connect(url: str) -> Any:
    from planning.db.postgres import connect

    return connect(url)


def _connect_server(url: str) -> Any:
    """The server's maintenance database: where databases are looked up, created and dropped."""
    return _connect(with_database(url, _MAINTENANCE_DB))


def dump(db: PostgresDatabase, target: Path) -> tuple[int, dict[str, tuple[int, int]], str]:
    """pg_dump the database to `target`; returns (schema version, fingerprints, server version) of the dumped snapshot."""
    url, env = _client(db.url)
    with _connect(db.url) as con:
        con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot_id = con.execute("SELECT pg_export_snapshot()").fetchall()[0][0]
        version = con.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchall()[0][0]
        fingerprints = table_fingerprints(con)
        server = con.execute("SHOW server_version").fetchall()[0][0]
        partial = target.with_name(target.name + ".partial")
        try:
            _run([tool("pg_dump"), "--format=custom", f"--snapshot={snapshot_id}", f"--file={partial}", "--dbname", url],
                 env, "pg_dump")
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)  # a failed dump leaves the folder as it found it
        con.execute("COMMIT")
    return version, fingerprints, server


def database_exists(url: str) -> bool:
    with _connect_server(url) as con:
        return bool(con.execute("SELECT count(*) FROM pg_database WHERE datname = ?", [database_name(url)]).fetchall()[0][0])


def _create_database(url: str) -> None:
    with _connect_server(url) as con:
        try:
            con.execute(f'CREATE DATABASE "{database_name(url)}"')
        except Exception as exc:
            raise InvalidInput(f"Could not create the database {database_name(url)} ({str(exc).strip()}): restore needs a role "
                               "that may CREATE DATABASE (it checks the backup in a scratch database first); nothing was restored.") from None


def _drop_database(url: str) -> None:
    with _connect_server(url) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def _restore_into(dump_file: Path, url: str, clean: bool) -> None:
    client_url, env = _client(url)
    args = [tool("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, "--dbname", client_url, str(dump_file)], env, "pg_restore")


@contextmanager
def scratch_database(url: str, purpose: str) -> Iterator[str]:
    """A database of our own on the same server (for checking a backup), dropped afterwards."""
    scratch = with_database(url, f"{database_name(url)[:40]}_{purpose}_{os.getpid()}")
    _drop_database(scratch)
    _create_database(scratch)
    try:
        yield scratch
    finally:
        from planning.db.postgres import close_pool

        close_pool(scratch)
        _drop_database(scratch)


def checked_restore(db: PostgresDatabase, dump_file: Path, check) -> dict[str, tuple[int, int]]:
    """Check the dump in a scratch database (`check(con)` raises to refuse), then restore it into the
    URL's database in one transaction; returns the restored database's fingerprints."""
    with scratch_database(db.url, "restore_check") as scratch:
        try:
            _restore_into(dump_file, scratch, clean=False)
        except InvalidInput as exc:
            raise InvalidInput(f"The backup file does not restore as a database ({exc}); nothing was restored.") from None
        with _connect(scratch) as con:
            check(con)
            backup_tables = {r[0] for r in con.execute(_TABLES).fetchall()}
    if not database_exists(db.url):
        _create_database(db.url)
    with _connect(db.url) as con:
        extra = sorted({r[0] for r in con.execute(_TABLES).fetchall()} - backup_tables)
    if extra:
        raise InvalidInput(
            f"The database {db.path} has {len(extra)} table(s) the backup lacks ({', '.join(extra[:5])}): it is at a "
            "newer schema than the backup. Restore into a new database (another URL) instead; nothing was restored."
        )
    _restore_into(dump_file, db.url, clean=True)
    with db.transaction() as con:
        if changes.has_table(con):
            changes.set_new_epoch(con)  # replicas' caches may hold counters the backup repeats
    with db.connect() as con:
        return table_fingerprints(con)


_TABLES = ("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
           " AND table_type = 'BASE TABLE'")


def tables_of_fresh_database(url: str, version: int) -> set[str]:
    """Tables a database migrated by this code has, when `version` is this code's latest (else none known)."""
    server = with_database(url, _MAINTENANCE_DB)
    if (server, version) not in _fresh_tables:  # the same for every restore this process makes
        _fresh_tables[server, version] = _migrated_tables(url, version)
    return set(_fresh_tables[server, version])


_fresh_tables: dict[tuple[str, int], set[str]] = {}


def _migrated_tables(url: str, version: int) -> set[str]:
    from planning.db.database import open_database

    with scratch_database(url, "schema_check") as scratch:
        fresh = open_database(scratch)
        with fresh.connect() as con:
            if con.execute("SELECT coalesce(max(version), 0) FROM schema_migration").fetchall()[0][0] != version:
                return set()
            return set(table_fingerprints(con))


def manifest_fields(db: PostgresDatabase, server: str) -> dict:
    return {"backend": "postgres", "source": db.path, "server_version": server,
            "created_at": datetime.now().isoformat(timespec="seconds")}
