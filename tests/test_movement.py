"""Deal movement between two opportunities imports: every kind exactly, the default since, the CLI and the pages."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from planning import movement, plans
from planning.cli import main
from planning.importing.ingest import import_csv
from tests.import_helpers import csv_bytes
from tests.test_presentation import visible_problems

ACCOUNTS = csv_bytes("Id,Name", "A1,Acme", "A2,Globex")
HEADER = "Id,AccountId,Name,StageName,Amount,CloseDate"
FIRST = csv_bytes(
    HEADER,
    "O1,A1,Slips within,Prospecting,1000,2026-03-31",
    "O2,A1,Slips out,Prospecting,2000,2026-09-30",
    "O3,A1,Pulled in within,Prospecting,3000,2026-11-30",
    "O4,A1,Pulled into the year,Prospecting,4000,2027-03-31",
    "O5,A1,Grows,Prospecting,5000,2026-04-30",
    "O6,A1,Shrinks,Prospecting,6000,2026-04-30",
    "O7,A1,Advances,Prospecting,700,2026-04-30",
    "O8,A1,Goes back,Negotiation,800,2026-04-30",
    "O9,A1,Is won,Negotiation,900,2026-04-30",
    "O10,A1,Is lost,Prospecting,1100,2026-04-30",
    "O11,A1,Changes account,Prospecting,1200,2026-04-30",
    "O12,A1,Stays put,Prospecting,1300,2026-04-30",
    "O13,A2,Globex deal,Prospecting,1400,2026-04-30",
)
SECOND = csv_bytes(
    HEADER,
    "O1,A1,Slips within,Prospecting,1000,2026-06-30",
    "O2,A1,Slips out,Prospecting,2000,2027-02-28",
    "O3,A1,Pulled in within,Prospecting,3000,2026-05-31",
    "O4,A1,Pulled into the year,Prospecting,4000,2026-10-31",
    "O5,A1,Grows,Prospecting,5500,2026-04-30",
    "O6,A1,Shrinks,Prospecting,4000,2026-04-30",
    "O7,A1,Advances,Negotiation,700,2026-04-30",
    "O8,A1,Goes back,Prospecting,800,2026-04-30",
    "O9,A1,Is won,Closed Won,900,2026-04-30",
    "O10,A1,Is lost,Closed Lost,1100,2026-04-30",
    "O11,A2,Changes account,Prospecting,1200,2026-04-30",
    "O12,A1,Stays put,Prospecting,1300,2026-04-30",
    "O13,A2,Globex deal,Prospecting,1500,2026-05-31",
    "O14,A1,Brand new,Prospecting,7000,2026-08-31",
    "O15,A1,New but next year,Prospecting,800,2027-08-31",
)

# (crm_id, kind, detail, old, new) for the Acme FY2026 plan after SECOND
EXPECTED = {
    ("O14", "new", None, None, 7000.0),
    ("O2", "removed", "close date moved out of the period", "2026-09-30", "2027-02-28"),
    ("O11", "removed", "account changed", "Acme", "Globex"),
    ("O1", "slipped", "within the period", "2026-03-31", "2026-06-30"),
    ("O2", "slipped", "out of the period", "2026-09-30", "2027-02-28"),
    ("O3", "pulled_in", "within the period", "2026-11-30", "2026-05-31"),
    ("O4", "pulled_in", "into the period", "2027-03-31", "2026-10-31"),
    ("O5", "amount_up", None, 5000.0, 5500.0),
    ("O6", "amount_down", None, 6000.0, 4000.0),
    ("O7", "stage_forward", None, "Prospecting", "Negotiation"),
    ("O8", "stage_back", None, "Negotiation", "Prospecting"),
    ("O9", "won", None, "Negotiation", "Closed Won"),
    ("O10", "lost", None, "Prospecting", "Closed Lost"),
}


def make_plan(db, account: str, owner: str = "Pat Admin") -> int:
    with db.transaction() as con:
        user_id = con.execute("INSERT INTO app_user (name, role) VALUES (?, 'admin') RETURNING id", [owner]).fetchall()[0][0]
    account_id = db.value("SELECT id FROM account WHERE external_id = ?", [account])
    return plans.create_plan(db, {"id": user_id, "name": owner, "role": "admin"}, account_id=account_id,
                             period_start=date(2026, 1, 1), period_end=date(2026, 12, 31), sales_target=50000)


@pytest.fixture
def moved(fresh_db):
    """Acme's and Globex's FY2026 plans after two imports: FIRST, then SECOND."""
    import_csv(fresh_db, "accounts", ACCOUNTS)
    import_csv(fresh_db, "opportunities", FIRST, file_name="first.csv")
    acme, globex = make_plan(fresh_db, "A1", "Ann Owner"), make_plan(fresh_db, "A2", "Gus Owner")
    import_csv(fresh_db, "opportunities", SECOND, file_name="second.csv")
    fresh_db.plans = {"acme": acme, "globex": globex}
    return fresh_db


def as_set(changes: list[dict]) -> set[tuple]:
    return {(c["crm_id"], c["kind"], c["detail"], c["old"], c["new"]) for c in changes}


def test_each_kind_of_movement_since_the_previous_import(moved):
    changes = movement.plan_movement(moved, moved.plans["acme"])
    assert as_set(changes) == EXPECTED
    assert len(changes) == len(EXPECTED)
    assert [c["kind"] for c in changes] == sorted((c["kind"] for c in changes), key=movement.KINDS.index)
    assert [c["crm_id"] for c in changes if c["kind"] == "removed"] == ["O11", "O2"]
    second = moved.one("SELECT started_at, finished_at FROM import_batch WHERE file_name = 'second.csv'")
    assert all(isinstance(c["date"], datetime) and c["date"] >= second["started_at"] - timedelta(seconds=1) for c in changes)


def test_another_accounts_plan_sees_the_deal_that_joined_it(moved):
    assert as_set(movement.plan_movement(moved, moved.plans["globex"])) == {
        ("O11", "pulled_in", "account changed", "Acme", "Globex"),
        ("O13", "amount_up", None, 1400.0, 1500.0),
        ("O13", "slipped", "within the period", "2026-04-30", "2026-05-31"),
    }


def test_default_since_is_when_the_previous_import_finished(moved):
    first = moved.value("SELECT finished_at FROM import_batch WHERE file_name = 'first.csv'")
    assert movement.default_since(moved) == first


def test_a_since_before_both_imports_makes_every_deal_new(moved):
    changes = movement.plan_movement(moved, moved.plans["acme"], since=date(2000, 1, 1))
    assert {c["kind"] for c in changes} == {"new"}
    # in the period now: O1, O3–O10, O12, O14 (O2 slipped out, O4 came in, O11 left, O15 is 2027)
    assert sorted(c["crm_id"] for c in changes) == sorted(["O1", "O3", "O4", "O5", "O6", "O7", "O8", "O9", "O10", "O12", "O14"])


def test_a_since_after_the_last_import_shows_nothing(moved):
    assert movement.plan_movement(moved, moved.plans["acme"], since=datetime.now() + timedelta(days=1)) == []


def test_a_third_import_compares_with_the_second_only(moved):
    third = SECOND.replace(b"O5,A1,Grows,Prospecting,5500", b"O5,A1,Grows,Prospecting,5800")
    import_csv(moved, "opportunities", third, file_name="third.csv")
    assert as_set(movement.plan_movement(moved, moved.plans["acme"])) == {("O5", "amount_up", None, 5500.0, 5800.0)}


def test_a_since_spanning_two_imports_nets_each_field_and_keeps_a_deal_new(moved):
    first = moved.value("SELECT finished_at FROM import_batch WHERE file_name = 'first.csv'")
    third = (SECOND.replace(b"O5,A1,Grows,Prospecting,5500", b"O5,A1,Grows,Prospecting,5000")  # back where it was
             .replace(b"O14,A1,Brand new,Prospecting,7000", b"O14,A1,Brand new,Prospecting,7500")
             .replace(b"O1,A1,Slips within,Prospecting,1000,2026-06-30", b"O1,A1,Slips within,Prospecting,1000,2026-07-31"))
    import_csv(moved, "opportunities", third, file_name="third.csv")
    changes = as_set(movement.plan_movement(moved, moved.plans["acme"], since=first))
    assert changes == EXPECTED - {("O14", "new", None, None, 7000.0), ("O5", "amount_up", None, 5000.0, 5500.0),
                                  ("O1", "slipped", "within the period", "2026-03-31", "2026-06-30")} | {
        ("O14", "new", None, None, 7500.0), ("O1", "slipped", "within the period", "2026-03-31", "2026-07-31")}
    assert as_set(movement.plan_movement(moved, moved.plans["acme"])) == {
        ("O5", "amount_down", None, 5500.0, 5000.0), ("O1", "slipped", "within the period", "2026-06-30", "2026-07-31"),
        ("O14", "amount_up", None, 7000.0, 7500.0)}


def test_one_import_alone_has_no_previous_import(fresh_db):
    import_csv(fresh_db, "accounts", ACCOUNTS)
    import_csv(fresh_db, "opportunities", FIRST)
    plan_id = make_plan(fresh_db, "A1")
    assert movement.default_since(fresh_db) is None
    assert movement.plan_movement(fresh_db, plan_id) == []


def test_owner_roll_up_counts_each_kind_and_the_net_amount(moved):
    frame = movement.movement_by_owner(moved, moved.plans.values())
    rows = {r["owner"]: r for r in frame.to_dict("records")}
    assert set(rows) == {"Ann Owner", "Gus Owner"}
    ann = rows["Ann Owner"]
    assert {k: int(ann[k]) for k in movement.KINDS} == {
        "new": 1, "removed": 2, "slipped": 2, "pulled_in": 2, "amount_up": 1, "amount_down": 1,
        "stage_forward": 1, "stage_back": 1, "won": 1, "lost": 1}
    # +7000 new, +4000 pulled into the year, −2000 slipped out, −1200 left the account, +500, −2000
    assert ann["net_amount"] == 6300.0
    assert rows["Gus Owner"]["net_amount"] == 1300.0  # +1200 joined, +100
    assert list(frame["owner"]) == ["Ann Owner", "Gus Owner"]  # biggest net change first


def test_owner_roll_up_without_plans_is_empty(moved):
    assert movement.movement_by_owner(moved, []).empty


def test_cli_json_lists_each_change(moved, capsys):
    assert main(["--db", moved.target, "movement", "--plan", str(moved.plans["acme"]), "--json"]) == 0
    changes = json.loads(capsys.readouterr().out)
    assert {tuple(c) for c in changes} == {("crm_id", "name", "kind", "detail", "old", "new", "date")}
    assert {(c["crm_id"], c["kind"], c["detail"], c["old"], c["new"]) for c in changes} == EXPECTED
    won = next(c for c in changes if c["kind"] == "won")
    assert won["name"] == "Is won" and datetime.fromisoformat(won["date"])


def test_cli_table_and_since(moved, capsys):
    assert main(["--db", moved.target, "movement", "--plan", str(moved.plans["acme"])]) == 0
    out = capsys.readouterr().out
    assert "Slips out" in out and "Slipped" in out and "out of the period" in out and "$7,000" in out
    assert main(["--db", moved.target, "movement", "--plan", str(moved.plans["acme"]), "--since", "2999-01-01"]) == 0
    assert "No deal moved" in capsys.readouterr().out


def test_cli_unknown_plan_is_one_line(moved, capsys):
    assert main(["--db", moved.target, "movement", "--plan", "999999", "--json"]) == 1
    assert capsys.readouterr().err.strip() == "planning: There is no plan with id 999999."


# -- pages (AppTest on the demo book, which has no opportunities import until a test makes two) --

PLAN = 3  # Summit Logistics FY2026


def two_imports_on_the_demo(db, plan_id: int) -> list[str]:
    """Re-import two of the plan's deals as they are, then again with one grown and one slipped out of the year."""
    deals = db.rows(
        "SELECT o.external_id, a.name AS account, o.name, o.stage, o.amount, o.close_date FROM opportunity o "
        "JOIN account a ON a.id = o.account_id JOIN plan p ON p.account_id = o.account_id "
        "WHERE p.id = ? AND o.close_date BETWEEN p.period_start AND p.period_end AND o.external_id IS NOT NULL "
        "ORDER BY o.id LIMIT 2", [plan_id])

    def extract(changes: dict) -> bytes:
        lines = [HEADER]
        for d in deals:
            values = {**d, **changes.get(d["external_id"], {})}
            lines.append(",".join(str(values[k]) for k in ("external_id", "account", "name", "stage", "amount", "close_date")))
        return csv_bytes(*lines)

    grown, slipped = deals[0]["external_id"], deals[1]["external_id"]
    import_csv(db, "opportunities", extract({}), file_name="as-is.csv")
    import_csv(db, "opportunities", extract({grown: {"amount": float(deals[0]["amount"]) + 1000},
                                             slipped: {"close_date": "2031-01-31"}}), file_name="changed.csv")
    return [grown, slipped]


