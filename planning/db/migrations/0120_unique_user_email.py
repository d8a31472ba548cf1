"""Emails are unique (case-insensitive) as a database constraint, not only a rule in code.

Emails are the sign-in key (docs/design.md, Access and roles): two users with one email would
let one person sign in as the other. Existing duplicates are resolved first: the oldest user
(lowest id) keeps the email, and every later holder's email is cleared, with an audit row, so an
admin can see whom to fix on the Admin page (Audit log, entity `user`).
"""


def apply(con) -> None:
    duplicates = con.execute(
        """
        SELECT id, email FROM (
            SELECT id, email, row_number() OVER (PARTITION BY lower(trim(email)) ORDER BY id) AS n
            FROM app_user WHERE email IS NOT NULL AND trim(email) <> '')
        WHERE n > 1 ORDER BY id
        """
    ).fetchall()
    for user_id, email in duplicates:
        con.execute("UPDATE app_user SET email = NULL, version = version + 1 WHERE id = ?", [user_id])
        con.execute(
            "INSERT INTO audit_log (changed_at, user_id, entity, entity_id, field, old_value, new_value)"
            " VALUES (current_timestamp, NULL, 'user', ?, 'email', ?, NULL)",
            [user_id, email],
        )
    blanks = con.execute("UPDATE app_user SET email = NULL WHERE trim(email) = ''").fetchall()[0][0]
    if duplicates or blanks:
        # DuckDB cannot create an index in a transaction that updated the table: commit the
        # clean-up first. Re-running is harmless (nothing left to clear), and the migration is
        # recorded only once the index exists.
        con.execute("COMMIT")
        con.execute("BEGIN TRANSACTION")
    con.execute("CREATE UNIQUE INDEX app_user_email_unique ON app_user (lower(email))")
