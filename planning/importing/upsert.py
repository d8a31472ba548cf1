"""Resolve references and write a staged extract set-based: insert, update, history, audit.

`resolve` (no writes) turns `import_typed` into `import_rows`: database column names, references
resolved by CRM id or folded name, the existing record each row matches (`target_id`), and a
provisional negative id for new rows so records can reference each other inside one file
(subsidiary_of, ReportsToId, manager). `write` runs inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from planning.db.dialect import Dialects, dialect_of
from planning.errors import ImportRefused
from planning.importing.scratch import temp_table
from planning.importing.staging import RowChecks, fold, quote


@dataclass(frozen=True)
class Ref:
    field: str  # the import field holding the reference text
    id_col: str
    ref_col: str | None  # where unresolved text is kept (None: only a warning)
    table: str  # account, product, app_user, contact
    noun: str


@dataclass(frozen=True)
class Target:
    table: str
    entity: str
    seq: str
    direct: dict[str, str]  # import field → column
    refs: tuple[Ref, ...] = ()
    insert_defaults: dict[str, str] = field(default_factory=dict)


# Tables whose edit forms carry a version (see docs/design.md, "Versioned saves").
VERSIONED = frozenset({"contact", "app_user"})

TARGETS = {
    "accounts": Target("account", "account", "seq_account", {
        "external_id": "external_id", "industry": "industry", "annual_revenue": "annual_revenue",
        "employees": "employees", "year_established": "year_established", "country": "country",
        "region": "region", "territory": "territory", "last_activity_date": "last_activity_date",
    }, (Ref("owner_ref", "owner_id", "owner_ref", "app_user", "user"),
        Ref("parent_ref", "parent_id", "parent_ref", "account", "account"))),
    "opportunities": Target("opportunity", "opportunity", "seq_opportunity", {
        "external_id": "external_id", "amount": "amount", "probability": "probability",
        "close_date": "close_date", "created_date": "created_date", "is_closed": "is_closed",
        "is_won": "is_won", "type": "type", "currency": "currency",
    }, (Ref("account_ref", "account_id", "account_ref", "account", "account"),
        Ref("product_ref", "product_id", "product_ref", "product", "product"),
        Ref("owner_ref", "owner_id", "owner_ref", "app_user", "user"))),
    "contacts": Target("contact", "contact", "seq_contact", {
        "external_id": "external_id", "first_name": "first_name", "last_name": "last_name",
        "title": "title", "department": "department", "email": "email", "phone": "phone",
    }, (Ref("account_ref", "account_id", "account_ref", "account", "account"),
        Ref("reports_to_ref", "reports_to_id", "reports_to_ref", "contact", "contact"))),
    "products": Target("product", "product", "seq_product", {
        "external_id": "external_id", "family": "family", "list_price": "list_price",
    }),
    "users": Target("app_user", "user", "seq_user", {
        "external_id": "external_id", "email": "email", "region": "region",
    }, (Ref("manager_ref", "manager_id", None, "app_user", "user"),), {"role": "'rep'"}),
    "business-units": Target("business_unit", "business_unit", "seq_business_unit", {"kind": "kind"},
                             (Ref("account_ref", "account_id", None, "account", "account"),)),
}
# New records take their ids in the file's line order on PostgreSQL, as DuckDB gives them on a file
# of one scan thread (a big file's ids are in no promised order on either: DuckDB is left unsorted).
IN_LINE_ORDER = Dialects(duckdb="", postgres=" ORDER BY r.__line")
# An import's id map (import_ids) also holds the matched records, for kinds whose rows refer to each other.
MATCHED_IDS = "UNION ALL SELECT __rid, target_id, FALSE FROM import_rows WHERE target_id IS NOT NULL"
SELF_TABLE = {"accounts": "account", "contacts": "contact", "users": "app_user"}
# A new business unit's name as first written in the file: arg_min builds no list per group (148,062
# (account, unit) pairs at 1M opportunities: 0.32 s for the sorted lists on DuckDB).
FIRST_SPELLING = Dialects(duckdb="arg_min(business_unit, first_line)",
                          postgres="(array_agg(business_unit ORDER BY first_line))[1]")


def _lookup_sql(table: str, extra: str = "") -> str:
    """Keys that find a record: its CRM id, `n:` + folded name, and `e:` + email for people."""
    parts = [f"SELECT external_id AS k, id FROM {table} WHERE external_id IS NOT NULL" if table != "business_unit" else "",
             f"SELECT 'n:' || {fold('name')}, id FROM {table}"]
    if table == "app_user":
        parts.append("SELECT 'e:' || lower(email), id FROM app_user WHERE email IS NOT NULL")
    if extra:
        parts.append(extra)
    # Records already in the database win over rows of the file (provisional ids are negative).
    return ("SELECT k, coalesce(min(id) FILTER (WHERE id > 0), min(id)) AS id FROM ("
            + " UNION ALL ".join(p for p in parts if p) + ") GROUP BY k")


def natural_key(kind: str, alias: str) -> str:
    """SQL for a record's natural key from columns (`alias.name`, `alias.account_id`, ...)."""
    name = fold(f"{alias}.name")
    if kind in ("opportunities", "contacts"):
        return f"{name} || '|' || coalesce(CAST({alias}.account_id AS VARCHAR), {fold(f'{alias}.account_ref')}, '')"
    if kind == "business-units":
        return f"CAST({alias}.account_id AS VARCHAR) || '|' || {name}"
    return name


