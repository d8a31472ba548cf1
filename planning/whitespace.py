"""Whitespace: what an account could buy from us and doesn't yet, per business unit × product.

Rules (issue #6, docs/design.md "Whitespace"):
- Rows are the plan account's business units; a plan scoped to one unit shows only that row.
  The row without a unit (business_unit_id NULL) is "Whole account" when the account has no
  units, else "No business unit" (its deals carry no unit), shown only when it holds deals
  or a person's cell. Columns are every product, grouped by family.
- Deals behind a cell: the account's opportunities on that unit and product closing on or
  before the plan end, or with no close date. Flags: the opportunity's own is_closed/is_won,
  else its stage's. Derived status: Sold (a won deal; won before the period counts), else
  In Progress (an open deal), else Open. A status set by a person beats the derived one.
- Value: Sold = won amount; In Progress = open amount (a manual Sold/In Progress without
  such deals takes the entered value); Open and Competitor = the entered estimate, else the
  peer estimate. Not a Fit / Blocked and Unknown have no value.
- Peer estimate: the median, over accounts of the same industry and size band (the account
  itself excluded), of each peer's won spend on the product up to the plan end (the peer's
  own Sold value); peers that never bought the product are not counted. It is exact in cents
  (the mean of the two middle spends, halves up), so both backends agree to the cent.
- Whitespace value = Σ value of Open and Competitor cells.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from planning import access, audit, vocab
from planning.db import Database, cached_read, fetch_dicts
from planning.db.dialect import constraint_errors
from planning.errors import InvalidInput, NotFound, StaleEdit

WHOLE_ACCOUNT = "Whole account"
NO_BUSINESS_UNIT = "No business unit"
OTHER_FAMILY = "Other"
# Size bands on annual revenue (USD); accounts without revenue fall back to employees.
SIZE_BANDS = [  # label, revenue below, employees below
    ("Small", 100_000_000, 500),
    ("Mid-market", 1_000_000_000, 5_000),
    ("Large", 10_000_000_000, 50_000),
    ("Enterprise", None, None),
]
VALUE_SOURCES = ["won deals", "open deals", "entered", "peer estimate"]
MANUAL_FIELDS = ["status", "estimated_value", "competitor", "contract_end_date", "note"]
FIELD_LABELS = {
    "status": "status", "estimated_value": "estimated value", "competitor": "competitor",
    "contract_end_date": "contract end", "note": "note",
}


def size_band_sql(alias: str = "a") -> str:
    """SQL for an account's size band (SIZE_BANDS), NULL when revenue and employees are unknown."""
    by_revenue = " ".join(f"WHEN {alias}.annual_revenue < {rev} THEN '{label}'" for label, rev, _ in SIZE_BANDS[:-1])
    by_staff = " ".join(f"WHEN {alias}.employees < {emp} THEN '{label}'" for label, _, emp in SIZE_BANDS[:-1])
    last = SIZE_BANDS[-1][0]
    return (
        f"CASE WHEN {alias}.annual_revenue IS NOT NULL THEN (CASE {by_revenue} ELSE '{last}' END)"
        f" WHEN {alias}.employees IS NOT NULL THEN (CASE {by_staff} ELSE '{last}' END) END"
    )


