"""Objectives and actions of a plan; an objective's optional measure is computed live.

A measure counts (`count`) or sums the amount of (`sum`) the plan's opportunities matching a
filter {"stage": [...], "product": [...], "type": [...]} (an empty or missing list = any), and
compares it with the measure's target: progress = current / target.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from planning import access, audit, kpis, vocab
from planning.db import Database, fetch_dicts
from planning.db.dialect import Dialects
from planning.errors import InvalidInput, NotFound, StaleEdit

MEASURE_KINDS = ["count", "sum"]
OBJECTIVE_FIELDS = ["name", "type", "owner_id", "priority", "status", "outcome", "due_date",
                    "measure_kind", "measure_filter", "measure_target"]
FILTER_KEYS = ["stage", "product", "type"]

# The measure filter's lists, NULL when a key is missing or empty (= any): JSON reads differ by backend.
_FILTERS_DUCKDB = """
    SELECT ob.*, CASE WHEN len(coalesce(ob.f.stage, [])) > 0 THEN ob.f.stage END AS stage_filter,
           CASE WHEN len(coalesce(ob.f.product, [])) > 0 THEN ob.f.product END AS product_filter,
           CASE WHEN len(coalesce(ob.f.type, [])) > 0 THEN ob.f.type END AS type_filter
    FROM (SELECT ob.*, from_json(coalesce(ob.measure_filter, '{}'),
                                 '{"stage": "VARCHAR[]", "product": "VARCHAR[]", "type": "VARCHAR[]"}') AS f
          FROM objective ob WHERE ob.plan_id = $plan) AS ob
"""
_FILTERS_POSTGRES = """
    SELECT ob.*,
           CASE WHEN jsonb_typeof(ob.f -> 'stage') = 'array' THEN nullif(
               CAST(ARRAY(SELECT jsonb_array_elements_text(ob.f -> 'stage')) AS VARCHAR[]), CAST('{}' AS VARCHAR[])) END AS stage_filter,
           CASE WHEN jsonb_typeof(ob.f -> 'product') = 'array' THEN nullif(
               CAST(ARRAY(SELECT jsonb_array_elements_text(ob.f -> 'product')) AS VARCHAR[]), CAST('{}' AS VARCHAR[])) END AS product_filter,
           CASE WHEN jsonb_typeof(ob.f -> 'type') = 'array' THEN nullif(
               CAST(ARRAY(SELECT jsonb_array_elements_text(ob.f -> 'type')) AS VARCHAR[]), CAST('{}' AS VARCHAR[])) END AS type_filter
    FROM (SELECT ob.*, CAST(coalesce(ob.measure_filter, '{}') AS JSONB) AS f
          FROM objective ob WHERE ob.plan_id = $plan) AS ob
"""

_OBJECTIVES_SQL = """
WITH members AS ({members}),
deals AS (SELECT m.*, pr.name AS product FROM members m LEFT JOIN product pr ON pr.id = m.product_id),
objectives AS ({filters}),
measured AS (
    SELECT ob.id,
           CASE ob.measure_kind WHEN 'count' THEN CAST(count(d.opportunity_id) AS DOUBLE)
                                WHEN 'sum' THEN CAST(coalesce(sum(d.amount), 0) AS DOUBLE) END AS measure_current
    FROM objectives ob LEFT JOIN deals d ON ob.measure_kind IS NOT NULL
         AND (ob.stage_filter IS NULL OR list_contains(ob.stage_filter, d.stage))
         AND (ob.product_filter IS NULL OR list_contains(ob.product_filter, d.product))
         AND (ob.type_filter IS NULL OR list_contains(ob.type_filter, d.type))
    GROUP BY ob.id, ob.measure_kind
)
SELECT ob.id, ob.name, ob.type, ob.owner_id, u.name AS owner, ob.priority, ob.status, ob.outcome,
       ob.due_date, ob.measure_kind, ob.measure_filter, ob.measure_target, m.measure_current,
       m.measure_current / nullif(ob.measure_target, 0) AS measure_progress, ob.version
