"""Setting whitespace cells: validation, permissions, optimistic locking, carry-forward, initiatives."""

from __future__ import annotations

from datetime import date

import pytest

from planning import audit, whitespace
from planning.errors import InvalidInput, NotAllowed, NotFound, StaleEdit
from tests.test_whitespace import PLAN_END, build, insert, make_opportunity, user


@pytest.fixture
def book(fresh_db):
    ids = build(fresh_db)
    ids["db"] = fresh_db
    return ids


def stored(book) -> list[dict]:
    return book["db"].rows(
        "SELECT w.business_unit_id, w.product_id, w.status, w.estimated_value::DOUBLE AS estimated_value,"
        " c.name AS competitor, w.note, w.version FROM whitespace_cell w LEFT JOIN competitor c ON c.id = w.competitor_id"
        " ORDER BY w.id"
    )


@pytest.mark.parametrize(
    "status, fields, message",
    [
        ("Bought", {}, "'Bought' is not a whitespace status; choose one of Sold, In Progress, Open, Competitor, "
                       "Not a Fit / Blocked, Unknown, or none to derive it from opportunities."),
        ("Competitor", {}, "A Competitor cell needs the competitor's name."),
        ("Competitor", {"competitor": "   "}, "A Competitor cell needs the competitor's name."),
        ("Not a Fit / Blocked", {}, "A Not a Fit / Blocked cell needs a reason: say why in the note."),
        ("Not a Fit / Blocked", {"note": " "}, "A Not a Fit / Blocked cell needs a reason: say why in the note."),
        ("Open", {"competitor": "Rivalsoft"}, "A competitor and contract end date belong to a Competitor cell; "
                                              "set the status to Competitor or clear them."),
        (None, {"contract_end_date": date(2027, 1, 1)}, "A competitor and contract end date belong to a Competitor "
                                                         "cell; set the status to Competitor or clear them."),
        ("Open", {"estimated_value": -1}, "The estimated value cannot be negative."),
        ("Open", {"estimated_value": "lots"}, "The estimated value 'lots' is not a number."),
    ],
)
def test_invalid_cells_are_refused_and_nothing_is_written(book, status, fields, message):
    with pytest.raises(InvalidInput) as refused:
        whitespace.set_cell(book["db"], user(book, "owner"), book["plan"], book["IT"], book["Alpha"], status,
                            expected_version=0, **fields)
    assert str(refused.value) == message
    assert stored(book) == []


@pytest.mark.parametrize("who", ["stranger", "ops"])
def test_people_outside_the_plan_cannot_set_cells(book, who):
    with pytest.raises(NotAllowed) as refused:
        whitespace.set_cell(book["db"], user(book, who), book["plan"], book["IT"], book["Alpha"], "Unknown",
                            expected_version=0)
    assert str(refused.value).startswith(f"{user(book, who)['name']} ({user(book, who)['role']}) cannot change plan")
    assert stored(book) == []


def test_nobody_signed_in_cannot_set_cells(book):
    with pytest.raises(NotAllowed, match="nobody signed in cannot change plan"):
        whitespace.set_cell(book["db"], None, book["plan"], book["IT"], book["Alpha"], "Unknown", expected_version=0)


def test_a_unit_of_another_account_is_refused(book):
    with book["db"].transaction() as con:
        foreign = insert(con, "business_unit", account_id=book["peerly"], name="Sales")
    with pytest.raises(NotFound, match="does not belong to this plan's account"):
        whitespace.set_cell(book["db"], user(book, "owner"), book["plan"], foreign, book["Alpha"], "Unknown",
                            expected_version=0)


def test_unknown_plan_is_not_found(book):
    with pytest.raises(NotFound, match="There is no plan with id 999."):
        whitespace.set_cell(book["db"], user(book, "owner"), 999, None, book["Alpha"], "Unknown", expected_version=0)


