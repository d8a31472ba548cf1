"""Narrow invalidation: a write throws away only the cached reads that saw what it changed.

The safety net: after every kind of domain write, every cached read equals a fresh read (cache
off). The point: a scorecard save on one plan leaves another plan's reads and the portfolio's
reads of other tables cached.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from planning import (
    contacts,
    forecast,
    kpis,
    objectives,
    overview,
    plan_content,
    plans,
    portfolio,
    portfolio_accounts,
    portfolio_health,
    scorecards,
    stakeholders,
    users,
    whitespace,
)
from planning.db import cache as dbcache
from planning.portfolio import Filters

TODAY = date(2026, 11, 15)


@pytest.fixture(autouse=True)
def cache_on(monkeypatch):
    monkeypatch.delenv("PLANNING_CACHE", raising=False)
    dbcache.READ_CACHE.clear()


@pytest.fixture
def book(demo_db):
    """A plan and its follow-up (one account; A is written, B only read) and the admin who writes.

    B shows A in its chain and shares A's contacts: the reads most likely to go stale."""
    pair = demo_db.one("SELECT parent_plan_id AS a, id AS b FROM plan WHERE parent_plan_id IS NOT NULL ORDER BY id LIMIT 1")
    return demo_db, int(pair["a"]), int(pair["b"]), users.find_user(demo_db, "Ada Admin")


def every_read(db, a: int, b: int) -> dict:
    """Every cached read of the domain, with the arguments the pages use."""
    filters = Filters(year=2026)
    reads = {
        "portfolio.plan_performance": lambda: portfolio.plan_performance(db, filters),
        "portfolio.strategic_accounts": lambda: portfolio.strategic_accounts(db, filters),
        "portfolio.filter_options": lambda: portfolio.filter_options(db),
        "portfolio_accounts.segment_matrix": lambda: portfolio_accounts.segment_matrix(db, filters),
        "portfolio_accounts.accounts_to_move": lambda: portfolio_accounts.accounts_to_move(db, filters),
        "portfolio_accounts.overdue_calls": lambda: portfolio_accounts.overdue_calls(db, filters, TODAY),
        "portfolio_accounts.selection_quadrant": lambda: portfolio_accounts.selection_quadrant(db, filters, TODAY),
        "portfolio_health.plan_health": lambda: portfolio_health.plan_health(db, filters, TODAY),
        "kpis.plan_kpis": lambda: kpis.plan_kpis(db),
        "kpis.portfolio_totals": lambda: kpis.portfolio_totals(db),
        "forecast.forecast_plans": lambda: forecast.forecast_plans(db),
        "forecast.calibration": lambda: forecast.calibration(db),
        "scorecards.plan_scores": lambda: scorecards.plan_scores(db),
        "stakeholders.coverage_summary": lambda: stakeholders.coverage_summary(db, None, TODAY),
        "whitespace.whitespace_totals": lambda: whitespace.whitespace_totals(db),
        "overview.database_status": lambda: overview.database_status(db),
        "audit page": lambda: db.df("SELECT entity, field, new_value FROM audit_log ORDER BY id DESC LIMIT 20"),
    }
    for name, plan_id in (("A", a), ("B", b)):
        reads |= {
            f"kpis.kpis_for_plan({name})": lambda p=plan_id: kpis.kpis_for_plan(db, p),
            f"forecast.plan_forecast({name})": lambda p=plan_id: forecast.plan_forecast(db, p),
            f"scorecards.scorecard_form({name})": lambda p=plan_id: scorecards.scorecard_form(db, p),
            f"scorecards.plan_scorecard({name})": lambda p=plan_id: scorecards.plan_scorecard(db, p),
            f"plans.plan_chain({name})": lambda p=plan_id: plans.plan_chain(db, p),
            f"plans.plan_health({name})": lambda p=plan_id: plans.plan_health(db, p),
            f"stakeholders.stakeholder_map({name})": lambda p=plan_id: stakeholders.stakeholder_map(db, p),
            f"whitespace.plan_matrix({name})": lambda p=plan_id: whitespace.plan_matrix(db, p),
        }
    return reads


