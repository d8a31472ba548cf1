"""Performance at scale (issue #10): one command, one table.

    python benchmarks/run.py                  # 100k, 300k and 1M opportunities side by side
    python benchmarks/run.py --scale 200000   # any sizes ('large' = 1M)
    python benchmarks/run.py --quick          # a tiny book, for the test suite
    python benchmarks/run.py --scale large --import-only --import-runs 5   # the 1M import vs read_csv

Every time is compared with the physical limit measured in the same run (DuckDB doing the bare
minimum itself), because absolute times on a shared 2-core machine are noisy. Pages are timed
twice: as users see them (the read cache on: a repeat render of unchanged data) and with
PLANNING_CACHE=0 (every read hits DuckDB, as on the first view after an import or edit).
A measure that fails prints "n/a (...)" with the reason instead of a figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import KPI_SQL, page_sql, run_statements

from planning import demo, kpis
from planning.db import Database, open_database
from planning.demo import scale, scale_seed
from planning.importing import ingest

NA = "n/a"
ANCHOR = date.today()
DEFAULT_SCALES = ["100000", "300000", "large"]
QUICK_SCALE = "3000"
QUICK_RUNS = 2
PAGE_TARGETS = {"pages/portfolio.py": 1.0}  # seconds; every other page 0.5 s
GIB = 1024 ** 3


def measured(command: list[str], env: dict | None = None) -> dict:
    """Run a child process; its wall time and its own peak RSS (wait4 rusage, this child only)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env or os.environ.copy(), stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"seconds": seconds, "rss": usage.ru_maxrss * 1024, "returncode": child.returncode,
                "stdout": out.read().decode(errors="replace"), "stderr": err.read().decode(errors="replace")}


def median_time(fn, runs: int = 5) -> float:
    fn()  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def row(scale_label, measure, value=None, baseline=None, unit="s", target="", limit=None, ratio_limit=None, note=""):
    """One line of the table; verdict from an absolute limit and/or a ratio limit."""
    ratio = value / baseline if isinstance(value, (int, float)) and baseline else None
    if value is None:
        verdict = note or NA
    else:
        misses = []
        if limit is not None and value > limit:
            misses.append(f"{value / limit - 1:.0%} over {_fmt(limit, unit)}")
        if ratio_limit is not None and ratio is not None and ratio > ratio_limit:
            misses.append(f"ratio {ratio / ratio_limit - 1:.0%} over {ratio_limit:g}×")
        verdict = ("MISSED: " + "; ".join(misses)) if misses else ("met" if (limit or ratio_limit) else "")
        if note:
            verdict = f"{verdict} ({note})" if verdict else note
    return {"scale": scale_label, "measure": measure, "value": value, "baseline": baseline, "ratio": ratio,
            "unit": unit, "target": target, "verdict": verdict}


def _fmt(value, unit) -> str:
    if value is None:
        return "—"
    if unit == "bytes":
        return f"{value / 1024 ** 2:,.0f} MB"
    if unit == "x":
        return f"{value:.2f}×"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


# -- one scale ---------------------------------------------------------------------------------


def scale_label(scale_arg: str) -> str:
    """'large' → '1M', '300000' → '300k': how the table names a scale."""
    n = scale.BookSize.for_scale(scale_arg).opportunities
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1e3:g}k" if n >= 1000 else str(n)


def bench_scale(scale_arg: str, work: Path, page_runs: int, import_runs: int = 1, import_only: bool = False) -> list[dict]:
    size = scale.BookSize.for_scale(scale_arg)
    label = scale_label(scale_arg)
    book = work / f"book-{size.opportunities}"
    rows = []
    started = time.perf_counter()
    scale.write_book(book, size.opportunities, anchor=ANCHOR)
    written = time.perf_counter() - started
    mb = sum(f.stat().st_size for f in book.glob("*.csv")) / 1024 ** 2
    rows.append(row(label, "generate CSV book", written, target="≤ 60 s at 1M", limit=60, note=f"{mb:,.0f} MB of CSV"))

    for stale in work.glob(f"*-{size.opportunities}*.duckdb*"):  # a reused --workdir starts clean
        stale.unlink()
    db_path = work / f"book-{size.opportunities}.duckdb"
    raw, imported, note = _import_opportunities(book, db_path, work / f"raw-{size.opportunities}.duckdb", import_runs)
    if imported is None:
        rows.append(row(label, "import Opportunity.csv (planning import)", None, raw["seconds"],
                        target="≤ 2× read_csv", note=note))
        rows.append(row(label, "import peak RSS", None, raw["rss"], unit="bytes", target="≤ 1.5 GB", note=note))
    else:
        rows.append(row(label, "import Opportunity.csv (planning import)", imported["seconds"], raw["seconds"],
                        target="≤ 2× read_csv", ratio_limit=2))
        rows.append(row(label, "import peak RSS", imported["rss"], raw["rss"], unit="bytes",
                        target="≤ 1.5 GB", limit=1.5 * GIB))
    if imported is None or import_only:  # the page and KPI figures need a loaded book: say why there are none
        return rows
    scale_seed.seed_planning(Database(db_path), anchor=ANCHOR, plans=size.plans)
    db = Database(db_path)
    rows.append(_kpi_row(label, db))
    rows.extend(_page_rows(label, db, page_runs))
    rows.extend(_page_rows(label, db, page_runs, after_write=True))
    rows.extend(_page_rows(label, db, page_runs, cache=False))
    return rows