def test_save_records_competitor_audit_and_bumps_version(book):
    db, owner = book["db"], user(book, "owner")
    first = whitespace.set_cell(db, owner, book["plan"], book["IT"], book["Alpha"], "Competitor",
                                competitor="Rivalsoft", estimated_value=900, expected_version=0)
    second = whitespace.set_cell(db, owner, book["plan"], book["IT"], book["Beta"], "Competitor",
                                 competitor="rivalsoft", expected_version=0)
    assert (first["version"], second["version"]) == (1, 1)
    assert db.value("SELECT count(*) FROM competitor") == 1  # matched case-insensitively
    third = whitespace.set_cell(db, owner, book["plan"], book["IT"], book["Alpha"], "Not a Fit / Blocked",
                                note="Standardised on an in-house tool", expected_version=1)
    assert third["version"] == 2
    assert stored(book)[0] == {"business_unit_id": book["IT"], "product_id": book["Alpha"], "status": "Not a Fit / Blocked",
                               "estimated_value": None, "competitor": None, "note": "Standardised on an in-house tool",
                               "version": 2}
    history = audit.history(db, "whitespace_cell", first["id"])
    latest = history[history["new_value"] == "Not a Fit / Blocked"]
    assert latest[["user", "field", "old_value"]].values.tolist() == [["Olivia Owner", "status", "Competitor"]]


def test_saving_unchanged_values_keeps_the_version(book):
    db, owner = book["db"], user(book, "owner")
    whitespace.set_cell(db, owner, book["plan"], book["IT"], book["Alpha"], "Unknown", expected_version=0)
    again = whitespace.set_cell(db, owner, book["plan"], book["IT"], book["Alpha"], "Unknown", expected_version=1)
    assert again["version"] == 1


def test_stale_edit_names_who_changed_what(book):
    db, owner, admin = book["db"], user(book, "owner"), user(book, "admin")
    whitespace.set_cell(db, owner, book["plan"], book["IT"], book["Alpha"], "Unknown", expected_version=0)
    whitespace.set_cell(db, admin, book["plan"], book["IT"], book["Alpha"], "Competitor", competitor="Rivalsoft",
                        estimated_value=10, expected_version=1)
    with pytest.raises(StaleEdit) as refused:
        whitespace.set_cell(db, owner, book["plan"], book["IT"], book["Alpha"], "Open", expected_version=1)
    assert str(refused.value) == (
        "Ada Admin saved this cell after you opened it (changed: competitor, estimated value, status). "
        "Reload to see their values, then make your change again."
    )
    assert stored(book)[0]["status"] == "Competitor"


def test_two_people_creating_the_same_cell_the_second_is_stale(book):
    db = book["db"]
    whitespace.set_cell(db, user(book, "owner"), book["plan"], book["IT"], book["Gamma"], "Unknown",
                        expected_version=0)
    with pytest.raises(StaleEdit, match=r"Olivia Owner saved this cell after you opened it \(changed: status\)"):
        whitespace.set_cell(db, user(book, "admin"), book["plan"], book["IT"], book["Gamma"], "Open", expected_version=0)


def follow_up(book) -> int:
    with book["db"].transaction() as con:
        return insert(con, "plan", account_id=book["shopwise"], name="Shopwise FY2027", period_start=date(2027, 1, 1),
                      period_end=date(2027, 12, 31), owner_id=book["owner"], parent_plan_id=book["plan"])


