"""Audit history: every write records who, when, entity, id, field, old and new value."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb

from planning.db import Database
from planning.errors import StaleEdit

if TYPE_CHECKING:  # pandas loads with the first DataFrame; `planning import` never needs it
    import pandas as pd


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _same(a: Any, b: Any) -> bool:
    # Type-normalised equality: a DECIMAL 777777.00 read back and the float 777777.0 a form sends
    # are the same value (comparing text logged a fake change "777777→777777.0" on every save).
    numbers = (int, float, Decimal)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return Decimal(str(a)) == Decimal(str(b))
    return _text(a) == _text(b)


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields of `new` whose value differs from `old` (numbers compared by value, the rest as text), as (old, new)."""
    return {
        field: (old.get(field), value)
        for field, value in new.items()
        if not _same(old.get(field), value)
    }


def saved_one(result: duckdb.DuckDBPyConnection, what: str) -> None:
    """Check an `UPDATE … WHERE id = ? AND version = ?`: no row means someone saved first.

    The version compare before it names the fields; this is the database's own guarantee, which
    also holds where writes are not serialised (several processes, another backend).
    """
    if result.fetchall()[0][0] != 1:
        raise StaleEdit(f"Someone saved this {what} after you opened it. Reload it and apply your edit again.")


def record(
    con: duckdb.DuckDBPyConnection,
    user_id: int | None,
    entity: str,
    entity_id: int | None,
    changes: Mapping[str, tuple[Any, Any]],
    import_batch_id: int | None = None,
) -> None:
    """Write one audit row per changed field, inside the caller's transaction."""
    now = datetime.now()
    rows = [
        (now, user_id, entity, entity_id, field, _text(old), _text(new), import_batch_id)
        for field, (old, new) in changes.items()
    ]
    if rows:
        con.executemany(
            "INSERT INTO audit_log (changed_at, user_id, entity, entity_id, field, old_value, new_value, import_batch_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def record_created(con, user_id: int | None, entity: str, entity_id: int, values: Mapping[str, Any]) -> None:
    """Audit a new record: every non-empty field from nothing to its value."""
    record(con, user_id, entity, entity_id, {k: (None, v) for k, v in values.items() if v is not None})


def record_inserted(con: duckdb.DuckDBPyConnection, user_id: int | None, entity: str, cursor: duckdb.DuckDBPyConnection) -> int:
    """Audit each row an `INSERT … RETURNING id, …` made (set-based copies); returns how many."""
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    for row in rows:
        values = dict(zip(names, row))
        record_created(con, user_id, entity, values.pop("id"), values)
    return len(rows)


def record_deleted(con, user_id: int | None, entity: str, entity_id: int, values: Mapping[str, Any]) -> None:
    record(con, user_id, entity, entity_id, {k: (v, None) for k, v in values.items() if v is not None})


def history(db: Database, entity: str | None = None, entity_id: int | None = None, limit: int = 500) -> pd.DataFrame:
    """Audit rows, newest first, optionally for one entity (and id)."""
    return db.df(
        """
        SELECT a.changed_at, u.name AS user, a.entity, a.entity_id, a.field, a.old_value, a.new_value,
               a.import_batch_id
        FROM audit_log a LEFT JOIN app_user u ON u.id = a.user_id
        WHERE (CAST(? AS VARCHAR) IS NULL OR a.entity = ?) AND (CAST(? AS BIGINT) IS NULL OR a.entity_id = ?)
        ORDER BY a.id DESC LIMIT ?
        """,
        [entity, entity, entity_id, entity_id, limit],
    )


def insert_created(con: duckdb.DuckDBPyConnection, user_id: int | None, table: str, values: Mapping[str, Any],
                   audited: Mapping[str, Any] | None = None) -> int:
    """Insert one row (column names are the caller's own keys, values bound) and audit its creation.

    `audited` overrides what the audit row records (e.g. defaults the table fills in); returns the new id.
    """
    columns = list(values)
    new_id = con.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) RETURNING id",
        list(values.values()),
    ).fetchall()[0][0]
    record_created(con, user_id, table, new_id, values if audited is None else audited)
    return new_id


