"""A hand-built book for the portfolio tests: five accounts, overlapping plans, every edge once.

FY2026 (today 2026-11-15):
- Alpha  (Strategic Customer segment, tier 2, owner Ann)  P1 primary whole account, target 100,000: won 80,000 +
  weighted 20,000 = 100 % On track; P2 business-unit plan, target 50,000: won 60,000 + 20,000 = 160 % Ahead.
  The 60,000 won and the 40,000 @ 50 % open deal sit in both plans (overlap).
- Bravo  (Steady, tier 1, owner Bob)  P3 primary, target 200,000, won 180,000 = exactly 90 % → On track.
- Charlie (Occasional, tier 3, flagged strategic, owner Cai under Max)  P4 primary but H1 only, target 100,000,
  won 89,999.99 → Behind; H1 does not cover the year, so Charlie is "without a plan".
- Delta  (Strategic Customer segment, tier 2, owner Ann)  P5 not primary, target 0 → No target; P6 primary FY2025.
- Echo   (Dormant → Steady, tier 2, owner Bob)  not strategic, no plan.
"""

from __future__ import annotations

from datetime import date, datetime

from planning.db import Database


def insert(con, table: str, **values) -> int:
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    return con.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id", list(values.values())).fetchall()[0][0]


def make_account(con, name: str, **overrides) -> int:
    values = {"name": name, "current_segment": "Steady Customer", "target_segment": "Steady Customer", "tier": 2,
              "is_strategic": False, "territory": "East", "region": "North America"}
    return insert(con, "account", **(values | overrides))


def make_plan(con, account_id: int, name: str, **overrides) -> int:
    values = {"account_id": account_id, "name": name, "period_start": date(2026, 1, 1), "period_end": date(2026, 12, 31),
              "status": "Active", "is_primary": True, "sales_target": 0}
    return insert(con, "plan", **(values | overrides))


def make_opportunity(con, account_id: int, amount: float, stage: str, close: date | None, **overrides) -> int:
    values = {"account_id": account_id, "name": f"{stage} {amount}", "amount": amount, "stage": stage, "close_date": close}
    return insert(con, "opportunity", **(values | overrides))