FROM objectives ob JOIN measured m ON m.id = ob.id LEFT JOIN app_user u ON u.id = ob.owner_id
ORDER BY CASE ob.priority WHEN 'High' THEN 1 WHEN 'Medium' THEN 2 WHEN 'Low' THEN 3 ELSE 4 END, ob.due_date, ob.id
"""
OBJECTIVES_SQL = Dialects(
    duckdb=_OBJECTIVES_SQL.format(members=kpis.MEMBERSHIP_SQL, filters=_FILTERS_DUCKDB),
    postgres=_OBJECTIVES_SQL.format(members=kpis.MEMBERSHIP_SQL, filters=_FILTERS_POSTGRES),
)


def list_objectives(db: Database, plan_id: int) -> pd.DataFrame:
    """The plan's objectives with measure_current and measure_progress computed from its opportunities."""
    return db.df(OBJECTIVES_SQL.on(db), {"plan_ids": [plan_id], "plan": plan_id})


def measure_filter(stage: list[str] | None = None, product: list[str] | None = None, type: list[str] | None = None) -> str | None:
    """The JSON stored for a measure's filter (None when nothing is filtered)."""
    chosen = {k: list(v) for k, v in (("stage", stage), ("product", product), ("type", type)) if v}
    return json.dumps(chosen) if chosen else None


def _validate(values: dict) -> None:
    if not values.get("name") or not str(values["name"]).strip():
        raise InvalidInput("An objective needs a name.")
    if values.get("status") not in vocab.OBJECTIVE_STATUSES:
        raise InvalidInput(f"Objective status must be one of {', '.join(vocab.OBJECTIVE_STATUSES)}.")
    if values.get("priority") not in (None, *vocab.PRIORITIES):
        raise InvalidInput(f"Priority must be one of {', '.join(vocab.PRIORITIES)}.")
    kind = values.get("measure_kind")
    if kind not in (None, *MEASURE_KINDS):
        raise InvalidInput("A measure counts deals (count) or sums their amount (sum).")
    if kind and (values.get("measure_target") is None or float(values["measure_target"]) <= 0):
        raise InvalidInput("A measure needs a target above zero to show progress against.")
    if values.get("measure_filter"):
        try:
            parsed = json.loads(values["measure_filter"])
        except ValueError:
            raise InvalidInput("The measure filter is not valid JSON.") from None
        if not isinstance(parsed, dict) or set(parsed) - set(FILTER_KEYS):
            raise InvalidInput(f"A measure filters on {', '.join(FILTER_KEYS)} only.")


def create_objective(db: Database, user: dict | None, plan_id: int, **fields: Any) -> int:
    """Add an objective to a plan; fields are OBJECTIVE_FIELDS (status defaults to Not Started)."""
    values = {"status": "Not Started", **fields}
    unknown = set(values) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise InvalidInput(f"Objectives have no field {', '.join(sorted(unknown))}.")
    _validate(values)
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        row = {"plan_id": plan_id, **values}
        return audit.insert_created(con, user["id"], "objective", row, audited=row | {"version": 1})


def _objective(con: duckdb.DuckDBPyConnection, objective_id: int) -> dict:
    found = fetch_dicts(con, "SELECT * FROM objective WHERE id = ?", [objective_id])
    if not found:
        raise NotFound(f"There is no objective with id {objective_id}.")
    return found[0]


def update_objective(db: Database, user: dict | None, objective_id: int, version: int, changes: dict[str, Any]) -> int:
    """Save edits to an objective loaded at `version`; StaleEdit names the fields someone else changed."""
    unknown = set(changes) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise InvalidInput(f"Objectives have no field {', '.join(sorted(unknown))}.")
    with db.transaction() as con:
        current = _objective(con, objective_id)
        user = access.require_plan_editor(con, user, current["plan_id"])
        if current["version"] != version:
            changed_by_others = [
                r[0] for r in con.execute(
                    # every save audits `version` last, so later rows are other people's changes
                    "SELECT field FROM audit_log WHERE entity = 'objective' AND entity_id = ?"
                    " AND id > (SELECT coalesce(max(id), 0) FROM audit_log"
                    "   WHERE entity = 'objective' AND entity_id = ? AND field = 'version' AND new_value = ?)"
                    " GROUP BY field ORDER BY min(id)",
                    [objective_id, objective_id, str(version)],
                ).fetchall() if r[0] != "version"
            ]
            raise StaleEdit(
                f"Someone saved the objective “{current['name']}” after you opened it"
                f"{' (changed: ' + ', '.join(changed_by_others) + ')' if changed_by_others else ''}. "
                "Reload and apply your edit again."
            )
        diff = audit.changed_fields(current, changes)
        if not diff:
            return version
        _validate(current | changes)
        audit.saved_one(con.execute(
            f"UPDATE objective SET {', '.join(f'{f} = ?' for f in diff)}, version = version + 1 WHERE id = ? AND version = ?",
            [changes[f] for f in diff] + [objective_id, version],
        ), "objective")
        audit.record(con, user["id"], "objective", objective_id, diff | {"version": (version, version + 1)})
        return version + 1


