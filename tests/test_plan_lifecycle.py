"""Plan lifecycle (ClosePlan's rules): create, one primary, edit, follow-up, clone, move, delete."""

from __future__ import annotations

from datetime import date

import pytest

from planning import audit, objectives, plan_content, plans
from planning.errors import InvalidInput, NotAllowed, PlanLocked, StaleEdit


def make_user(con, name: str, role: str = "rep", manager_id: int | None = None) -> dict:
    user_id = con.execute(
        "INSERT INTO app_user (name, role, manager_id) VALUES (?, ?, ?) RETURNING id", [name, role, manager_id]
    ).fetchall()[0][0]
    return {"id": user_id, "name": name, "role": role}


@pytest.fixture
def book(fresh_db):
    with fresh_db.transaction() as con:
        fresh_db.rep = make_user(con, "Rita Rep")
        fresh_db.other = make_user(con, "Oscar Other")
        fresh_db.ops = make_user(con, "Olga Ops", role="ops")
        fresh_db.acme = con.execute("INSERT INTO account (name, external_id) VALUES ('Acme', '001A') RETURNING id").fetchall()[0][0]
        fresh_db.beta = con.execute("INSERT INTO account (name) VALUES ('Beta') RETURNING id").fetchall()[0][0]
        fresh_db.north = con.execute(
            "INSERT INTO business_unit (account_id, name) VALUES (?, 'North') RETURNING id", [fresh_db.acme]
        ).fetchall()[0][0]
    return fresh_db


def make_plan(db, **overrides) -> int:
    values = dict(account_id=db.acme, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31), sales_target=100_000)
    return plans.create_plan(db, overrides.pop("user", db.rep), **(values | overrides))


def primaries(db, account_id: int) -> list[int]:
    return [r["id"] for r in db.rows("SELECT id FROM plan WHERE account_id = ? AND is_primary ORDER BY id", [account_id])]


# -- create ----------------------------------------------------------------------------------


def test_create_fills_name_kind_owner_template_and_snapshot(book):
    template = book.value("SELECT id FROM scorecard_template WHERE status = 'Active'")
    plan = plans.get_plan(book, make_plan(book))
    assert (plan["name"], plan["period_kind"], plan["owner_id"], plan["template_id"], plan["status"]) == (
        "Acme FY2025", "year", book.rep["id"], template, "Draft")
    assert book.value("SELECT count(*) FROM kpi_snapshot WHERE plan_id = ?", [plan["id"]]) == 1
    assert audit.history(book, "plan", plan["id"])["field"].tolist().count("name") == 1


@pytest.mark.parametrize("start, end, kind, label", [
    (date(2025, 1, 1), date(2025, 12, 31), "year", "FY2025"),
    (date(2025, 7, 1), date(2025, 12, 31), "half", "H2 2025"),
    (date(2025, 4, 1), date(2025, 6, 30), "quarter", "Q2 2025"),
    (date(2025, 2, 1), date(2025, 4, 30), "custom", "01 Feb 2025 – 30 Apr 2025"),
    (date(2025, 3, 1), date(2025, 8, 31), "custom", "01 Mar 2025 – 31 Aug 2025"),  # six months, not a half
])
def test_period_kind_and_label(start, end, kind, label):
    assert plans.period_kind(start, end) == kind
    assert plans.period_label(start, end) == label


@pytest.mark.parametrize("start, end, expected", [
    (date(2025, 1, 1), date(2025, 12, 31), (date(2026, 1, 1), date(2026, 12, 31))),
    (date(2025, 7, 1), date(2025, 12, 31), (date(2026, 1, 1), date(2026, 6, 30))),
    (date(2025, 10, 1), date(2025, 12, 31), (date(2026, 1, 1), date(2026, 3, 31))),
    (date(2025, 2, 1), date(2025, 2, 10), (date(2025, 2, 11), date(2025, 2, 20))),
])
def test_next_period(start, end, expected):
    assert plans.next_period(start, end) == expected


