"""User management: admins add and change users; every rule refuses with its own message."""

import pytest

from planning import audit, users
from planning.errors import InvalidInput, NotAllowed, NotFound, StaleEdit


@pytest.fixture
def ada(demo_db):
    return users.find_user(demo_db, "Ada Admin")


def record(db, name):
    return users.user_record(db, users.find_user(db, name)["id"])


def test_admin_adds_a_user_and_the_creation_is_audited(demo_db, ada):
    dana = users.find_user(demo_db, "Dana Whitfield")
    new_id = users.create_user(demo_db, ada, "  Nina Park ", "Nina.Park@example.com", "rep", dana["id"], "EMEA")
    assert users.user_record(demo_db, new_id) == {
        "id": new_id, "name": "Nina Park", "email": "Nina.Park@example.com", "role": "rep",
        "manager_id": dana["id"], "region": "EMEA", "is_active": True, "version": 1,
    }
    rows = audit.history(demo_db, "user", new_id)
    assert sorted(zip(rows["field"], rows["new_value"])) == [
        ("email", "Nina.Park@example.com"), ("manager_id", str(dana["id"])), ("name", "Nina Park"),
        ("region", "EMEA"), ("role", "rep"),
    ]
    assert set(rows["user"]) == {"Ada Admin"}


@pytest.mark.parametrize("who", ["Omar Ops", "Dana Whitfield", "Priya Nair"])
def test_only_admins_manage_users(demo_db, who):
    actor = users.find_user(demo_db, who)
    role = actor["role"]
    with pytest.raises(NotAllowed, match=rf"^{who} \({role}\) cannot manage users: only admin can\.$"):
        users.create_user(demo_db, actor, "Nina Park", "nina@example.com", "rep")
    with pytest.raises(NotAllowed, match="cannot manage users"):
        users.update_user(demo_db, actor, record(demo_db, "Tom Becker"), role="leader")
    with pytest.raises(NotAllowed, match="cannot manage users"):
        users.deactivate_user(demo_db, actor, record(demo_db, "Tom Becker"))
    assert users.find_user(demo_db, "Tom Becker")["role"] == "rep"
    assert demo_db.value("SELECT count(*) FROM app_user WHERE email = 'nina@example.com'") == 0


def test_nobody_signed_in_cannot_manage_users(demo_db):
    with pytest.raises(NotAllowed, match="^nobody signed in cannot manage users: only admin can.$"):
        users.create_user(demo_db, None, "Nina Park", "nina@example.com", "rep")


@pytest.mark.parametrize(
    "name, email, role, message",
    [
        ("", "nina@example.com", "rep", "Give the user a name."),
        ("Nina", "nina.example.com", "rep", "'nina.example.com' is not an email address; sign-in matches people by email."),
        ("Nina", "", "rep", "'' is not an email address; sign-in matches people by email."),
        ("Nina", "nina@example.com", "boss", "'boss' is not a role; choose one of admin, ops, leader, rep."),
        ("Nina", "PRIYA.NAIR@example.com", "rep", "Priya Nair already has the email PRIYA.NAIR@example.com; every user needs their own."),
    ],
)
def test_invalid_new_users_are_refused(demo_db, ada, name, email, role, message):
    before = demo_db.value("SELECT count(*) FROM app_user")
    with pytest.raises(InvalidInput) as refused:
        users.create_user(demo_db, ada, name, email, role)
    assert str(refused.value) == message
    assert demo_db.value("SELECT count(*) FROM app_user") == before


def test_manager_must_exist_and_be_active(demo_db, ada):
    with pytest.raises(InvalidInput, match="^There is no user with id 9999 to be Nina's manager.$"):
        users.create_user(demo_db, ada, "Nina", "nina@example.com", "rep", 9999)
    users.deactivate_user(demo_db, ada, record(demo_db, "Tom Becker"))
    tom = users.find_user(demo_db, "Tom Becker")
    with pytest.raises(InvalidInput, match="^Tom Becker is deactivated and cannot be Nina's manager.$"):
        users.create_user(demo_db, ada, "Nina", "nina@example.com", "rep", tom["id"])


def test_admin_changes_role_and_manager_bumping_the_version(demo_db, ada):
    tom = record(demo_db, "Tom Becker")
    marcus = users.find_user(demo_db, "Marcus Chen")
    saved = users.update_user(demo_db, ada, tom, role="leader", manager_id=marcus["id"], region="North America East")
    assert (saved["role"], saved["manager_id"], saved["version"]) == ("leader", marcus["id"], 2)
    rows = audit.history(demo_db, "user", tom["id"])
    assert sorted(zip(rows["field"], rows["old_value"], rows["new_value"])) == [
        ("manager_id", str(tom["manager_id"]), str(marcus["id"])), ("role", "rep", "leader"),
    ]


