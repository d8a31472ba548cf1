"""Stakeholder writes: validation, permissions, audit, optimistic locking, influence links, carry-forward."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from planning import stakeholders
from planning.errors import InvalidInput, NotAllowed, StaleEdit

# A small org: CEO ← CFO, CIO; CIO ← VP IT; VP IT ← Director, Architect.
ORG = [
    ("ceo", "Cleo Chief", "Chief Executive Officer", "Executive", None),
    ("cfo", "Felix Finance", "Chief Financial Officer", "Finance", "ceo"),
    ("cio", "Ines Info", "Chief Information Officer", "IT", "ceo"),
    ("vp", "Victor Vp", "VP Infrastructure", "IT", "cio"),
    ("dir", "Dora Director", "Director of Data", "IT", "vp"),
    ("arch", "Arno Architect", "IT Architect", "IT", "vp"),
]


class Book:
    """A hand-built account with one plan, a team, an org of contacts and a second account."""

    def __init__(self, db):
        self.db = db
        with db.transaction() as con:  # one connection: opening the file is the slow part
            value = lambda sql, params=(): con.execute(sql, list(params)).fetchall()[0][0]  # noqa: E731
            self.users = {}
            for name, role in [("rita", "rep"), ("sam", "rep"), ("otto", "rep"), ("ada", "admin")]:
                self.users[name] = {"id": value(
                    "INSERT INTO app_user (name, email, role) VALUES (?, ?, ?) RETURNING id", [name.title(), f"{name}@x.com", role]
                ), "name": name.title(), "role": role}
            self.account = value("INSERT INTO account (name) VALUES ('Acme') RETURNING id")
            self.other_account = value("INSERT INTO account (name) VALUES ('Globex') RETURNING id")
            self.plan = self._plan(con, "Acme FY2026")
            self.contacts = {}
            for key, name, title, department, boss in ORG:
                self.contacts[key] = value(
                    "INSERT INTO contact (account_id, name, title, department, reports_to_id) VALUES (?, ?, ?, ?, ?) RETURNING id",
                    [self.account, name, title, department, self.contacts.get(boss)],
                )
            self.stranger = value("INSERT INTO contact (account_id, name) VALUES (?, 'Gus Globex') RETURNING id", [self.other_account])

    def make_plan(self, name: str = "Acme FY2026") -> int:
        with self.db.transaction() as con:
            return self._plan(con, name)

    def _plan(self, con, name: str) -> int:
        plan = con.execute(
            "INSERT INTO plan (account_id, name, period_start, period_end, owner_id, status) VALUES (?, ?, ?, ?, ?, 'Active') RETURNING id",
            [self.account, name, date(2026, 1, 1), date(2026, 12, 31), self.users["rita"]["id"]],
        ).fetchall()[0][0]
        for who, role in [("rita", "Account Executive"), ("sam", "Sales Engineer")]:
            con.execute("INSERT INTO team_member (plan_id, user_id, role) VALUES (?, ?, ?)", [plan, self.users[who]["id"], role])
        return plan

    def map(self, contact: str, plan: int | None = None, **attrs) -> int:
        """Insert a stakeholder row directly (fixtures only; the domain write is tested separately)."""
        if "covered_by" in attrs:
            attrs["covered_by_user_id"] = self.users[attrs.pop("covered_by")]["id"]
        columns = ["plan_id", "contact_id", *attrs]
        return self.db.value(
            f"INSERT INTO stakeholder ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) RETURNING id",
            [plan or self.plan, self.contacts[contact], *attrs.values()],
        )


@pytest.fixture
def book(fresh_db) -> Book:
    return Book(fresh_db)


def test_add_stakeholder_maps_contact_and_audits(book):
    rita = book.users["rita"]
    sid = stakeholders.add_stakeholder(
        book.db, rita, book.plan, book.contacts["cfo"], buying_role="Economic Buyer", support="Supporter",
        coverage="In Depth", influence=5, relationship_strength=3, covered_by_user_id=book.users["sam"]["id"],
        last_contact_date=date(2026, 3, 1), note="  signs off budget  ",
    )
    row = stakeholders.get_stakeholder(book.db, sid)
    assert (row["name"], row["buying_role"], row["influence"], row["covered_by"], row["note"], row["version"]) == (
        "Felix Finance", "Economic Buyer", 5, "Sam", "signs off budget", 1)
    fields = {r["field"] for r in book.db.rows("SELECT field FROM audit_log WHERE entity = 'stakeholder' AND entity_id = ?", [sid])}
    assert {"contact_id", "buying_role", "support", "coverage", "influence", "covered_by_user_id"} <= fields


def test_new_stakeholder_coverage_defaults_to_unknown(book):
    sid = stakeholders.add_stakeholder(book.db, book.users["rita"], book.plan, book.contacts["cio"])
    assert stakeholders.get_stakeholder(book.db, sid)["coverage"] == "Unknown"


@pytest.mark.parametrize("attrs, message", [
    ({"buying_role": "Boss"}, "'Boss' is not a buying role; choose one of Economic Buyer, Decision Maker, Champion, "
                              "Influencer, Evaluator, User, Blocker, Coach."),
    ({"support": "Fan"}, "'Fan' is not a support; choose one of Mentor, Supporter, Neutral, Non-Supporter, Enemy."),
    ({"coverage": "Lots"}, "'Lots' is not a coverage; choose one of Unknown, No Contact, Brief Contact, Multiple Contacts, In Depth."),
    ({"influence": 6}, "Influence must be a whole number from 1 to 5, not 6."),
    ({"influence": 0}, "Influence must be a whole number from 1 to 5, not 0."),
    ({"relationship_strength": 2.5}, "Relationship strength must be a whole number from 1 to 5, not 2.5."),
    ({"relationship_strength": "3"}, "Relationship strength must be a whole number from 1 to 5, not '3'."),
    ({"last_contact_date": "next week"}, "Last contact date 'next week' is not a date (use YYYY-MM-DD)."),
    ({"last_contact_date": date.today() + timedelta(days=1)},
     f"Last contact date {(date.today() + timedelta(days=1)).isoformat()} is in the future; record contacts that happened."),
    ({"title": "CEO"}, "Stakeholders have no field title."),
])
def test_add_stakeholder_refuses_invalid_attributes(book, attrs, message):
    with pytest.raises(InvalidInput) as exc:
        stakeholders.add_stakeholder(book.db, book.users["rita"], book.plan, book.contacts["cfo"], **attrs)
    assert str(exc.value) == message
    assert book.db.value("SELECT count(*) FROM stakeholder") == 0


def test_only_a_team_member_can_cover_a_contact(book):
    with pytest.raises(InvalidInput, match="Only a member of the plan's team can cover a contact; add them to the team first."):
        stakeholders.add_stakeholder(book.db, book.users["rita"], book.plan, book.contacts["cfo"],
                                     covered_by_user_id=book.users["otto"]["id"])


def test_refuses_contact_of_another_account_and_a_second_mapping(book):
    rita = book.users["rita"]
    with pytest.raises(InvalidInput, match="^Gus Globex is a contact of another account; map contacts of this plan's account.$"):
        stakeholders.add_stakeholder(book.db, rita, book.plan, book.stranger)
    stakeholders.add_stakeholder(book.db, rita, book.plan, book.contacts["cfo"])
    with pytest.raises(InvalidInput, match="^Felix Finance is already mapped on this plan; edit their stakeholder record instead.$"):
        stakeholders.add_stakeholder(book.db, rita, book.plan, book.contacts["cfo"])


@pytest.mark.parametrize("who", ["otto", None])
def test_only_plan_editors_may_write(book, who):
    user = book.users[who] if who else None
    sid = book.map("cfo")
    with pytest.raises(NotAllowed, match="cannot change plan"):
        stakeholders.add_stakeholder(book.db, user, book.plan, book.contacts["cio"])
    with pytest.raises(NotAllowed):
        stakeholders.update_stakeholder(book.db, user, sid, 1, {"support": "Enemy"})
    with pytest.raises(NotAllowed):
        stakeholders.add_influence_link(book.db, user, book.plan, book.contacts["cfo"], book.contacts["cio"])
    assert book.db.value("SELECT support FROM stakeholder WHERE id = ?", [sid]) is None


def test_update_saves_changes_bumps_version_and_audits(book):
    sid = book.map("dir", support="Neutral", influence=2)
    changed = stakeholders.update_stakeholder(book.db, book.users["sam"], sid, 1, {"support": "Supporter", "influence": 2, "note": "ally"})
    assert changed == {"support": ("Neutral", "Supporter"), "note": (None, "ally")}
    row = stakeholders.get_stakeholder(book.db, sid)
    assert (row["support"], row["note"], row["version"]) == ("Supporter", "ally", 2)
    audited = book.db.rows("SELECT field, old_value, new_value FROM audit_log WHERE entity = 'stakeholder' ORDER BY field")
    assert audited == [
        {"field": "note", "old_value": None, "new_value": "ally"},
        {"field": "support", "old_value": "Neutral", "new_value": "Supporter"},
        {"field": "version", "old_value": "1", "new_value": "2"},
    ]


def test_saving_without_changes_keeps_the_version(book):
    sid = book.map("dir", support="Neutral")
    assert stakeholders.update_stakeholder(book.db, book.users["rita"], sid, 1, {"support": "Neutral"}) == {}
    assert stakeholders.get_stakeholder(book.db, sid)["version"] == 1


def test_stale_edit_is_refused_and_names_what_changed(book):
    sid = book.map("dir", support="Neutral", influence=2)
    stakeholders.update_stakeholder(book.db, book.users["sam"], sid, 1, {"support": "Enemy", "influence": 4})
    with pytest.raises(StaleEdit) as exc:
        stakeholders.update_stakeholder(book.db, book.users["rita"], sid, 1, {"support": "Mentor"})
    assert str(exc.value) == (
        "Someone else saved Dora Director's stakeholder record after you opened it (changed: influence, support). "
        "Reload to see their version, then make your change again."
    )
    assert stakeholders.get_stakeholder(book.db, sid)["support"] == "Enemy"


def test_influence_links_refuse_self_links_duplicates_and_unmapped_people(book):
    rita, cfo, cio, vp = book.users["rita"], book.contacts["cfo"], book.contacts["cio"], book.contacts["vp"]
    book.map("cfo"), book.map("cio")
    with pytest.raises(InvalidInput, match="^A contact cannot influence themselves; pick two different people.$"):
        stakeholders.add_influence_link(book.db, rita, book.plan, cfo, cfo)
    with pytest.raises(InvalidInput, match="^Both people of an influence link must be mapped on this plan"):
        stakeholders.add_influence_link(book.db, rita, book.plan, cfo, vp)
    stakeholders.add_influence_link(book.db, rita, book.plan, cfo, cio, "golf partners")
    with pytest.raises(InvalidInput, match="^Felix Finance is already recorded as influencing Ines Info.$"):
        stakeholders.add_influence_link(book.db, rita, book.plan, cfo, cio)
    stakeholders.add_influence_link(book.db, rita, book.plan, cio, cfo)  # the other direction is a different link
    assert book.db.value("SELECT count(*) FROM influence_link") == 2


def test_removing_a_stakeholder_removes_their_influence_links(book):
    rita = book.users["rita"]
    cfo_sid = book.map("cfo")
    book.map("cio"), book.map("vp")
    stakeholders.add_influence_link(book.db, rita, book.plan, book.contacts["cfo"], book.contacts["cio"])
    link = stakeholders.add_influence_link(book.db, rita, book.plan, book.contacts["vp"], book.contacts["cio"])
    stakeholders.remove_stakeholder(book.db, rita, cfo_sid)
    assert book.db.value("SELECT count(*) FROM stakeholder") == 2
    assert [r["id"] for r in book.db.rows("SELECT id FROM influence_link")] == [link]


def test_carry_forward_copies_attributes_and_links_once(book):
    book.map("ceo", buying_role="Economic Buyer", support="Supporter", coverage="In Depth", influence=5, covered_by="rita",
             last_contact_date=date(2026, 5, 1), note="sponsor")
    book.map("cfo", buying_role="Blocker", support="Enemy", influence=4)
    book.map("cio", buying_role="Coach")
    for source, target in [("cfo", "ceo"), ("cio", "ceo")]:
        book.db.execute("INSERT INTO influence_link (plan_id, from_contact_id, to_contact_id) VALUES (?, ?, ?)",
                        [book.plan, book.contacts[source], book.contacts[target]])
    follow_up = book.make_plan("Acme FY2027")
    book.map("cio", plan=follow_up, buying_role="Champion")  # already mapped on the follow-up: kept as it is
    with book.db.transaction() as con:
        copied = stakeholders.carry_forward(con, book.plan, follow_up, book.users["rita"]["id"])
    assert copied == 4  # ceo + cfo, and both influence links
    rows = book.db.rows(
        "SELECT c.name, s.buying_role, s.support, s.influence, s.covered_by_user_id IS NOT NULL AS covered, s.note, s.version"
        " FROM stakeholder s JOIN contact c ON c.id = s.contact_id WHERE plan_id = ? ORDER BY c.name", [follow_up])
    assert rows == [
        {"name": "Cleo Chief", "buying_role": "Economic Buyer", "support": "Supporter", "influence": 5, "covered": True, "note": "sponsor",
         "version": 1},
        {"name": "Felix Finance", "buying_role": "Blocker", "support": "Enemy", "influence": 4, "covered": False, "note": None, "version": 1},
        {"name": "Ines Info", "buying_role": "Champion", "support": None, "influence": None, "covered": False, "note": None, "version": 1},
    ]
    with book.db.transaction() as con:
        assert stakeholders.carry_forward(con, book.plan, follow_up, book.users["rita"]["id"]) == 0
    assert book.db.value("SELECT count(*) FROM audit_log WHERE entity = 'plan' AND field = 'stakeholders_carried_forward'") == 2