# The section of the plan each audited entity is in (the History tab's "Section").
PLAN_SECTIONS = {
    "plan": "Plan", "objective": "Objectives", "action": "Actions", "initiative": "Initiatives",
    "comment": "Discussion & files", "team_member": "Team", "scorecard_submission": "Scorecard",
    "whitespace_cell": "Whitespace", "stakeholder": "Stakeholders", "influence_link": "Stakeholders", "contact": "Contacts",
}
PLAN_HISTORY_SQL = """
WITH rows_of_plan(entity, entity_id) AS (
    SELECT 'plan', $plan
    UNION ALL SELECT 'objective', id FROM objective WHERE plan_id = $plan
    UNION ALL SELECT 'action', id FROM action WHERE plan_id = $plan
    UNION ALL SELECT 'initiative', id FROM initiative WHERE plan_id = $plan
    UNION ALL SELECT 'comment', id FROM comment WHERE plan_id = $plan
    UNION ALL SELECT 'team_member', id FROM team_member WHERE plan_id = $plan
    UNION ALL SELECT 'scorecard_submission', id FROM scorecard_submission WHERE plan_id = $plan
    UNION ALL SELECT 'whitespace_cell', id FROM whitespace_cell WHERE plan_id = $plan
    UNION ALL SELECT 'stakeholder', id FROM stakeholder WHERE plan_id = $plan
    UNION ALL SELECT 'influence_link', id FROM influence_link WHERE plan_id = $plan
    UNION ALL SELECT 'contact', contact_id FROM stakeholder WHERE plan_id = $plan
    -- rows deleted since: their audit rows name the plan
    UNION ALL SELECT entity, entity_id FROM audit_log
              WHERE field = 'plan_id' AND entity <> 'plan' AND CAST($plan AS VARCHAR) IN (old_value, new_value)
)
SELECT a.changed_at, u.name AS user, a.entity, tu.name AS team_person,
       coalesce(p.name, o.name, ac.title, i.name, c.name, sc.name, left(cm.body, 60),
                nullif(concat_ws(' · ', wb.name, wp.name), '')) AS record,
       coalesce(tu.name, a.field) AS field, a.old_value, a.new_value
FROM audit_log a
JOIN (SELECT DISTINCT entity, entity_id FROM rows_of_plan) r ON r.entity = a.entity AND r.entity_id = a.entity_id
LEFT JOIN app_user u ON u.id = a.user_id
LEFT JOIN app_user tu ON a.field LIKE 'team:%'
     AND tu.id = CASE WHEN regexp_full_match(split_part(a.field, ':', 2), '[0-9]{1,18}')
                      THEN CAST(split_part(a.field, ':', 2) AS BIGINT) END
LEFT JOIN plan p ON a.entity = 'plan' AND p.id = a.entity_id
LEFT JOIN objective o ON a.entity = 'objective' AND o.id = a.entity_id
LEFT JOIN action ac ON a.entity = 'action' AND ac.id = a.entity_id
LEFT JOIN initiative i ON a.entity = 'initiative' AND i.id = a.entity_id
LEFT JOIN contact c ON a.entity = 'contact' AND c.id = a.entity_id
LEFT JOIN stakeholder st ON a.entity = 'stakeholder' AND st.id = a.entity_id
LEFT JOIN contact sc ON sc.id = st.contact_id
LEFT JOIN comment cm ON a.entity = 'comment' AND cm.id = a.entity_id
LEFT JOIN whitespace_cell w ON a.entity = 'whitespace_cell' AND w.id = a.entity_id
LEFT JOIN product wp ON wp.id = w.product_id
LEFT JOIN business_unit wb ON wb.id = w.business_unit_id
WHERE a.field <> 'version'
ORDER BY a.id DESC LIMIT $limit
"""


def plan_history(db: Database, plan_id: int, limit: int = 500) -> pd.DataFrame:
    """Every audited change to anything in the plan, newest first: when, who, section, record, field, old, new.

    Anything in the plan: the plan's own fields; its objectives, actions, initiatives, comments and file
    links, team, scorecard answers, whitespace cells, stakeholders and influence links; and the contacts
    that are its stakeholders. A row deleted since still counts: its audit rows name the plan (`plan_id`).
    Version bumps are bookkeeping, not changes, and are left out; fields read as headers do ("Sales target",
    a team change names the person).
    """
    from planning.formatting import column_label  # imports pandas, which `planning import` never needs

    found = db.df(PLAN_HISTORY_SQL, {"plan": plan_id, "limit": limit})
    section = found["entity"].map(lambda e: PLAN_SECTIONS.get(e, column_label(e))).where(found["team_person"].isna(), "Team")
    return found.assign(section=section, record=found["record"].fillna(section), field=found["field"].map(column_label))[
        ["changed_at", "user", "section", "record", "field", "old_value", "new_value"]]
