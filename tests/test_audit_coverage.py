"""Meta-test: every domain write function records audit rows naming the person who acted.

A domain write function is a public function of planning/ whose first two parameters are
(db, user) or (db, actor) — the house signature for writes. Each one must appear in CASES, so a
new write function without an audit test fails `test_every_domain_write_function_is_covered`.
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from planning import (
    business_units,
    contacts,
    export,
    objectives,
    plan_content,
    plans,
    scorecard_templates,
    scorecards,
    stakeholders,
    users,
    whitespace,
)

PLANNING = Path(__file__).resolve().parent.parent / "planning"
PLAN, ACCOUNT, OTHER_ACCOUNT = 3, 1, 2  # demo: Summit Logistics FY2026 (last of its chain), two accounts
OWNER = "owner"  # the plan's owner (a rep) acts on plan content; admins and ops on the rest


def _template_content(db):
    _, categories, questions = scorecard_templates.template_frames(db, 1)
    return categories.to_dict("records"), questions.to_dict("records")


def _answers(db):
    form = scorecards.scorecard_form(db, PLAN)
    question = form["questions"][0]
    return {question["question_id"]: {"value": "Yes" if question["qtype"] == "yesno" else 3, "note": "audited"}}, form


def _link(db, owner):
    stakeholders.add_stakeholder(db, owner, PLAN, 2, buying_role="Coach")  # both ends must be mapped
    return stakeholders.add_influence_link(db, owner, PLAN, 1, 2, note="lunch")


# function name → (who acts, the call, the audit entity it must write)
CASES = {
    "business_units.add_unit": ("ops", lambda db, u: business_units.add_unit(db, u, ACCOUNT, "Audit Unit"), "business_unit"),
    "business_units.rename_unit": ("ops", lambda db, u: business_units.rename_unit(db, u, 1, "Ops & Logistics"), "business_unit"),
    "business_units.delete_unit": ("ops", lambda db, u: business_units.delete_unit(
        db, u, business_units.add_unit(db, u, ACCOUNT, "Short-lived Unit")), "business_unit"),
    "contacts.add_contact": (OWNER, lambda db, u: contacts.add_contact(db, u, PLAN, "Audit Contact", "CFO"), "contact"),
    "contacts.update_contact": (OWNER, lambda db, u: contacts.update_contact(db, u, PLAN, 2, {"title": "Chief Auditor"}), "contact"),
    "export.save_preset": ("admin", lambda db, u: export.save_preset(db, u, "Audit pack", ["header", "kpis"]), "export_preset"),
    "export.delete_preset": ("admin", lambda db, u: (export.save_preset(db, u, "Gone", ["header"]),
                                                      export.delete_preset(db, u, "Gone")), "export_preset"),
    "objectives.create_objective": (OWNER, lambda db, u: objectives.create_objective(db, u, PLAN, name="Audit objective"), "objective"),
    "objectives.update_objective": (OWNER, lambda db, u: objectives.update_objective(db, u, 9, 1, {"status": "Deferred"}), "objective"),
    "objectives.delete_objective": (OWNER, lambda db, u: objectives.delete_objective(db, u, 10), "objective"),
    "objectives.create_action": (OWNER, lambda db, u: objectives.create_action(db, u, PLAN, title="Call the CFO", owner_id=u["id"]), "action"),
    "objectives.set_action_status": (OWNER, lambda db, u: objectives.set_action_status(db, u, 19, "Done"), "action"),
    "plan_content.set_team_member": (OWNER, lambda db, u: plan_content.set_team_member(db, u, PLAN, 4, "Sales Engineer"), "plan"),
    "plan_content.remove_team_member": (OWNER, lambda db, u: plan_content.remove_team_member(db, u, PLAN, 3), "plan"),
    "plan_content.add_initiative": (OWNER, lambda db, u: plan_content.add_initiative(db, u, PLAN, name="Pilot"), "initiative"),
    "plan_content.add_comment": (OWNER, lambda db, u: plan_content.add_comment(db, u, PLAN, "Audited comment"), "comment"),
    "plans.create_plan": (OWNER, lambda db, u: plans.create_plan(db, u, account_id=OTHER_ACCOUNT, period_start=date(2027, 1, 1),
                                                                  period_end=date(2027, 12, 31), sales_target=100_000), "plan"),
    "plans.set_primary": ("admin", lambda db, u: plans.set_primary(db, u, 2), "plan"),
    "plans.update_plan": (OWNER, lambda db, u: plans.update_plan(db, u, PLAN, {"vision": "Audited vision"},
                                                                  loaded=plans.get_plan(db, PLAN)), "plan"),
    "plans.mark_reviewed": (OWNER, lambda db, u: plans.mark_reviewed(db, u, PLAN), "plan"),
    "plans.follow_up": (OWNER, lambda db, u: plans.follow_up(db, u, PLAN), "plan"),
    "plans.clone_plan": (OWNER, lambda db, u: plans.clone_plan(db, u, PLAN), "plan"),
    "plans.move_plan": ("admin", lambda db, u: plans.move_plan(db, u, PLAN, OTHER_ACCOUNT), "plan"),
    "plans.delete_plan": ("admin", lambda db, u: plans.delete_plan(db, u, PLAN), "plan"),
    "scorecard_templates.save_template": ("admin", lambda db, u: scorecard_templates.save_template(
        db, u, 1, *_template_content(db)), "scorecard_template"),
    "scorecard_templates.set_status": ("admin", lambda db, u: scorecard_templates.set_status(db, u, 1, "Archived"), "scorecard_template"),
    "scorecards.save_answers": (OWNER, lambda db, u: scorecards.save_answers(
        db, u, PLAN, _answers(db)[0], _answers(db)[1]["loaded_submission_id"]), "scorecard_submission"),
    "stakeholders.add_stakeholder": (OWNER, lambda db, u: stakeholders.add_stakeholder(db, u, PLAN, 2, buying_role="Coach"), "stakeholder"),
    "stakeholders.update_stakeholder": (OWNER, lambda db, u: stakeholders.update_stakeholder(db, u, 3, 1, {"influence": 2}), "stakeholder"),
    "stakeholders.remove_stakeholder": (OWNER, lambda db, u: stakeholders.remove_stakeholder(db, u, 3), "stakeholder"),
    "stakeholders.add_influence_link": (OWNER, _link, "influence_link"),
    "stakeholders.remove_influence_link": (OWNER, lambda db, u: stakeholders.remove_influence_link(db, u, _link(db, u)), "influence_link"),
    "users.create_user": ("admin", lambda db, u: users.create_user(db, u, "Audit Person", "audit@example.com", "rep"), "user"),
    "users.update_user": ("admin", lambda db, u: users.update_user(db, u, users.user_record(db, 4), region="EMEA"), "user"),
    "users.deactivate_user": ("admin", lambda db, u: users.deactivate_user(db, u, users.user_record(db, 4)), "user"),
    "whitespace.set_cell": (OWNER, lambda db, u: whitespace.set_cell(db, u, PLAN, 2, 2, "Open", estimated_value=5000), "whitespace_cell"),
    "whitespace.create_initiative_from_cell": (OWNER, lambda db, u: whitespace.create_initiative_from_cell(
        db, u, PLAN, *_open_cell(db, u)), "initiative"),
}


def _open_cell(db, user) -> tuple[int, int]:
    whitespace.set_cell(db, user, PLAN, 3, 4, "Open", estimated_value=7000)
    return 3, 4


def domain_write_functions() -> list[str]:
    """module.function for every public function of planning/ taking (db, user) or (db, actor).

    A subpackage's modules go by the package's name (planning/export/build.py → export), since
    callers reach them through the names the package re-exports; the CLI is not domain code.
    """
    found = []
    for path in sorted(PLANNING.rglob("*.py")):
        if path.parent.name == "commands":
            continue
        module = path.stem if path.parent == PLANNING else path.parent.name
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                names = [a.arg for a in node.args.args]
                if names[:1] == ["db"] and names[1:2] in (["user"], ["actor"]):
                    found.append(f"{module}.{node.name}")
    return found


def test_every_domain_write_function_is_covered():
    assert sorted(domain_write_functions()) == sorted(CASES)


@pytest.fixture
def actors(demo_db) -> dict:
    owner_id = demo_db.value("SELECT owner_id FROM plan WHERE id = ?", [PLAN])
    return {
        OWNER: users.get_user(demo_db, owner_id),
        "admin": users.find_user(demo_db, "Ada Admin"),
        "ops": users.find_user(demo_db, "Omar Ops"),
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_write_records_audit_rows_naming_who_acted(demo_db, actors, name):
    who, call, entity = CASES[name]
    actor = actors[who]
    last = demo_db.value("SELECT coalesce(max(id), 0) FROM audit_log")

    call(demo_db, actor)

    written = demo_db.rows(
        "SELECT user_id, entity, changed_at FROM audit_log WHERE id > ? ORDER BY id", [last]
    )
    assert written, f"{name} wrote no audit row"
    assert {row["user_id"] for row in written} == {actor["id"]}
    assert entity in {row["entity"] for row in written}
    assert all(row["changed_at"] is not None for row in written)
