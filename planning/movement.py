"""Deal movement: what the opportunities imports since a moment changed in a plan's period.

Rules (docs/design.md, "Deal movement"):
- the window is every committed opportunities import that finished after `since`; by default
  `since` is when the previous one finished (`default_since`), so the window is the latest import;
- a deal's state before the window is its current row with each field the window changed set back
  to the value the window's first change of it replaced (`opportunity_history` for stage, amount,
  close date, probability; `audit_log` for account, business unit and the won/closed flags);
- "in the period" is the membership rule (`kpis.MEMBER_RULE`), applied to the state before and to the state now;
- a deal is new when an import in the window inserted it (the importer keeps no insert row, so
  this is read from `import_batch_id`, its audit rows and its id: `NEW_SQL`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from planning.db import Database, cached_read, fetch_dicts
from planning.formatting import amount as json_amount
from planning.formatting import date_text, money
from planning.kpis import MEMBERSHIP_BY_RULE_SQL, MEMBERSHIP_SQL
from planning.plans import get_plan

if TYPE_CHECKING:
    import pandas as pd

# In the order a reader scans them: the plan's deals gained, lost, then how the rest moved.
KINDS = ["new", "removed", "slipped", "pulled_in", "amount_up", "amount_down", "stage_forward", "stage_back", "won", "lost"]
KIND_LABELS = {
    "new": "New", "removed": "Removed", "slipped": "Slipped", "pulled_in": "Pulled in", "amount_up": "Amount up",
    "amount_down": "Amount down", "stage_forward": "Stage forward", "stage_back": "Stage back", "won": "Won", "lost": "Lost",
}
AMOUNT_KINDS = {"new", "amount_up", "amount_down"}

# The window's import batches (ids only: every comparison below is by batch id, which follows commit order).
_WINDOW = """
window_batch AS (
    SELECT id, finished_at FROM import_batch
    WHERE kind = 'opportunities' AND status = 'committed' AND finished_at > CAST($since AS TIMESTAMP)
),
first_batch AS (SELECT min(id) AS id FROM window_batch)
"""

# New since the window began. A row still marked with a window batch and no audit row of an update
# was inserted by that batch. A row whose first recorded update is the window's first batch or earlier
# existed before it, and so did every row with a smaller id (ids come from one sequence). What is left
# is new; the one unprovable case — a deal inserted before the window, first updated by its second or
# later batch, with an id above every deal shown old — reads as new (design.md says so).
NEW_SQL = """
candidate AS (
    SELECT o.id, o.import_batch_id, min(a.import_batch_id) AS first_update
    FROM opportunity o CROSS JOIN first_batch f
    LEFT JOIN audit_log a ON a.entity = 'opportunity' AND a.entity_id = o.id AND a.import_batch_id IS NOT NULL
    WHERE o.import_batch_id >= f.id
    GROUP BY o.id, o.import_batch_id
),
oldest_known AS (
    SELECT max(id) AS id FROM (
        SELECT o.id FROM opportunity o CROSS JOIN first_batch f WHERE o.import_batch_id IS NULL OR o.import_batch_id < f.id
        UNION ALL
        SELECT c.id FROM candidate c CROSS JOIN first_batch f WHERE c.first_update <= f.id
    ) AS known
),
fresh AS (
    SELECT c.id AS opportunity_id,
           (SELECT max(w.finished_at) FROM window_batch w
            WHERE w.id <= coalesce(c.first_update - 1, c.import_batch_id)) AS changed_at
    FROM candidate c CROSS JOIN first_batch f CROSS JOIN oldest_known k
    WHERE (c.first_update IS NULL OR c.first_update > f.id) AND c.id > coalesce(k.id, 0)
)
"""

_CHANGES = """
field_change AS (
    SELECT opportunity_id, field, old_value, changed_at, import_batch_id FROM opportunity_history
    WHERE import_batch_id IN (SELECT id FROM window_batch)
    UNION ALL
    SELECT entity_id, field, old_value, changed_at, import_batch_id FROM audit_log
    WHERE entity = 'opportunity' AND field IN ('account_id', 'business_unit_id', 'is_closed', 'is_won')
      AND import_batch_id IN (SELECT id FROM window_batch)
),
first_change AS (
    SELECT opportunity_id, field, (array_agg(old_value ORDER BY import_batch_id))[1] AS old_value,
           max(changed_at) AS changed_at
    FROM field_change GROUP BY opportunity_id, field
),
touched AS (
    SELECT opportunity_id,
           bool_or(field = 'account_id') AS had_account, max(old_value) FILTER (WHERE field = 'account_id') AS account_id,
           bool_or(field = 'business_unit_id') AS had_unit,
           max(old_value) FILTER (WHERE field = 'business_unit_id') AS business_unit_id,
           bool_or(field = 'close_date') AS had_close, max(old_value) FILTER (WHERE field = 'close_date') AS close_date,
           bool_or(field = 'amount') AS had_amount, max(old_value) FILTER (WHERE field = 'amount') AS amount,
           bool_or(field = 'probability') AS had_probability,
           max(old_value) FILTER (WHERE field = 'probability') AS probability,
           bool_or(field = 'stage') AS had_stage, max(old_value) FILTER (WHERE field = 'stage') AS stage,
           bool_or(field = 'is_closed') AS had_closed, max(old_value) FILTER (WHERE field = 'is_closed') AS is_closed,
           bool_or(field = 'is_won') AS had_won, max(old_value) FILTER (WHERE field = 'is_won') AS is_won,
           max(changed_at) AS changed_at,
           max(changed_at) FILTER (WHERE field IN ('close_date', 'account_id', 'business_unit_id')) AS moved_at,
           max(changed_at) FILTER (WHERE field = 'amount') AS amount_at,
           max(changed_at) FILTER (WHERE field IN ('stage', 'is_closed', 'is_won')) AS stage_at
    FROM first_change WHERE opportunity_id NOT IN (SELECT opportunity_id FROM fresh)
    GROUP BY opportunity_id
),
before_window AS (
    SELECT o.id, o.external_id, o.name,
           CASE WHEN t.had_account THEN CAST(t.account_id AS BIGINT) ELSE o.account_id END AS account_id,
           CASE WHEN t.had_unit THEN CAST(t.business_unit_id AS BIGINT) ELSE o.business_unit_id END AS business_unit_id,
           CASE WHEN t.had_close THEN CAST(t.close_date AS DATE) ELSE o.close_date END AS close_date,
           CASE WHEN t.had_amount THEN CAST(t.amount AS DECIMAL(18, 2)) ELSE o.amount END AS amount,
           CASE WHEN t.had_probability THEN CAST(t.probability AS DOUBLE) ELSE o.probability END AS probability,
           CASE WHEN t.had_stage THEN t.stage ELSE o.stage END AS stage,
           CASE WHEN t.had_closed THEN CAST(t.is_closed AS BOOLEAN) ELSE o.is_closed END AS is_closed,
           CASE WHEN t.had_won THEN CAST(t.is_won AS BOOLEAN) ELSE o.is_won END AS is_won,
           o.created_date, o.product_id, o.type
    FROM opportunity o JOIN touched t ON t.opportunity_id = o.id
),
was_member AS (WITH opportunity AS (SELECT * FROM before_window) """ + MEMBERSHIP_BY_RULE_SQL + """),
is_member AS (
    SELECT m.* FROM (""" + MEMBERSHIP_SQL + """) AS m
    WHERE m.opportunity_id IN (SELECT opportunity_id FROM touched UNION ALL SELECT opportunity_id FROM fresh)
),
pair AS (
    SELECT coalesce(n.plan_id, w.plan_id) AS plan_id, coalesce(n.opportunity_id, w.opportunity_id) AS opportunity_id,
           w.plan_id IS NOT NULL AS was_in, n.plan_id IS NOT NULL AS is_in,
           coalesce(w.amount, 0) AS was_amount, coalesce(n.amount, 0) AS is_amount,
           w.is_won AS was_won, w.is_closed AS was_closed, n.is_won AS now_won, n.is_closed AS now_closed
    FROM was_member w FULL JOIN is_member n ON n.plan_id = w.plan_id AND n.opportunity_id = w.opportunity_id
),
-- Effective flags of a deal outside the period on one side (kpis: the file's value, else the stage's).
moved AS (
    SELECT p.plan_id, p.opportunity_id, p.was_in, p.is_in, p.was_amount, p.is_amount,
           b.close_date AS old_close, o.close_date AS new_close,
           coalesce(b.amount, 0) AS old_amount, coalesce(o.amount, 0) AS new_amount, b.stage AS old_stage, o.stage AS new_stage,
           sb.sort_order AS old_order, so.sort_order AS new_order,
           coalesce(p.was_won, b.is_won, sb.is_won, FALSE) AS old_won,
           coalesce(p.was_closed, coalesce(b.is_closed, sb.is_closed, FALSE) OR coalesce(b.is_won, sb.is_won, FALSE)) AS old_closed,
           coalesce(p.now_won, o.is_won, so.is_won, FALSE) AS new_won,
           coalesce(p.now_closed, coalesce(o.is_closed, so.is_closed, FALSE) OR coalesce(o.is_won, so.is_won, FALSE)) AS new_closed,
           t.changed_at, coalesce(t.moved_at, t.changed_at) AS moved_at, t.amount_at, coalesce(t.stage_at, t.changed_at) AS stage_at,
           -- A deal that left or joined the plan by another route than its close date: which, and the before/after
           -- values a reader needs (the account names when the account changed, else the close dates).
           CASE WHEN b.account_id IS DISTINCT FROM o.account_id THEN 'account changed'
                WHEN b.business_unit_id IS DISTINCT FROM o.business_unit_id THEN 'business unit changed' END AS rerouted,
           CASE WHEN b.account_id IS DISTINCT FROM o.account_id THEN (SELECT name FROM account WHERE id = b.account_id)
                ELSE CAST(b.close_date AS VARCHAR) END AS old_place,
           CASE WHEN b.account_id IS DISTINCT FROM o.account_id THEN (SELECT name FROM account WHERE id = o.account_id)
                ELSE CAST(o.close_date AS VARCHAR) END AS new_place
    FROM pair p JOIN touched t ON t.opportunity_id = p.opportunity_id
    JOIN before_window b ON b.id = p.opportunity_id
    JOIN opportunity o ON o.id = p.opportunity_id
    LEFT JOIN stage sb ON sb.name = b.stage
    LEFT JOIN stage so ON so.name = o.stage
),
change AS (
    SELECT p.plan_id, p.opportunity_id, 'new' AS kind, CAST(NULL AS VARCHAR) AS detail,
           CAST(NULL AS VARCHAR) AS old_value, CAST(p.is_amount AS VARCHAR) AS new_value, f.changed_at
    FROM pair p JOIN fresh f ON f.opportunity_id = p.opportunity_id WHERE p.is_in
    UNION ALL
    SELECT plan_id, opportunity_id, 'removed', coalesce(rerouted, 'close date moved out of the period'),
           old_place, new_place, moved_at
    FROM moved WHERE was_in AND NOT is_in
    UNION ALL
    SELECT plan_id, opportunity_id, 'slipped', CASE WHEN is_in THEN 'within the period' ELSE 'out of the period' END,
           CAST(old_close AS VARCHAR), CAST(new_close AS VARCHAR), moved_at
    FROM moved WHERE was_in AND new_close > old_close
    UNION ALL
    SELECT plan_id, opportunity_id, 'pulled_in',
           CASE WHEN was_in THEN 'within the period' ELSE coalesce(rerouted, 'into the period') END,
           old_place, new_place, moved_at
    FROM moved WHERE is_in AND (NOT was_in OR new_close < old_close)
    UNION ALL
    SELECT plan_id, opportunity_id, CASE WHEN new_amount > old_amount THEN 'amount_up' ELSE 'amount_down' END, NULL,
           CAST(old_amount AS VARCHAR), CAST(new_amount AS VARCHAR), amount_at
    FROM moved WHERE new_amount <> old_amount
    UNION ALL
    SELECT plan_id, opportunity_id,
           CASE WHEN NOT old_closed AND new_order > old_order THEN 'stage_forward' ELSE 'stage_back' END, NULL,
           old_stage, new_stage, stage_at
    FROM moved
    WHERE old_stage IS DISTINCT FROM new_stage AND NOT new_closed AND (old_closed OR new_order <> old_order)
    UNION ALL
    SELECT plan_id, opportunity_id, 'won', NULL, old_stage, new_stage, stage_at FROM moved WHERE new_won AND NOT old_won
    UNION ALL
    SELECT plan_id, opportunity_id, 'lost', NULL, old_stage, new_stage, stage_at
    FROM moved WHERE new_closed AND NOT new_won AND NOT (old_closed AND NOT old_won)
)
"""

PREFIX = "WITH " + ",".join([_WINDOW, NEW_SQL, _CHANGES])

MOVEMENT_SQL = PREFIX + """
SELECT c.plan_id, c.opportunity_id, o.external_id AS crm_id, o.name, c.kind, c.detail,
       c.old_value, c.new_value, c.changed_at