def test_period_bounds():
    assert plans.period_bounds("quarter", 2026, 3) == (date(2026, 7, 1), date(2026, 9, 30))
    with pytest.raises(InvalidInput, match="A year has 2 halfs; 3 is not one of them."):
        plans.period_bounds("half", 2026, 3)


@pytest.mark.parametrize("overrides, error, message", [
    (dict(period_end=date(2024, 12, 31)), InvalidInput, "The period ends (2024-12-31) before it starts (2025-01-01); swap the dates."),
    (dict(sales_target=-1), InvalidInput, "The sales target must be zero or more."),
    (dict(status="Live"), InvalidInput, "Status must be one of Draft, Active, Completed, Archived, not 'Live'."),
    (dict(account_id=999), Exception, "There is no account with id 999."),
])
def test_create_refuses_bad_input_and_writes_nothing(book, overrides, error, message):
    with pytest.raises(error) as caught:
        make_plan(book, **overrides)
    assert str(caught.value) == message
    assert book.value("SELECT count(*) FROM plan") == 0


def test_create_refuses_a_business_unit_of_another_account(book):
    with pytest.raises(InvalidInput, match="does not belong to the plan's account"):
        make_plan(book, account_id=book.beta, business_unit_id=book.north)


def test_ops_cannot_create_plans(book):
    with pytest.raises(NotAllowed, match=r"Olga Ops \(ops\) cannot create plans: reps, leaders and admins can."):
        make_plan(book, user=book.ops)


def test_resolve_account_by_id_crm_id_or_name(book):
    assert plans.resolve_account(book, str(book.acme)) == book.acme
    assert plans.resolve_account(book, "001A") == book.acme
    assert plans.resolve_account(book, "beta") == book.beta
    with pytest.raises(Exception, match="No account has the id, CRM id or name 'Nope'."):
        plans.resolve_account(book, "Nope")


# -- primary ---------------------------------------------------------------------------------


def test_first_plan_of_an_account_is_primary_and_exactly_one_stays_primary(book):
    first = make_plan(book)
    second = make_plan(book, name="Second")
    assert primaries(book, book.acme) == [first]
    third = make_plan(book, name="Third", is_primary=True)
    assert primaries(book, book.acme) == [third]
    plans.set_primary(book, book.rep, second)
    assert primaries(book, book.acme) == [second]
    assert plans.get_plan(book, third)["version"] == 3  # created, made primary, unmade


def test_wrong_user_cannot_set_primary(book):
    plan = make_plan(book)
    other = make_plan(book, name="Other's", user=book.other)
    with pytest.raises(NotAllowed, match="Rita Rep \\(rep\\) cannot make primary “Other's”: only its owner, the owner's manager and admins"):
        plans.set_primary(book, book.rep, other)
    assert primaries(book, book.acme) == [plan]


# -- editing ---------------------------------------------------------------------------------


def test_update_saves_audits_bumps_version_and_snapshots(book):
    plan_id = make_plan(book)
    loaded = plans.get_plan(book, plan_id)
    version = plans.update_plan(book, book.rep, plan_id, {"sales_target": 150_000, "vision": "Trusted advisor"}, loaded=loaded)
    plan = plans.get_plan(book, plan_id)
    assert (version, plan["version"], float(plan["sales_target"]), plan["vision"]) == (loaded["version"] + 1, version, 150_000, "Trusted advisor")
    assert book.value("SELECT CAST(target AS DOUBLE) FROM kpi_snapshot WHERE plan_id = ? AND snapshot_date = current_date", [plan_id]) == 150_000
    changes = audit.history(book, "plan", plan_id)
    assert changes[changes.field == "sales_target"][["old_value", "new_value"]].values.tolist()[0] == ["100000", "150000"]