def resolve(con: duckdb.DuckDBPyConnection, kind: str, mapped: set[str], row_checks: RowChecks | None = None) -> None:
    """Build `import_rows` from the valid rows of `import_typed` (rows with problems are left out).

    `row_checks` (staging.stage's deferred per-row checks) run on the same pass, and the rows they
    flag are listed in `import_problem` and left out before any row is matched.
    """
    target = TARGETS[kind]
    any_problem = con.execute("SELECT count(*) > 0 FROM import_problem").fetchall()[0][0]
    valid = "WHERE __line NOT IN (SELECT line FROM import_problem)" if any_problem else ""
    flag = f", ({row_checks.condition}) AS __bad" if row_checks else ""
    # Line numbers are unique, so minus the line is a provisional id no real record has.
    con.execute(f"CREATE OR REPLACE TEMP VIEW import_valid AS SELECT *, -__line AS __rid{flag} FROM import_typed {valid}")
    selects, joins = ["v.__line", "v.__key", "v.__rid", "v.__name AS name"] + (["v.__bad"] if row_checks else []), []
    for fld, column in target.direct.items():
        if fld in mapped:
            selects.append(f'v."{fld}" AS {column}')
    if kind == "opportunities" and "stage" in mapped:
        # Each stage the file names, spelled as the stage table does (folded once per name, not per row).
        temp_table(con, "import_stage_name", "SELECT d.v, min(st.name) AS name "
                   "FROM (SELECT DISTINCT stage AS v FROM import_valid WHERE stage IS NOT NULL) d "
                   f"LEFT JOIN stage st ON {fold('st.name')} = {fold('d.v')} GROUP BY d.v")
        selects.append("coalesce(st.name, v.stage) AS stage")
        joins.append("LEFT JOIN import_stage_name st ON st.v = v.stage")
    elif kind == "opportunities":
        selects.append("CAST(NULL AS VARCHAR) AS stage")  # Dynamics: a status column, no stage
    if kind == "opportunities" and "business_unit" in mapped:
        selects.append("v.business_unit")
    for i, ref in enumerate(target.refs):
        if ref.field not in mapped:
            continue
        extra = ""
        if SELF_TABLE.get(kind) == ref.table:
            extra = ("SELECT external_id, __rid FROM import_valid WHERE external_id IS NOT NULL UNION ALL "
                     if "external_id" in mapped else "") + f"SELECT 'n:' || {fold('__name')}, __rid FROM import_valid"
        temp_table(con, f"import_lookup_{i}", _lookup_sql(ref.table, extra))
        # Resolved once per distinct value: a million opportunities name some thousands of accounts.
        email = f"LEFT JOIN import_lookup_{i} c ON c.k = 'e:' || lower(d.v)" if ref.table == "app_user" else ""
        temp_table(
            con, f"import_ref_{i}",
            f"""
            SELECT d.v, coalesce(a.id, b.id{', c.id' if email else ''}) AS id
            FROM (SELECT DISTINCT "{ref.field}" AS v FROM import_valid WHERE "{ref.field}" IS NOT NULL) d
            LEFT JOIN import_lookup_{i} a ON a.k = d.v
            LEFT JOIN import_lookup_{i} b ON b.k = 'n:' || {fold('d.v')} {email}
            """
        )
        ref_value = f'v."{ref.field}"'
        joins.append(f"LEFT JOIN import_ref_{i} r{i} ON r{i}.v = {ref_value}")
        resolved = f"r{i}.id"
        selects.append(f"{resolved} AS {ref.id_col}")
        selects.append(f"CASE WHEN {resolved} IS NULL THEN {ref_value} END AS {ref.id_col}__unresolved")
        if ref.ref_col:
            selects.append(f"CASE WHEN {resolved} IS NULL THEN {ref_value} END AS {ref.ref_col}")
    _match(con, kind, mapped, f"SELECT {', '.join(selects)} FROM import_valid v " + " ".join(joins), row_checks)


