"""Demo scorecard answers and their history."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta

from planning import kpis
from planning.demo.reference import SEED


def _answer_value(rng: random.Random, qtype: str, options: str | None, quality: float) -> str | None:
    """A plausible answer whose quality (0..1) follows the account's health (inverted questions too)."""
    opts = json.loads(options) if options else {}
    if qtype == "rating":
        return str(max(1, min(5, round(1 + 4 * quality + rng.uniform(-0.8, 0.8)))))
    if qtype == "yes_no":
        good = rng.random() < quality
        return "no" if good == bool(opts.get("invert")) else "yes"
    if qtype == "choice":
        choices = sorted(opts["choices"].items(), key=lambda item: item[1])
        pick = round(quality * (len(choices) - 1) + rng.uniform(-0.6, 0.6))
        return choices[max(0, min(len(choices) - 1, pick))][0]
    if qtype == "number":
        # Thresholds may reward high values or low ones (support cases): pick by points, not by position.
        by_points = sorted(opts["thresholds"], key=lambda t: t[1])
        pick = max(0, min(len(by_points) - 1, round(quality * (len(by_points) - 1) + rng.uniform(-0.5, 0.5))))
        at_least = by_points[pick][0]
        return str(int(at_least) + (rng.randint(0, 2) if at_least >= 0 else 0))
    return rng.choice(["Cloud modernisation; cost control.", "Regulatory reporting and audit readiness.", None])


def seed_scorecards(con, rng, plans, users, anchor: date) -> None:
    """Several submissions per current plan with a visible trend, carried-forward follow-ups, some gaps."""
    questions = con.execute(
        "SELECT q.id, q.qtype, q.options FROM scorecard_question q JOIN scorecard_category c ON c.id = q.category_id"
        " WHERE c.template_id = (SELECT min(template_id) FROM plan WHERE template_id IS NOT NULL)"
        " ORDER BY c.position, q.position"
    ).fetchall()
    _replay_foundation_draws(rng, plans, questions)
    own = random.Random(SEED * 5)  # a private stream: the seeders after this one stay as they were
    standing = _outcome_standing(con, plans)
    last_answers: dict[int, list] = {}  # plan id → its latest answers, for carried-forward follow-ups
    rows = []
    for plan in plans:
        if plan["index"] % 11 == 10:
            continue  # a plan nobody has scored yet
        # The latest score tracks how the plan is really doing (with noise), so calibration holds.
        final = min(0.95, max(0.05, 0.05 + 0.9 * standing.get(plan["id"], 0.5) + own.uniform(-0.06, 0.06)))
        trend = own.choice([-0.09, -0.05, 0.04, 0.07, 0.1])
        end = min(plan["period_end"], anchor)
        if plan["current"]:
            dates = [plan["period_start"] + timedelta(days=20 + 75 * k) for k in range(5)]
            dates = [d for d in dates if d <= end] or [end]
        else:
            dates = [date(plan["period_start"].year, 6, 30), date(plan["period_start"].year, 12, 15)]
        parent_answers = last_answers.get(plan.get("parent_plan_id"))
        if plan["current"] and parent_answers:
            when = datetime.combine(plan["period_start"], datetime.min.time()) + timedelta(hours=8)
            rows.append((plan, when, True, parent_answers))
            if plan["index"] % 7 == 5:
                last_answers[plan["id"]] = parent_answers
                continue  # still carried forward: nobody has re-confirmed it yet
        for k, day in enumerate(dates):
            steps_left = len(dates) - 1 - k
            quality = min(0.97, max(0.05, final - trend * steps_left + own.uniform(-0.03, 0.03)))
            gap_rate = 0.3 if k == 0 else 0.08
            answers = [
                (qid, None if own.random() < gap_rate else _answer_value(own, qtype, options, quality),
                 "Discussed at the account review." if own.random() < 0.1 else None)
                for qid, qtype, options in questions
            ]
            when = datetime.combine(day, datetime.min.time()) + timedelta(hours=9 + k)
            rows.append((plan, when, False, answers))
            last_answers[plan["id"]] = answers
    for plan, when, carried, answers in rows:
        submission_id = con.execute(
            "INSERT INTO scorecard_submission (plan_id, template_id, submitted_by, submitted_at, carried_forward)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            [plan["id"], plan["template_id"], plan["owner_id"], when, carried],
        ).fetchall()[0][0]
        con.executemany(
            "INSERT INTO scorecard_answer (submission_id, plan_id, question_id, value, note, answered_by, answered_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[submission_id, plan["id"], qid, value, note, plan["owner_id"], when] for qid, value, note in answers],
        )


def _outcome_standing(con, plans) -> dict[int, float]:
    """Each plan's standing (0 worst … 1 best) in its year: the mean of its win-rate and won ÷ target ranks."""
    figures = con.execute(
        f"""
        WITH members AS ({kpis.MEMBERSHIP_SQL})
        SELECT p.id, year(p.period_start) AS year,
               coalesce(CAST(count(*) FILTER (WHERE m.is_won) AS DOUBLE) / nullif(count(*) FILTER (WHERE m.is_closed), 0), 0) AS win_rate,
               coalesce(CAST(sum(m.amount) FILTER (WHERE m.is_won) AS DOUBLE) / nullif(CAST(p.sales_target AS DOUBLE), 0), 0) AS won_vs_target
        FROM plan p LEFT JOIN members m ON m.plan_id = p.id
        GROUP BY p.id, p.period_start, p.sales_target
        """,
        {"plan_ids": None},
    ).fetchall()
    by_year: dict[int, list[tuple[int, float, float]]] = {}
    for plan_id, year, win_rate, won_vs_target in figures:
        by_year.setdefault(year, []).append((plan_id, float(win_rate), float(won_vs_target)))
    standing: dict[int, float] = {}
    for rows in by_year.values():
        last = max(1, len(rows) - 1)
        for column in (1, 2):
            for position, row in enumerate(sorted(rows, key=lambda r: (r[column], r[0]))):
                standing[row[0]] = standing.get(row[0], 0.0) + position / last / 2
    return standing


def _replay_foundation_draws(rng: random.Random, plans, questions) -> None:
    """Consume the shared stream exactly as the first scorecard seeder did (later seeders depend on it)."""
    for plan in plans:
        if plan["index"] % 11 == 10:
            continue
        rng.uniform(0.15, 0.95)
        for _ in range(3 if plan["current"] else 1):
            rng.uniform(-0.12, 0.15)
            for _, qtype, options in questions:
                if rng.random() < 0.12:
                    continue
                if qtype in ("rating", "choice"):
                    rng.uniform(-1, 1) if qtype == "rating" else rng.uniform(-0.6, 0.6)
                elif qtype == "yes_no":
                    rng.random()
                elif qtype == "number":
                    rng.choice(json.loads(options)["thresholds"])
                else:
                    rng.choice(["Cloud modernisation; cost control.", "Regulatory reporting.", ""])