# The cells of many plans at once. Bind: [plan_ids, plan_ids] (a BIGINT list, or NULL = all plans).
CELLS_SQL = f"""
WITH scope AS (
    SELECT p.id AS plan_id, p.account_id, p.business_unit_id AS plan_unit_id, p.period_end,
           a.industry, {size_band_sql('a')} AS size_band
    FROM plan p JOIN account a ON a.id = p.account_id
    WHERE ?::BIGINT[] IS NULL OR list_contains(?::BIGINT[], p.id)
),
flagged AS NOT MATERIALIZED (  -- inlined where used: PostgreSQL would otherwise copy every opportunity first
    SELECT o.*, coalesce(o.is_won, st.is_won, FALSE) AS won,
           NOT coalesce(o.is_closed, st.is_closed, FALSE) AND NOT coalesce(o.is_won, st.is_won, FALSE) AS open
    FROM opportunity o LEFT JOIN stage st ON st.name = o.stage
    WHERE o.account_id IS NOT NULL AND o.product_id IS NOT NULL
),
deals AS (
    SELECT s.plan_id, o.business_unit_id, o.product_id,
           sum(o.amount) FILTER (WHERE o.won) AS won_amount, count(*) FILTER (WHERE o.won) AS won_count,
           sum(o.amount) FILTER (WHERE o.open) AS open_amount, count(*) FILTER (WHERE o.open) AS open_count
    FROM scope s
    JOIN flagged o ON o.account_id = s.account_id AND (o.won OR o.open)
         AND (o.close_date IS NULL OR o.close_date <= s.period_end)
         AND (s.plan_unit_id IS NULL OR o.business_unit_id = s.plan_unit_id)
    GROUP BY s.plan_id, o.business_unit_id, o.product_id
),
bands AS (
    SELECT DISTINCT industry, size_band, period_end FROM scope WHERE industry IS NOT NULL AND size_band IS NOT NULL
),
account_spend AS (  -- each account's won spend per product up to each plan end in play
    SELECT b.industry, b.size_band, b.period_end, o.account_id, o.product_id, sum(o.amount) AS spend
    FROM bands b
    JOIN account a ON a.industry = b.industry AND {size_band_sql('a')} = b.size_band
    JOIN flagged o ON o.account_id = a.id AND o.won AND (o.close_date IS NULL OR o.close_date <= b.period_end)
    GROUP BY b.industry, b.size_band, b.period_end, o.account_id, o.product_id
    HAVING sum(o.amount) > 0
),
peers AS (  -- the median spend of the plan's peers: its group's accounts other than its own
    SELECT plan_id, product_id,
           -- the mean of the two middle spends (one when odd), in exact cents, halves up
           CAST(floor((CAST(lower_middle * 100 AS BIGINT) + CAST(upper_middle * 100 AS BIGINT) + 1) / 2.0) AS DOUBLE)
               / 100 AS peer_estimate, peer_count
    FROM (
        SELECT s.plan_id, a.product_id, count(*) AS peer_count,
               percentile_disc(0.5) WITHIN GROUP (ORDER BY a.spend) AS lower_middle,
               percentile_disc(0.5) WITHIN GROUP (ORDER BY a.spend DESC) AS upper_middle
        FROM scope s
        JOIN account_spend a ON a.industry = s.industry AND a.size_band = s.size_band AND a.period_end = s.period_end
             AND a.account_id <> s.account_id
        GROUP BY s.plan_id, a.product_id
    ) AS middles
),
unit_rows AS (
    SELECT s.plan_id, bu.id AS business_unit_id, bu.name AS business_unit
    FROM scope s JOIN business_unit bu ON bu.account_id = s.account_id
         AND (s.plan_unit_id IS NULL OR bu.id = s.plan_unit_id)
),
account_rows AS (
    SELECT s.plan_id, NULL::BIGINT AS business_unit_id,
           CASE WHEN EXISTS (SELECT 1 FROM business_unit bu WHERE bu.account_id = s.account_id)
                THEN '{NO_BUSINESS_UNIT}' ELSE '{WHOLE_ACCOUNT}' END AS business_unit
    FROM scope s
    WHERE s.plan_unit_id IS NULL AND (
        NOT EXISTS (SELECT 1 FROM business_unit bu WHERE bu.account_id = s.account_id)
        OR EXISTS (SELECT 1 FROM deals d WHERE d.plan_id = s.plan_id AND d.business_unit_id IS NULL)
        OR EXISTS (SELECT 1 FROM whitespace_cell w WHERE w.plan_id = s.plan_id AND w.business_unit_id IS NULL))
),
grid AS (
    SELECT r.*, pr.id AS product_id, pr.name AS product, coalesce(pr.family, '{OTHER_FAMILY}') AS family
    FROM (SELECT * FROM unit_rows UNION ALL SELECT * FROM account_rows) r CROSS JOIN product pr
),
cells AS (
    SELECT g.plan_id, g.business_unit_id, g.business_unit, g.family, g.product_id, g.product,
           CASE WHEN coalesce(d.won_count, 0) > 0 THEN 'Sold'
                WHEN coalesce(d.open_count, 0) > 0 THEN 'In Progress' ELSE 'Open' END AS derived_status,
           w.status AS manual_status, w.id AS cell_id, coalesce(w.version, 0) AS version,
           w.estimated_value::DOUBLE AS entered_value, c.name AS competitor, w.contract_end_date, w.note,
           coalesce(d.won_amount, 0)::DOUBLE AS won_amount, coalesce(d.won_count, 0) AS won_count,
           coalesce(d.open_amount, 0)::DOUBLE AS open_amount, coalesce(d.open_count, 0) AS open_count,
           pe.peer_estimate, coalesce(pe.peer_count, 0) AS peer_count
    FROM grid g
    LEFT JOIN deals d ON d.plan_id = g.plan_id AND d.product_id = g.product_id
         AND d.business_unit_id IS NOT DISTINCT FROM g.business_unit_id
    LEFT JOIN whitespace_cell w ON w.plan_id = g.plan_id AND w.product_id = g.product_id
         AND w.business_unit_id IS NOT DISTINCT FROM g.business_unit_id
    LEFT JOIN competitor c ON c.id = w.competitor_id
    LEFT JOIN peers pe ON pe.plan_id = g.plan_id AND pe.product_id = g.product_id
),
valued AS (
    SELECT *, coalesce(manual_status, derived_status) AS status, manual_status IS NOT NULL AS manual
    FROM cells
),
sourced AS (
    SELECT *,
           CASE WHEN status = 'Sold' AND won_count > 0 THEN 'won deals'
                WHEN status = 'In Progress' AND open_count > 0 THEN 'open deals'
                WHEN status IN ('Sold', 'In Progress', 'Open', 'Competitor') AND entered_value IS NOT NULL THEN 'entered'
                WHEN status IN ('Open', 'Competitor') AND peer_estimate IS NOT NULL THEN 'peer estimate'
           END AS value_source
    FROM valued
)
SELECT *,
       CASE value_source WHEN 'won deals' THEN won_amount WHEN 'open deals' THEN open_amount
                         WHEN 'entered' THEN entered_value WHEN 'peer estimate' THEN peer_estimate END AS value,
       coalesce(value_source = 'peer estimate', FALSE) AS estimated
FROM sourced
"""