def _import_opportunities(book: Path, db_path: Path, raw_db: Path, runs: int = 1) -> tuple[dict, dict | None, str]:
    """Reference data in-process once; then, `runs` times in turn, DuckDB's own read_csv of
    Opportunity.csv into a table and `planning import opportunities` on a fresh copy, each timed
    in a child process. Returns the median run of each (peak RSS: the largest)."""
    reference = db_path.with_name(db_path.stem + "-reference.duckdb")
    db = open_database(reference)
    csv_path = book / "Opportunity.csv"
    raw_command = [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]);"
                   " con.execute(\"CREATE TABLE t AS SELECT * FROM read_csv('\" + sys.argv[2] + \"')\")",
                   str(raw_db), str(csv_path)]
    try:
        for kind, file_name in scale.IMPORT_ORDER[:-1]:
            ingest.import_csv(db, kind, book / file_name, file_name=file_name)
    except Exception as exc:  # the benchmark reports, it does not crash
        return measured(raw_command), None, f"{NA} (reference import failed: {str(exc).splitlines()[0][:80]})"
    raws, imports = [], []
    for _ in range(max(1, runs)):
        for stale in (raw_db, db_path, db_path.with_name(db_path.name + ".wal")):
            stale.unlink(missing_ok=True)
        shutil.copy(reference, db_path)
        raws.append(measured(raw_command))
        result = measured([sys.executable, "-m", "planning.cli", "--db", str(db_path),
                           "import", "opportunities", str(csv_path)])
        if result["returncode"] != 0:
            last = result["stderr"].strip().splitlines()[-1][:80] if result["stderr"].strip() else "no message"
            return raws[-1], None, f"{NA} (import failed: {last})"
        imports.append(result)
    return _median_run(raws), _median_run(imports), ""


def _median_run(runs: list[dict]) -> dict:
    """The run of median wall time, with the largest peak RSS of all runs."""
    middle = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {**middle, "rss": max(r["rss"] for r in runs)}


@contextmanager
def cache_off():
    """Time the engine itself: with the read cache on, a repeat would be a dictionary lookup."""
    saved = os.environ.get("PLANNING_CACHE")
    os.environ["PLANNING_CACHE"] = "0"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PLANNING_CACHE"]
        else:
            os.environ["PLANNING_CACHE"] = saved


def _kpi_row(label: str, db: Database) -> dict:
    plans = db.value("SELECT count(*) FROM plan")
    sql = KPI_SQL.format(where="", plan_where="")

    def hand_written():
        with db.connect() as con:
            con.execute(sql).fetchall()

    with cache_off():
        baseline = median_time(hand_written)
        value = median_time(lambda: kpis.plan_kpis(db))
    return row(label, "KPIs for all plans (kpis --all, cache off)", value, baseline,
               target="≤ 2× hand-written SQL", ratio_limit=2, note=f"{plans:,} plans")


_BASELINES: dict[tuple[Path, str], float] = {}


def _page_rows(label: str, db: Database, runs: int, cache: bool = True, after_write: bool = False) -> list[dict]:
    """Every page's warm render median next to its raw SQL; `cache=False` renders with PLANNING_CACHE=0;
    `after_write`: each render follows a scorecard save on another plan (what narrow invalidation keeps)."""
    plan_id = db.value("SELECT id FROM plan WHERE is_primary ORDER BY sales_target DESC, id LIMIT 1")
    year = ANCHOR.year
    params = {"plan": plan_id, "start": date(year, 1, 1), "end": date(year, 12, 31)}
    env = {**os.environ, "PLANNING_CACHE": "1" if cache else "0"}
    worker = measured([sys.executable, str(ROOT / "benchmarks" / "page_worker.py"), str(db.path), str(plan_id), str(runs),
                       *(["--after-write"] if after_write else [])], env=env)
    failure = ""
    try:
        rendered = json.loads(worker["stdout"].strip().splitlines()[-1])
    except (ValueError, IndexError):
        rendered = {}
        failure = (worker["stderr"].strip().splitlines() or ["no output"])[-1][:80]
    rows = []
    from page_worker import registered_pages

    for page in registered_pages():
        statements = page_sql(page)

        def raw_sql(statements=statements):  # bound now: each page's own statements
            with db.connect() as con:
                run_statements(con, statements, params)

        if (db.path, page) not in _BASELINES:  # measured once per book, shared by both renders
            _BASELINES[(db.path, page)] = median_time(raw_sql)
        baseline = _BASELINES[(db.path, page)]
        limit = PAGE_TARGETS.get(page, 0.5)
        target = f"≤ {limit:g} s and ≤ 2× raw SQL"
        result = rendered.get(page)
        how = ", cache off" if not cache else ", each after a save on another plan" if after_write else ""
        name = f"page {Path(page).stem} ({'' if after_write else 'warm '}median of {runs}{how})"
        if result is None:
            rows.append(row(label, name, None, baseline, target=target, note=f"n/a (worker failed: {failure})"))
        elif result.get("error") or "median" not in result:
            rows.append(row(label, name, None, baseline, target=target, note=f"n/a (page error: {result['error']})"))
        else:
            rows.append(row(label, name, result["median"], baseline, target=target, limit=limit, ratio_limit=2))
    if cache and not after_write:
        rows.append(row(label, "page render peak RSS (all pages, one process)", worker["rss"], unit="bytes",
                        target="≤ 1.5 GB", limit=1.5 * GIB))
    return rows


