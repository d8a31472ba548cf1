"""Browser benchmark (issue #17): the app as a user's browser sees it, next to a floor app.

    python benchmarks/browser.py            # the demo book (what `make bench` runs)
    python benchmarks/browser.py --runs 5

Starts two Streamlit servers (the app on a copy of the demo book, benchmarks/floor_app.py) and
drives headless Debian Chromium with Playwright. Every measure waits for Streamlit to be idle —
the script finished (no "running" status widget) and the expected element shown — never a fixed
sleep. Prints each row's median next to its floor measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
PAGES = ["", "plan?plan=3", "scorecard?plan=3", "whitespace?plan=3", "stakeholders?plan=3", "import"]


def serve(script: Path, port: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
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


def idle(page, selector: str, after: int = 0) -> None:
    """Streamlit is idle: a script run finished after `after` runs, none is running, `selector` shows."""
    page.wait_for_function(
        f"() => (window.__runs || 0) > {after}"
        " && document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=120_000)
    page.wait_for_selector(selector, timeout=120_000)


def act(page, do, selector: str) -> float:
    """Time one user action until the rerun it causes has finished and `selector` shows."""
    before = runs(page)
    started = time.perf_counter()
    do()
    idle(page, selector, before)
    return time.perf_counter() - started


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    db = work / "demo.duckdb"
    env = {**os.environ, "PLANNING_DB": str(db)}
    subprocess.run([sys.executable, "-m", "planning.cli", "--db", str(db), "init", "--demo"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    app = serve(ROOT / "app.py", 8611, env)
    floor = serve(ROOT / "benchmarks" / "floor_app.py", 8612, env)
    rows: list[tuple[str, float, float]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=FLAGS)
            page = browser.new_page()
            page.add_init_script(RUN_COUNTER)
            cold = timed(lambda: (page.goto("http://localhost:8611/"), idle(page, '[data-testid="stMetric"]')))
            cold_total = time.perf_counter() - started

            def load(url: str, selector: str) -> float:
                page.goto("about:blank")
                return timed(lambda: (page.goto(url), idle(page, selector)))

            def med(fn) -> float:
                return statistics.median(fn() for _ in range(args.runs))

            floor_load = med(lambda: load("http://localhost:8612/", '[data-testid="stMetric"]'))
            for path in PAGES:
                name = path.split("?")[0] or "portfolio"
                rows.append((f"fresh load: {name}", med(lambda path=path: load(f"http://localhost:8611/{path}", "h1")), floor_load))
                print(rows[-1], flush=True)

            def floor_switch() -> float:
                load("http://localhost:8612/?tab=Chart", '[data-testid="stVegaLiteChart"]')
                return act(page, page.get_by_role("tab", name="Table").click, '[data-testid="stDataFrame"]')
            floor_tab = med(floor_switch)

            def app_switch() -> float:
                load("http://localhost:8611/plan?plan=3&tab=Figures", '[data-testid="stMetric"]')
                return act(page, page.get_by_role("tab", name="Opportunities").click, ".st-key-opp_status")
            rows.append(("tab switch: Plan Figures → Opportunities", med(app_switch), floor_tab))
            print(rows[-1], flush=True)

            def app_filter() -> float:
                load("http://localhost:8611/plan?plan=3&tab=Opportunities", '[data-testid="stDataFrame"]')
                box = page.locator(".st-key-opp_status")
                box.get_by_role("combobox").click()
                page.keyboard.press("ArrowDown")  # the multiselect's list opens on a key; a click only focuses it
                option = page.get_by_role("option").first
                return act(page, option.click, '[data-testid="stDataFrame"]')
            rows.append(("filter change: Plan opportunities status", med(app_filter), floor_tab))

            def app_save() -> float:
                load("http://localhost:8611/plan?plan=3&tab=Plan+%26+strategy", "textarea")
                return act(page, page.get_by_role("button", name="Save strategy").click, '[data-testid="stAlert"]')
            rows.append(("form save: Plan strategy", med(app_save), floor_tab))
            browser.close()
    finally:
        for server in (app, floor):
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)

    print(f"cold start (server start → first Portfolio shown): {cold_total:.2f} s (first page {cold:.2f} s)")
    print(f"{'what':<44} {'project':>8} {'floor':>8} {'ratio':>6}")
    for what, value, base in rows:
        print(f"{what:<44} {value:>7.2f}s {base:>7.2f}s {value / base:>5.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