def test_stale_edit_names_the_fields_someone_else_changed(book):
    plan_id = make_plan(book)
    loaded = plans.get_plan(book, plan_id)
    plans.update_plan(book, book.rep, plan_id, {"sales_target": 1, "goals": "More"}, loaded=loaded)
    with pytest.raises(StaleEdit) as caught:
        plans.update_plan(book, book.rep, plan_id, {"vision": "Mine"}, loaded=loaded)
    assert str(caught.value) == (
        "Someone saved this plan after you opened it (changed: sales target, goals). "
        "Reload the plan and apply your edit again."
    )
    assert plans.get_plan(book, plan_id)["vision"] is None


def test_wrong_user_cannot_edit(book):
    plan_id = make_plan(book)
    with pytest.raises(NotAllowed, match="Ask the plan owner to add you to the team."):
        plans.update_plan(book, book.other, plan_id, {"vision": "x"}, loaded=plans.get_plan(book, plan_id))


def test_update_refuses_fields_that_are_not_editable(book):
    plan_id = make_plan(book)
    with pytest.raises(InvalidInput, match="These plan fields cannot be edited here: is_primary."):
        plans.update_plan(book, book.rep, plan_id, {"is_primary": True}, loaded=plans.get_plan(book, plan_id))


# -- follow-up and clone --------------------------------------------------------------------


@pytest.fixture
def rich_plan(book):
    """A plan with text, team, two objectives, open and done actions, an initiative and a file link."""
    plan_id = make_plan(book, business_unit_id=book.north)
    plans.update_plan(book, book.rep, plan_id, {"strengths": "Loyal users", "vision": "Partner"}, loaded=plans.get_plan(book, plan_id))
    plan_content.set_team_member(book, book.rep, plan_id, book.other["id"], "Sales Engineer")
    grow = objectives.create_objective(book, book.rep, plan_id, name="Grow", priority="High")
    objectives.create_objective(book, book.rep, plan_id, name="Keep", status="Achieved")
    objectives.create_action(book, book.rep, plan_id, title="Open one", owner_id=book.rep["id"], objective_id=grow)
    objectives.create_action(book, book.rep, plan_id, title="Done one", owner_id=book.rep["id"], status="Done")
    objectives.create_action(book, book.rep, plan_id, title="Loose end", owner_id=book.rep["id"])
    plan_content.add_initiative(book, book.rep, plan_id, name="Analytics", estimated_value=50_000)
    plan_content.add_comment(book, book.rep, plan_id, "Org chart", url="https://files.example.com/org.pdf")
    plan_content.add_comment(book, book.rep, plan_id, "Discussion only")
    return plan_id


def content(db, plan_id: int) -> dict:
    return {
        "objectives": sorted(objectives.list_objectives(db, plan_id)["name"]),
        "actions": sorted(objectives.list_actions(db, plan_id)["title"]),
        "team": sorted(plan_content.list_team(db, plan_id)["name"]),
        "initiatives": list(plan_content.list_initiatives(db, plan_id)["name"]),
        "files": list(plan_content.list_comments(db, plan_id).query("kind == 'file'")["url"]),
        "strengths": plans.get_plan(db, plan_id)["strengths"],
    }


def test_follow_up_is_the_next_period_nested_under_its_parent_with_default_sections(book, rich_plan):
    child = plans.follow_up(book, book.rep, rich_plan)
    plan = plans.get_plan(book, child)
    assert (plan["name"], plan["period_start"], plan["period_end"], plan["parent_plan_id"]) == (
        "Acme FY2026", date(2026, 1, 1), date(2026, 12, 31), rich_plan)
    assert (plan["business_unit_id"], plan["status"], plan["is_primary"], float(plan["sales_target"])) == (book.north, "Draft", False, 100_000)
    assert content(book, child) == {
        "objectives": ["Grow", "Keep"], "actions": ["Loose end", "Open one"],  # open actions only
        "team": ["Oscar Other", "Rita Rep"], "initiatives": ["Analytics"], "files": [],  # files off by default
        "strengths": "Loyal users",
    }
    assert plans.plan_chain(book, rich_plan)["children"] == [{"id": child, "name": "Acme FY2026"}]
    assert plans.plan_chain(book, child)["parent"] == {"id": rich_plan, "name": "Acme FY2025"}


