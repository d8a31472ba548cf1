"""Objectives with live measures, actions grouped by objective, and the plan's team, initiatives and thread."""

from __future__ import annotations

import json
from datetime import date

import pytest

from planning import audit, objectives, plan_content
from planning.errors import InvalidInput, NotAllowed, StaleEdit


@pytest.fixture
def book(fresh_db):
    """One FY2025 plan on Acme with five deals of two products and three types."""
    with fresh_db.transaction() as con:
        fresh_db.rep = {"id": con.execute("INSERT INTO app_user (name, role) VALUES ('Rita Rep', 'rep') RETURNING id").fetchall()[0][0],
                        "name": "Rita Rep", "role": "rep"}
        fresh_db.other = {"id": con.execute("INSERT INTO app_user (name, role) VALUES ('Oscar Other', 'rep') RETURNING id").fetchall()[0][0],
                          "name": "Oscar Other", "role": "rep"}
        acme = con.execute("INSERT INTO account (name) VALUES ('Acme') RETURNING id").fetchall()[0][0]
        core, insights = (con.execute("INSERT INTO product (name) VALUES (?) RETURNING id", [n]).fetchall()[0][0] for n in ("Core", "Insights"))
        deals = [
            ("Closed Won", 10_000, core, "renewal", date(2025, 2, 1)),
            ("Closed Won", 30_000, insights, "new", date(2025, 3, 1)),
            ("Closed Lost", 7_000, insights, "new", date(2025, 4, 1)),
            ("Prospecting", 5_000, insights, "expansion", date(2025, 5, 1)),
            ("Closed Won", 99_000, insights, "new", date(2026, 1, 1)),  # after the period: never counts
        ]
        for stage, amount, product, kind, close in deals:
            con.execute("INSERT INTO opportunity (account_id, stage, amount, product_id, type, close_date) VALUES (?, ?, ?, ?, ?, ?)",
                        [acme, stage, amount, product, kind, close])
        fresh_db.plan = con.execute(
            "INSERT INTO plan (account_id, name, period_start, period_end, owner_id) "
            "VALUES (?, 'Acme FY2025', DATE '2025-01-01', DATE '2025-12-31', ?) RETURNING id",
            [acme, fresh_db.rep["id"]]).fetchall()[0][0]
    return fresh_db


@pytest.mark.parametrize("kind, flt, target, current, progress", [
    ("count", None, 4, 4, 1.0),                                                   # every deal of the plan
    ("count", {"type": ["new"]}, 4, 2, 0.5),                                      # won and lost new-business deals
    ("sum", {"stage": ["Closed Won"]}, 80_000, 40_000, 0.5),
    ("sum", {"stage": ["Closed Won"], "product": ["Insights"]}, 60_000, 30_000, 0.5),
    ("sum", {"product": ["Insights"], "type": ["expansion", "new"]}, 84_000, 42_000, 0.5),
    ("count", {"product": ["Nothing"]}, 2, 0, 0.0),
])
def test_measure_is_computed_live_from_the_plan_opportunities(book, kind, flt, target, current, progress):
    objectives.create_objective(book, book.rep, book.plan, name="Measured", measure_kind=kind,
                                measure_filter=json.dumps(flt) if flt else None, measure_target=target)
    row = objectives.list_objectives(book, book.plan).iloc[0]
    assert (row["measure_current"], row["measure_progress"]) == (current, progress)


def test_objective_without_measure_has_no_progress(book):
    objectives.create_objective(book, book.rep, book.plan, name="Find a sponsor", priority="High")
    row = objectives.list_objectives(book, book.plan).iloc[0]
    assert (row["name"], row["status"], row["owner"]) == ("Find a sponsor", "Not Started", None)
    assert row["measure_current"] != row["measure_current"]  # NaN: nothing to measure


def test_measure_filter_json():
    assert objectives.measure_filter(stage=["Closed Won"], product=[], type=None) == '{"stage": ["Closed Won"]}'
    assert objectives.measure_filter() is None