def delete_objective(db: Database, user: dict | None, objective_id: int) -> None:
    """Delete an objective; its actions move to the plan's unassigned bucket."""
    with db.transaction() as con:
        current = _objective(con, objective_id)
        user = access.require_plan_editor(con, user, current["plan_id"])
        con.execute("UPDATE action SET objective_id = NULL WHERE objective_id = ?", [objective_id])
        con.execute("DELETE FROM objective WHERE id = ?", [objective_id])
        audit.record_deleted(con, user["id"], "objective", objective_id, {"name": current["name"], "plan_id": current["plan_id"]})


# -- actions -------------------------------------------------------------------------------


def list_actions(db: Database, plan_id: int, today: date | None = None) -> pd.DataFrame:
    """The plan's actions grouped by objective ("Unassigned" last), with `overdue` flagged."""
    return db.df(
        """
        SELECT a.id, a.objective_id, coalesce(ob.name, 'Unassigned') AS objective, a.title, a.owner_id,
               u.name AS owner, a.due_date, a.status, a.completed_at,
               a.status NOT IN ('Done', 'Cancelled') AND a.due_date < ? AS overdue, a.version
        FROM action a LEFT JOIN objective ob ON ob.id = a.objective_id LEFT JOIN app_user u ON u.id = a.owner_id
        WHERE a.plan_id = ?
        ORDER BY a.objective_id IS NULL, ob.name, a.due_date NULLS LAST, a.id
        """,
        [today or date.today(), plan_id],
    )


def create_action(
    db: Database, user: dict | None, plan_id: int, *, title: str, owner_id: int,
    due_date: date | None = None, objective_id: int | None = None, status: str = "Not Started",
) -> int:
    """Add an action with exactly one owner, optionally under one of the plan's objectives."""
    if not title or not title.strip():
        raise InvalidInput("An action needs a title.")
    if owner_id is None:
        raise InvalidInput("An action needs exactly one owner.")
    if status not in vocab.ACTION_STATUSES:
        raise InvalidInput(f"Action status must be one of {', '.join(vocab.ACTION_STATUSES)}.")
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        if objective_id is not None and not con.execute(
            "SELECT count(*) FROM objective WHERE id = ? AND plan_id = ?", [objective_id, plan_id]
        ).fetchall()[0][0]:
            raise InvalidInput("That objective belongs to another plan; pick one of this plan's objectives.")
        values = {"plan_id": plan_id, "objective_id": objective_id, "title": title.strip(), "owner_id": owner_id,
                  "due_date": due_date, "status": status, "completed_at": datetime.now() if status == "Done" else None}
        return audit.insert_created(con, user["id"], "action", values)


def set_action_status(db: Database, user: dict | None, action_id: int, status: str, version: int | None = None) -> None:
    """Change an action's status; Done stamps completed_at, anything else clears it.

    `version` is the action's version the form opened with: a save after someone else's is refused.
    """
    if status not in vocab.ACTION_STATUSES:
        raise InvalidInput(f"Action status must be one of {', '.join(vocab.ACTION_STATUSES)}.")
    with db.transaction() as con:
        found = fetch_dicts(con, "SELECT * FROM action WHERE id = ?", [action_id])
        if not found:
            raise NotFound(f"There is no action with id {action_id}.")
        user = access.require_plan_editor(con, user, found[0]["plan_id"])
        current = found[0]["version"]
        if version is not None and version != current:
            raise StaleEdit(
                f"Someone saved the action “{found[0]['title']}” after you opened it (changed: status, now "
                f"{found[0]['status']}). Reload and apply your edit again."
            )
        if found[0]["status"] == status:
            return
        completed = datetime.now() if status == "Done" else None
        audit.saved_one(con.execute(
            "UPDATE action SET status = ?, completed_at = ?, version = version + 1 WHERE id = ? AND version = ?",
            [status, completed, action_id, current],
        ), "action")
        audit.record(con, user["id"], "action", action_id, audit.changed_fields(found[0], {"status": status, "completed_at": completed}))