def created_rows(db, plan_id: int) -> dict[str, list[int]]:
    """Ids per entity of the records whose creation the audit log holds, among those now on `plan_id`."""
    owned = {
        "objective": "SELECT id FROM objective WHERE plan_id = ?", "action": "SELECT id FROM action WHERE plan_id = ?",
        "team_member": "SELECT id FROM team_member WHERE plan_id = ?", "initiative": "SELECT id FROM initiative WHERE plan_id = ?",
        "comment": "SELECT id FROM comment WHERE plan_id = ?",
    }
    found = {}
    for entity, sql in owned.items():
        ids = [r["id"] for r in book_rows(db, sql, plan_id)]
        audited = {r["entity_id"] for r in book_rows(
            db, "SELECT DISTINCT entity_id FROM audit_log WHERE entity = ? AND old_value IS NULL", entity)}
        found[entity] = sorted(i for i in ids if i in audited)
    return found


def book_rows(db, sql: str, *params) -> list[dict]:
    return db.rows(sql, list(params))


def test_every_record_a_follow_up_copies_is_audited_as_created(book, rich_plan):
    child = plans.follow_up(book, book.rep, rich_plan, carry=set(plans.CARRY_SECTIONS))
    on_child = {entity: sorted(r["id"] for r in book_rows(book, f"SELECT id FROM {entity} WHERE plan_id = ?", child))
                for entity in ("objective", "action", "team_member", "initiative", "comment")}
    # 2 objectives, 2 open actions, the owner (added on creation) + 1 member, 1 initiative, 1 file link
    assert {k: len(v) for k, v in on_child.items()} == {
        "objective": 2, "action": 2, "team_member": 2, "initiative": 1, "comment": 1}
    assert created_rows(book, child) == on_child


def test_a_clone_audits_its_copies_and_copies_no_actions(book, rich_plan):
    clone = plans.clone_plan(book, book.rep, rich_plan, carry=set(plans.CARRY_SECTIONS))
    assert content(book, clone)["actions"] == []
    audited = created_rows(book, clone)
    assert (len(audited["objective"]), len(audited["initiative"]), audited["action"]) == (2, 1, [])


def test_follow_up_carries_only_what_the_user_picks(book, rich_plan):
    child = plans.follow_up(book, book.rep, rich_plan, carry={"files"}, sales_target=5, name="Next")
    assert content(book, child) == {
        "objectives": [], "actions": [], "team": ["Rita Rep"], "initiatives": [],  # the owner only
        "files": ["https://files.example.com/org.pdf"], "strengths": None,
    }
    assert plans.get_plan(book, child)["name"] == "Next"


def test_follow_up_refuses_unknown_sections(book, rich_plan):
    with pytest.raises(InvalidInput, match="Cannot carry forward emails: choose from scorecard, whitespace"):
        plans.follow_up(book, book.rep, rich_plan, carry={"emails"})


def test_wrong_user_cannot_follow_up(book, rich_plan):
    with pytest.raises(NotAllowed):
        plans.follow_up(book, book.ops, rich_plan)
    with pytest.raises(NotAllowed):
        plans.follow_up(book, {**book.other, "id": book.other["id"] + 100}, rich_plan)


def test_clone_is_independent_and_never_copies_actions(book, rich_plan):
    clone = plans.clone_plan(book, book.other, rich_plan)
    plan = plans.get_plan(book, clone)
    assert (plan["name"], plan["parent_plan_id"], plan["owner_id"], plan["period_start"]) == (
        "Acme FY2025 (copy)", None, book.other["id"], date(2025, 1, 1))
    assert content(book, clone)["actions"] == []
    assert content(book, clone)["objectives"] == ["Grow", "Keep"]
    assert plans.plan_chain(book, rich_plan)["children"] == []


