"""DuckDB: `business_unit` without index-backed keys; its writers keep the keys (issue #16).

A 1M-opportunity import names ~150k business units. Inserting them into a table with a PRIMARY
KEY and a UNIQUE (account_id, name) took ~0.2 s and its commit ~0.1 s more (the indexes are
written out at checkpoint); without the keys, ~0.06 s and nothing. So on DuckDB the table is
rebuilt without them, as `opportunity` was (0260):

- `id` stays unique because only `seq_business_unit` makes ids (the importer, the page and the
  demo take `nextval`; `planning copy` writes a source's ids into an empty book and then moves the
  sequence past them);
- (account, name) stays unique, and more strictly (whatever the case), because every writer
  checks before it writes, inside its write transaction: the page (business_units._clean refuses
  a name the account already has in any case), an opportunities import (creates only the names
  the account lacks, folded: case and spaces, one per folded name), a business-units import
  (matches a row to the account's unit of the same folded name; a name repeated in one file is
  refused). DuckDB writers are one at a time, so nothing can slip in between a check and its commit.

PostgreSQL keeps both constraints.
"""

from planning.db.dialect import drop_keys_on_duckdb


def apply(con) -> None:
    drop_keys_on_duckdb(con, "business_unit")
