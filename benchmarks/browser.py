"""Browser benchmark (issue #17): the app as a user's browser sees it, next to a floor app.

    python benchmarks/browser.py            # the demo book (what `make bench` runs)
    python benchmarks/browser.py --runs 5
    python benchmarks/browser.py --book /work/bench1m/book.duckdb   # a big book (planning demo --scale large --db …)
    python benchmarks/browser.py --only "tab switch"   # just the rows whose name contains it (and their floor runs)

Starts two Streamlit servers (the app on a copy of the book, benchmarks/floor_app.py), and for two
reference rows a third (benchmarks/shell_app.py: the floor page in a multipage shell), and drives
headless Debian Chromium with Playwright. Every measure waits for Streamlit to be idle — the script
finished (no "running" status widget) and the expected element shown — never a fixed sleep. Each
row's runs alternate with the floor's, so both see the same machine load; it prints both medians.
With --book it adds the Plan page's first view after a CLI import of one changed opportunity.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    """A port no one listens on now (another benchmark or test run may hold the usual ones)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(script: Path, port: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit for {script.name} exited at start (port {port} taken?)")
        try:
            if urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=1).read() == b"ok":
                return server
        except OSError:
            time.sleep(0.1)  # polling the server's health endpoint, not a wait for the page
    raise RuntimeError(f"streamlit on port {port} did not start")


# Counts finished script runs: stApp's data-test-script-state turning to "notRunning". A fast rerun can
# go running → notRunning between two observer callbacks, so each record's old value is walked too.
RUN_COUNTER = """
window.__runs = 0;
new MutationObserver((records) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const states = records.filter(r => r.attributeName === 'data-test-script-state').map(r => r.oldValue);
  states.push(app && app.getAttribute('data-test-script-state'));
  for (const state of states) {
    if (state === 'notRunning' && window.__last !== 'notRunning') window.__runs += 1;
    window.__last = state;
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state'], childList: true});
"""


def runs(page) -> int:
    return page.evaluate("window.__runs || 0")


TEXT_OF = "(watched) => [...document.querySelectorAll(watched)].map(e => e.textContent).join('|')"
IDLE = f"""([selector, after, watched, text]) => ((after === null || (window.__runs || 0) > after)
    || (watched !== null && ({TEXT_OF})(watched) !== text))
  && document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') === 'notRunning'
  && !document.querySelector('[data-testid="stStatusWidget"]')
  && !!document.querySelector(selector)"""


def idle(page, selector: str, after: int | None = 0, watched: str | None = None, text: str | None = None) -> None:
    """Streamlit is idle: a script run finished after `after` runs (None: any) or the text of the
    `watched` elements is no longer `text`, none is running, and `selector` shows."""
    page.wait_for_function(IDLE, arg=[selector, after, watched, text], timeout=120_000)


