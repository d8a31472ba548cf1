"""`make screenshots`: every page and tab of the demo book, full page, in Chromium at 1440×900.

    python tools/screenshots.py               # writes docs/screenshots/*.png
    python tools/screenshots.py --out /tmp/s  # somewhere else

Builds the demo book (fixed anchor, as the tests do) in a temporary folder, serves the app
headless on 127.0.0.1, picks the demo admin in the local-mode sidebar, then visits each page
through the sidebar and each tab by clicking it, waiting for Streamlit to be idle (no script
running, charts drawn) before every capture — never a fixed sleep. File names are stable
(`<page>[-<tab>].png`) so a re-run shows as a diff of the same files.
It lives in tools/, not benchmarks/: it measures nothing, it documents the app.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from benchmarks.browser import RUN_COUNTER, idle, runs  # noqa: E402
from planning import demo  # noqa: E402
from planning.db import open_database  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, DEFAULT_USER, DEMO_ANCHOR, pick_user, streamlit_server  # noqa: E402
from ui.navigation import PAGE_FILES, PAGE_TITLES  # noqa: E402

VIEWPORT = {"width": 1440, "height": 900}
PLAN = 29  # Quartz Chemicals FY2026: deals, a parent plan, scorecard history, whitespace and 12 rated stakeholders
# Every visible chart drawn (charts in a hidden tab wait until the tab is shown).
DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                  .filter(c => c.getClientRects().length).every(c => c.querySelector('canvas, svg'))"""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def settle(page: Page, after: int) -> None:
    """Idle after a rerun, and every chart on the page drawn."""
    idle(page, "h1", after)
    page.wait_for_function(DRAWN, timeout=60_000)


def capture(page: Page, path: Path) -> None:
    """A full-page image: Streamlit scrolls inside its main block, so grow the viewport to it first."""
    height = page.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
                                      return Math.ceil(Math.max(m ? m.scrollHeight : 0, document.body.scrollHeight)); }""")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], min(height, 12_000))})
    page.wait_for_function(DRAWN, timeout=60_000)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} kB", flush=True)


def click_and_settle(page: Page, target) -> None:
    before = runs(page)
    target.click()
    settle(page, before)


def tab_labels(page: Page) -> list[str]:
    return [t.inner_text().strip() for t in page.get_by_role("tab").all()]


def open_page(page: Page, url: str) -> None:
    """A fresh session on `url` (its ?plan= kept), as the demo admin: sidebar links would drop the plan."""
    page.goto(url)
    settle(page, 0)
    before = runs(page)
    pick_user(page, DEFAULT_USER)
    settle(page, before)


def shoot(url: str, out: Path) -> list[Path]:
    written: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(60_000)
        page.add_init_script(RUN_COUNTER)
        for file, title in zip(PAGE_FILES, PAGE_TITLES):
            name = Path(file).stem
            open_page(page, f"{url}/{name if name != 'portfolio' else ''}?plan={PLAN}")
            # Every page's tabs are bound to the URL: a click reruns the page with that tab open (only it renders).
            for index, label in enumerate(tab_labels(page) or [""]):
                tab = page.get_by_role("tab", name=label, exact=True)
                if index and tab.get_attribute("aria-selected") != "true":  # a second group's first tab is open already
                    click_and_settle(page, tab)
                if page.get_by_test_id("stException").count():
                    raise RuntimeError(f"{title} {label}: the page shows an exception")
                path = out / (f"{name}.png" if index == 0 else f"{name}-{slug(label)}.png")
                capture(page, path)
                written.append(path)
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as work:
        db_path = Path(work) / "demo.duckdb"
        demo.build_demo(open_database(db_path), anchor=DEMO_ANCHOR)
        with streamlit_server(db_path, "--server.address", "127.0.0.1") as url:
            written = shoot(url, args.out)
    stale = sorted(set(args.out.glob("*.png")) - set(written))
    for path in stale:  # a page or tab that no longer exists
        path.unlink()
    total = sum(p.stat().st_size for p in written)
    print(f"{len(written)} screenshots, {total / 1e6:.1f} MB" + (f"; removed {len(stale)} stale" if stale else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