def test_carry_forward_hooks_are_called_inside_the_transaction(book, rich_plan, monkeypatch):
    calls = []

    def fake_hook(con, source, target, user_id):
        calls.append((source, target, user_id, con.execute("SELECT count(*) FROM plan WHERE id = ?", [target]).fetchall()[0][0]))
        return 7

    monkeypatch.setitem(plans.CARRY_FORWARD, "whitespace", fake_hook)
    child = plans.follow_up(book, book.rep, rich_plan, carry={"whitespace"})
    assert calls == [(rich_plan, child, book.rep["id"], 1)]


def test_a_failing_hook_leaves_no_half_written_plan(book, rich_plan, monkeypatch):
    def broken(con, source, target, user_id):
        raise InvalidInput("whitespace copy failed")

    monkeypatch.setitem(plans.CARRY_FORWARD, "stakeholders", broken)
    before = book.value("SELECT count(*) FROM plan")
    with pytest.raises(InvalidInput):
        plans.follow_up(book, book.rep, rich_plan)
    assert book.value("SELECT count(*) FROM plan") == before


def test_follow_up_carries_scorecard_answers(book, rich_plan):
    question = book.value("SELECT min(id) FROM scorecard_question")
    with book.transaction() as con:
        sub = con.execute(
            "INSERT INTO scorecard_submission (plan_id, template_id, submitted_at) SELECT id, template_id, now() FROM plan WHERE id = ? RETURNING id",
            [rich_plan]).fetchall()[0][0]
        con.execute("INSERT INTO scorecard_answer (submission_id, plan_id, question_id, value, answered_at) VALUES (?, ?, ?, '4', now())",
                    [sub, rich_plan, question])
    child = plans.follow_up(book, book.rep, rich_plan, carry={"scorecard"})
    assert book.value("SELECT count(*) FROM scorecard_answer WHERE plan_id = ? AND value = '4'", [child]) == 1


def test_follow_up_carries_whitespace_cells(book, rich_plan):
    with book.transaction() as con:
        product = con.execute("INSERT INTO product (name) VALUES ('Core') RETURNING id").fetchall()[0][0]
        # rich_plan is scoped to the North unit, so its whitespace rows are North's cells.
        con.execute("INSERT INTO whitespace_cell (plan_id, business_unit_id, product_id, status, estimated_value)"
                    " VALUES (?, ?, ?, 'Competitor', 900)", [rich_plan, book.north, product])
    child = plans.follow_up(book, book.rep, rich_plan, carry={"whitespace"})
    assert book.value("SELECT count(*) FROM whitespace_cell WHERE plan_id = ? AND status = 'Competitor'", [child]) == 1


def test_follow_up_carries_stakeholders(book, rich_plan):
    with book.transaction() as con:
        contact = con.execute("INSERT INTO contact (account_id, name) VALUES (?, 'Cara') RETURNING id", [book.acme]).fetchall()[0][0]
        con.execute("INSERT INTO stakeholder (plan_id, contact_id, buying_role) VALUES (?, ?, 'Champion')", [rich_plan, contact])
    child = plans.follow_up(book, book.rep, rich_plan, carry={"stakeholders"})
    assert book.value("SELECT buying_role FROM stakeholder WHERE plan_id = ?", [child]) == "Champion"


# -- move and delete ---------------------------------------------------------------------------


@pytest.fixture
def chain(book):
    """first → middle → last, a follow-up chain on Acme."""
    first = make_plan(book)
    middle = plans.follow_up(book, book.rep, first)
    last = plans.follow_up(book, book.rep, middle)
    return first, middle, last


