"""Team members edit a plan's content; its owner, their leader and admins manage the plan itself.

Managing is: handing it over (owner), the team, making it primary (and so demoting another
owner's primary), moving it and deleting it (planning.access.can_manage_plan).
"""

from __future__ import annotations

from datetime import date

import pytest

from planning import access, audit, plan_content, plans, users
from planning.db.backup import table_fingerprints
from planning.errors import NotAllowed, NotFound

ACCOUNT = 1  # Summit Logistics in the demo book


@pytest.fixture
def people(demo_db) -> dict:
    return {key: users.find_user(demo_db, name) for key, name in [
        ("admin", "Ada Admin"), ("owner", "Tom Becker"), ("leader", "Dana Whitfield"),
        ("engineer", "Yuki Tanaka"), ("other_rep", "Priya Nair"), ("other_leader", "Marcus Chen"),
    ]}


@pytest.fixture
def plan_id(demo_db, people) -> int:
    """A primary FY2031 plan owned by Tom (whose manager is Dana), Yuki on its team as Sales Engineer."""
    created = plans.create_plan(demo_db, people["owner"], account_id=ACCOUNT, period_start=date(2031, 1, 1),
                                period_end=date(2031, 12, 31), sales_target=100_000, name="Rights FY2031", is_primary=True)
    plan_content.set_team_member(demo_db, people["owner"], created, people["engineer"]["id"], "Sales Engineer")
    return created


MANAGING = {
    "delete": lambda db, u, p: plans.delete_plan(db, u, p),
    "hand over": lambda db, u, p: plans.update_plan(db, u, p, {"owner_id": u["id"]}, loaded=plans.get_plan(db, p)),
    "remove the owner from the team": lambda db, u, p: plan_content.remove_team_member(db, u, p, plans.get_plan(db, p)["owner_id"]),
    "add someone to the team": lambda db, u, p: plan_content.set_team_member(db, u, p, 7, "Partner"),
    "move": lambda db, u, p: plans.move_plan(db, u, p, 2),
}


@pytest.mark.parametrize("act", list(MANAGING))
def test_a_team_member_cannot_manage_the_plan_and_nothing_changes(demo_db, people, plan_id, act):
    with demo_db.connect() as con:
        before = table_fingerprints(con)
    with pytest.raises(NotAllowed) as refused:
        MANAGING[act](demo_db, people["engineer"], plan_id)
    assert "only its owner, the owner's manager and admins can (team members edit its content)" in str(refused.value)
    assert str(refused.value).startswith("Yuki Tanaka (rep) cannot ")
    with demo_db.connect() as con:
        assert table_fingerprints(con) == before


def test_a_team_member_still_edits_the_content(demo_db, people, plan_id):
    plans.update_plan(demo_db, people["engineer"], plan_id, {"vision": "Own the network"}, loaded=plans.get_plan(demo_db, plan_id))
    assert plans.get_plan(demo_db, plan_id)["vision"] == "Own the network"


@pytest.mark.parametrize("who", ["owner", "leader", "admin"])
def test_owner_their_leader_and_admins_manage_it(demo_db, people, plan_id, who):
    with demo_db.connect() as con:
        assert access.can_manage_plan(con, people[who], plan_id)
    plan_content.remove_team_member(demo_db, people[who], plan_id, people["engineer"]["id"])
    plans.delete_plan(demo_db, people[who], plan_id)
    with pytest.raises(NotFound):
        plans.get_plan(demo_db, plan_id)


def test_another_leader_cannot_manage_a_plan_outside_their_team(demo_db, people, plan_id):
    with pytest.raises(NotAllowed):
        plans.delete_plan(demo_db, people["other_leader"], plan_id)


def test_creating_a_primary_plan_cannot_demote_another_owners_primary(demo_db, people, plan_id):
    with pytest.raises(NotAllowed) as refused:
        plans.create_plan(demo_db, people["other_rep"], account_id=ACCOUNT, period_start=date(2031, 1, 1),
                          period_end=date(2031, 12, 31), sales_target=1, name="Takeover", is_primary=True)
    assert str(refused.value).startswith("Priya Nair (rep) cannot demote the primary plan “Rights FY2031”")
    assert plans.get_plan(demo_db, plan_id)["is_primary"] is True
    assert demo_db.value("SELECT count(*) FROM plan WHERE name = 'Takeover'") == 0


def test_making_a_plan_primary_needs_rights_on_the_current_primary(demo_db, people, plan_id):
    mine = plans.create_plan(demo_db, people["other_rep"], account_id=ACCOUNT, period_start=date(2032, 1, 1),
                             period_end=date(2032, 12, 31), sales_target=1, name="Mine")
    with pytest.raises(NotAllowed):
        plans.set_primary(demo_db, people["other_rep"], mine)
    assert plans.get_plan(demo_db, plan_id)["is_primary"] is True
    plans.set_primary(demo_db, people["admin"], mine)
    assert plans.get_plan(demo_db, plan_id)["is_primary"] is False


@pytest.mark.parametrize("act", [
    lambda db, u: plans.delete_plan(db, u, 9999),
    lambda db, u: plans.set_primary(db, u, 9999),
    lambda db, u: plans.mark_reviewed(db, u, 9999),
    lambda db, u: plan_content.add_comment(db, u, 9999, "hello"),
])
def test_acting_on_a_missing_plan_says_not_found(demo_db, people, act):
    with pytest.raises(NotFound) as missing:
        act(demo_db, people["other_rep"])
    assert str(missing.value) == "There is no plan with id 9999."


def test_an_unknown_scorecard_template_is_refused(demo_db, people):
    with pytest.raises(NotFound) as missing:
        plans.create_plan(demo_db, people["owner"], account_id=ACCOUNT, period_start=date(2033, 1, 1),
                          period_end=date(2033, 12, 31), sales_target=1, template_id=9999)
    assert str(missing.value).startswith("There is no scorecard template with id 9999;")


def test_saving_an_unchanged_target_logs_nothing_and_keeps_the_version(demo_db, people, plan_id):
    loaded = plans.get_plan(demo_db, plan_id)
    audits = demo_db.value("SELECT count(*) FROM audit_log")
    # The form sends a float; the column is DECIMAL(18,2): 100000 → 100000.0 is no change.
    assert plans.update_plan(demo_db, people["owner"], plan_id, {"sales_target": 100_000.0, "name": "Rights FY2031"},
                             loaded=loaded) == loaded["version"]
    assert demo_db.value("SELECT count(*) FROM audit_log") == audits
    assert plans.get_plan(demo_db, plan_id)["version"] == loaded["version"]


@pytest.mark.parametrize("old, new, changed", [
    (777777, 777777.0, False), ("777777.00", 777777, False), (1, 1.5, True), (True, 1, True), (None, 0, True),
])
def test_changed_fields_compares_numbers_by_value(old, new, changed):
    from decimal import Decimal
    old = Decimal(old) if isinstance(old, str) else old
    assert bool(audit.changed_fields({"x": old}, {"x": new})) is changed