@pytest.mark.parametrize("fields, message", [
    (dict(name=" "), "An objective needs a name."),
    (dict(name="x", status="Done"), "Objective status must be one of Not Started, In Progress, Deferred, Achieved, Cancelled."),
    (dict(name="x", priority="Urgent"), "Priority must be one of High, Medium, Low."),
    (dict(name="x", measure_kind="avg"), "A measure counts deals (count) or sums their amount (sum)."),
    (dict(name="x", measure_kind="sum"), "A measure needs a target above zero to show progress against."),
    (dict(name="x", measure_kind="sum", measure_target=1, measure_filter='{"owner": ["me"]}'), "A measure filters on stage, product, type only."),
    (dict(name="x", colour="red"), "Objectives have no field colour."),
])
def test_objective_refusals(book, fields, message):
    with pytest.raises(InvalidInput) as caught:
        objectives.create_objective(book, book.rep, book.plan, **fields)
    assert str(caught.value) == message
    assert book.value("SELECT count(*) FROM objective") == 0


def test_update_bumps_version_audits_and_refuses_a_stale_form(book):
    objective_id = objectives.create_objective(book, book.rep, book.plan, name="Grow")
    assert objectives.update_objective(book, book.rep, objective_id, 1, {"status": "In Progress"}) == 2
    assert audit.history(book, "objective", objective_id).query("field == 'status'")["new_value"].tolist() == ["In Progress", "Not Started"]
    with pytest.raises(StaleEdit) as caught:
        objectives.update_objective(book, book.rep, objective_id, 1, {"status": "Achieved"})
    assert str(caught.value) == "Someone saved the objective “Grow” after you opened it (changed: status). Reload and apply your edit again."
    assert book.value("SELECT status FROM objective WHERE id = ?", [objective_id]) == "In Progress"


def test_wrong_user_cannot_add_or_change_objectives(book):
    with pytest.raises(NotAllowed, match="Oscar Other \\(rep\\) cannot change plan"):
        objectives.create_objective(book, book.other, book.plan, name="Mine")
    objective_id = objectives.create_objective(book, book.rep, book.plan, name="Grow")
    with pytest.raises(NotAllowed):
        objectives.update_objective(book, book.other, objective_id, 1, {"status": "Achieved"})


def test_actions_are_grouped_by_objective_with_an_unassigned_bucket_and_overdue_flag(book):
    grow = objectives.create_objective(book, book.rep, book.plan, name="Grow")
    rep = book.rep["id"]
    objectives.create_action(book, book.rep, book.plan, title="Late", owner_id=rep, due_date=date(2025, 3, 1), objective_id=grow)
    objectives.create_action(book, book.rep, book.plan, title="Late but done", owner_id=rep, due_date=date(2025, 3, 1),
                             objective_id=grow, status="Done")
    objectives.create_action(book, book.rep, book.plan, title="Loose", owner_id=rep, due_date=date(2025, 9, 1))
    actions = objectives.list_actions(book, book.plan, today=date(2025, 6, 1))
    assert actions[["objective", "title", "overdue"]].values.tolist() == [
        ["Grow", "Late", True], ["Grow", "Late but done", False], ["Unassigned", "Loose", False]]
    assert actions.loc[actions.title == "Late but done", "completed_at"].notna().all()


@pytest.mark.parametrize("fields, message", [
    (dict(title=" ", owner_id=1), "An action needs a title."),
    (dict(title="x", owner_id=None), "An action needs exactly one owner."),
    (dict(title="x", owner_id=1, status="Later"), "Action status must be one of Not Started, In Progress, Done, Cancelled."),
    (dict(title="x", owner_id=1, objective_id=999), "That objective belongs to another plan; pick one of this plan's objectives."),
])
def test_action_refusals(book, fields, message):
    with pytest.raises(InvalidInput) as caught:
        objectives.create_action(book, book.rep, book.plan, **fields)
    assert str(caught.value) == message


def test_action_status_done_stamps_completion_and_reopening_clears_it(book):
    action_id = objectives.create_action(book, book.rep, book.plan, title="Call", owner_id=book.rep["id"])
    objectives.set_action_status(book, book.rep, action_id, "Done")
    assert book.value("SELECT completed_at IS NOT NULL FROM action WHERE id = ?", [action_id])
    objectives.set_action_status(book, book.rep, action_id, "In Progress")
    assert book.value("SELECT completed_at FROM action WHERE id = ?", [action_id]) is None