def cold_start(work: Path, demo_db: str | None = None) -> dict:
    """Fresh process on the demo database → Portfolio rendered (AppTest; see README for why)."""
    path = work / "demo.duckdb"
    if demo_db:
        shutil.copy(demo_db, path)  # a copy: the measured process may migrate it
    elif not path.exists():
        demo.build_demo(open_database(path))
    result = measured([sys.executable, str(ROOT / "benchmarks" / "page_worker.py"), "--cold-start", str(path)])
    try:
        titles = json.loads(result["stdout"].strip().splitlines()[-1])["titles"]
    except (ValueError, IndexError, KeyError):
        titles = []
    if "Portfolio" not in titles:
        return row("demo", "cold start → first Portfolio render", None, target="≤ 3 s",
                   note="n/a (Portfolio did not render)")
    return row("demo", "cold start → first Portfolio render", result["seconds"], target="≤ 3 s", limit=3)


def growth_rows(rows: list[dict], labels: list[str]) -> list[dict]:
    """Cost growth between the smallest and the largest scale, against the growth in rows."""
    if len(labels) < 2:
        return []
    factor = scale.BookSize.for_scale(labels[-1]).opportunities / scale.BookSize.for_scale(labels[0]).opportunities
    first, last = scale_label(labels[0]), scale_label(labels[-1])
    out = []
    for measure in dict.fromkeys(r["measure"] for r in rows if r["scale"] == last and r["unit"] == "s"):
        a = next((r["value"] for r in rows if r["scale"] == first and r["measure"] == measure), None)
        b = next((r["value"] for r in rows if r["scale"] == last and r["measure"] == measure), None)
        if a and b:
            out.append(row(f"{first}→{last}", f"growth: {measure}", b / a, factor, unit="x",
                           target="≤ linear (ratio ≤ 1)", ratio_limit=1))
    return out


def render_table(rows: list[dict]) -> str:
    header = ["scale", "measure", "value", "baseline", "ratio", "target", "verdict"]
    lines = [[r["scale"], r["measure"], _fmt(r["value"], r["unit"]), _fmt(r["baseline"], r["unit"]),
              f"{r['ratio']:.2f}×" if r["ratio"] is not None else "—", r["target"], r["verdict"]] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]
    fmt = lambda cells: " | ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([fmt(header), "-+-".join("-" * w for w in widths), *map(fmt, lines)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="append", help="'large' or a number of opportunities (repeatable)")
    parser.add_argument("--quick", action="store_true", help=f"one tiny book ({QUICK_SCALE} opportunities)")
    parser.add_argument("--runs", type=int, help="warm renders per page (median; default 5, at least 5 except --quick)")
    parser.add_argument("--workdir", help="keep books and databases here (default: a temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of the table")
    parser.add_argument("--demo-db", help="an existing demo database for the cold start (default: build one)")
    parser.add_argument("--import-runs", type=int, default=1,
                        help="time DuckDB's read_csv and the import this many times in turn (medians)")
    parser.add_argument("--import-only", action="store_true",
                        help="only the import rows (no plans, KPIs, pages or cold start)")
    args = parser.parse_args(argv)
    labels = [QUICK_SCALE] if args.quick else (args.scale or DEFAULT_SCALES)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="planning-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        rows = []
        for label in labels:
            # --quick only proves the benchmark still runs; two renders keep it inside the test budget
            runs = args.runs or (QUICK_RUNS if args.quick else 5)
            rows.extend(bench_scale(label, work, runs if args.quick else max(5, runs), args.import_runs,
                                    args.import_only))
        if not args.import_only:
            rows.append(cold_start(work, args.demo_db))
        order = {m: i for i, m in enumerate(dict.fromkeys(r["measure"] for r in rows))}
        rows.sort(key=lambda r: order[r["measure"]])  # stable: scales side by side per measure
        rows.extend(growth_rows(rows, labels))
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(rows, indent=1, default=str) if args.json else render_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