def test_saving_unchanged_values_writes_nothing(demo_db, ada):
    tom = record(demo_db, "Tom Becker")
    assert users.update_user(demo_db, ada, tom, role="rep", name="Tom Becker") == tom
    assert audit.history(demo_db, "user", tom["id"]).empty


@pytest.mark.parametrize(
    "user, manager, message",
    [
        ("Dana Whitfield", "Dana Whitfield", "Dana Whitfield cannot be their own manager."),
        ("Dana Whitfield", "Priya Nair",
         "Priya Nair cannot be Dana Whitfield's manager: Priya Nair already reports to Dana Whitfield, directly or through others."),
    ],
)
def test_manager_chains_cannot_loop(demo_db, ada, user, manager, message):
    with pytest.raises(InvalidInput) as refused:
        users.update_user(demo_db, ada, record(demo_db, user), manager_id=users.find_user(demo_db, manager)["id"])
    assert str(refused.value) == message


def test_indirect_cycle_is_refused(demo_db, ada):
    # Dana manages Priya; make Marcus Dana's manager, then Priya cannot manage Marcus.
    marcus = users.find_user(demo_db, "Marcus Chen")
    users.update_user(demo_db, ada, record(demo_db, "Dana Whitfield"), manager_id=marcus["id"])
    priya = users.find_user(demo_db, "Priya Nair")
    with pytest.raises(InvalidInput, match="Priya Nair already reports to Marcus Chen"):
        users.update_user(demo_db, ada, record(demo_db, "Marcus Chen"), manager_id=priya["id"])
    assert users.find_user(demo_db, "Marcus Chen")["manager_id"] is None


def test_email_must_stay_unique_on_edit(demo_db, ada):
    with pytest.raises(InvalidInput, match="^Priya Nair already has the email priya.nair@example.com; every user needs their own.$"):
        users.update_user(demo_db, ada, record(demo_db, "Tom Becker"), email="priya.nair@example.com")


def test_stale_edit_is_refused_naming_what_changed(demo_db, ada):
    opened_by_first_admin = record(demo_db, "Tom Becker")
    users.update_user(demo_db, ada, record(demo_db, "Tom Becker"), role="leader", region="EMEA")
    with pytest.raises(StaleEdit) as refused:
        users.update_user(demo_db, ada, opened_by_first_admin, name="Thomas Becker")
    assert str(refused.value) == (
        "Tom Becker was changed by someone else after you opened it (role, region); "
        "reload the user and make your change again."
    )
    assert users.find_user(demo_db, "Tom Becker")["role"] == "leader"


def test_deactivated_users_leave_the_picker_and_cannot_sign_in(demo_db, ada):
    tom = record(demo_db, "Tom Becker")
    saved = users.deactivate_user(demo_db, ada, tom)
    assert saved["is_active"] is False
    assert "Tom Becker" not in [u["name"] for u in users.list_users(demo_db)]
    assert users.user_for_email(demo_db, "tom.becker@example.com") is None
    rows = audit.history(demo_db, "user", tom["id"])
    assert list(zip(rows["field"], rows["old_value"], rows["new_value"])) == [("is_active", "True", "False")]


@pytest.mark.parametrize("change", [{"role": "ops"}, {"is_active": False}])
def test_the_last_active_admin_cannot_be_removed(demo_db, ada, change):
    with pytest.raises(InvalidInput, match="^Ada Admin is the last active admin; make someone else an admin first.$"):
        users.update_user(demo_db, ada, record(demo_db, "Ada Admin"), **change)
    users.update_user(demo_db, ada, record(demo_db, "Omar Ops"), role="admin")
    assert users.update_user(demo_db, ada, record(demo_db, "Ada Admin"), **change)["version"] == 2


def test_unknown_fields_and_users_are_refused(demo_db, ada):
    with pytest.raises(InvalidInput, match="^Users have no field password; editable: name, email, role"):
        users.update_user(demo_db, ada, record(demo_db, "Tom Becker"), password="x")
    with pytest.raises(NotFound, match="^There is no user with id 9999.$"):
        users.update_user(demo_db, ada, {"id": 9999, "version": 1}, role="rep")


@pytest.mark.parametrize(
    "email, expected",
    [
        ("priya.nair@example.com", "Priya Nair"),
        ("  Priya.Nair@EXAMPLE.com ", "Priya Nair"),
        ("stranger@example.com", None),
        ("", None),
        (None, None),
    ],
)
def test_signed_in_email_matches_an_active_user(demo_db, email, expected):
    found = users.user_for_email(demo_db, email)
    assert (found and found["name"]) == expected
    if found:
        assert set(found) == {"id", "name", "email", "role", "manager_id", "region"}
