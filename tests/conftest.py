"""Shared fixtures: temporary databases, the demo book, AppTest runs and a live server + browser."""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from planning import demo
from planning.db import Database, open_database

ROOT = Path(__file__).resolve().parent.parent
# The app skips Altair's schema checks of its charts (ui/charts.py); every chart a test draws, in
# AppTest or in a test's own server, is checked.
os.environ["PLANNING_VALIDATE_CHARTS"] = "1"
# A fixed anchor keeps the demo book identical on every run (its fiscal years are 2024–2026).
DEMO_ANCHOR = date(2026, 11, 15)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


# PLANNING_TEST_BACKEND=postgres runs the database fixtures on PostgreSQL (issue #18): every
# test that takes `fresh_db`, `demo_db` or `app_test` then runs against a database of its own on
# the server PLANNING_TEST_PG names (the development and CI machines run one on 127.0.0.1:5432).
BACKEND = os.environ.get("PLANNING_TEST_BACKEND", "duckdb")
PG_SERVER = os.environ.get("PLANNING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ON_POSTGRES = BACKEND == "postgres"

# Fixtures that reach the database under test; a test uses a database when any of them is in
# its fixture closure (directly or through a fixture built on them, like test_backup's `made`).
DATABASE_FIXTURES = frozenset({"fresh_db", "fresh_template", "demo_db", "demo_template", "app_test", "app_server"})


def _scan_component_manifests_once() -> None:
    """Each AppTest starts a Streamlit runtime of its own, and each scans every installed package
    for component manifests (~0.2 s, a fifth of a short page test); the packages cannot change
    during a test run, so the first scan's answer serves them all."""
    from streamlit.components.v2 import manifest_scanner

    manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


_scan_component_manifests_once()


def pytest_sessionstart(session):
    """On PostgreSQL, say once (not in a thousand errors) when the test server is not there."""
    if not ON_POSTGRES or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    import psycopg

    try:
        psycopg.connect(PG_SERVER, connect_timeout=5).close()
    except psycopg.Error as exc:
        pytest.exit(f"PLANNING_TEST_BACKEND=postgres, but no PostgreSQL answers at {PG_SERVER} ({exc}). "
                    "Start one with `tools/test_postgres.sh` and set PLANNING_TEST_PG to the URL it prints.",
                    returncode=3)


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, run only the tests that touch a database, and not those about the DuckDB file.

    A test that uses none of DATABASE_FIXTURES (formatting, parsing, a DuckDB file of its own in
    tmp_path) ran in the DuckDB run already; running it again on PostgreSQL adds nothing.
    """
    if not ON_POSTGRES:
        return
    file_only = pytest.mark.skip(reason="about the DuckDB file itself (PLANNING_TEST_BACKEND=postgres)")
    no_database = pytest.mark.skip(reason="uses no database fixture: the DuckDB run covers it (PLANNING_TEST_BACKEND=postgres)")
    for item in items:
        if item.get_closest_marker("duckdb_only"):
            item.add_marker(file_only)
        elif not DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(no_database)


def datasets_dir() -> Path | None:
    """The public CRM datasets (shared/datasets beside the repo; CI has a copy there)."""
    for candidate in (os.environ.get("PLANNING_DATASETS"), ROOT.parent / "shared" / "datasets", "/work/shared/datasets"):
        if candidate and Path(candidate, "crm-sales-opportunities").is_dir():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def datasets() -> Path:
    """Folder holding crm-sales-opportunities/ and salesforce-sample-export/."""
    found = datasets_dir()
    if found is None:
        pytest.skip("shared/datasets is not beside the repository (set PLANNING_DATASETS)")
    return found


def registered_pages() -> list[str]:
    """Page files listed in app.py's navigation, in order."""
    from ui.navigation import PAGE_FILES

    return PAGE_FILES


def pg_database(name: str, template: str | None = None) -> str:
    """Create (or re-create) database `name` on the test server, optionally as a copy of `template`."""
    import psycopg

    from planning.db.postgres import close_pool

    base = PG_SERVER.rsplit("/", 1)[0]
    if template:
        close_pool(f"{base}/{template}")  # a template must have no open connections
    with psycopg.connect(PG_SERVER, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        # Test data: a commit need not wait for its WAL to reach the disk (no effect on what
        # other sessions see; only a server crash could lose the last commits).
        con.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return f"{base}/{name}"


def drop_pg_database(url: str) -> None:
    import psycopg

    from planning.db.postgres import close_pool

    close_pool(url)
    with psycopg.connect(PG_SERVER, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _worker() -> str:
    return f"{os.getpid()}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


_counter = iter(range(10**9))


# Copying a template and dropping a copy cost ~0.3 s and ~0.1 s of server I/O per test: the
# next copy of each template is made, and a used copy dropped, in the background while the
# test runs (a copy that could not be made ahead, say while the template was in use, is made
# when asked for).
_spare: dict[str, str] = {}  # template → URL of a ready copy
_making: dict[str, threading.Thread] = {}
_dropping: list[threading.Thread] = []


def _make_spare(template: str) -> None:
    def make() -> None:
        try:
            _spare[template] = pg_database(f"t_{_worker()}_{next(_counter)}", template)
        except Exception:  # noqa: BLE001 - the next request makes its copy itself
            pass

    _making[template] = threading.Thread(target=make, daemon=True)
    _making[template].start()


def _take_copy(template: str) -> str:
    making = _making.pop(template, None)
    if making:
        making.join()
    url = _spare.pop(template, None) or pg_database(f"t_{_worker()}_{next(_counter)}", template)
    _make_spare(template)
    return url


def _drop_later(url: str) -> None:
    from planning.db.postgres import close_pool

    close_pool(url)  # now: this process's idle connections to it
    _dropping[:] = [t for t in _dropping if t.is_alive()]
    _dropping.append(threading.Thread(target=drop_pg_database, args=(url,), daemon=True))
    _dropping[-1].start()


def _finish_background(template: str | None = None) -> None:
    """Wait for the background copies and drops; drop the spare copies (of `template`, or all)."""
    for name in [template] if template else list(_making):
        making = _making.pop(name, None)
        if making:
            making.join()
    for thread in _dropping:
        thread.join()
    for name in [template] if template else list(_spare):
        url = _spare.pop(name, None)
        if url:
            drop_pg_database(url)


@contextmanager
def private_pg_copy(template: str):
    url = _take_copy(template)
    try:
        yield url
    finally:
        _drop_later(url)


@pytest.fixture(scope="session")
def fresh_template(tmp_path_factory):
    """A migrated empty database to copy (migrating each test's own costs 0.2 s on DuckDB, ~1 s on PostgreSQL)."""
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("fresh") / "fresh.duckdb"
        open_database(path)
        yield path
        return
    url = pg_database(f"tpl_fresh_{_worker()}")
    open_database(url)
    yield url.rsplit("/", 1)[1]
    _finish_background(url.rsplit("/", 1)[1])
    drop_pg_database(url)


@contextmanager
def held_for_the_test(db: Database, request):
    """Keep a DuckDB file's database open for the whole test, beside what the code opens.

    Every `connect()` then joins the open instance (~0.5 ms) instead of starting DuckDB afresh
    (~21 ms to open and ~7 ms to close, even in memory: DuckDB 2.0's start-up), which a test does
    dozens of times. The connection is a plain one, outside `Database.held`, so the app's own
    holds still begin and end with each script run as they do in production. A test whose other
    processes open the file (a CLI, a second app, a restore that replaces it) or that is about the
    lock itself is marked `file_free`.
    """
    if ON_POSTGRES or request.node.get_closest_marker("file_free"):
        yield db
        return
    import duckdb

    keeper = duckdb.connect(str(db.path))
    try:
        yield db
    finally:
        keeper.close()


@pytest.fixture
def fresh_db(tmp_path, fresh_template, request) -> Database:
    """An empty database at the current schema version."""
    if ON_POSTGRES:
        with private_pg_copy(fresh_template) as url:
            yield Database(url)
        return
    target = tmp_path / "fresh.duckdb"
    shutil.copy(fresh_template, target)
    with held_for_the_test(open_database(target), request) as db:
        yield db


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo book, built once per test session; copy it before writing (a file, or a database name)."""
    if ON_POSTGRES:
        url = pg_database(f"tpl_demo_{_worker()}")
        demo.build_demo(open_database(url), anchor=DEMO_ANCHOR)
        yield url.rsplit("/", 1)[1]
        _finish_background(url.rsplit("/", 1)[1])
        drop_pg_database(url)
        return
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    db = open_database(path)
    demo.build_demo(db, anchor=DEMO_ANCHOR)
    yield path


def template_target(demo_template) -> str | Path:
    """What reaches the (read-only) demo template: its file, or its PostgreSQL URL."""
    if ON_POSTGRES:
        return f"{PG_SERVER.rsplit('/', 1)[0]}/{demo_template}"
    return demo_template


@contextmanager
def demo_copy(demo_template, folder: Path):
    """A writable copy of the demo book for a module or session fixture: a file in `folder`
    (DuckDB) or a database of its own (PostgreSQL); yields its target (path or URL)."""
    if ON_POSTGRES:
        with private_pg_copy(demo_template) as url:
            yield url
        return
    target = folder / "demo.duckdb"
    shutil.copy(demo_template, target)
    yield target


@pytest.fixture
def demo_db(demo_template, tmp_path, request) -> Database:
    """A private, writable copy of the demo book."""
    if ON_POSTGRES:
        with private_pg_copy(demo_template) as url:
            yield Database(url)
        return
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, target)
    with held_for_the_test(Database(target), request) as db:
        yield db


DEFAULT_USER = "Ada Admin"  # the demo's first admin, whom local mode used to pick for everyone


@pytest.fixture
def app_test(demo_db, monkeypatch):
    """Factory for AppTest runs of app.py against a private copy of the demo book."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PLANNING_DB", demo_db.target)
    monkeypatch.chdir(ROOT)

    def make(page: str | None = None, query: dict | None = None, timeout: float = 30,
             as_user: str | None = DEFAULT_USER, opened: tuple[str, ...] = ()) -> AppTest:
        """`opened`: keys of lazy expanders (ui.widgets.lazy_expander) to open, as a click would."""
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        if as_user:  # local mode starts as nobody; the person picks who they are in the sidebar
            at.session_state["current_user_name"] = as_user
        for key in opened:
            at.session_state[key] = True
        for key, value in (query or {}).items():
            at.query_params[key] = value
        if page:
            # Straight to the page: before the first run AppTest finds it by file name, which is
            # its URL path here (app.py gives no url_path), so the Portfolio need not render first.
            at.switch_page(page)
        at.run()
        return at

    make.db = demo_db
    return make


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(db_path: Path | str, *extra_args: str):
    """`streamlit run app.py` on a free port against `db_path` (a file or a PostgreSQL URL); yields its URL."""
    port = _free_port()
    env = dict(os.environ, PLANNING_DB=str(db_path))
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false", *extra_args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.2)
        else:
            process.kill()
            raise RuntimeError(f"streamlit did not start: {process.stdout.read().decode()[-2000:]}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def app_server(demo_template, tmp_path_factory):
    """A real `streamlit run` on a free port against a copy of the demo book (.url, .db)."""
    with demo_copy(demo_template, tmp_path_factory.mktemp("server")) as target, streamlit_server(target) as url:
        yield type("Server", (), {"url": url, "db": Database(target)})


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser build)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def pick_user(page, name: str) -> None:
    """Local mode: say who you are in the sidebar (a visitor starts as nobody)."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").filter(has_text="Signed in as (local mode)").locator("input").click()
    page.get_by_role("option", name=name, exact=True).click()
    # The chosen name shows in the box (as text or as the combobox's value) once the rerun has drawn it.
    page.wait_for_function(
        """name => { const bar = document.querySelector('[data-testid="stSidebar"]');
                     return bar && (bar.innerText.includes(name)
                                    || [...bar.querySelectorAll('input')].some(i => i.value === name)); }""",
        arg=name,
    )


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()