def act(page, do, selector: str, watched: str | None = None) -> float:
    """Time one user action until the rerun it causes has finished and `selector` shows.

    A `selector` absent before the action is its own proof of the rerun: React can draw a fast
    rerun's running and finished states in one commit, which no attribute observer sees. So is a
    change in the text of the `watched` elements (a count the rerun rewrites).
    """
    before = None if page.locator(selector).count() == 0 else runs(page)
    text = page.evaluate(TEXT_OF, watched) if watched else None
    started = time.perf_counter()
    do()
    idle(page, selector, before, watched, text)
    return time.perf_counter() - started


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def paired(runs: int, project, floor) -> tuple[float, float]:
    """Medians of `project` and `floor`, run in turn so that both see the same machine load."""
    times = [(project(), floor()) for _ in range(runs)]
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def one_changed_opportunity(db: Path, plan_id: int, work: Path, change: int) -> Path:
    """A CRM extract of one of the plan's deals, its amount up by `change`: what a cron import brings."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT o.external_id, o.name, o.stage, o.amount, o.close_date, a.external_id FROM opportunity o"
            " JOIN account a ON a.id = o.account_id JOIN plan p ON p.account_id = o.account_id"
            " WHERE p.id = ? AND o.close_date BETWEEN p.period_start AND p.period_end ORDER BY o.id LIMIT 1",
            [plan_id]).fetchone()
    path = work / "one-change.csv"
    path.write_text("Id,Name,StageName,Amount,CloseDate,AccountId\n"
                    f"{row[0]},\"{row[1]}\",{row[2]},{float(row[3]) + change:.2f},{row[4]},{row[5]}\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--book", type=Path, help="a DuckDB book to copy (default: a fresh demo book)")
    parser.add_argument("--plan", type=int, default=3, help="the plan the Plan page rows open")
    parser.add_argument("--only", metavar="SUBSTRING", help="run only the rows whose name contains it (the cold start always runs)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    db = work / "book.duckdb"
    env = {**os.environ, "PLANNING_DB": str(db)}
    if args.book:
        shutil.copy(args.book, db)
    else:
        subprocess.run([sys.executable, "-m", "planning.cli", "--db", str(db), "init", "--demo"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
    plan = args.plan

    def wanted(name: str) -> bool:
        return args.only is None or args.only.lower() in name.lower()

    rows: list[tuple[str, float, float]] = []
    floor = app = shell = None
    app_port, floor_port, shell_port = free_port(), free_port(), free_port()
    app_url, floor_url, shell_url = (f"http://localhost:{port}/" for port in (app_port, floor_port, shell_port))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=FLAGS)
            page = browser.new_page()
            page.add_init_script(RUN_COUNTER)
            started = time.perf_counter()
            floor = serve(ROOT / "benchmarks" / "floor_app.py", floor_port, env)
            page.goto(floor_url)
            idle(page, '[data-testid="stMetric"]')
            rows.append(("cold start: server start → first view", 0.0, time.perf_counter() - started))
            started = time.perf_counter()
            app = serve(ROOT / "app.py", app_port, env)
            page.goto(app_url)
            idle(page, '[data-testid="stMetric"]')
            rows[-1] = (rows[-1][0], time.perf_counter() - started, rows[-1][2])
            print(rows[-1], flush=True)

            def load(url: str, selector: str) -> float:
                page.goto("about:blank")
                return timed(lambda: (page.goto(url), idle(page, selector)))

            def floor_load() -> float:
                return load(floor_url, '[data-testid="stMetric"]')

            # Streamlit's own multipage shell (navigation, a sidebar, no database) around the floor page:
            # what any page of a multipage app pays before its own content, at `/` and at its own URL.
            shell_rows = [(name, path) for name, path in [("reference: multipage shell at /", ""),
                                                          ("reference: multipage shell at /plan", "plan")] if wanted(name)]
            if shell_rows:
                shell = serve(ROOT / "benchmarks" / "shell_app.py", shell_port, env)
            for name, path in shell_rows:
                rows.append((name, *paired(args.runs, lambda path=path: load(f"{shell_url}{path}",
                                                                               '[data-testid="stMetric"]'), floor_load)))
                print(rows[-1], flush=True)

            # Each page's load ends when its main content shows, as the floor's ends at its metrics: the
            # frontend can still be drawing a page's body after the script has finished.
            metric = '[data-testid="stMetric"]'
            for path, shown in [("", metric), (f"plan?plan={plan}", metric), (f"scorecard?plan={plan}", metric),
                                (f"whitespace?plan={plan}", metric), (f"stakeholders?plan={plan}", "iframe"),
                                ("import", '[data-testid="stFileUploader"]')]:
                name = f"fresh load: {path.split('?')[0] or 'portfolio'}"
                if not wanted(name):
                    continue
                rows.append((name,
                             *paired(args.runs, lambda path=path, shown=shown: load(f"{app_url}{path}", shown), floor_load)))
                print(rows[-1], flush=True)

            def floor_switch() -> float:
                load(f"{floor_url}?tab=Chart", '[data-testid="stVegaLiteChart"]')
                return act(page, page.get_by_role("tab", name="Table").click, '[data-testid="stDataFrame"]')

            def app_switch() -> float:
                load(f"{app_url}plan?plan={plan}&tab=Figures", '[data-testid="stMetric"]')
                return act(page, page.get_by_role("tab", name="Opportunities").click, ".st-key-opp_status")

            def app_filter() -> float:
                load(f"{app_url}plan?plan={plan}&tab=Opportunities", '[data-testid="stDataFrame"]')
                box = page.locator(".st-key-opp_status")
                box.get_by_role("combobox").click()
                page.keyboard.press("ArrowDown")  # the multiselect's list opens on a key; a click only focuses it
                option = page.get_by_role("option").first
                # The caption "N of M opportunities" is rewritten by the rerun: proof of it when the run counter misses one.
                return act(page, option.click, '[data-testid="stDataFrame"]', '[data-testid="stCaptionContainer"]')

            def app_save() -> float:
                load(f"{app_url}plan?plan={plan}&tab=Plan+%26+strategy", "textarea")
                return act(page, page.get_by_role("button", name="Save strategy").click, '[data-testid="stAlert"]')

            for what, measure in [("tab switch: Plan Figures → Opportunities", app_switch),
                                  ("filter change: Plan opportunities status", app_filter),
                                  ("form save: Plan strategy", app_save)]:
                if not wanted(what):
                    continue
                rows.append((what, *paired(args.runs, measure, floor_switch)))
                print(rows[-1], flush=True)

            if args.book and wanted("Plan first view after a CLI import"):
                def after_cli_write() -> float:
                    change = one_changed_opportunity(db, plan, work, 1)
                    subprocess.run([sys.executable, "-m", "planning.cli", "--db", str(db), "import", "opportunities",
                                    str(change)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
                    return load(f"{app_url}plan?plan={plan}&tab=Figures", '[data-testid="stMetric"]')
                rows.append(("Plan first view after a CLI import (floor: a load)", *paired(args.runs, after_cli_write, floor_load)))
            browser.close()
    finally:
        for server in (app, floor, shell):
            if server:
                server.terminate()
                server.wait()
        shutil.rmtree(work, ignore_errors=True)

    print(f"{'what':<52} {'project':>8} {'floor':>8} {'ratio':>6}")
    for what, value, base in rows:
        print(f"{what:<52} {value:>7.2f}s {base:>7.2f}s {value / base:>5.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
