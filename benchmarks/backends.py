"""DuckDB and PostgreSQL side by side on one book (issue #18): import, KPIs, every page.

    python benchmarks/backends.py                       # the 1M book
    python benchmarks/backends.py --scale 100000        # any size
    python benchmarks/backends.py --pg postgresql://postgres@127.0.0.1:5432/postgres

One run builds the CSV book once, then on each backend: `planning import` of every extract
(child processes, timed), the plans seeded on top, `planning kpis --all --json` (median of
child processes) and every page's server render under AppTest (page_worker.py: warm, and with
the read cache off, which is every page's first view after a write). The PostgreSQL column is
read against the DuckDB one measured in the same run: the target is PostgreSQL ≤ 2× DuckDB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import NA, measured, render_table, row, scale_label

from planning.db import Database
from planning.demo import scale, scale_seed

ANCHOR = date.today()
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"


def fresh_pg_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    return f"{server.rsplit('/', 1)[0]}/{name}"


def cli(target: str, *args: str) -> dict:
    return measured([sys.executable, "-m", "planning.cli", "--db", target, *args])


def load(target: str, book: Path) -> tuple[float | None, str]:
    """Every extract through `planning import`, in order; the summed seconds (or None and why)."""
    total = 0.0
    for kind, file_name in scale.IMPORT_ORDER:
        result = cli(target, "import", kind, str(book / file_name))
        if result["returncode"] != 0:
            return None, f"{NA} (import {kind} failed: {(result['stderr'].strip().splitlines() or ['?'])[-1][:80]})"
        total += result["seconds"]
    return total, ""


def kpis_all(target: str, runs: int) -> float | None:
    times = []
    for _ in range(runs):
        result = cli(target, "kpis", "--all", "--json")
        if result["returncode"] != 0:
            return None
        times.append(result["seconds"])
    return statistics.median(times)


def pages(target: str, runs: int, cache: bool) -> dict:
    plan_id = Database(target).value("SELECT id FROM plan WHERE is_primary ORDER BY sales_target DESC, id LIMIT 1")
    env = {**os.environ, "PLANNING_CACHE": "1" if cache else "0"}
    worker = measured([sys.executable, str(ROOT / "benchmarks" / "page_worker.py"), target, str(plan_id), str(runs)], env=env)
    try:
        return json.loads(worker["stdout"].strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {}


def bench(scale_arg: str, work: Path, server: str, runs: int) -> list[dict]:
    size = scale.BookSize.for_scale(scale_arg)
    label = scale_label(scale_arg)
    book = work / f"book-{size.opportunities}"
    scale.write_book(book, size.opportunities, anchor=ANCHOR)
    duck_file = work / f"book-{size.opportunities}.duckdb"
    for stale in (duck_file, duck_file.with_name(duck_file.name + ".wal")):
        stale.unlink(missing_ok=True)
    imported_pg = fresh_pg_database(server, f"planning_bench_import_{size.opportunities}")
    rows = []
    duck, pg = load(str(duck_file), book), load(imported_pg, book)
    rows.append(row(label, "import every extract (planning import)", pg[0], duck[0],
                    target="PostgreSQL vs DuckDB", note=pg[1] or duck[1]))
    if duck[0] is None:
        return rows
    # The plans and their content are seeded set-based in DuckDB (scale_seed), then the whole
    # book is copied to PostgreSQL (`planning copy --to`): both backends then hold the same rows.
    scale_seed.seed_planning(Database(duck_file), anchor=ANCHOR, plans=size.plans)
    targets = {"DuckDB": str(duck_file), "PostgreSQL": fresh_pg_database(server, f"planning_bench_{size.opportunities}")}
    copied = cli(str(duck_file), "copy", "--to", targets["PostgreSQL"])
    rows.append(row(label, "planning copy --to PostgreSQL (the seeded book)", copied["seconds"] if copied["returncode"] == 0 else None,
                    note="" if copied["returncode"] == 0 else f"{NA} ({copied['stderr'].strip()[-80:]})"))
    if copied["returncode"] != 0:
        return rows
    rows.append(row(label, "kpis --all --json (median of 3)", kpis_all(targets["PostgreSQL"], 3),
                    kpis_all(targets["DuckDB"], 3), target="≤ 2× DuckDB", ratio_limit=2))
    for cache in (True, False):
        rendered = {name: pages(target, runs, cache) for name, target in targets.items()}
        how = f"warm median of {runs}" if cache else f"cache off (first view after a write), median of {runs}"
        for page in sorted(set(rendered["DuckDB"]) | set(rendered["PostgreSQL"])):
            a, b = rendered["DuckDB"].get(page, {}), rendered["PostgreSQL"].get(page, {})
            error = a.get("error") or b.get("error")
            rows.append(row(label, f"page {Path(page).stem} ({how})", b.get("median"), a.get("median"),
                            target="≤ 2× DuckDB", ratio_limit=2, note=f"{NA} ({error})" if error else ""))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large", help="'large' (1M opportunities) or a number")
    parser.add_argument("--pg", default=PG_DEFAULT, help="a PostgreSQL server URL (a scratch database is made on it)")
    parser.add_argument("--runs", type=int, default=5, help="renders per page (median)")
    parser.add_argument("--workdir", help="keep the book and the DuckDB file here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="planning-backends-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = bench(args.scale, work, args.pg, args.runs)
    if args.json:
        print(json.dumps(rows, default=str))
    else:
        print("value = PostgreSQL, baseline = DuckDB (same book, same run)\n" + render_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
