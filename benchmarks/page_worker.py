"""Render every registered page under AppTest and print the warm medians as JSON.

Runs in its own process (run.py starts it) so that its peak RSS is the page render's alone.
Usage: python benchmarks/page_worker.py DB PLAN_ID RUNS [--after-write]   (or: --cold-start DB)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def registered_pages() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from ui.navigation import PAGE_FILES

    return PAGE_FILES


def save_another_plans_scorecard(plan_id: int) -> None:
    """A rep's scorecard save on some other plan: what the app sees between two views of a page."""
    from planning import scorecards, users
    from planning.db import Database

    db = Database()
    other = db.value("SELECT id FROM plan WHERE id <> ? ORDER BY id LIMIT 1", [plan_id])
    form = scorecards.scorecard_form(db, other)
    answers = {q["question_id"]: {"value": q["value"], "note": q["note"]} for q in form["questions"] if q["value"]}
    rating = next(q for q in form["questions"] if q["qtype"] == "rating")
    answers[rating["question_id"]] = {"value": "1" if rating["value"] != "1" else "5", "note": None}
    scorecards.save_answers(db, users.COMMAND_LINE, other, answers, form["loaded_submission_id"])


def render_pages(plan_id: int, runs: int, after_write: bool = False) -> dict:
    """Median rerun time per page; `after_write`: each rerun follows a save on another plan."""
    from streamlit.testing.v1 import AppTest

    results = {}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["plan"] = str(plan_id)
    at.run()
    for page in registered_pages():
        at.switch_page(page).run()  # first render of the page: its caches and imports warm up
        if at.exception:
            results[page] = {"error": at.exception[0].message.splitlines()[0][:200]}
            continue
        times = []
        for _ in range(runs):
            if after_write:
                save_another_plans_scorecard(plan_id)
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
        results[page] = {"median": statistics.median(times), "runs": runs,
                         "error": at.exception[0].message.splitlines()[0][:200] if at.exception else None}
    return results


def cold_start() -> dict:
    """Process start → the Portfolio page rendered once (the parent times the whole process)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    titles = [t.value for t in at.title]
    return {"titles": titles, "error": at.exception[0].message if at.exception else None}


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    if argv[0] == "--cold-start":
        os.environ["PLANNING_DB"] = argv[1]
        print(json.dumps(cold_start()))
        return 0
    os.environ["PLANNING_DB"] = argv[0]
    print(json.dumps(render_pages(int(argv[1]), int(argv[2]), after_write=argv[3:] == ["--after-write"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