def _leave_out_bad_rows(con: duckdb.DuckDBPyConnection, checks: RowChecks) -> None:
    """List the problems of the rows the deferred checks flagged in `import_rows`, and drop those rows."""
    flagged, repeated = con.execute("SELECT count(*) FILTER (WHERE __bad), (SELECT count(*) FROM import_problem) "
                                    "FROM import_rows").fetchall()[0]
    if flagged or repeated:
        # A repeated record (left out of `import_rows` already) has its own problems listed as well.
        con.execute(f"INSERT INTO import_problem {checks.problems(BAD_OR_REPEATED)}")
    if flagged:
        con.execute("DELETE FROM import_rows WHERE __bad")


BAD_OR_REPEATED = "__line IN (SELECT __line FROM import_rows WHERE __bad) OR __line IN (SELECT line FROM import_problem)"


def _match(con: duckdb.DuckDBPyConnection, kind: str, mapped: set[str], rows_sql: str,
           row_checks: RowChecks | None = None) -> None:
    """Find the existing record of each row: by CRM id, else by natural key (adopting the id)."""
    table = TARGETS[kind].table
    has_ext = "external_id" in mapped
    rows_key, table_key = natural_key(kind, "r"), natural_key(kind, "t")
    if kind in ("opportunities", "contacts") and "account_ref" not in mapped:  # no account column: name alone
        rows_key, table_key = fold("r.name"), fold("t.name")
    by_id = (f"LEFT JOIN (SELECT external_id, id FROM {table} WHERE external_id IS NOT NULL) me "
             "ON me.external_id = r.external_id" if has_ext else "")
    # Matching by name costs a key per row on both sides: only when some row can match that way
    # (rows without a CRM id; records without one, which a row with an id may adopt).
    by_name = not has_ext or con.execute("SELECT count(*) FILTER (WHERE external_id IS NULL) > 0 "
                                         "FROM import_valid").fetchall()[0][0]
    adopt = has_ext and con.execute(f"SELECT count(*) > 0 FROM {table} WHERE external_id IS NULL").fetchall()[0][0]
    matches, joins = [], []
    if has_ext:
        matches.append("me.id")
    if by_name or adopt:
        matches.append(f"CASE WHEN {'r.external_id IS NULL' if has_ext else 'TRUE'} THEN ma.id ELSE mn.id END")
        joins.append(f"LEFT JOIN (SELECT {table_key} AS k, min(id) AS id FROM {table} t GROUP BY 1) ma "
                     f"ON ma.k = {rows_key}" if by_name else "LEFT JOIN (SELECT NULL::BIGINT AS id) ma ON FALSE")
        joins.append(f"LEFT JOIN (SELECT {table_key} AS k, min(id) AS id FROM {table} t "
                     f"{'WHERE external_id IS NULL' if kind != 'business-units' else ''} GROUP BY 1) mn "
                     f"ON mn.k = {rows_key}" if adopt else "LEFT JOIN (SELECT NULL::BIGINT AS id) mn ON FALSE")
    target = f"coalesce({', '.join(matches)})" if matches else "CAST(NULL AS BIGINT)"
    temp_table(
        con, "import_rows",
        f"""
        SELECT r.*, {target} AS target_id
        FROM ({rows_sql}) r {by_id} {' '.join(joins)}
        """
    )
    if row_checks is not None:
        _leave_out_bad_rows(con, row_checks)
    if not (by_name or adopt):
        return  # matched by CRM id alone: one record per id, and ids are unique in the file
    # Two rows of one file matching the same record by name: the first updates it, the rest are new.
    con.execute(
        """
        UPDATE import_rows SET target_id = NULL FROM (
            SELECT target_id AS t, min(__line) AS first_line FROM import_rows WHERE target_id IS NOT NULL
            GROUP BY 1 HAVING count(*) > 1) d
        WHERE import_rows.target_id = d.t AND import_rows.__line > d.first_line
        """
    )