def build_book(db: Database) -> dict[str, int]:
    """The book above; returns the ids by name."""
    ids: dict[str, int] = {}
    with db.transaction() as con:
        ids["lea"] = insert(con, "app_user", name="Lea Lead", email="lea@example.com", role="leader")
        ids["max"] = insert(con, "app_user", name="Max Manager", email="max@example.com", role="leader")
        ids["ann"] = insert(con, "app_user", name="Ann Rep", email="ann@example.com", role="rep", manager_id=ids["lea"])
        ids["bob"] = insert(con, "app_user", name="Bob Rep", email="bob@example.com", role="rep", manager_id=ids["lea"])
        ids["cai"] = insert(con, "app_user", name="Cai Rep", email="cai@example.com", role="rep", manager_id=ids["max"])
        ids["alpha"] = make_account(con, "Alpha", current_segment="Strategic Customer", target_segment="Strategic Customer",
                                    owner_id=ids["ann"], next_activity_due=date(2026, 11, 14), call_frequency_days=14)
        ids["bravo"] = make_account(con, "Bravo", tier=1, target_segment="Strategic Customer", owner_id=ids["bob"],
                                    territory="West", last_activity_date=date(2026, 10, 1), call_frequency_days=30)
        ids["charlie"] = make_account(con, "Charlie", current_segment="Occasional Customer", tier=3, is_strategic=True,
                                      owner_id=ids["cai"], region="International", next_activity_due=date(2026, 11, 15))
        ids["delta"] = make_account(con, "Delta", current_segment="Strategic Customer", target_segment="Strategic Customer",
                                    owner_id=ids["ann"])
        ids["echo"] = make_account(con, "Echo", current_segment="Dormant", owner_id=ids["bob"],
                                   last_activity_date=date(2026, 11, 1), call_frequency_days=90)
        unit = insert(con, "business_unit", account_id=ids["alpha"], name="Unit X")
        ids["p1"] = make_plan(con, ids["alpha"], "Alpha FY2026", sales_target=100_000, owner_id=ids["ann"],
                              last_reviewed_at=datetime(2026, 8, 17, 9))
        ids["p2"] = make_plan(con, ids["alpha"], "Alpha Unit X FY2026", sales_target=50_000, owner_id=ids["ann"],
                              is_primary=False, business_unit_id=unit, last_reviewed_at=datetime(2026, 8, 16, 9))
        ids["p3"] = make_plan(con, ids["bravo"], "Bravo FY2026", sales_target=200_000, owner_id=ids["bob"])
        ids["p4"] = make_plan(con, ids["charlie"], "Charlie H1 2026", sales_target=100_000, owner_id=ids["cai"],
                              period_end=date(2026, 6, 30), period_kind="half", last_reviewed_at=datetime(2026, 11, 1, 9))
        ids["p5"] = make_plan(con, ids["delta"], "Delta FY2026", owner_id=ids["ann"], is_primary=False,
                              last_reviewed_at=datetime(2026, 5, 1, 9))
        ids["p6"] = make_plan(con, ids["delta"], "Delta FY2025", owner_id=ids["ann"], sales_target=70_000,
                              period_start=date(2025, 1, 1), period_end=date(2025, 12, 31), status="Completed")
        make_opportunity(con, ids["alpha"], 60_000, "Closed Won", date(2026, 3, 1), business_unit_id=unit)
        make_opportunity(con, ids["alpha"], 40_000, "Negotiation/Review", date(2026, 6, 1), business_unit_id=unit, probability=0.5)
        make_opportunity(con, ids["alpha"], 20_000, "Closed Won", date(2026, 2, 1))
        make_opportunity(con, ids["bravo"], 180_000, "Closed Won", date(2026, 5, 1))
        make_opportunity(con, ids["bravo"], 100_000, "Prospecting", date(2027, 1, 15))  # growth only: after the plan
        make_opportunity(con, ids["charlie"], 89_999.99, "Closed Won", date(2026, 4, 1))
        make_opportunity(con, ids["charlie"], 10_000, "Prospecting", date(2025, 6, 1))  # open but before the period
        make_opportunity(con, ids["delta"], 500_000, "Prospecting", date(2027, 2, 1))
        make_opportunity(con, ids["echo"], 300_000, "Closed Won", date(2025, 12, 1))
        make_opportunity(con, ids["echo"], 1_000_000, "Closed Won", date(2025, 6, 1))  # older than 12 months
        product = insert(con, "product", name="Widget")
        insert(con, "whitespace_cell", plan_id=ids["p1"], product_id=product, status="Open", estimated_value=25_000,
               updated_at=datetime(2026, 10, 1))
        revenue = insert(con, "selection_criterion", name="Revenue potential", weight=3)
        fit = insert(con, "selection_criterion", name="Product fit", weight=1)
        for account, scores in ((ids["alpha"], (5, 1)), (ids["delta"], (1, 1))):
            for criterion, score in zip((revenue, fit), scores):
                con.execute("INSERT INTO account_selection_score VALUES (?, ?, ?)", [account, criterion, score])
        # P1's sections: scorecard and whitespace fresh, stakeholders stale, objectives touched via the audit log.
        insert(con, "scorecard_submission", plan_id=ids["p1"], template_id=1, submitted_at=datetime(2026, 11, 1))
        contact = insert(con, "contact", account_id=ids["alpha"], name="Carla Contact")
        insert(con, "stakeholder", plan_id=ids["p1"], contact_id=contact, updated_at=datetime(2026, 6, 1))
        objective = insert(con, "objective", plan_id=ids["p1"], name="Land Widget", created_at=datetime(2026, 1, 10))
        con.execute("INSERT INTO audit_log (changed_at, entity, entity_id, field) VALUES (?, 'objective', ?, 'status')",
                    [datetime(2026, 10, 20), objective])
    return ids