MATRIX_COLUMNS = [
    "business_unit_id", "business_unit", "family", "product_id", "product", "status", "manual",
    "derived_status", "value", "value_source", "estimated", "entered_value", "peer_estimate", "peer_count",
    "deal_count", "won_amount", "won_count", "open_amount", "open_count", "competitor", "contract_end_date",
    "note", "deals", "initiative_id", "cell_id", "version",
]


@cached_read(plan_scoped=True)
def plan_matrix(db: Database, plan_id: int) -> pd.DataFrame:
    """The plan's whitespace matrix, one row per business unit × product (MATRIX_COLUMNS)."""
    with db.connect() as con:
        _plan(con, plan_id)
        frame = con.execute(
            f"""
            WITH m AS ({CELLS_SQL})
            SELECT m.*, m.won_count + m.open_count AS deal_count,
                   (SELECT min(i.id) FROM initiative i WHERE i.plan_id = m.plan_id AND i.product_id = m.product_id
                      AND i.business_unit_id IS NOT DISTINCT FROM m.business_unit_id) AS initiative_id
            FROM m
            ORDER BY m.business_unit_id IS NULL, m.business_unit, m.family, m.product
            """,
            [[plan_id], [plan_id]],
        ).df()
        deals = con.execute(
            """
            SELECT o.business_unit_id, o.product_id, o.name, o.stage, o.amount::DOUBLE AS amount
            FROM plan p JOIN opportunity o ON o.account_id = p.account_id
                 AND (o.close_date IS NULL OR o.close_date <= p.period_end)
                 AND (p.business_unit_id IS NULL OR o.business_unit_id = p.business_unit_id)
            WHERE p.id = ? AND o.name IS NOT NULL AND o.product_id IS NOT NULL
            ORDER BY o.close_date DESC NULLS FIRST, o.id
            """,
            [plan_id],
        ).fetchall()
    texts = _deal_texts(deals)
    frame["deals"] = pd.Series([texts.get((None if pd.isna(unit) else int(unit), int(product)))
                                for unit, product in zip(frame["business_unit_id"], frame["product_id"])],
                               index=frame.index, dtype=object)
    return frame[MATRIX_COLUMNS].reset_index(drop=True)


