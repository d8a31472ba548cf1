"""Demo plans (follow-up chains, business-unit plans) and their content.

Their content: team, stakeholders, objectives, actions, initiatives, comments, KPI snapshots.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from planning import vocab
from planning.demo.reference import fiscal_years


def _plan_text(account_name: str, year: int) -> dict:
    return {
        "vision": f"Become {account_name}'s platform partner for data-driven operations by {year + 2}.",
        "strategy": "Expand from the core platform into analytics and security, led by the CIO's modernisation programme.",
        "strengths": "Core platform is embedded in daily operations; strong support record.",
        "weaknesses": "Limited reach outside IT; procurement sees us as a vendor.",
        "opportunities": "Cloud migration budget approved; regulatory pressure on data retention.",
        "threats": "A competitor is piloting in one division; budget freeze risk in H2.",
        "goals": f"Grow won revenue 20% in {year}; secure an executive sponsor; expand to two new business units.",
        "support_required": "Executive sponsor meeting each half; solution architect for the analytics proof of value.",
        "short_term_plan": "Run the quarterly business review, then scope the analytics pilot with the data team.",
    }


def seed_plans(con, rng, accounts, units, users, anchor: date) -> list[dict]:
    """Plans over three fiscal years with follow-up chains; one primary per planned account."""
    years = fiscal_years(anchor)
    won_by = {
        (row[0], row[1]): float(row[2])
        for row in con.execute(
            "SELECT account_id, year(close_date), coalesce(sum(amount) FILTER (WHERE is_won), 0) FROM opportunity"
            " WHERE account_id IS NOT NULL AND close_date IS NOT NULL GROUP BY account_id, year(close_date)"
        ).fetchall()
    }
    template_id = con.execute("SELECT id FROM scorecard_template WHERE status = 'Active' ORDER BY id LIMIT 1").fetchall()[0][0]
    # Strategic accounts 0..11: 0-7 planned with chains over three years, 8-11 deliberately unplanned;
    # steady accounts 12-25 alternate: some with one or two years of plans.
    chains = {i: years for i in range(8)}
    chains.update({i: years[1:] for i in range(12, 24, 2)})
    chains.update({i: years[2:] for i in range(13, 26, 4)})
    chains.update({i: years[2:] for i in (16, 28, 33)})
    plans: list[dict] = []
    for index, chain_years in sorted(chains.items()):
        account = accounts[index]
        parent = None
        for year in chain_years:
            is_current = year == anchor.year
            potential = won_by.get((account["id"], year)) or 200_000.0
            # Targets around the year's won revenue, so plans land Behind, On track and Ahead.
            target = round(potential * rng.uniform(0.8, 1.5) / 1000) * 1000
            reviewed = anchor - timedelta(days=rng.choice([5, 12, 30, 45, 95, 130, 200]) if is_current else 400)
            plan = {
                "account_id": account["id"], "name": f"{account['name']} FY{year}",
                "period_start": date(year, 1, 1), "period_end": date(year, 12, 31), "period_kind": "year",
                "business_unit_id": None, "template_id": template_id,
                "status": ("Active" if index % 9 else "Draft") if is_current else "Completed",
                "owner_id": account["owner_id"], "is_primary": is_current, "parent_plan_id": parent,
                "sales_target": target,
                "relationship_current": vocab.RELATIONSHIP_STATUSES[min(3, index % 4)],
                "relationship_desired": vocab.RELATIONSHIP_STATUSES[min(3, index % 4 + 1)],
                "last_reviewed_at": datetime.combine(reviewed, datetime.min.time()) + timedelta(hours=10),
                **_plan_text(account["name"], year),
            }
            plan["id"] = con.execute(
                f"INSERT INTO plan ({', '.join(plan)}) VALUES ({', '.join('?' * len(plan))}) RETURNING id",
                list(plan.values()),
            ).fetchall()[0][0]
            plans.append(plan | {"current": is_current, "index": index})
            parent = plan["id"]
    # Overlapping business-unit plans on two strategic accounts in the current year.
    for index in (0, 1):
        account = accounts[index]
        unit_id = units[account["id"]][0]
        unit_name = con.execute("SELECT name FROM business_unit WHERE id = ?", [unit_id]).fetchall()[0][0]
        plan = {
            "account_id": account["id"], "name": f"{account['name']} – {unit_name} FY{anchor.year}",
            "period_start": date(anchor.year, 1, 1), "period_end": date(anchor.year, 12, 31), "period_kind": "year",
            "business_unit_id": unit_id, "template_id": template_id, "status": "Active",
            "owner_id": account["owner_id"], "is_primary": False, "parent_plan_id": None,
            "sales_target": 400_000 + 50_000 * index,
            "last_reviewed_at": datetime.combine(anchor - timedelta(days=20), datetime.min.time()),
        }
        plan["id"] = con.execute(
            f"INSERT INTO plan ({', '.join(plan)}) VALUES ({', '.join('?' * len(plan))}) RETURNING id",
            list(plan.values()),
        ).fetchall()[0][0]
        plans.append(plan | {"current": True, "index": index})
    # A half-year plan nested in nothing: shows that periods need not be years.
    account = accounts[30]
    half_start = date(anchor.year, 7, 1)
    plan = {
        "account_id": account["id"], "name": f"{account['name']} H2 {anchor.year} push",
        "period_start": half_start, "period_end": date(anchor.year, 12, 31), "period_kind": "half",
        "template_id": template_id, "status": "Active", "owner_id": account["owner_id"], "is_primary": True,
        "sales_target": 250_000, "last_reviewed_at": datetime.combine(anchor - timedelta(days=3), datetime.min.time()),
    }
    plan["id"] = con.execute(
        f"INSERT INTO plan ({', '.join(plan)}) VALUES ({', '.join('?' * len(plan))}) RETURNING id",
        list(plan.values()),
    ).fetchall()[0][0]
    plans.append(plan | {"current": True, "index": 30, "business_unit_id": None})
    return plans


def seed_team(con, rng, plans, users) -> None:
    specialists = [("Sales Engineer", "Tom Becker"), ("Customer Success", "Chloe Martin"), ("Executive Sponsor", "Dana Whitfield")]
    for plan in plans:
        con.execute("INSERT INTO team_member (plan_id, user_id, role) VALUES (?, ?, 'Account Executive')", [plan["id"], plan["owner_id"]])
        for role, name in rng.sample(specialists, rng.randint(1, 2)):
            if users[name] != plan["owner_id"]:
                con.execute("INSERT INTO team_member (plan_id, user_id, role) VALUES (?, ?, ?)", [plan["id"], users[name], role])


def seed_stakeholders(con, rng, plans, contacts, anchor: date) -> None:
    roles = ["Economic Buyer", "Decision Maker", "Champion", "Influencer", "Evaluator", "User", "Blocker", "Coach"]
    for plan in plans:
        people = contacts[plan["account_id"]]
        team = [r[0] for r in con.execute("SELECT user_id FROM team_member WHERE plan_id = ?", [plan["id"]]).fetchall()]
        mapped = people[: rng.randint(2, len(people))] if plan["index"] % 5 else people[:1]  # some single-threaded
        for position, person in enumerate(mapped):
            role = roles[position] if position < len(roles) else rng.choice(["User", "Influencer", "Evaluator"])
            if plan["index"] % 6 == 3 and role == "Economic Buyer":
                role = "Influencer"  # a few plans with no Economic Buyer mapped
            support = rng.choices(vocab.SUPPORT_LEVELS, [0.15, 0.35, 0.3, 0.15, 0.05])[0]
            if role == "Champion":
                support = "Mentor"
            coverage = rng.choices(vocab.COVERAGE_LEVELS, [0.1, 0.15, 0.3, 0.3, 0.15])[0]
            covered = coverage not in ("Unknown", "No Contact")
            con.execute(
                "INSERT INTO stakeholder (plan_id, contact_id, buying_role, support, coverage, influence,"
                " relationship_strength, covered_by_user_id, last_contact_date, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [plan["id"], person["id"], role, support, coverage,
                 max(1, 5 - person["level"] + rng.randint(-1, 0)), rng.randint(1, 5),
                 rng.choice(team) if covered else None,
                 anchor - timedelta(days=rng.randint(3, 160)) if covered else None,
                 None],
            )
        if len(mapped) >= 4:
            con.execute(
                "INSERT INTO influence_link (plan_id, from_contact_id, to_contact_id, note) VALUES (?, ?, ?, ?)",
                [plan["id"], mapped[3]["id"], mapped[1]["id"], "Trusted advisor on budget decisions"],
            )
    # Every coverage status shows somewhere (without drawing from rng, so later seeders stay identical):
    # the half-year push has no map yet (status 0); one business-unit plan maps no key player (status 1).
    half_year = next(p["id"] for p in plans if p.get("period_kind") == "half")
    con.execute("DELETE FROM influence_link WHERE plan_id = ?", [half_year])
    con.execute("DELETE FROM stakeholder WHERE plan_id = ?", [half_year])
    unit_plan = next(p["id"] for p in plans if p.get("business_unit_id") and p["index"] == 1)
    con.execute(
        "UPDATE stakeholder SET influence = least(influence, 3), buying_role = CASE WHEN buying_role IN"
        " ('Economic Buyer', 'Decision Maker') THEN 'Evaluator' ELSE buying_role END WHERE plan_id = ?",
        [unit_plan],
    )


def seed_objectives_and_actions(con, rng, plans, users, products, anchor: date) -> None:
    objectives = [
        ("Expand analytics footprint", "Growth", {"stage": ["Closed Won"], "product": ["Insights", "Forecasting AI"]}, "sum", 250_000),
        ("Secure executive sponsor", "Relationship", None, None, None),
        ("Close three new-logo deals in new business units", "Growth", {"type": ["new"]}, "count", 3),
        ("Renew core platform contract early", "Retention", {"stage": ["Closed Won"], "type": ["renewal"]}, "sum", 150_000),
        ("Run a quarterly business review", "Relationship", None, None, None),
    ]
    action_titles = [
        "Book discovery workshop with the data team", "Send ROI summary to the CFO",
        "Prepare the QBR deck", "Introduce our CTO to their CIO", "Map the procurement process",
        "Follow up on security questionnaire",
    ]
    for plan in plans:
        if not plan["current"] and plan["index"] % 2:
            continue
        chosen = rng.sample(objectives, rng.randint(2, 4))
        for name, otype, flt, kind, target in chosen:
            status = rng.choice(vocab.OBJECTIVE_STATUSES[:4]) if plan["current"] else rng.choice(["Achieved", "Cancelled", "Deferred"])
            objective_id = con.execute(
                "INSERT INTO objective (plan_id, name, type, owner_id, priority, status, due_date, measure_kind,"
                " measure_filter, measure_target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [plan["id"], name, otype, plan["owner_id"], rng.choice(vocab.PRIORITIES), status,
                 plan["period_end"] - timedelta(days=rng.randint(0, 150)), kind,
                 json.dumps(flt) if flt else None, target],
            ).fetchall()[0][0]
            for title in rng.sample(action_titles, rng.randint(1, 3)):
                due = anchor + timedelta(days=rng.randint(-40, 60)) if plan["current"] else plan["period_end"] - timedelta(days=30)
                done = due < anchor and rng.random() < 0.6
                con.execute(
                    "INSERT INTO action (plan_id, objective_id, title, owner_id, due_date, status, completed_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [plan["id"], objective_id, title, plan["owner_id"], due, "Done" if done else rng.choice(["Not Started", "In Progress"]),
                     datetime.combine(due, datetime.min.time()) if done else None],
                )
        if plan["current"]:
            con.execute(
                "INSERT INTO action (plan_id, title, owner_id, due_date, status) VALUES (?, ?, ?, ?, 'Not Started')",
                [plan["id"], "Update the stakeholder map after the reorganisation", plan["owner_id"], anchor + timedelta(days=14)],
            )


def seed_initiatives_and_comments(con, rng, plans, products, units, users, anchor: date) -> None:
    for plan in plans:
        if not plan["current"]:
            continue
        product = rng.choice(list(products))
        unit_ids = units[plan["account_id"]]
        con.execute(
            "INSERT INTO initiative (plan_id, name, product_id, business_unit_id, estimated_value, timing, likely_buyer, trigger_event)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [plan["id"], f"{product} for {'the ' + 'division' if unit_ids else 'the group'}", products[product],
             rng.choice(unit_ids) if unit_ids else None, round(rng.uniform(40_000, 300_000), -3),
             f"Q{rng.randint(1, 4)} {anchor.year + 1}", "Chief Information Officer",
             rng.choice(["New CIO appointed", "Contract renewal with a competitor", "Regulatory deadline", "Merger integration"])],
        )
        con.execute(
            "INSERT INTO comment (plan_id, author_id, body, created_at) VALUES (?, ?, ?, ?)",
            [plan["id"], plan["owner_id"], "QBR went well: the CFO asked for a proposal on analytics.",
             datetime.combine(anchor - timedelta(days=rng.randint(2, 40)), datetime.min.time())],
        )
        con.execute(
            "INSERT INTO comment (plan_id, author_id, kind, body, url, created_at) VALUES (?, ?, 'file', ?, ?, ?)",
            [plan["id"], plan["owner_id"], "Org chart from the customer", "https://files.example.com/orgchart.pdf",
             datetime.combine(anchor - timedelta(days=rng.randint(40, 90)), datetime.min.time())],
        )


def seed_kpi_snapshots(con, rng, plans, anchor: date) -> None:
    """Weekly KPI history for current plans: expected climbs towards today's figures, target holds.

    Ended plans get a history too (`_closed_plan_snapshots`), so the Portfolio's forecast accuracy
    has something true to measure.
    """
    from planning import kpis

    current = [p["id"] for p in plans if p["current"]]
    today = kpis.kpi_frame(con, current)
    rows = []
    for figures in today.itertuples():
        progress = 0.45 + rng.uniform(-0.1, 0.1)
        for week in range(26, -1, -1):
            day = anchor - timedelta(weeks=week)
            share = 1.0 if week == 0 else min(1.0, progress + (1 - progress) * (26 - week) / 26 + rng.uniform(-0.04, 0.04))
            won = round(figures.won * min(1.0, share * 0.95), 2) if week else figures.won
            pipeline = round(figures.pipeline * (1.6 - 0.6 * share), 2) if week else figures.pipeline
            expected = figures.expected * share
            rows.append((figures.plan_id, day, figures.target, won, pipeline, max(0.0, expected - won), expected))
    rows += _closed_plan_snapshots(con, rng, [p for p in plans if p["period_end"] < anchor])
    con.executemany(
        "INSERT INTO kpi_snapshot (plan_id, snapshot_date, target, won, pipeline, weighted_pipeline, expected)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _closed_plan_snapshots(con, rng, ended: list[dict]) -> list[tuple]:
    """Weekly figures over an ended plan's last 26 weeks: expected drifts onto the final won by the end.

    Each owner leans one way (optimists over-forecast, sandbaggers under), so the per-owner bias
    differs; every seventh plan's (by id) history starts only 8 weeks before its end (no 90-day figure).
    """
    from planning import kpis

    if not ended:
        return []
    final = {int(f.plan_id): f for f in kpis.kpi_frame(con, [p["id"] for p in ended]).itertuples()}
    lean = {owner: rng.uniform(-0.25, 0.35) for owner in sorted({p["owner_id"] for p in ended})}
    rows = []
    for plan in ended:
        figures = final[plan["id"]]
        won_end = float(figures.won)
        start = 8 if plan["id"] % 7 == 0 else 26
        for week in range(start, -1, -1):
            day = plan["period_end"] - timedelta(weeks=week)
            left = week / 26  # share of the horizon still ahead
            expected = max(0.0, won_end * (1 + (lean[plan["owner_id"]] + rng.uniform(-0.15, 0.15)) * left))
            won = round(won_end * (1 - 0.6 * left), 2)
            rows.append((plan["id"], day, figures.target, won, round(max(0.0, expected - won) * 1.8, 2),
                         max(0.0, expected - won), expected))
    return rows
