"""Portfolio forecast at scale (issue #19): `forecast_plans` over 2,000 plans.

    python benchmarks/forecast.py                       # 100k opportunities, 2,000 plans
    python benchmarks/forecast.py --opportunities 20000 --plans 400

Builds a deterministic book with planning.demo.scale (imported through the normal importer,
then plans seeded like benchmarks/run.py), adds stage history to the closed deals so the
calibration has something to count, and times the whole portfolio's forecast with the read
cache off (every read hits DuckDB, as on the first view after an import) and warm, beside a
floor measured in the same run: the KPIs of the same plans (`kpis.plan_kpis`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planning import forecast, kpis
from planning.db import Database, open_database
from planning.demo import scale, scale_seed

ANCHOR = date.today()

# Each closed deal passed through one to three of the open stages before it closed (hash-chosen).
HISTORY_SQL = """
INSERT INTO opportunity_history (opportunity_id, changed_at, field, old_value, new_value)
SELECT o.id, TIMESTAMP '2020-01-01' + to_days(CAST(n AS INTEGER)), 'stage',
       list_extract($stages, CAST(1 + (hash(o.id, n) % 6) AS INTEGER)),
       list_extract($stages, CAST(1 + (hash(o.id, n + 1) % 6) AS INTEGER))
FROM opportunity o
LEFT JOIN stage s ON s.name = o.stage
CROSS JOIN range(3) t(n)
WHERE coalesce(o.is_closed, s.is_closed, FALSE) AND n <= hash(o.id) % 3
"""


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--plans", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="forecast-bench-") as work:
        started = time.perf_counter()
        scale.write_book(Path(work) / "book", args.opportunities, anchor=ANCHOR)
        db = open_database(Path(work) / "book.duckdb")
        scale_seed.load_book(db, Path(work) / "book", anchor=ANCHOR, plans=args.plans)
        with db.transaction() as con:
            con.execute(HISTORY_SQL, {"stages": [name for name, _ in scale.OPEN_STAGES]})
        built = time.perf_counter() - started
        print(f"book: {args.opportunities:,} opportunities, {db.value('SELECT count(*) FROM plan'):,} plans, "
              f"{db.value('SELECT count(*) FROM opportunity_history'):,} stage changes, built in {built:.0f} s")
        report(db, args.runs)
    return 0


def report(db: Database, runs: int) -> None:
    os.environ["PLANNING_CACHE"] = "0"
    # The floor: the KPIs of the same plans, the read the Portfolio makes anyway.
    floor = statistics.median(timed(lambda: kpis.plan_kpis(db, None), runs))
    print(f"floor: plan_kpis, every plan, cache off: median {floor:.2f} s")
    for source in forecast.SOURCES:
        times = timed(lambda source=source: forecast.forecast_plans(db, None, source), runs)
        frame = forecast.forecast_plans(db, None, source)
        methods = frame["method"].value_counts().to_dict()
        print(f"forecast_plans, {source:<10} cache off: median {statistics.median(times):.2f} s (runs {', '.join(f'{t:.2f}' for t in times)})"
              f" · {len(frame):,} plans · {int(frame['open_deals'].sum()):,} open deals (max {int(frame['open_deals'].max())} per plan)"
              f" · exact {methods.get('exact', 0):,}, simulated {methods.get('simulated', 0):,}"
              f" · at risk {int((frame['p_hit_target'] < forecast.AT_RISK_BELOW).sum()):,}"
              f" · {statistics.median(times) / floor:.1f}× the floor")
    plan_id = int(frame["plan_id"].iloc[len(frame) // 2])
    one = timed(lambda: forecast.plan_forecast(db, plan_id), runs)
    print(f"plan_forecast (one plan, cache off): median {statistics.median(one) * 1000:.0f} ms")
    simulated_path(len(frame))
    os.environ["PLANNING_CACHE"] = "1"
    forecast.forecast_plans(db, None)
    warm = timed(lambda: forecast.forecast_plans(db, None), runs)
    print(f"forecast_plans, calibrated, cache warm: median {statistics.median(warm) * 1000:.1f} ms")


def simulated_path(plans: int, deals: int = 40) -> None:
    """The scaled book has few open deals per plan; this times the simulation at `deals` distinct deals per plan."""
    import numpy as np

    rng = np.random.default_rng(19)
    books = [(rng.integers(1_000_00, 200_000_00, size=deals), rng.uniform(0.05, 0.95, size=deals)) for _ in range(plans)]
    started = time.perf_counter()
    methods = {forecast.distribution(0, a, p, seed=(forecast.SEED, i))[2] for i, (a, p) in enumerate(books)}
    print(f"distribution only, {plans:,} plans × {deals} open deals ({', '.join(sorted(methods))}, "
          f"{forecast.SIMULATIONS:,} draws each): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