def _deal_texts(deals: list[tuple]) -> dict[tuple, str]:
    """(business unit, product) → its deals as one line: "name · stage · 1,234 | …" (newest first)."""
    texts: dict[tuple, list[str]] = {}
    for unit, product, name, stage, amount in deals:
        money = "no amount" if amount is None else f"{amount:,.0f}"
        texts.setdefault((None if unit is None else int(unit), int(product)), []).append(
            f"{name} · {stage if stage is not None else '?'} · {money}")
    return {key: " | ".join(parts) for key, parts in texts.items()}


@cached_read
def whitespace_totals(db: Database, plan_ids: list[int] | None = None) -> pd.DataFrame:
    """Per plan: sold, in_progress, open_value, competitor_value, whitespace_value (one query)."""
    ids = None if plan_ids is None else [int(i) for i in plan_ids]
    return db.df(
        f"""
        WITH m AS ({CELLS_SQL})
        SELECT p.id AS plan_id,
               coalesce(sum(m.value) FILTER (WHERE m.status = 'Sold'), 0) AS sold,
               coalesce(sum(m.value) FILTER (WHERE m.status = 'In Progress'), 0) AS in_progress,
               coalesce(sum(m.value) FILTER (WHERE m.status = 'Open'), 0) AS open_value,
               coalesce(sum(m.value) FILTER (WHERE m.status = 'Competitor'), 0) AS competitor_value,
               coalesce(sum(m.value) FILTER (WHERE m.status IN ('Open', 'Competitor')), 0) AS whitespace_value
        FROM plan p LEFT JOIN m ON m.plan_id = p.id
        WHERE ?::BIGINT[] IS NULL OR list_contains(?::BIGINT[], p.id)
        GROUP BY p.id ORDER BY p.id
        """,
        [ids, ids, ids, ids],
    )


def summarise(matrix: pd.DataFrame) -> dict[str, float]:
    """Plan totals from a matrix: the whitespace_totals figures plus the peer-estimated share."""
    by_status = matrix.groupby("status")["value"].sum(min_count=1).fillna(0)
    open_value = float(by_status.get("Open", 0.0))
    competitor_value = float(by_status.get("Competitor", 0.0))
    whitespace = matrix[matrix["status"].isin(["Open", "Competitor"])]
    return {
        "sold": float(by_status.get("Sold", 0.0)),
        "in_progress": float(by_status.get("In Progress", 0.0)),
        "open_value": open_value,
        "competitor_value": competitor_value,
        "whitespace_value": open_value + competitor_value,
        "peer_estimated_value": float(whitespace.loc[whitespace["estimated"], "value"].sum()),
        "open_cells": int((matrix["status"] == "Open").sum()),
    }