FROM change c JOIN opportunity o ON o.id = c.opportunity_id
ORDER BY c.plan_id, c.kind, o.external_id, o.id
"""

# Per owner of the plans (the plan's, else the account's): each deal once per owner and kind, and
# the net change of the amount in their plans' periods (a deal in two of their plans counts once,
# in the plan with the smallest id).
OWNER_SQL = PREFIX + """,
owned AS (
    SELECT c.*, coalesce(p.owner_id, a.owner_id) AS owner_id
    FROM change c JOIN plan p ON p.id = c.plan_id JOIN account a ON a.id = p.account_id
),
net AS (
    SELECT owner_id, sum(is_amount - was_amount) AS net_amount FROM (
        SELECT DISTINCT ON (coalesce(p.owner_id, a.owner_id), x.opportunity_id)
               coalesce(p.owner_id, a.owner_id) AS owner_id, x.is_amount, x.was_amount
        FROM pair x JOIN plan p ON p.id = x.plan_id JOIN account a ON a.id = p.account_id
        WHERE x.opportunity_id IN (SELECT opportunity_id FROM touched UNION ALL SELECT opportunity_id FROM fresh)
        ORDER BY coalesce(p.owner_id, a.owner_id), x.opportunity_id, x.plan_id
    ) AS per_deal
    GROUP BY owner_id
),
counts AS (
    SELECT owner_id,
           count(DISTINCT opportunity_id) FILTER (WHERE kind = 'new') AS new,
           count(DISTINCT opportunity_id) FILTER (WHERE kind = 'removed') AS removed,
           count(DISTINCT opportunity_id) FILTER (WHERE kind = 'slipped') AS slipped,
           count(DISTINCT opportunity_id) FILTER (WHERE kind = 'pulled_in') AS pulled_in,
           count(DISTINCT opportunity_id) FILTER (WHERE kind = 'amount_up') AS amount_up,
           count(DISTINCT opportunity_id) FILTER (WHERE kind = 'amount_down') AS amount_down,
           count(DISTINCT opportunity_id) FILTER (WHERE kind = 'stage_forward') AS stage_forward,
           count(DISTINCT opportunity_id) FILTER (WHERE kind = 'stage_back') AS stage_back,
           count(DISTINCT opportunity_id) FILTER (WHERE kind = 'won') AS won,
           count(DISTINCT opportunity_id) FILTER (WHERE kind = 'lost') AS lost
    FROM owned GROUP BY owner_id
)
SELECT coalesce(u.name, 'No owner') AS owner, c.new, c.removed, c.slipped, c.pulled_in, c.amount_up, c.amount_down,
       c.stage_forward, c.stage_back, c.won, c.lost,
       CAST(n.net_amount AS DOUBLE) AS net_amount
