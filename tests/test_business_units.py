"""Business units: add, rename, delete, and the refusals that keep whitespace rows honest."""

from __future__ import annotations

import pytest

from planning import business_units, whitespace
from planning.errors import InvalidInput, NotAllowed, NotFound
from tests.test_whitespace import build, insert, user


@pytest.fixture
def book(fresh_db):
    ids = build(fresh_db)
    ids["db"] = fresh_db
    return ids


def names(book) -> list[str]:
    return business_units.list_units(book["db"], book["shopwise"])["name"].tolist()


def test_list_shows_units_with_their_use(book):
    units = business_units.list_units(book["db"], book["shopwise"])
    assert units[["name", "kind", "opportunities", "plans"]].values.tolist() == [
        ["Finance", "function", 3, 0], ["IT", "function", 5, 0], ["Marketing", "function", 0, 0],
    ]


def test_add_rename_and_delete_a_unit(book):
    db, owner = book["db"], user(book, "owner")
    unit_id = business_units.add_unit(db, owner, book["shopwise"], "  Europe  ", "Geography")
    assert names(book) == ["Europe", "Finance", "IT", "Marketing"]
    assert "Europe" in set(whitespace.plan_matrix(db, book["plan"])["business_unit"])
    business_units.rename_unit(db, owner, unit_id, "EMEA", "geography")
    assert names(book) == ["EMEA", "Finance", "IT", "Marketing"]
    business_units.delete_unit(db, owner, unit_id)
    assert names(book) == ["Finance", "IT", "Marketing"]
    fields = db.rows("SELECT field, old_value, new_value FROM audit_log WHERE entity = 'business_unit' ORDER BY id")
    assert [f["field"] for f in fields] == ["account_id", "name", "kind", "name", "account_id", "name", "kind"]
    assert fields[3] == {"field": "name", "old_value": "Europe", "new_value": "EMEA"}


@pytest.mark.parametrize(
    "name, kind, message",
    [
        ("", None, "A business unit needs a name."),
        ("   ", None, "A business unit needs a name."),
        ("finance", None, "This account already has a business unit called 'Finance'."),
        ("Sales", "team", "'team' is not a kind of business unit; choose division, function, geography or none."),
    ],
)
def test_bad_units_are_refused(book, name, kind, message):
    with pytest.raises(InvalidInput) as refused:
        business_units.add_unit(book["db"], user(book, "owner"), book["shopwise"], name, kind)
    assert str(refused.value) == message
    assert names(book) == ["Finance", "IT", "Marketing"]


def test_renaming_onto_another_unit_is_refused_but_changing_case_is_not(book):
    db, owner = book["db"], user(book, "owner")
    with pytest.raises(InvalidInput, match="already has a business unit called 'IT'"):
        business_units.rename_unit(db, owner, book["Finance"], "it")
    business_units.rename_unit(db, owner, book["Finance"], "FINANCE", "function")
    assert names(book) == ["FINANCE", "IT", "Marketing"]


@pytest.mark.parametrize(
    "setup, message",
    [
        ("opportunities", "Business unit 'IT' cannot be deleted: 5 opportunities still use it "
                          "(plan scope, whitespace cells or initiatives). Move them to another unit first."),
        ("both", "Business unit 'IT' cannot be deleted: 5 opportunities and 1 plan still use it "
                 "(plan scope, whitespace cells or initiatives). Move them to another unit first."),
        ("cell", "Business unit 'Marketing' cannot be deleted: 1 plan still uses it "
                 "(plan scope, whitespace cells or initiatives). Move them to another unit first."),
    ],
)
def test_units_in_use_cannot_be_deleted(book, setup, message):
    db, owner = book["db"], user(book, "owner")
    unit = book["IT"]
    if setup == "cell":
        unit = book["Marketing"]
    if setup in ("cell", "both"):
        whitespace.set_cell(db, owner, book["plan"], unit, book["Alpha"], "Unknown", expected_version=0)
    with pytest.raises(InvalidInput) as refused:
        business_units.delete_unit(db, owner, unit)
    assert str(refused.value) == message
    assert len(names(book)) == 3


def test_a_scoped_plan_keeps_its_unit(book):
    db = book["db"]
    with db.transaction() as con:
        insert(con, "plan", account_id=book["shopwise"], name="Marketing plan", period_start="2026-01-01",
               period_end="2026-12-31", business_unit_id=book["Marketing"])
    with pytest.raises(InvalidInput, match="1 plan still uses it"):
        business_units.delete_unit(db, user(book, "admin"), book["Marketing"])


@pytest.mark.parametrize("who, allowed", [("owner", True), ("admin", True), ("ops", True), ("stranger", False)])
def test_who_may_change_units(book, who, allowed):
    db = book["db"]
    if allowed:
        business_units.add_unit(db, user(book, who), book["shopwise"], "Legal")
        assert "Legal" in names(book)
    else:
        with pytest.raises(NotAllowed) as refused:
            business_units.add_unit(db, user(book, who), book["shopwise"], "Legal")
        assert str(refused.value) == (
            "Sam Stranger (rep) cannot change this account's business units: ops, admins and people who may "
            "edit one of its plans can."
        )
        assert "Legal" not in names(book)


def test_unknown_unit_and_account_are_not_found(book):
    with pytest.raises(NotFound, match="There is no business unit with id 999."):
        business_units.delete_unit(book["db"], user(book, "admin"), 999)
    with pytest.raises(NotFound, match="There is no account with id 999."):
        business_units.add_unit(book["db"], user(book, "admin"), 999, "X")