# -- carry forward ---------------------------------------------------------------------------


def carry_forward(con: duckdb.DuckDBPyConnection, source_plan_id: int, target_plan_id: int, user_id: int | None) -> int:
    """A follow-up's objectives with their open actions; returns objectives copied."""
    return _copy_objectives(con, source_plan_id, target_plan_id, user_id, with_actions=True)


def carry_forward_without_actions(con: duckdb.DuckDBPyConnection, source_plan_id: int, target_plan_id: int, user_id: int | None) -> int:
    """A clone's objectives: actions are not copied (docs/design.md, plan lifecycle)."""
    return _copy_objectives(con, source_plan_id, target_plan_id, user_id, with_actions=False)


def _copy_objectives(con: duckdb.DuckDBPyConnection, source_plan_id: int, target_plan_id: int, user_id: int | None, *,
                     with_actions: bool) -> int:
    """Copy objectives (and, when asked, their open actions) to another plan, each audited; returns objectives copied."""
    con.execute("DROP TABLE IF EXISTS objective_map")
    con.execute(
        "CREATE TEMP TABLE objective_map AS SELECT id AS old_id, nextval('seq_objective') AS new_id"
        " FROM objective WHERE plan_id = ?",
        [source_plan_id],
    )
    audit.record_inserted(con, user_id, "objective", con.execute(
        """
        INSERT INTO objective (id, plan_id, name, type, owner_id, priority, status, outcome, due_date,
                               measure_kind, measure_filter, measure_target)
        SELECT m.new_id, ?, o.name, o.type, o.owner_id, o.priority, o.status, o.outcome, o.due_date,
               o.measure_kind, o.measure_filter, o.measure_target
        FROM objective o JOIN objective_map m ON m.old_id = o.id
        RETURNING id, plan_id, name, type, owner_id, priority, status, due_date
        """,
        [target_plan_id],
    ))
    if with_actions:
        audit.record_inserted(con, user_id, "action", con.execute(
            """
            INSERT INTO action (plan_id, objective_id, title, owner_id, due_date, status)
            SELECT ?, m.new_id, a.title, a.owner_id, a.due_date, a.status
            FROM action a LEFT JOIN objective_map m ON m.old_id = a.objective_id
            WHERE a.plan_id = ? AND a.status NOT IN ('Done', 'Cancelled')
            RETURNING id, plan_id, objective_id, title, owner_id, due_date, status
            """,
            [target_plan_id, source_plan_id],
        ))
    copied = con.execute("SELECT count(*) FROM objective_map").fetchall()[0][0]
    con.execute("DROP TABLE objective_map")
    return copied


def objective_changes(db: Database, plan_id: int, parent_id: int) -> pd.DataFrame:
    """Objectives compared by name with the parent plan: added, dropped or status changed."""
    return db.df(
        """
        SELECT coalesce(c.name, p.name) AS objective, p.status AS parent_status, c.status AS status,
               CASE WHEN p.name IS NULL THEN 'Added' WHEN c.name IS NULL THEN 'Dropped'
                    WHEN p.status <> c.status THEN 'Status changed' ELSE 'Unchanged' END AS change
        FROM (SELECT name, status FROM objective WHERE plan_id = ?) c
        FULL OUTER JOIN (SELECT name, status FROM objective WHERE plan_id = ?) p ON p.name = c.name
        ORDER BY change, objective
        """,
        [plan_id, parent_id],
    )


def product_names(db: Database) -> dict[int, str]:
    """Products by id (for pickers and measure filters)."""
    return {r["id"]: r["name"] for r in db.rows("SELECT id, name FROM product ORDER BY name")}


def stage_names(db: Database) -> list[str]:
    return [r["name"] for r in db.rows("SELECT name FROM stage ORDER BY sort_order, name")]