def every_write(db, a: int, b: int, admin: dict) -> dict:
    """One of each kind of domain write, acting on plan A (or on data A and B share)."""
    def answer_scorecard():
        form = scorecards.scorecard_form(db, a)
        answers = {q["question_id"]: {"value": q["value"], "note": q["note"]} for q in form["questions"] if q["value"]}
        rating = next(q for q in form["questions"] if q["qtype"] == "rating")
        answers[rating["question_id"]] = {"value": "1" if rating["value"] != "1" else "5", "note": "changed"}
        scorecards.save_answers(db, admin, a, answers, form["loaded_submission_id"])

    def whitespace_cell():
        cell = whitespace.plan_matrix(db, a).iloc[0]
        unit = None if pd.isna(cell["business_unit_id"]) else int(cell["business_unit_id"])
        whitespace.set_cell(db, admin, a, unit, int(cell["product_id"]), "Not a Fit / Blocked", note="no budget",
                            expected_version=int(cell["version"]))

    def stakeholder_note():
        holder = db.one("SELECT id, version FROM stakeholder WHERE plan_id = ? ORDER BY id LIMIT 1", [a])
        stakeholders.update_stakeholder(db, admin, holder["id"], holder["version"], {"influence": 1})

    def contact_title():  # contacts belong to the account: plan B shows them too
        row = db.one("SELECT c.* FROM contact c JOIN plan p ON p.account_id = c.account_id WHERE p.id = ? "
                     "ORDER BY c.id LIMIT 1", [a])
        contacts.update_contact(db, admin, a, row["id"], {"title": "Chief Renamed Officer"}, loaded=row)

    def plan_target_and_period():
        loaded = plans.get_plan(db, a)
        plans.update_plan(db, admin, a, {"sales_target": 4_321_000, "name": "Renamed A"}, loaded=loaded)

    def objective_status():
        objective = db.one("SELECT id, version FROM objective WHERE plan_id = ? ORDER BY id LIMIT 1", [a])
        if objective is None:
            objectives.create_objective(db, admin, a, name="Win the renewal", type="Revenue")
        else:
            objectives.update_objective(db, admin, objective["id"], objective["version"], {"status": "Achieved"})

    def team_member():
        priya = users.find_user(db, "Priya Nair")
        plan_content.set_team_member(db, admin, a, priya["id"], "Sales Engineer")

    return {
        "scorecard answers": answer_scorecard,
        "whitespace cell": whitespace_cell,
        "stakeholder": stakeholder_note,
        "contact (shared by A and B)": contact_title,
        "plan fields": plan_target_and_period,
        "objective": objective_status,
        "team member": team_member,
        "primary plan (demotes the other)": lambda: plans.set_primary(db, admin, b),
        "comment": lambda: plan_content.add_comment(db, admin, a, "Call went well"),
    }


def same(cached, fresh) -> bool:
    if isinstance(cached, pd.DataFrame):
        try:
            pd.testing.assert_frame_equal(cached, fresh)
            return True
        except AssertionError:
            return False
    if isinstance(cached, dict):
        return cached.keys() == fresh.keys() and all(same(cached[k], fresh[k]) for k in cached)
    if isinstance(cached, list):
        return len(cached) == len(fresh) and all(same(x, y) for x, y in zip(cached, fresh))
    return bool(cached == fresh or (cached != cached and fresh != fresh))


def test_after_every_kind_of_write_every_cached_read_equals_a_fresh_one(book, monkeypatch):
    db, a, b, admin = book
    reads = every_read(db, a, b)
    with db.held():  # each pass over the reads is one script run, as in the app (it holds the file)
        for read in reads.values():
            read()  # warm
    stale = {}
    for write, run in every_write(db, a, b, admin).items():  # one after another, each checked
        run()
        with db.held():
            cached = {name: read() for name, read in reads.items()}
        monkeypatch.setenv("PLANNING_CACHE", "0")
        with db.held():
            stale[write] = [name for name, read in reads.items() if not same(cached[name], read())]
        monkeypatch.delenv("PLANNING_CACHE")
    assert stale == {write: [] for write in stale}


def hits_after(db, reads: dict, names: list[str]) -> list[str]:
    """Which of `names` the cache answered without running the read."""
    answered = []
    for name in names:
        before = dbcache.READ_CACHE.misses
        reads[name]()
        if dbcache.READ_CACHE.misses == before:
            answered.append(name)
    return answered


def test_a_scorecard_save_keeps_the_other_plans_and_the_portfolios_other_reads(book):
    db, a, b, admin = book
    reads = every_read(db, a, b)
    for read in reads.values():
        read()
    every_write(db, a, b, admin)["scorecard answers"]()
    kept = ["kpis.kpis_for_plan(B)", "scorecards.scorecard_form(B)", "scorecards.plan_scorecard(B)",
            "stakeholders.stakeholder_map(B)", "whitespace.plan_matrix(B)", "kpis.kpis_for_plan(A)",
            "whitespace.plan_matrix(A)", "kpis.plan_kpis", "kpis.portfolio_totals", "whitespace.whitespace_totals",
            "portfolio_accounts.segment_matrix", "portfolio.filter_options"]
    assert hits_after(db, reads, kept) == kept
    # What the save changed is read again.
    redone = ["scorecards.scorecard_form(A)", "scorecards.plan_scores", "plans.plan_health(A)", "audit page"]
    assert hits_after(db, reads, redone) == []


def test_an_import_invalidates_what_reads_the_imported_table(book):
    from planning.importing.ingest import import_csv
    from tests.import_helpers import csv_bytes

    db, a, b, _ = book
    reads = every_read(db, a, b)
    for read in reads.values():
        read()
    import_csv(db, "products", csv_bytes("Name,Family,ListPrice", "Brand New Widget,Widgets,10"))
    assert "whitespace.plan_matrix(B)" not in hits_after(db, reads, ["whitespace.plan_matrix(B)"])
    assert len(whitespace.plan_matrix(db, b)["product"].unique()) == db.value("SELECT count(*) FROM product")
    # The import's own working tables and views are not the book's schema: reads of other tables stay.
    assert hits_after(db, reads, ["scorecards.scorecard_form(B)"]) == ["scorecards.scorecard_form(B)"]
