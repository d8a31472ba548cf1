"""Stakeholders: contacts mapped on a plan, their influence links, coverage status and alerts.

Coverage status (Altify's relationship-map scale), per plan:
- 0: no contacts mapped;
- 1: contacts mapped, but no key player;
- 2: key players mapped, none of them supportive;
- 3: at least one supportive key player.
A *key player* is an Economic Buyer or Decision Maker, or anyone with influence 4 or 5.
*Supportive* means support Mentor or Supporter. A contact is *covered* when their coverage is
neither Unknown nor No Contact. The *main contact* (for the three-handshakes check) is the
plan's Champion, else its Coach, else the covered contact with the strongest relationship (then
the most influential). Three handshakes = someone mapped *above* (the main contact's manager) and
*beside* (a peer with the same manager); a main contact with no recorded manager passes, since
their peers sit outside the mapped organisation.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd

from planning import access, audit, vocab
from planning.db import Database, cached_read, fetch_dicts
from planning.errors import InvalidInput, NotFound, StaleEdit

KEY_PLAYER_ROLES = ("Economic Buyer", "Decision Maker")
KEY_PLAYER_MIN_INFLUENCE = 4
SUPPORTIVE = ("Mentor", "Supporter")
HOSTILE = ("Non-Supporter", "Enemy")
NOT_COVERED = ("Unknown", "No Contact")
CHAMPION_STALE_DAYS = 90
COVERAGE_STATUS_LABELS = {
    0: "No contacts mapped",
    1: "No key player mapped",
    2: "Key players mapped, none supportive",
    3: "A supportive key player",
}
COVERAGE_STATUS_COLOURS = {0: "#c62828", 1: "#c62828", 2: "#f9a825", 3: "#2e7d32"}  # red, red, amber, green
ATTRIBUTES = (
    "buying_role", "support", "coverage", "influence", "relationship_strength",
    "covered_by_user_id", "last_contact_date", "note",
)
FIELD_LABELS = {
    "buying_role": "buying role", "support": "support", "coverage": "coverage", "influence": "influence",
    "relationship_strength": "relationship strength", "covered_by_user_id": "covered by",
    "last_contact_date": "last contact date", "note": "note",
}

_STAKEHOLDER_SELECT = """
    SELECT s.id, s.plan_id, s.contact_id, c.name, c.title, c.department, c.reports_to_id,
           s.buying_role, s.support, s.coverage, s.influence, s.relationship_strength,
           s.covered_by_user_id, u.name AS covered_by, s.last_contact_date, s.note, s.version
    FROM stakeholder s
    JOIN contact c ON c.id = s.contact_id
    LEFT JOIN app_user u ON u.id = s.covered_by_user_id
"""


# -- reads ---------------------------------------------------------------------------------

def list_stakeholders(db: Database, plan_id: int) -> pd.DataFrame:
    """Contacts on the plan with their buying role, support, coverage and the rest."""
    return db.df(_STAKEHOLDER_SELECT + " WHERE s.plan_id = ? ORDER BY s.influence DESC NULLS LAST, c.name", [plan_id])


def get_stakeholder(db: Database, stakeholder_id: int) -> dict:
    with db.connect() as con:
        return _stakeholder(con, stakeholder_id)


def _stakeholder(con: duckdb.DuckDBPyConnection, stakeholder_id: int) -> dict:
    found = fetch_dicts(con, _STAKEHOLDER_SELECT + " WHERE s.id = ?", [stakeholder_id])
    if not found:
        raise NotFound(f"There is no stakeholder with id {stakeholder_id}; it may have been removed.")
    return found[0]


@cached_read(plan_scoped=True)
def stakeholder_map(db: Database, plan_id: int) -> dict[str, list[dict]]:
    """Everything the graph needs: stakeholders, influence links and team members (with who covers)."""
    with db.connect() as con:
        return {
            "stakeholders": fetch_dicts(con, _STAKEHOLDER_SELECT + " WHERE s.plan_id = ? ORDER BY c.name, s.id", [plan_id]),
            "influence_links": fetch_dicts(
                con,
                "SELECT id, from_contact_id, to_contact_id, note FROM influence_link WHERE plan_id = ? ORDER BY id",
                [plan_id],
            ),
            # The plan's team, plus anyone recorded as covering a contact who has since left the team.
            "team": fetch_dicts(
                con,
                """
                SELECT u.id AS user_id, u.name, t.role FROM team_member t JOIN app_user u ON u.id = t.user_id
                WHERE t.plan_id = ?
                UNION
                SELECT u.id, u.name, NULL FROM stakeholder s JOIN app_user u ON u.id = s.covered_by_user_id
                WHERE s.plan_id = ? AND s.covered_by_user_id NOT IN (SELECT user_id FROM team_member WHERE plan_id = ?)
                ORDER BY 2
                """,
                [plan_id, plan_id, plan_id],
            ),
        }


def team_members(db: Database, plan_id: int) -> list[dict]:
    """Users on the plan's team (who may cover a contact), by name."""
    return db.rows(
        "SELECT u.id, u.name, t.role FROM team_member t JOIN app_user u ON u.id = t.user_id WHERE t.plan_id = ? ORDER BY u.name",
        [plan_id],
    )


