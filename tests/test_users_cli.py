"""`planning users list/add`: how the first admin is created before anyone can sign in."""

import json

from planning import audit, users
from planning.cli import main


def test_first_admin_is_added_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "new.duckdb"
    assert main(["--db", str(path), "users", "add", "Grace Hopper", "grace@example.com", "--role", "admin"]) == 0
    assert capsys.readouterr().out == "Added Grace Hopper <grace@example.com> as admin (user 1).\n"
    assert main(["--db", str(path), "users", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["name"], u["email"], u["role"], u["is_active"]) for u in listed] == [
        ("Grace Hopper", "grace@example.com", "admin", True)
    ]


def test_add_with_a_manager_by_name_is_audited_without_a_user(demo_db, capsys):
    args = ["--db", demo_db.target, "users", "add", "Nina Park", "nina@example.com", "--manager", "Dana Whitfield"]
    assert main(args) == 0
    nina = users.find_user(demo_db, "nina@example.com")
    assert (nina["role"], nina["manager_id"]) == ("rep", users.find_user(demo_db, "Dana Whitfield")["id"])
    rows = audit.history(demo_db, "user", nina["id"])
    assert len(rows) == 4 and rows["user"].isna().all()


def test_add_refusals_are_one_line(demo_db, capsys):
    args = ["--db", demo_db.target, "users", "add", "Copy Cat", "PRIYA.nair@example.com"]
    assert main(args) == 1
    assert capsys.readouterr().err == (
        "planning: Priya Nair already has the email PRIYA.nair@example.com; every user needs their own.\n"
    )


def test_list_prints_a_table(demo_db, capsys):
    assert main(["--db", demo_db.target, "users", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "name", "email", "role", "manager", "region", "is_active"]
    assert len(lines) == 14