def compared_columns(kind: str, mapped: set[str]) -> list[str]:
    """Columns an import of these fields sets (others are left as they are)."""
    target = TARGETS[kind]
    columns = ["name"] if kind != "contacts" or mapped & {"name", "first_name", "last_name"} else []
    columns += [c for f, c in target.direct.items() if f in mapped]
    if kind == "opportunities" and "stage" in mapped:
        columns.append("stage")
        if "business_unit" in mapped:
            columns += ["business_unit_id", "business_unit_ref"]
    for ref in target.refs:
        if ref.field in mapped:
            columns.append(ref.id_col)
            if ref.ref_col:
                columns.append(ref.ref_col)
    return columns


def changes(con: duckdb.DuckDBPyConnection, kind: str, columns: list[str]) -> None:
    """`import_change`: one row per changed field of a matched record (old → new, as text)."""
    table = TARGETS[kind].table
    if dialect_of(con) == "postgres":
        _changes_postgres(con, table, columns)
        return
    items = [
        f"CASE WHEN r.{c} IS DISTINCT FROM t.{c} THEN {{'field': '{c}', 'old': CAST(t.{c} AS VARCHAR), "
        f"'new': CAST(r.{c} AS VARCHAR)}} END"
        for c in columns if c != "external_id"
    ]
    if "external_id" in columns:
        items.append("CASE WHEN t.external_id IS NULL AND r.external_id IS NOT NULL THEN "
                     "{'field': 'external_id', 'old': NULL, 'new': r.external_id} END")
    # One join, the changed fields gathered in a list and unnested: no per-field scans.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE import_change AS
        SELECT target_id, __line, __key, c.field AS field, c.old AS old_value, c.new AS new_value
        FROM (SELECT r.target_id, r.__line, r.__key,
                     unnest(list_filter([{', '.join(items)}], lambda x: x IS NOT NULL)) AS c
              FROM import_rows r JOIN {table} t ON t.id = r.target_id)
        """
    )


def _duckdb_text(column: str, data_type: str) -> str:
    """PostgreSQL SQL for a value as DuckDB's CAST(… AS VARCHAR) writes it, so history reads alike.

    Only doubles differ: DuckDB writes a whole number with `.0` (a probability of 1 is `1.0`).
    """
    if data_type == "double precision":
        return (f"CASE WHEN {column} = trunc({column}) AND abs({column}) < 1e16 "
                f"THEN trunc({column})::numeric::text || '.0' ELSE CAST({column} AS VARCHAR) END")
    return f"CAST({column} AS VARCHAR)"


def _changes_postgres(con, table: str, columns: list[str]) -> None:
    """The same rows on PostgreSQL: a lateral VALUES list of (field, old, new, changed) per matched row."""
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_schema = current_schema() AND table_name = ?", [table]).fetchall())
    items = [f"('{c}', {_duckdb_text(f't.{c}', types.get(c, ''))}, {_duckdb_text(f'r.{c}', types.get(c, ''))}, "
             f"r.{c} IS DISTINCT FROM t.{c})" for c in columns if c != "external_id"]
    if "external_id" in columns:
        items.append("('external_id', CAST(NULL AS VARCHAR), CAST(r.external_id AS VARCHAR), "
                     "t.external_id IS NULL AND r.external_id IS NOT NULL)")
    temp_table(
        con, "import_change",
        f"""
        SELECT r.target_id, r.__line, r.__key, c.field, c.old AS old_value, c.new AS new_value
        FROM import_rows r JOIN {table} t ON t.id = r.target_id
        CROSS JOIN LATERAL (VALUES {', '.join(items)}) AS c(field, old, new, changed)
        WHERE c.changed
        """,
    )


def business_units(con: duckdb.DuckDBPyConnection, batch_id: int | None) -> None:
    """Create the business units opportunities name on their account; resolve business_unit_id."""
    # The distinct (account, unit) pairs first: the names are folded per pair, not per row.
    temp_table(con, "import_unit", "SELECT account_id, business_unit, min(__line) AS first_line FROM import_rows "
               "WHERE business_unit IS NOT NULL GROUP BY account_id, business_unit")
    con.execute(
        f"""
        INSERT INTO business_unit (account_id, name, import_batch_id)
        SELECT account_id, {FIRST_SPELLING.on(con)}, CAST(? AS BIGINT)
        FROM import_unit r
        WHERE account_id > 0 AND NOT EXISTS (
            SELECT 1 FROM business_unit b WHERE b.account_id = r.account_id
              AND {fold('b.name')} = {fold('r.business_unit')})
        GROUP BY account_id, {fold('business_unit')} ORDER BY min(first_line)
        """,
        [batch_id],
    )


def attach_business_units(con: duckdb.DuckDBPyConnection) -> str:
    """Resolve business units by (account, folded name): `import_rows` becomes a view with them.

    A view over the staged rows and the few thousand (account, unit) pairs, rather than a copy of
    a million rows with two more columns. Returns the staged rows' table, for a read that needs no unit.
    """
    temp_table(
        con, "import_unit_id",
        f"""
        SELECT u.account_id, u.business_unit, b.id FROM import_unit u JOIN (
            SELECT account_id, {fold('name')} AS k, min(id) AS id FROM business_unit GROUP BY 1, 2
        ) b ON b.account_id = u.account_id AND b.k = {fold('u.business_unit')}
        """,
    )
    con.execute("ALTER TABLE import_rows RENAME TO import_rows_staged")
    con.execute(
        """
        CREATE TEMP VIEW import_rows AS
        SELECT r.*, u.id AS business_unit_id, CASE WHEN u.id IS NULL THEN r.business_unit END AS business_unit_ref
        FROM import_rows_staged r
        LEFT JOIN import_unit_id u ON u.account_id = r.account_id AND u.business_unit = r.business_unit
        """
    )
    return "import_rows_staged"


def write(con: duckdb.DuckDBPyConnection, kind: str, columns: list[str], batch_id: int, user_id: int | None,
          new_lines: tuple[int | None, int | None]) -> None:
    """Insert new rows, update changed ones, fix in-file references, write history and audit.

    `new_lines`: the first and last line of the rows with no record yet (None, None: none).
    """
    target = TARGETS[kind]
    table = target.table
    refers_to_itself = kind in SELF_TABLE
    # Where the new records' ids are given (not the id column's default), the id comes first.
    insert_cols = ["id"] + columns + list(target.insert_defaults) + ["import_batch_id"]
    values = [f"r.{c}" for c in columns] + list(target.insert_defaults.values()) + [str(int(batch_id))]
    if not refers_to_itself and dialect_of(con) == "postgres":
        # PostgreSQL, and no record of this kind refers to another: insert straight from the staged rows.
        con.execute(
            f"INSERT INTO {table} ({', '.join(insert_cols[1:])}) SELECT {', '.join(values)} "
            f"FROM import_rows r WHERE r.target_id IS NULL{IN_LINE_ORDER.on(con)}"
        )
        temp_table(con, "import_ids", "SELECT CAST(NULL AS BIGINT) AS provisional, CAST(NULL AS BIGINT) AS id, "
                   "FALSE AS is_new WHERE FALSE")
    elif dialect_of(con) == "postgres":
        # Records that refer to each other take their ids first, so in-file references can be fixed.
        temp_table(
            con, "import_ids",
            f"SELECT __rid AS provisional, nextval('{target.seq}') AS id, TRUE AS is_new FROM (SELECT __rid FROM "
            f"import_rows r WHERE target_id IS NULL{IN_LINE_ORDER.on(con)}) AS n {MATCHED_IDS}",
        )
        con.execute(
            f"INSERT INTO {table} ({', '.join(insert_cols)}) SELECT {', '.join(['m.id'] + values)} "
            f"FROM import_rows r JOIN import_ids m ON m.provisional = r.__rid WHERE m.is_new{IN_LINE_ORDER.on(con)}"
        )
    else:
        # DuckDB runs an INSERT whose rows call nextval() (the id column's default) on one thread
        # (1M opportunities: 2.2 s on one core), and joining each row to an id drawn beforehand
        # cost ~0.3 s more. So the sequence is drawn once for the new rows' span of lines, and a
        # new record's id is that span's first number plus its line's offset: from the sequence,
        # unique, in line order (a line of the span that updates a record leaves its number unused).
        offset = _draw_line_span(con, target, *new_lines)
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW import_ids AS SELECT __rid AS provisional, {int(offset)} + __line AS id, "
            f"TRUE AS is_new FROM import_rows WHERE target_id IS NULL {MATCHED_IDS if refers_to_itself else ''}"
        )
        con.execute(
            f"INSERT INTO {table} ({', '.join(insert_cols)}) SELECT {int(offset)} + r.__line, {', '.join(values)} "
            "FROM import_rows r WHERE r.target_id IS NULL"
        )
    sets = [f"{c} = r.{c}" for c in columns if c != "external_id"] + [f"import_batch_id = {int(batch_id)}"]
    if kind in ("accounts", "opportunities"):
        sets.append("updated_at = current_timestamp")
    if table in VERSIONED:
        sets.append("version = t.version + 1")  # an open edit form of this record must see the import as a change
    con.execute(
        f"UPDATE {table} AS t SET {', '.join(sets)} FROM import_rows r "
        "WHERE t.id = r.target_id AND r.target_id IN (SELECT target_id FROM import_change)"
    )
    if "external_id" in columns:
        # A record first imported by name takes the CRM id a later extract gives it (a unique column,
        # so only the rows that change it are touched).
        con.execute(
            f"UPDATE {table} AS t SET external_id = c.new_value FROM import_change c "
            "WHERE t.id = c.target_id AND c.field = 'external_id'"
        )
    for ref in target.refs:
        if SELF_TABLE.get(kind) == ref.table and ref.id_col in columns:
            con.execute(f"UPDATE {table} SET {ref.id_col} = m.id FROM import_ids m WHERE {table}.{ref.id_col} = m.provisional")
            con.execute(f"UPDATE import_change SET new_value = CAST(m.id AS VARCHAR) FROM import_ids m "
                        f"WHERE field = '{ref.id_col}' AND new_value = CAST(m.provisional AS VARCHAR)")
    if kind == "opportunities":
        con.execute(
            "INSERT INTO opportunity_history (opportunity_id, changed_at, field, old_value, new_value, import_batch_id) "
            "SELECT target_id, current_timestamp, field, old_value, new_value, CAST(? AS BIGINT) FROM import_change "
            "WHERE field IN ('stage', 'amount', 'close_date', 'probability')",
            [batch_id],
        )
    con.execute(
        "INSERT INTO audit_log (changed_at, user_id, entity, entity_id, field, old_value, new_value, import_batch_id) "
        "SELECT current_timestamp, CAST(? AS BIGINT), CAST(? AS VARCHAR), target_id, field, old_value, new_value, "
        "CAST(? AS BIGINT) FROM import_change",
        [user_id, target.entity, batch_id],
    )


def _draw_line_span(con: duckdb.DuckDBPyConnection, target: Target, first_line: int | None, last_line: int | None) -> int:
    """Draw the target's sequence once per line from the first to the last new row's; returns number minus line."""
    if first_line is None or last_line is None:
        return 0
    first, last = con.execute(f"SELECT min(n), max(n) FROM (SELECT nextval('{target.seq}') AS n FROM range(?))",
                              [last_line - first_line + 1]).fetchall()[0]
    if last - first != last_line - first_line:  # DuckDB writers are one at a time: never seen
        raise ImportRefused(f"Another writer drew {target.seq} during this import, so its new records could not be "
                            "numbered by line; nothing was imported. Import the file again.")
    return first - first_line


def duplicate_crm_id(con: duckdb.DuckDBPyConnection, kind: str, batch_id: int) -> str | None:
    """A CRM id that a record this import wrote shares with one it did not write, or None.

    On DuckDB `opportunity.external_id` has no unique index (migration 0260: it cost the 1M import
    more than half a raw read of the file), so the import checks the key itself before it commits.
    The file's own ids are unique (staging refuses a repeated one) and the rest of the table was
    unique before, so only the written records need comparing with the others: a first import's
    others are none. PostgreSQL keeps the constraint, and other kinds keep theirs.
    """
    if kind != "opportunities" or dialect_of(con) == "postgres":
        return None
    found = con.execute(
        "SELECT w.external_id FROM opportunity w JOIN opportunity o ON o.external_id = w.external_id "
        "WHERE w.import_batch_id = ? AND o.import_batch_id IS DISTINCT FROM ? ORDER BY 1 LIMIT 1",
        [batch_id, batch_id],
    ).fetchall()
    return found[0][0] if found else None


def missing_managers(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[str]:
    """Managers a sales-team file names but does not list: added as users (role rep)."""
    names = [r[0] for r in con.execute(
        "SELECT any_value(manager_id__unresolved ORDER BY __line) FROM import_rows "
        f"WHERE manager_id__unresolved LIKE '% %' GROUP BY {fold('manager_id__unresolved')} ORDER BY 1"
    ).fetchall()]
    if names:
        con.execute(
            "INSERT INTO app_user (name, role, import_batch_id) SELECT unnest(CAST(? AS VARCHAR[])), 'rep', CAST(? AS BIGINT)",
            [names, batch_id],
        )
        con.execute(
            f"""
            UPDATE app_user AS t SET manager_id = m.id FROM import_rows r, app_user m
            WHERE r.manager_id__unresolved IS NOT NULL AND m.import_batch_id = ? AND m.name IS NOT NULL
              AND {fold('m.name')} = {fold('r.manager_id__unresolved')}
              AND t.id = (SELECT id FROM import_ids WHERE provisional = r.__rid)
            """,
            [batch_id],
        )
    return names


__all__ = ["TARGETS", "resolve", "changes", "write", "compared_columns", "quote"]
