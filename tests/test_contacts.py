"""Contacts added or corrected from a plan: same-account reports-to, no cycles, validation, permissions."""

from __future__ import annotations

import pytest

from planning import contacts
from planning.errors import InvalidInput, NotAllowed
from tests.test_stakeholders import Book


@pytest.fixture
def book(fresh_db) -> Book:
    return Book(fresh_db)


def test_add_contact_joins_the_plans_account_and_is_audited(book):
    new_id = contacts.add_contact(book.db, book.users["rita"], book.plan, " Nora New ", "Head of Data", "IT",
                                  "nora@acme.com", book.contacts["cio"])
    row = contacts.get_contact(book.db, new_id)
    assert row == {"id": new_id, "account_id": book.account, "name": "Nora New", "title": "Head of Data",
                   "department": "IT", "email": "nora@acme.com", "reports_to_id": book.contacts["cio"], "version": 1}
    listed = contacts.list_contacts(book.db, book.account)
    assert listed.loc[listed["id"] == new_id, "reports_to"].tolist() == ["Ines Info"]
    assert book.db.value("SELECT count(*) FROM audit_log WHERE entity = 'contact' AND entity_id = ?", [new_id]) == 6  # five fields + account_id


@pytest.mark.parametrize("name, email, message", [
    ("  ", None, "A contact needs a name."),
    ("Nora", "nora at acme", "'nora at acme' is not an email address (expected name@company.com)."),
])
def test_add_contact_refuses_bad_values(book, name, email, message):
    with pytest.raises(InvalidInput) as exc:
        contacts.add_contact(book.db, book.users["rita"], book.plan, name, email=email)
    assert str(exc.value) == message


def test_reports_to_must_be_someone_of_the_same_account(book):
    with pytest.raises(InvalidInput, match="^Gus Globex works for another account; a contact can only report to someone of the same account.$"):
        contacts.add_contact(book.db, book.users["rita"], book.plan, "Nora", reports_to_id=book.stranger)


@pytest.mark.parametrize("contact, new_boss, message", [
    ("ceo", "dir", "Dora Director already reports (directly or indirectly) to this contact; reporting to them would make a reports-to cycle."),
    ("cio", "vp", "Victor Vp already reports (directly or indirectly) to this contact; reporting to them would make a reports-to cycle."),
    ("vp", "vp", "A contact cannot report to themselves."),
])
def test_reports_to_cycles_are_refused(book, contact, new_boss, message):
    with pytest.raises(InvalidInput) as exc:
        contacts.update_contact(book.db, book.users["rita"], book.plan, book.contacts[contact], {"reports_to_id": book.contacts[new_boss]})
    assert str(exc.value) == message
    assert contacts.get_contact(book.db, book.contacts["ceo"])["reports_to_id"] is None


def test_update_contact_moves_a_report_and_audits_the_change(book):
    changed = contacts.update_contact(book.db, book.users["rita"], book.plan, book.contacts["dir"],
                                      {"reports_to_id": book.contacts["cfo"], "title": "Director of Data"})
    assert changed == {"reports_to_id": (book.contacts["vp"], book.contacts["cfo"])}
    assert contacts.get_contact(book.db, book.contacts["dir"])["reports_to_id"] == book.contacts["cfo"]
    assert book.db.rows("SELECT field FROM audit_log WHERE entity = 'contact'") == [{"field": "reports_to_id"}]


def test_contacts_of_another_account_cannot_be_edited_from_this_plan(book):
    with pytest.raises(InvalidInput, match="^Gus Globex is not a contact of this plan's account.$"):
        contacts.update_contact(book.db, book.users["rita"], book.plan, book.stranger, {"title": "CEO"})


def test_unknown_fields_are_refused(book):
    with pytest.raises(InvalidInput, match="^Contacts have no field account_id; use name, title, department, email, reports_to_id.$"):
        contacts.update_contact(book.db, book.users["rita"], book.plan, book.contacts["dir"], {"account_id": book.other_account})


@pytest.mark.parametrize("who", ["otto", None])
def test_only_plan_editors_add_or_edit_contacts(book, who):
    user = book.users[who] if who else None
    with pytest.raises(NotAllowed, match="cannot change plan"):
        contacts.add_contact(book.db, user, book.plan, "Nora")
    with pytest.raises(NotAllowed):
        contacts.update_contact(book.db, user, book.plan, book.contacts["dir"], {"title": "Boss"})
    assert book.db.value("SELECT count(*) FROM contact") == 7
