"""One whitespace cell per plan × business unit × product, as a database constraint (issue #18).

`whitespace.set_cell` inserts a cell when none exists. Within one process the writer lock
serialises that check; across app processes on one PostgreSQL, two first saves of the same
cell would both insert. The index makes the second one fail, and set_cell turns that into
StaleEdit. Existing duplicates (none are known) are resolved first: the most recently updated
cell (then the highest id) stays, with an audit row for each one removed.
"""


def apply(con) -> None:
    duplicates = con.execute(
        """
        SELECT id FROM (
            SELECT id, row_number() OVER (
                PARTITION BY plan_id, coalesce(business_unit_id, -1), product_id
                ORDER BY updated_at DESC, id DESC) AS n
            FROM whitespace_cell) AS ranked
        WHERE n > 1 ORDER BY id
        """
    ).fetchall()
    for (cell_id,) in duplicates:
        con.execute("DELETE FROM whitespace_cell WHERE id = ?", [cell_id])
        con.execute(
            "INSERT INTO audit_log (changed_at, user_id, entity, entity_id, field, old_value, new_value)"
            " VALUES (current_timestamp, NULL, 'whitespace_cell', ?, 'deleted', 'duplicate cell', NULL)",
            [cell_id],
        )
    if duplicates:
        # DuckDB cannot create an index in a transaction that changed the table (see 0120).
        con.execute("COMMIT")
        con.execute("BEGIN TRANSACTION")
    con.execute(
        "CREATE UNIQUE INDEX whitespace_cell_key ON whitespace_cell (plan_id, coalesce(business_unit_id, -1), product_id)"
    )
