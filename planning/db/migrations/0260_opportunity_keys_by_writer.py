"""DuckDB: `opportunity` without index-backed keys; its writers keep the keys (issue #16).

DuckDB backs a PRIMARY KEY or UNIQUE column with an ART index that every insert maintains and
every checkpoint writes out. For a 1M-opportunity import the two (id, external_id) were 1.2 s of
2.1 s insert + commit, more than half of DuckDB's own read of the file. So on DuckDB the table
is rebuilt with the same columns, order, defaults and NOT NULLs, and no index:

- `id` stays unique because only `seq_opportunity` makes ids (the importer and the demo take
  `nextval`; `planning copy` writes a source's ids into an empty book and then moves the
  sequence past them);
- `external_id` (the CRM id) stays unique because the importer, its only writer, checks inside
  its write transaction that no record it wrote shares its CRM id with one it did not
  (`upsert.duplicate_crm_id`). DuckDB writers are one at a time (a process's writer lock, and
  the file lock between processes), so no other write can slip in between that check and the commit.

PostgreSQL keeps both constraints: replicas write concurrently there, and its b-tree upkeep is
not what the import waits on. DuckDB cannot drop a key, hence the rebuild; the views that read
`opportunity` (plan_member, opportunity_tally) are bound by name and keep working.
"""

from planning.db.dialect import drop_keys_on_duckdb


def apply(con) -> None:
    drop_keys_on_duckdb(con, "opportunity")