def unmapped_contacts(db: Database, plan_id: int) -> pd.DataFrame:
    """Contacts of the plan's account not yet on the plan."""
    return db.df(
        """
        SELECT c.id, c.name, c.title, c.department FROM contact c JOIN plan p ON p.account_id = c.account_id
        WHERE p.id = ? AND c.id NOT IN (SELECT contact_id FROM stakeholder WHERE plan_id = ?)
        ORDER BY c.name, c.id
        """,
        [plan_id, plan_id],
    )


# -- writes --------------------------------------------------------------------------------

def _validate(con: duckdb.DuckDBPyConnection, plan_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Clean attribute values or raise InvalidInput with a sentence saying what to fix."""
    unknown = set(values) - set(ATTRIBUTES)
    if unknown:
        raise InvalidInput(f"Stakeholders have no field {', '.join(sorted(unknown))}.")
    clean = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
    for field, allowed in (("buying_role", vocab.BUYING_ROLES), ("support", vocab.SUPPORT_LEVELS),
                           ("coverage", vocab.COVERAGE_LEVELS)):
        if clean.get(field) is not None and clean[field] not in allowed:
            raise InvalidInput(f"{clean[field]!r} is not a {FIELD_LABELS[field]}; choose one of {', '.join(allowed)}.")
    if "coverage" in clean and clean["coverage"] is None:
        clean["coverage"] = "Unknown"
    for field in ("influence", "relationship_strength"):
        value = clean.get(field)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or not 1 <= value <= 5:
                raise InvalidInput(f"{FIELD_LABELS[field].capitalize()} must be a whole number from 1 to 5, not {value!r}.")
            clean[field] = int(value)
    when = clean.get("last_contact_date")
    if when is not None:
        if not isinstance(when, date):
            try:
                when = clean["last_contact_date"] = date.fromisoformat(str(when))
            except ValueError:
                raise InvalidInput(f"Last contact date {when!r} is not a date (use YYYY-MM-DD).") from None
        if when > date.today():
            raise InvalidInput(f"Last contact date {when.isoformat()} is in the future; record contacts that happened.")
    if clean.get("covered_by_user_id") is not None:
        on_team = con.execute(
            "SELECT count(*) FROM team_member WHERE plan_id = ? AND user_id = ?", [plan_id, clean["covered_by_user_id"]]
        ).fetchall()[0][0]
        if not on_team:
            raise InvalidInput("Only a member of the plan's team can cover a contact; add them to the team first.")
    return clean


def add_stakeholder(db: Database, user: dict | None, plan_id: int, contact_id: int, **attributes: Any) -> int:
    """Map a contact of the plan's account on the plan; returns the stakeholder id."""
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        values = _validate(con, plan_id, {"coverage": "Unknown", **attributes})
        contact = con.execute(
            "SELECT c.name, c.account_id = p.account_id FROM contact c, plan p WHERE c.id = ? AND p.id = ?",
            [contact_id, plan_id],
        ).fetchall()
        if not contact:
            raise NotFound(f"There is no contact with id {contact_id}.")
        name, same_account = contact[0]
        if not same_account:
            raise InvalidInput(f"{name} is a contact of another account; map contacts of this plan's account.")
        taken = con.execute("SELECT count(*) FROM stakeholder WHERE plan_id = ? AND contact_id = ?", [plan_id, contact_id]).fetchall()
        if taken[0][0]:
            raise InvalidInput(f"{name} is already mapped on this plan; edit their stakeholder record instead.")
        columns = ["plan_id", "contact_id", *values]
        stakeholder_id = con.execute(
            f"INSERT INTO stakeholder ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) RETURNING id",
            [plan_id, contact_id, *values.values()],
        ).fetchall()[0][0]
        audit.record_created(con, user["id"], "stakeholder", stakeholder_id, {"plan_id": plan_id, "contact_id": contact_id, **values})
    return stakeholder_id


def update_stakeholder(db: Database, user: dict | None, stakeholder_id: int, version: int, changes: dict[str, Any]) -> dict:
    """Save changed attributes against the version the form loaded; returns {field: (old, new)}."""
    with db.transaction() as con:
        old = _stakeholder(con, stakeholder_id)
        user = access.require_plan_editor(con, user, old["plan_id"])
        if old["version"] != version:
            raise StaleEdit(_stale_message(con, old, version))
        values = _validate(con, old["plan_id"], changes)
        changed = audit.changed_fields(old, values)
        if not changed:
            return {}
        assignments = ", ".join(f"{field} = ?" for field in changed)  # field names come from ATTRIBUTES
        audit.saved_one(con.execute(
            f"UPDATE stakeholder SET {assignments}, version = version + 1, updated_at = current_timestamp"
            " WHERE id = ? AND version = ?",
            [new for _, new in changed.values()] + [stakeholder_id, version],
        ), "stakeholder")
        audit.record(con, user["id"], "stakeholder", stakeholder_id, changed | {"version": (version, version + 1)})
    return changed


def _stale_message(con: duckdb.DuckDBPyConnection, current: dict, loaded_version: int) -> str:
    # Each save audits its fields together with the version bump, so the audit log says what changed since.
    fields = [r[0] for r in con.execute(
        """
        SELECT DISTINCT field FROM audit_log a
        WHERE entity = 'stakeholder' AND entity_id = ? AND field <> 'version'
          AND changed_at >= (SELECT min(changed_at) FROM audit_log WHERE entity = 'stakeholder' AND entity_id = ?
                             AND field = 'version'
                             AND CAST(CASE WHEN regexp_full_match(old_value, '[0-9]+') THEN old_value END AS INTEGER) >= ?)
        ORDER BY field
        """,
        [current["id"], current["id"], loaded_version],
    ).fetchall()]
    what = ", ".join(FIELD_LABELS.get(f, f) for f in fields) or "some fields"
    return (
        f"Someone else saved {current['name']}'s stakeholder record after you opened it (changed: {what}). "
        "Reload to see their version, then make your change again."
    )


def remove_stakeholder(db: Database, user: dict | None, stakeholder_id: int) -> None:
    """Take a contact off the plan, with the influence links that touch them."""
    with db.transaction() as con:
        old = _stakeholder(con, stakeholder_id)
        user = access.require_plan_editor(con, user, old["plan_id"])
        con.execute(
            "DELETE FROM influence_link WHERE plan_id = ? AND ? IN (from_contact_id, to_contact_id)",
            [old["plan_id"], old["contact_id"]],
        )
        con.execute("DELETE FROM stakeholder WHERE id = ?", [stakeholder_id])
        audit.record_deleted(con, user["id"], "stakeholder", stakeholder_id, {k: old[k] for k in ("plan_id", "contact_id", *ATTRIBUTES)})


def add_influence_link(db: Database, user: dict | None, plan_id: int, from_contact_id: int, to_contact_id: int,
                       note: str | None = None) -> int:
    """Record that one mapped contact informally influences another; returns the link id."""
    if from_contact_id == to_contact_id:
        raise InvalidInput("A contact cannot influence themselves; pick two different people.")
    with db.transaction() as con:
        user = access.require_plan_editor(con, user, plan_id)
        mapped = dict(con.execute(
            "SELECT s.contact_id, c.name FROM stakeholder s JOIN contact c ON c.id = s.contact_id"
            " WHERE s.plan_id = ? AND s.contact_id IN (?, ?)",
            [plan_id, from_contact_id, to_contact_id],
        ).fetchall())
        if len(mapped) < 2:
            raise InvalidInput("Both people of an influence link must be mapped on this plan; add them as stakeholders first.")
        duplicate = con.execute(
            "SELECT count(*) FROM influence_link WHERE plan_id = ? AND from_contact_id = ? AND to_contact_id = ?",
            [plan_id, from_contact_id, to_contact_id],
        ).fetchall()[0][0]
        if duplicate:
            raise InvalidInput(f"{mapped[from_contact_id]} is already recorded as influencing {mapped[to_contact_id]}.")
        note = (note or "").strip() or None
        link_id = con.execute(
            "INSERT INTO influence_link (plan_id, from_contact_id, to_contact_id, note) VALUES (?, ?, ?, ?) RETURNING id",
            [plan_id, from_contact_id, to_contact_id, note],
        ).fetchall()[0][0]
        audit.record_created(con, user["id"], "influence_link", link_id,
                             {"plan_id": plan_id, "from_contact_id": from_contact_id, "to_contact_id": to_contact_id, "note": note})
    return link_id


def remove_influence_link(db: Database, user: dict | None, link_id: int) -> None:
    with db.transaction() as con:
        found = fetch_dicts(con, "SELECT plan_id, from_contact_id, to_contact_id, note FROM influence_link WHERE id = ?", [link_id])
        if not found:
            raise NotFound(f"There is no influence link with id {link_id}.")
        user = access.require_plan_editor(con, user, found[0]["plan_id"])
        con.execute("DELETE FROM influence_link WHERE id = ?", [link_id])
        audit.record_deleted(con, user["id"], "influence_link", link_id, found[0])


def carry_forward(con: duckdb.DuckDBPyConnection, source_plan_id: int, target_plan_id: int, user_id: int | None) -> int:
    """Copy stakeholder attributes and influence links to a follow-up plan; returns rows copied."""
    stakeholders = con.execute(
        f"""
        INSERT INTO stakeholder (plan_id, contact_id, {', '.join(ATTRIBUTES)})
        SELECT ?, contact_id, {', '.join(ATTRIBUTES)} FROM stakeholder s
        WHERE plan_id = ? AND contact_id NOT IN (SELECT contact_id FROM stakeholder WHERE plan_id = ?)
          AND contact_id IN (SELECT c.id FROM contact c JOIN plan p ON p.account_id = c.account_id WHERE p.id = ?)
        """,
        [target_plan_id, source_plan_id, target_plan_id, target_plan_id],
    ).fetchall()[0][0]
    links = con.execute(
        """
        INSERT INTO influence_link (plan_id, from_contact_id, to_contact_id, note)
        SELECT ?, l.from_contact_id, l.to_contact_id, l.note FROM influence_link l
        WHERE l.plan_id = ?
          AND l.from_contact_id IN (SELECT contact_id FROM stakeholder WHERE plan_id = ?)
          AND l.to_contact_id IN (SELECT contact_id FROM stakeholder WHERE plan_id = ?)
          AND NOT EXISTS (SELECT 1 FROM influence_link t WHERE t.plan_id = ?
                          AND t.from_contact_id = l.from_contact_id AND t.to_contact_id = l.to_contact_id)
        """,
        [target_plan_id, source_plan_id, target_plan_id, target_plan_id, target_plan_id],
    ).fetchall()[0][0]
    audit.record(con, user_id, "plan", target_plan_id, {
        "stakeholders_carried_forward": (None, f"{stakeholders} stakeholders, {links} influence links from plan {source_plan_id}"),
    })
    return stakeholders + links


# -- coverage and alerts -------------------------------------------------------------------

_COVERAGE_BASE = f"""
WITH chosen AS (
    SELECT id AS plan_id FROM plan
    WHERE CAST(? AS BIGINT[]) IS NULL OR list_contains(CAST(? AS BIGINT[]), id)
),
s AS (
    SELECT s.plan_id, s.contact_id, c.name, c.reports_to_id, s.buying_role, s.support, s.influence,
           s.relationship_strength, s.covered_by_user_id, s.last_contact_date,
           (coalesce(s.buying_role IN {KEY_PLAYER_ROLES}, FALSE) OR coalesce(s.influence, 0) >= {KEY_PLAYER_MIN_INFLUENCE}) AS key_player,
           coalesce(s.support IN {SUPPORTIVE}, FALSE) AS supportive,
           s.coverage NOT IN {NOT_COVERED} AS covered
    FROM stakeholder s JOIN contact c ON c.id = s.contact_id
    WHERE s.plan_id IN (SELECT plan_id FROM chosen)
)"""

_COVERAGE_SQL = _COVERAGE_BASE + """,
main AS (
    SELECT DISTINCT ON (plan_id) plan_id, contact_id, name, reports_to_id FROM s
    ORDER BY plan_id, CASE buying_role WHEN 'Champion' THEN 0 WHEN 'Coach' THEN 1 ELSE 2 END, covered DESC,
             relationship_strength DESC NULLS LAST, influence DESC NULLS LAST, name, contact_id
),
handshakes AS (
    SELECT m.plan_id, m.name AS main_contact,
           m.reports_to_id IS NULL OR EXISTS (SELECT 1 FROM s x WHERE x.plan_id = m.plan_id AND x.contact_id = m.reports_to_id) AS above,
           m.reports_to_id IS NULL OR EXISTS (SELECT 1 FROM s x WHERE x.plan_id = m.plan_id AND x.contact_id <> m.contact_id
                   AND x.reports_to_id = m.reports_to_id) AS beside
    FROM main m
),
agg AS (
    SELECT plan_id, count(*) AS mapped,
           count(*) FILTER (WHERE key_player) AS key_players,
           count(*) FILTER (WHERE key_player AND supportive) AS supportive_key_players,
           count(*) FILTER (WHERE buying_role = 'Economic Buyer') AS economic_buyers,
           count(*) FILTER (WHERE covered) AS covered
    FROM s GROUP BY plan_id
)
SELECT chosen.plan_id, coalesce(mapped, 0) AS mapped, coalesce(key_players, 0) AS key_players,
       coalesce(supportive_key_players, 0) AS supportive_key_players, coalesce(economic_buyers, 0) AS economic_buyers,
       coalesce(covered, 0) AS covered, main_contact, above, beside
FROM chosen LEFT JOIN agg USING (plan_id) LEFT JOIN handshakes USING (plan_id)
ORDER BY chosen.plan_id
"""

# The people behind the per-person alerts: champions not contacted since the date bound, and
# hostile key players nobody covers (each list in the order its alerts are read).
_ALERT_PEOPLE_SQL = _COVERAGE_BASE + f"""
SELECT plan_id, 'stale_champions' AS list, name, last_contact_date AS last, support, influence, 0 AS o1, name AS o2
FROM s WHERE buying_role = 'Champion' AND (last_contact_date IS NULL OR last_contact_date < ?)
UNION ALL
SELECT plan_id, 'hostile_uncovered', name, last_contact_date, support, influence, -influence, name
FROM s WHERE influence >= {KEY_PLAYER_MIN_INFLUENCE} AND support IN {HOSTILE} AND covered_by_user_id IS NULL
ORDER BY plan_id, list, o1, o2
"""


def coverage_status(mapped: int, key_players: int, supportive_key_players: int) -> int:
    """Altify's 0–3 scale (see the module docstring)."""
    if not mapped:
        return 0
    if not key_players:
        return 1
    return 3 if supportive_key_players else 2


def plan_alerts(facts: dict) -> list[tuple[str, str]]:
    """(rule, sentence) for every relationship risk in one plan's aggregated facts."""
    alerts = []
    status = coverage_status(facts["mapped"], facts["key_players"], facts["supportive_key_players"])
    if status == 0:
        alerts.append(("no_contacts", "No contacts mapped: add the buying group's people to the stakeholder map."))
    elif status == 1:
        alerts.append(("no_key_player", "No key player mapped: nobody is an Economic Buyer, a Decision Maker or has influence 4 or more."))
    elif status == 2:
        alerts.append(("no_supportive_key_player",
                       f"No supportive key player: none of the {facts['key_players']} key players is a Mentor or Supporter."))
    if not facts["economic_buyers"]:
        alerts.append(("no_economic_buyer", "No Economic Buyer mapped: find out who signs off the budget."))
    if facts["covered"] <= 1:
        who = "only 1 contact is" if facts["covered"] == 1 else "no contact is"
        alerts.append(("single_threaded", f"Single-threaded: {who} covered; build relationships with more people."))
    for champion in facts["stale_champions"] or []:
        last = f"last contact {champion['last'].isoformat()}" if champion["last"] else "no contact recorded"
        alerts.append(("stale_champion", f"Champion {champion['name']} not contacted in {CHAMPION_STALE_DAYS} days ({last})."))
    for person in facts["hostile_uncovered"] or []:
        alerts.append(("hostile_uncovered",
                       f"{person['support']} {person['name']} (influence {person['influence']}) has no covering team member."))
    if facts["main_contact"] and not (facts["above"] and facts["beside"]):
        where = " or ".join(side for side, ok in (("above", facts["above"]), ("beside", facts["beside"])) if not ok)
        alerts.append(("three_handshakes", f"Three handshakes: nobody is mapped {where} {facts['main_contact']}, the main contact."))
    return alerts


@cached_read
def coverage_summary(db: Database, plan_ids: list[int] | None = None, today: date | None = None) -> pd.DataFrame:
    """Per plan (all plans when None): coverage_status, coverage_colour, coverage_label, alerts, alert_rules, alert_count."""
    today = today or date.today()
    ids = None if plan_ids is None else [int(i) for i in plan_ids]
    with db.connect() as con:
        facts = fetch_dicts(con, _COVERAGE_SQL, [ids, ids])
        people = fetch_dicts(con, _ALERT_PEOPLE_SQL, [ids, ids, today - timedelta(days=CHAMPION_STALE_DAYS)])
    by_plan: dict[tuple[int, str], list[dict]] = {}
    for person in people:
        by_plan.setdefault((person["plan_id"], person["list"]), []).append(
            {"name": person["name"], "last": person["last"], "support": person["support"], "influence": person["influence"]})
    for plan in facts:
        plan["stale_champions"] = by_plan.get((plan["plan_id"], "stale_champions"))
        plan["hostile_uncovered"] = by_plan.get((plan["plan_id"], "hostile_uncovered"))
    rows = []
    for plan in facts:
        status = coverage_status(plan["mapped"], plan["key_players"], plan["supportive_key_players"])
        alerts = plan_alerts(plan)
        rows.append({
            "plan_id": plan["plan_id"], "coverage_status": status, "coverage_colour": COVERAGE_STATUS_COLOURS[status],
            "coverage_label": COVERAGE_STATUS_LABELS[status], "alerts": [m for _, m in alerts],
            "alert_rules": [r for r, _ in alerts], "alert_count": len(alerts),
        })
    columns = ["plan_id", "coverage_status", "coverage_colour", "coverage_label", "alerts", "alert_rules", "alert_count"]
    return pd.DataFrame(rows, columns=columns)


def plan_coverage(db: Database, plan_id: int, today: date | None = None) -> dict:
    """One plan's coverage status, colour, label and alerts (as in coverage_summary)."""
    found = coverage_summary(db, [plan_id], today)
    if found.empty:
        raise NotFound(f"There is no plan with id {plan_id}.")
    return found.iloc[0].to_dict()