def _totals_by(matrix: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    def part(status: list[str]) -> pd.Series:
        return matrix["value"].where(matrix["status"].isin(status), 0.0).fillna(0.0)

    frame = matrix[keys].assign(
        sold=part(["Sold"]), in_progress=part(["In Progress"]), whitespace=part(["Open", "Competitor"])
    )
    return frame.groupby(keys, sort=False, as_index=False).sum()


def row_totals(matrix: pd.DataFrame) -> pd.DataFrame:
    """Sold, in progress and whitespace value per business unit (matrix order)."""
    return _totals_by(matrix, ["business_unit"])


def column_totals(matrix: pd.DataFrame) -> pd.DataFrame:
    """Sold, in progress and whitespace value per product, grouped by family."""
    return _totals_by(matrix.sort_values(["family", "product"], kind="stable"), ["family", "product"])


def cell_opportunities(db: Database, plan_id: int, business_unit_id: int | None, product_id: int) -> pd.DataFrame:
    """The opportunities behind one cell (won, open and lost) with their derived flags."""
    return db.df(
        """
        SELECT o.id, o.external_id, o.name, o.stage, o.amount::DOUBLE AS amount, o.close_date,
               CASE WHEN coalesce(o.is_won, s.is_won, FALSE) THEN 'Won'
                    WHEN coalesce(o.is_closed, s.is_closed, FALSE) THEN 'Lost' ELSE 'Open' END AS outcome,
               u.name AS owner
        FROM plan p
        JOIN opportunity o ON o.account_id = p.account_id AND o.product_id = ?
             AND o.business_unit_id IS NOT DISTINCT FROM ?
             AND (o.close_date IS NULL OR o.close_date <= p.period_end)
        LEFT JOIN stage s ON s.name = o.stage
        LEFT JOIN app_user u ON u.id = o.owner_id
        WHERE p.id = ?
        ORDER BY o.close_date DESC NULLS FIRST, o.id
        """,
        [product_id, business_unit_id, plan_id],
    )


def list_cells(db: Database, plan_id: int) -> pd.DataFrame:
    """Cells a person has recorded for a plan, with names instead of ids."""
    return db.df(
        """
        SELECT coalesce(bu.name, 'Whole account') AS business_unit, pr.family, pr.name AS product,
               w.status, w.estimated_value, c.name AS competitor, w.contract_end_date, w.note
        FROM whitespace_cell w
        JOIN product pr ON pr.id = w.product_id
        LEFT JOIN business_unit bu ON bu.id = w.business_unit_id
        LEFT JOIN competitor c ON c.id = w.competitor_id
        WHERE w.plan_id = ?
        ORDER BY business_unit, pr.family, pr.name
        """,
        [plan_id],
    )


def list_competitors(db: Database) -> list[str]:
    return [r["name"] for r in db.rows("SELECT name FROM competitor ORDER BY lower(name)")]


# -- writes --------------------------------------------------------------------------------


def _plan(con: duckdb.DuckDBPyConnection, plan_id: int) -> dict:
    found = fetch_dicts(con, "SELECT id, account_id, business_unit_id FROM plan WHERE id = ?", [plan_id])
    if not found:
        raise NotFound(f"There is no plan with id {plan_id}.")
    return found[0]


def _check_cell_key(con, plan: dict, business_unit_id: int | None, product_id: int) -> tuple[str, str]:
    """Refuse a unit or product that is not a row or column of the plan; returns their names."""
    product = fetch_dicts(con, "SELECT name FROM product WHERE id = ?", [product_id])
    if not product:
        raise NotFound(f"There is no product with id {product_id}.")
    if business_unit_id is None:
        if plan["business_unit_id"] is not None:
            raise InvalidInput("This plan covers one business unit only; pick a cell in its row.")
        return WHOLE_ACCOUNT, product[0]["name"]
    unit = fetch_dicts(con, "SELECT name, account_id FROM business_unit WHERE id = ?", [business_unit_id])
    if not unit or unit[0]["account_id"] != plan["account_id"]:
        raise NotFound(f"Business unit {business_unit_id} does not belong to this plan's account.")
    if plan["business_unit_id"] not in (None, business_unit_id):
        raise InvalidInput("This plan covers one business unit only; pick a cell in its row.")
    return unit[0]["name"], product[0]["name"]


def _stored_cell(con, plan_id: int, business_unit_id: int | None, product_id: int) -> dict | None:
    found = fetch_dicts(
        con,
        """
        SELECT w.id, w.status, w.estimated_value, c.name AS competitor, w.contract_end_date, w.note, w.version
        FROM whitespace_cell w LEFT JOIN competitor c ON c.id = w.competitor_id
        WHERE w.plan_id = ? AND w.business_unit_id IS NOT DISTINCT FROM ? AND w.product_id = ?
        ORDER BY w.id LIMIT 1
        """,
        [plan_id, business_unit_id, product_id],
    )
    return found[0] if found else None


def _clean_text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _validated(status, competitor, contract_end_date, estimated_value, note) -> dict[str, Any]:
    if status is not None and status not in vocab.WHITESPACE_STATUSES:
        raise InvalidInput(
            f"{status!r} is not a whitespace status; choose one of {', '.join(vocab.WHITESPACE_STATUSES)}, "
            "or none to derive it from opportunities."
        )
    competitor, note = _clean_text(competitor), _clean_text(note)
    if status == "Competitor" and competitor is None:
        raise InvalidInput("A Competitor cell needs the competitor's name.")
    if status != "Competitor" and (competitor is not None or contract_end_date is not None):
        raise InvalidInput(
            "A competitor and contract end date belong to a Competitor cell; set the status to Competitor or clear them."
        )
    if status == "Not a Fit / Blocked" and note is None:
        raise InvalidInput("A Not a Fit / Blocked cell needs a reason: say why in the note.")
    if estimated_value is not None:
        try:
            estimated_value = Decimal(str(estimated_value)).quantize(Decimal("0.01"))
        except ArithmeticError:
            raise InvalidInput(f"The estimated value {estimated_value!r} is not a number.") from None
        if estimated_value < 0:
            raise InvalidInput("The estimated value cannot be negative.")
    if contract_end_date is not None and not isinstance(contract_end_date, date):
        raise InvalidInput("The contract end must be a date.")
    return {
        "status": status, "estimated_value": estimated_value, "competitor": competitor,
        "contract_end_date": contract_end_date, "note": note,
    }


def _stale_message(con, cell: dict, loaded_version: int) -> str:
    # Each save audits its fields together with the version bump, so the audit log says what changed since.
    rows = con.execute(
        """
        SELECT DISTINCT a.field, u.name FROM audit_log a LEFT JOIN app_user u ON u.id = a.user_id
        WHERE a.entity = 'whitespace_cell' AND a.entity_id = ? AND a.field NOT IN ('version', 'plan_id',
              'business_unit_id', 'product_id')
          AND a.changed_at >= (SELECT min(changed_at) FROM audit_log WHERE entity = 'whitespace_cell'
                               AND entity_id = ? AND field = 'version'
                               AND CAST(CASE WHEN regexp_full_match(old_value, '[0-9]+') THEN old_value END AS INTEGER) >= ?)
        ORDER BY a.field
        """,
        [cell["id"], cell["id"], loaded_version],
    ).fetchall()
    fields = sorted({FIELD_LABELS.get(field, field) for field, _ in rows})
    who = sorted({name for _, name in rows if name})
    return (
        f"{' and '.join(who) or 'Someone else'} saved this cell after you opened it (changed: "
        f"{', '.join(fields) or 'the cell'}). Reload to see their values, then make your change again."
    )


def _competitor_id(con, user_id: int, name: str | None) -> int | None:
    if name is None:
        return None
    found = con.execute("SELECT id FROM competitor WHERE lower(name) = lower(?)", [name]).fetchall()
    if found:
        return found[0][0]
    new_id = con.execute("INSERT INTO competitor (name) VALUES (?) RETURNING id", [name]).fetchall()[0][0]
    audit.record_created(con, user_id, "competitor", new_id, {"name": name})
    return new_id


def set_cell(
    db: Database,
    user: dict | None,
    plan_id: int,
    business_unit_id: int | None,
    product_id: int,
    status: str | None,
    *,
    competitor: str | None = None,
    contract_end_date: date | None = None,
    estimated_value: float | Decimal | None = None,
    note: str | None = None,
    expected_version: int = 0,
) -> dict:
    """Record a person's view of one cell; status None returns it to derived.

    `expected_version` is the cell version the form loaded (0: no cell was recorded yet).
    Returns the saved cell (id, version and the fields).
    """
    values = _validated(status, competitor, contract_end_date, estimated_value, note)
    with db.transaction() as con:
        plan = _plan(con, plan_id)
        user = access.require_plan_editor(con, user, plan_id)
        _check_cell_key(con, plan, business_unit_id, product_id)
        old = _stored_cell(con, plan_id, business_unit_id, product_id)
        current_version = old["version"] if old else 0
        if current_version != expected_version:
            if old is None:
                raise StaleEdit("This cell was cleared after you opened it. Reload and make your change again.")
            raise StaleEdit(_stale_message(con, old, expected_version))
        competitor_id = _competitor_id(con, user["id"], values["competitor"])
        if old is None:
            try:
                cell_id = con.execute(
                    "INSERT INTO whitespace_cell (plan_id, business_unit_id, product_id, status, estimated_value,"
                    " competitor_id, contract_end_date, note, updated_by, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp) RETURNING id",
                    [plan_id, business_unit_id, product_id, values["status"], values["estimated_value"],
                     competitor_id, values["contract_end_date"], values["note"], user["id"]],
                ).fetchall()[0][0]
            except constraint_errors():  # another process created the cell since we looked (index 0220)
                raise StaleEdit("Someone else saved this cell at the same moment. Reload to see their values, "
                                "then make your change again.") from None
            created = {"plan_id": plan_id, "business_unit_id": business_unit_id, "product_id": product_id, **values}
            # One audit call, so the creation shares its timestamp with the version bump (see _stale_message).
            audit.record(
                con, user["id"], "whitespace_cell", cell_id,
                {k: (None, v) for k, v in created.items() if v is not None} | {"version": (0, 1)},
            )
            return {"id": cell_id, "version": 1, **values}
        changed = audit.changed_fields(old, values)
        if not changed:
            return {"id": old["id"], "version": old["version"], **values}
        audit.saved_one(con.execute(
            "UPDATE whitespace_cell SET status = ?, estimated_value = ?, competitor_id = ?, contract_end_date = ?,"
            " note = ?, updated_by = ?, updated_at = current_timestamp, version = version + 1 WHERE id = ? AND version = ?",
            [values["status"], values["estimated_value"], competitor_id, values["contract_end_date"],
             values["note"], user["id"], old["id"], expected_version],
        ), "whitespace cell")
        audit.record(
            con, user["id"], "whitespace_cell", old["id"], changed | {"version": (old["version"], old["version"] + 1)}
        )
        return {"id": old["id"], "version": old["version"] + 1, **values}


def carry_forward(con: duckdb.DuckDBPyConnection, source_plan_id: int, target_plan_id: int, user_id: int | None) -> int:
    """Copy a person's cells (status, estimate, competitor, note) to a follow-up; returns rows copied.

    Derived statuses are never copied: a cell without a manual status stays derived and
    recomputes for the new period. Cells whose unit is not a row of the target plan, and cells
    the target already has, are skipped. Runs inside the caller's transaction.
    """
    copied = con.execute(
        """
        INSERT INTO whitespace_cell (plan_id, business_unit_id, product_id, status, estimated_value, competitor_id,
                                     contract_end_date, note, updated_by, updated_at)
        SELECT t.id, w.business_unit_id, w.product_id, w.status, w.estimated_value, w.competitor_id,
               w.contract_end_date, w.note, ?, current_timestamp
        FROM whitespace_cell w JOIN plan t ON t.id = ?
        LEFT JOIN business_unit bu ON bu.id = w.business_unit_id
        WHERE w.plan_id = ?
          AND (w.status IS NOT NULL OR w.estimated_value IS NOT NULL OR w.note IS NOT NULL)
          AND (w.business_unit_id IS NULL AND t.business_unit_id IS NULL
               OR bu.account_id = t.account_id AND (t.business_unit_id IS NULL OR t.business_unit_id = bu.id))
          AND NOT EXISTS (SELECT 1 FROM whitespace_cell x WHERE x.plan_id = t.id AND x.product_id = w.product_id
                          AND x.business_unit_id IS NOT DISTINCT FROM w.business_unit_id)
        RETURNING id, status
        """,
        [user_id, target_plan_id, source_plan_id],
    ).fetchall()
    for cell_id, status in copied:
        audit.record(con, user_id, "whitespace_cell", cell_id, {"carried_from_plan": (None, source_plan_id), "status": (None, status)})
    return len(copied)


def create_initiative_from_cell(
    db: Database, user: dict | None, plan_id: int, business_unit_id: int | None, product_id: int
) -> int:
    """Turn an Open cell into an initiative (a potential deal) valued at the cell's value; returns its id."""
    matrix = plan_matrix(db, plan_id)
    match = matrix[(matrix["product_id"] == product_id) & _same_unit(matrix["business_unit_id"], business_unit_id)]
    if match.empty:
        raise NotFound("That business unit × product is not a cell of this plan.")
    cell = match.iloc[0]
    if cell["status"] != "Open":
        raise InvalidInput(
            f"Only an Open cell can become an initiative; {cell['product']} for {cell['business_unit']} is {cell['status']}."
        )
    value = None if pd.isna(cell["value"]) else round(float(cell["value"]), 2)
    name = f"{cell['product']} for {cell['business_unit']}"
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        existing = con.execute(
            "SELECT name FROM initiative WHERE plan_id = ? AND product_id = ? AND business_unit_id IS NOT DISTINCT FROM ?",
            [plan_id, product_id, business_unit_id],
        ).fetchall()
        if existing:
            raise InvalidInput(f"This plan already has an initiative for that cell: {existing[0][0]!r}.")
        source = "peer estimate" if cell["estimated"] else (cell["value_source"] or "no value")
        values = {
            "plan_id": plan_id, "name": name, "product_id": product_id, "business_unit_id": business_unit_id,
            "estimated_value": value, "trigger_event": f"Whitespace cell (value from {source})",
        }
        return audit.insert_created(con, user["id"], "initiative", values)


def _same_unit(column: pd.Series, business_unit_id: int | None) -> pd.Series:
    return column.isna() if business_unit_id is None else column == business_unit_id