FROM counts c LEFT JOIN net n ON n.owner_id IS NOT DISTINCT FROM c.owner_id
LEFT JOIN app_user u ON u.id = c.owner_id
ORDER BY abs(CAST(n.net_amount AS DOUBLE)) DESC, owner
"""

# The previous import: the finish of the last-but-one committed opportunities import.
PREVIOUS_IMPORT_SQL = """
SELECT finished_at FROM import_batch WHERE kind = 'opportunities' AND status = 'committed'
ORDER BY id DESC LIMIT 1 OFFSET 1
"""


@cached_read
def default_since(db: Database) -> datetime | None:
    """When the previous opportunities import finished (None until there have been two)."""
    return db.value(PREVIOUS_IMPORT_SQL)


def _moment(since: date | datetime | None, db: Database) -> datetime | None:
    """A date means from the start of that day."""
    if since is None:
        return default_since(db)
    if isinstance(since, datetime):
        return since
    return datetime(since.year, since.month, since.day)


def _value(kind: str, text: str | None):
    """Amounts as JSON numbers, the rest (dates, stages, accounts) as the text they are."""
    if text is None or kind not in AMOUNT_KINDS:
        return text
    return json_amount(float(text))


@cached_read
def _movement_rows(db: Database, plan_ids: list[int], since: datetime) -> list[dict]:
    with db.connect() as con:
        return fetch_dicts(con, MOVEMENT_SQL, {"plan_ids": plan_ids, "since": since})


def plan_movement(db: Database, plan_id: int, since: date | datetime | None = None) -> list[dict]:
    """The plan's deal changes since `since` (default: the previous import), by kind then CRM id.

    Each is {"crm_id", "name", "kind", "detail", "old", "new", "date"}; one deal may show under
    several kinds (slipped out of the period is also removed).
    """
    get_plan(db, plan_id)  # NotFound for an unknown id
    moment = _moment(since, db)
    if moment is None:
        return []
    rows = sorted(_movement_rows(db, [int(plan_id)], moment),  # by kind (KINDS), then CRM id
                  key=lambda r: (KINDS.index(r["kind"]), r["crm_id"] or "", r["opportunity_id"]))
    return [
        {"crm_id": r["crm_id"], "name": r["name"], "kind": r["kind"], "detail": r["detail"],
         "old": _value(r["kind"], r["old_value"]), "new": _value(r["kind"], r["new_value"]), "date": r["changed_at"]}
        for r in rows
    ]


@cached_read
def _owner_frame(db: Database, plan_ids: list[int], since: datetime) -> pd.DataFrame:
    with db.connect() as con:
        return con.execute(OWNER_SQL, {"plan_ids": plan_ids, "since": since}).df()


def movement_by_owner(db: Database, plan_ids: Iterable[int], since: date | datetime | None = None) -> pd.DataFrame:
    """Per plan owner: how many deals moved in each kind, and the net amount change in their periods."""
    import pandas as pd

    moment = _moment(since, db)
    ids = sorted({int(i) for i in plan_ids})
    if moment is None or not ids:
        return pd.DataFrame(columns=["owner", *KINDS, "net_amount"])
    return _owner_frame(db, ids, moment)


def movement_table(changes: list[dict]) -> pd.DataFrame:
    """The changes as a reader scans them: CRM id, deal, change (kind and detail), was, now, when."""
    import pandas as pd

    def text(change: dict, value) -> str | None:
        if value is None:
            return None
        if change["kind"] in AMOUNT_KINDS:
            return money(value)
        if change["kind"] in ("slipped", "pulled_in") or change["detail"] == "close date moved out of the period":
            return date_text(date.fromisoformat(value))
        return str(value)

    rows = [{"crm_id": c["crm_id"], "name": c["name"],
             "change": KIND_LABELS[c["kind"]] + (f" ({c['detail']})" if c["detail"] else ""),
             "was": text(c, c["old"]), "now": text(c, c["new"]), "changed_at": c["date"]} for c in changes]
    return pd.DataFrame(rows, columns=["crm_id", "name", "change", "was", "now", "changed_at"])