def test_plan_page_says_nothing_moved_without_two_imports(app_test):
    at = app_test("pages/plan.py", query={"plan": str(PLAN), "tab": "What moved"})
    assert not at.exception, at.exception
    assert "What moved" in [s.value for s in at.subheader]
    assert any("fewer than two" in i.value for i in at.info)


def test_plan_page_shows_what_moved(app_test):
    grown, slipped = two_imports_on_the_demo(app_test.db, PLAN)
    at = app_test("pages/plan.py", query={"plan": str(PLAN), "tab": "What moved"})
    assert not at.exception, at.exception
    since = movement.default_since(app_test.db)
    assert f"What moved since {since:%d %b %Y}" in [s.value for s in at.subheader]
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["crm_id", "name", "change", "was", "now", "changed_at"]
    assert sorted(zip(frame["crm_id"], frame["change"])) == sorted([
        (grown, "Amount up"), (slipped, "Removed (close date moved out of the period)"),
        (slipped, "Slipped (out of the period)")])
    assert (frame.loc[frame["change"] == "Slipped (out of the period)", "now"] == "31 Jan 2031").all()
    assert visible_problems(at) == []  # headers, dates and money read like the rest of the app


def test_portfolio_page_rolls_movement_up_by_owner(app_test):
    two_imports_on_the_demo(app_test.db, PLAN)
    at = app_test("pages/portfolio.py", query={"portfolio_tab": "What moved", "period": "2026"})
    assert not at.exception, at.exception
    frame = at.dataframe[0].value
    owner = app_test.db.value("SELECT u.name FROM plan p JOIN app_user u ON u.id = p.owner_id WHERE p.id = ?", [PLAN])
    row = frame[frame["owner"] == owner].iloc[0]
    assert (row["amount_up"], row["removed"], row["slipped"]) == (1, 1, 1)
    assert visible_problems(at) == []


def test_portfolio_page_says_so_when_nothing_moved(app_test):
    at = app_test("pages/portfolio.py", query={"portfolio_tab": "What moved"})
    assert not at.exception, at.exception
    assert any("fewer than two" in i.value for i in at.info)
