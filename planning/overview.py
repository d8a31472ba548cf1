"""What the sidebar shows about the open database: size of the book and the last import."""

from __future__ import annotations

from planning.db import Database, cached_read
from planning.db.dialect import Dialects

COUNTED_TABLES = ["account", "opportunity", "contact", "plan"]
# PostgreSQL counts a million opportunities by reading them all (~60 ms on every page); its
# opportunity_tally (migration 0250) holds the count per account. DuckDB's count(*) is instant.
OPPORTUNITY_COUNT = Dialects(duckdb="SELECT count(*) FROM opportunity",
                             postgres="SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM opportunity_tally")


@cached_read
def database_status(db: Database) -> dict:
    """Record counts, the last import and the schema version, in one connection."""
    with db.connect() as con:
        counts = {t: con.execute(OPPORTUNITY_COUNT.on(con) if t == "opportunity" else f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in COUNTED_TABLES}
        last = con.execute(
            "SELECT file_name, kind, finished_at FROM import_batch WHERE status = 'committed'"
            " ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1"
        ).fetchall()
        version = con.execute("SELECT max(version) FROM schema_migration").fetchall()[0][0]
    return {
        "path": str(db.path),
        "counts": counts,
        "last_import": dict(zip(["file_name", "kind", "finished_at"], last[0])) if last else None,
        "schema_version": version,
    }


def fiscal_years(db: Database) -> list[int]:
    """Years that plans cover, newest first (for the period filter)."""
    rows = db.rows(
        "SELECT DISTINCT g.y FROM plan, generate_series(year(period_start), year(period_end)) AS g(y)"
        " ORDER BY g.y DESC"
    )
    return [r["y"] for r in rows]