def test_deleting_an_objective_moves_its_actions_to_unassigned(book):
    grow = objectives.create_objective(book, book.rep, book.plan, name="Grow")
    objectives.create_action(book, book.rep, book.plan, title="Call", owner_id=book.rep["id"], objective_id=grow)
    objectives.delete_objective(book, book.rep, grow)
    assert objectives.list_actions(book, book.plan)["objective"].tolist() == ["Unassigned"]


def test_objective_changes_against_the_parent(book):
    with book.transaction() as con:
        parent = con.execute(
            "INSERT INTO plan (account_id, name, period_start, period_end, owner_id) "
            "SELECT account_id, 'Old', DATE '2024-01-01', DATE '2024-12-31', owner_id FROM plan WHERE id = ? RETURNING id",
            [book.plan],
        ).fetchall()[0][0]
    objectives.create_objective(book, book.rep, parent, name="Kept", status="In Progress")
    objectives.create_objective(book, book.rep, parent, name="Dropped")
    objectives.create_objective(book, book.rep, book.plan, name="Kept", status="Achieved")
    objectives.create_objective(book, book.rep, book.plan, name="New")
    changes = objectives.objective_changes(book, book.plan, parent)
    assert changes[["objective", "change"]].values.tolist() == [["New", "Added"], ["Dropped", "Dropped"], ["Kept", "Status changed"]]


# -- team, initiatives, comments -------------------------------------------------------------


def test_team_member_roles_are_set_changed_and_removed(book):
    plan_content.set_team_member(book, book.rep, book.plan, book.other["id"], "Sales Engineer")
    plan_content.set_team_member(book, book.rep, book.plan, book.other["id"], "Executive Sponsor")
    assert plan_content.list_team(book, book.plan)[["name", "role"]].values.tolist() == [["Oscar Other", "Executive Sponsor"]]
    plan_content.remove_team_member(book, book.rep, book.plan, book.other["id"])
    assert plan_content.list_team(book, book.plan).empty
    with pytest.raises(InvalidInput, match="Team role must be one of Account Executive"):
        plan_content.set_team_member(book, book.rep, book.plan, book.other["id"], "Friend")


def test_initiative_is_added_with_its_fields(book):
    plan_content.add_initiative(book, book.rep, book.plan, name="Analytics pilot", estimated_value=80_000,
                                timing="Q2 2026", likely_buyer="CIO", trigger_event="New CIO")
    row = plan_content.list_initiatives(book, book.plan).iloc[0]
    assert (row["name"], row["estimated_value"], row["timing"], row["likely_buyer"], row["trigger_event"]) == (
        "Analytics pilot", 80_000, "Q2 2026", "CIO", "New CIO")
    with pytest.raises(InvalidInput, match="An initiative's estimated value must be zero or more."):
        plan_content.add_initiative(book, book.rep, book.plan, name="x", estimated_value=-1)


@pytest.mark.parametrize("body, url, message", [
    ("  ", None, "Write something before posting a comment."),
    ("Org chart", "javascript:alert(1)", "A file link must start with http:// or https://."),
])
def test_comment_refusals(book, body, url, message):
    with pytest.raises(InvalidInput) as caught:
        plan_content.add_comment(book, book.rep, book.plan, body, url)
    assert str(caught.value) == message


def test_thread_lists_comments_and_file_links_newest_first(book):
    plan_content.add_comment(book, book.rep, book.plan, "First")
    plan_content.add_comment(book, book.rep, book.plan, "Deck", url="https://files.example.com/deck.pdf")
    thread = plan_content.list_comments(book, book.plan)
    thread = thread.astype(object).where(thread.notna(), None)
    assert thread[["kind", "body", "url", "author"]].values.tolist() == [
        ["file", "Deck", "https://files.example.com/deck.pdf", "Rita Rep"], ["comment", "First", None, "Rita Rep"]]
    with pytest.raises(NotAllowed):
        plan_content.add_comment(book, book.other, book.plan, "Not mine")


def test_plan_history_gathers_the_plan_and_its_content(book):
    objectives.create_objective(book, book.rep, book.plan, name="Grow")
    plan_content.add_comment(book, book.rep, book.plan, "Hello")
    history = audit.plan_history(book, book.plan)
    assert sorted(set(history["section"])) == ["Discussion & files", "Objectives"]
    assert "Grow" in set(history.query("section == 'Objectives'")["record"])
    assert history["user"].unique().tolist() == ["Rita Rep"]