def test_carry_forward_copies_manual_cells_and_lets_derived_ones_recompute(book):
    db, owner = book["db"], user(book, "owner")
    whitespace.set_cell(db, owner, book["plan"], book["IT"], book["Gamma"], "Competitor", competitor="Rivalsoft",
                        contract_end_date=date(2027, 9, 30), expected_version=0)
    whitespace.set_cell(db, owner, book["plan"], book["Marketing"], book["Alpha"], None, estimated_value=777,
                        expected_version=0)
    whitespace.set_cell(db, owner, book["plan"], book["Finance"], book["Alpha"], "Unknown", expected_version=0)
    whitespace.set_cell(db, owner, book["plan"], book["Finance"], book["Alpha"], None, expected_version=1)  # cleared
    target = follow_up(book)
    with db.transaction() as con:
        assert whitespace.carry_forward(con, book["plan"], target, owner["id"]) == 2
        assert whitespace.carry_forward(con, book["plan"], target, owner["id"]) == 0  # never twice
    matrix = whitespace.plan_matrix(db, target).set_index(["business_unit", "product"])
    assert matrix.loc[("IT", "Gamma"), ["status", "manual", "competitor"]].tolist() == ["Competitor", True, "Rivalsoft"]
    assert matrix.loc[("Marketing", "Alpha"), ["status", "manual", "value"]].tolist() == ["Open", False, 777.0]
    # Finance × Beta was won on 2027-01-01: Open in FY2026, Sold in the follow-up.
    assert matrix.loc[("Finance", "Beta"), ["status", "value"]].tolist() == ["Sold", 50.0]


def test_carry_forward_skips_units_outside_a_scoped_target(book):
    db, owner = book["db"], user(book, "owner")
    whitespace.set_cell(db, owner, book["plan"], book["IT"], book["Gamma"], "Unknown", expected_version=0)
    whitespace.set_cell(db, owner, book["plan"], book["Finance"], book["Gamma"], "Unknown", expected_version=0)
    with db.transaction() as con:
        scoped = insert(con, "plan", account_id=book["shopwise"], name="Finance FY2027", period_start=date(2027, 1, 1),
                        period_end=date(2027, 12, 31), business_unit_id=book["Finance"])
        assert whitespace.carry_forward(con, book["plan"], scoped, owner["id"]) == 1


def test_open_cell_becomes_an_initiative_valued_at_the_cell(book):
    db, owner = book["db"], user(book, "owner")
    initiative_id = whitespace.create_initiative_from_cell(db, owner, book["plan"], book["Marketing"], book["Alpha"])
    row = db.one("SELECT name, product_id, business_unit_id, estimated_value::DOUBLE AS value, trigger_event"
                 " FROM initiative WHERE id = ?", [initiative_id])
    assert row == {"name": "Alpha for Marketing", "product_id": book["Alpha"], "business_unit_id": book["Marketing"],
                   "value": 300.0, "trigger_event": "Whitespace cell (value from peer estimate)"}
    found = whitespace.plan_matrix(db, book["plan"]).query("business_unit == 'Marketing' and product == 'Alpha'")
    assert found["initiative_id"].tolist() == [initiative_id]
    with pytest.raises(InvalidInput, match="This plan already has an initiative for that cell: 'Alpha for Marketing'."):
        whitespace.create_initiative_from_cell(db, owner, book["plan"], book["Marketing"], book["Alpha"])


def test_only_open_cells_become_initiatives(book):
    with pytest.raises(InvalidInput) as refused:
        whitespace.create_initiative_from_cell(book["db"], user(book, "owner"), book["plan"], book["IT"], book["Alpha"])
    assert str(refused.value) == "Only an Open cell can become an initiative; Alpha for IT is Sold."


def test_initiative_needs_a_plan_editor(book):
    with pytest.raises(NotAllowed):
        whitespace.create_initiative_from_cell(book["db"], user(book, "stranger"), book["plan"], book["Marketing"], book["Alpha"])
    assert book["db"].value("SELECT count(*) FROM initiative") == 0


def test_edge_deal_moves_with_the_plan_end(book):
    db = book["db"]
    with db.transaction() as con:
        make_opportunity(con, book["shopwise"], book["Gamma"], business_unit_id=book["Marketing"], amount=5,
                         close_date=PLAN_END)
        shorter = insert(con, "plan", account_id=book["shopwise"], name="H1", period_start=date(2026, 1, 1),
                         period_end=date(2026, 12, 30), owner_id=book["owner"])
    status = lambda plan_id: whitespace.plan_matrix(db, plan_id).query(  # noqa: E731
        "business_unit == 'Marketing' and product == 'Gamma'")["status"].item()
    assert (status(book["plan"]), status(shorter)) == ("Sold", "Open")