@pytest.mark.parametrize("position", [0, 1])
def test_delete_inside_a_chain_is_refused_with_what_to_do_first(book, chain, position):
    names = ["Acme FY2025", "Acme FY2026", "Acme FY2027"]
    with pytest.raises(PlanLocked) as caught:
        plans.delete_plan(book, book.rep, chain[position])
    assert str(caught.value) == (
        f"“{names[position]}” cannot be deleted: it has the follow-up plan “{names[position + 1]}”, and only a "
        f"standalone plan or the last plan of a chain can be deleted. Delete the follow-up “{names[position + 1]}” first."
    )
    assert book.value("SELECT count(*) FROM plan") == 3


def test_move_inside_a_chain_is_refused(book, chain):
    with pytest.raises(PlanLocked, match="Move or delete the follow-up “Acme FY2026” first."):
        plans.move_plan(book, book.rep, chain[0], book.beta)
    assert plans.get_plan(book, chain[0])["account_id"] == book.acme


def test_last_of_a_chain_can_be_deleted_with_its_content(book, chain):
    objectives.create_objective(book, book.rep, chain[2], name="Gone")
    plans.delete_plan(book, book.rep, chain[2])
    assert book.value("SELECT count(*) FROM plan WHERE id = ?", [chain[2]]) == 0
    assert book.value("SELECT count(*) FROM objective WHERE plan_id = ?", [chain[2]]) == 0
    plans.delete_plan(book, book.rep, chain[1])  # now the last of the chain
    deletion = audit.history(book, "plan", chain[1]).head(5)
    assert sorted(deletion["field"]) == ["account_id", "name", "period_end", "period_start", "sales_target"]
    assert deletion["new_value"].isna().all()


def test_deleting_the_primary_promotes_the_latest_remaining_plan(book):
    primary = make_plan(book)
    later = make_plan(book, name="Later", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))
    plans.delete_plan(book, book.rep, primary)
    assert primaries(book, book.acme) == [later]


def test_standalone_plan_moves_and_leaves_its_unit_scope(book):
    make_plan(book, account_id=book.beta, user=book.rep)  # Beta already has a primary
    plan_id = make_plan(book, business_unit_id=book.north)
    plans.move_plan(book, book.rep, plan_id, book.beta)
    plan = plans.get_plan(book, plan_id)
    assert (plan["account_id"], plan["business_unit_id"], plan["is_primary"]) == (book.beta, None, False)


def test_last_of_a_chain_moves_and_leaves_the_chain(book, chain):
    plans.move_plan(book, book.rep, chain[2], book.beta)
    plan = plans.get_plan(book, chain[2])
    assert (plan["account_id"], plan["parent_plan_id"], plan["is_primary"]) == (book.beta, None, True)


def test_move_to_the_same_account_is_refused(book):
    plan_id = make_plan(book)
    with pytest.raises(InvalidInput, match="already belongs to that account; pick another account."):
        plans.move_plan(book, book.rep, plan_id, book.acme)


@pytest.mark.parametrize("action", ["move", "delete"])
def test_wrong_user_cannot_move_or_delete(book, action):
    plan_id = make_plan(book)
    with pytest.raises(NotAllowed, match="Oscar Other \\(rep\\) cannot (move|delete) “Acme FY2025”: only its owner"):
        if action == "move":
            plans.move_plan(book, book.other, plan_id, book.beta)
        else:
            plans.delete_plan(book, book.other, plan_id)
    assert plans.get_plan(book, plan_id)["account_id"] == book.acme


def test_team_member_may_edit_and_leader_of_the_owner_may_edit(book):
    plan_id = make_plan(book)
    plan_content.set_team_member(book, book.rep, plan_id, book.other["id"], "Sales Engineer")
    plans.update_plan(book, book.other, plan_id, {"goals": "Team goal"}, loaded=plans.get_plan(book, plan_id))
    assert plans.get_plan(book, plan_id)["goals"] == "Team goal"
