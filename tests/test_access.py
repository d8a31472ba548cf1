"""Role rules for editing plans, enforced in the domain layer."""

import pytest

from planning import access, users
from planning.errors import NotAllowed


def plan_of(db, owner_name):
    return db.value(
        "SELECT p.id FROM plan p JOIN app_user u ON u.id = p.owner_id WHERE u.name = ? ORDER BY p.id LIMIT 1", [owner_name]
    )


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("Ada Admin", True),        # admin
        ("Priya Nair", True),       # owner
        ("Dana Whitfield", True),   # the owner's manager (leader)
        ("Marcus Chen", False),     # another team's leader
        ("Yuki Tanaka", False),     # another rep
        ("Omar Ops", False),        # ops manage imports, not plans
    ],
)
def test_who_may_edit_a_plan(demo_db, who, allowed):
    plan_id = plan_of(demo_db, "Priya Nair")
    user = users.find_user(demo_db, who)
    with demo_db.connect() as con:
        con.execute("DELETE FROM team_member WHERE plan_id = ? AND user_id = ?", [plan_id, user["id"]])
        assert access.can_edit_plan(con, user, plan_id) is allowed
        if not allowed:
            with pytest.raises(NotAllowed, match="cannot change plan"):
                access.require_plan_editor(con, user, plan_id)


def test_team_member_may_edit(demo_db):
    plan_id = plan_of(demo_db, "Priya Nair")
    yuki = users.find_user(demo_db, "Yuki Tanaka")
    with demo_db.connect() as con:
        con.execute("INSERT INTO team_member (plan_id, user_id, role) VALUES (?, ?, 'Partner')", [plan_id, yuki["id"]])
        assert access.can_edit_plan(con, yuki, plan_id)


def test_nobody_signed_in_may_not_edit(demo_db):
    with demo_db.connect() as con:
        assert not access.can_edit_plan(con, None, 1)


def test_reference_data_is_for_ops_and_admins(demo_db):
    access.require_reference_data_editor(users.find_user(demo_db, "Omar Ops"))
    with pytest.raises(NotAllowed, match=r"Priya Nair \(rep\) cannot import files: only admin, ops can"):
        access.require_reference_data_editor(users.find_user(demo_db, "Priya Nair"), "import files")
