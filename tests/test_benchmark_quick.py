"""The benchmark runs end to end on a tiny book, so it cannot rot (the large run stays out of CI)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["portfolio", "plan", "scorecard", "whitespace", "stakeholders", "import", "admin"]


pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="benchmarks/run.py --quick measures the embedded DuckDB book")


@pytest.fixture(scope="module")
def rows(demo_template) -> list[dict]:
    done = subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--json", "--demo-db", str(demo_template)], cwd=ROOT,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def find(rows, prefix: str) -> dict:
    return next(r for r in rows if r["measure"].startswith(prefix))


def test_every_measure_has_a_row(rows):
    measures = [r["measure"] for r in rows]
    assert measures[:4] == ["generate CSV book", "import Opportunity.csv (planning import)", "import peak RSS",
                            "KPIs for all plans (kpis --all, cache off)"]
    assert [m.split()[1] for m in measures if m.startswith("page ") and m.endswith("of 2)")] == PAGES
    assert [m.split()[1] for m in measures if m.startswith("page ") and m.endswith("cache off)")] == PAGES
    assert [m.split()[1] for m in measures if m.startswith("page ") and m.endswith("a save on another plan)")] == PAGES
    assert "page render peak RSS (all pages, one process)" in measures
    assert measures[-1] == "cold start → first Portfolio render"
    assert all(set(r) == {"scale", "measure", "value", "baseline", "ratio", "unit", "target", "verdict"} for r in rows)


def test_the_baselines_are_measured_in_the_same_run(rows):
    assert find(rows, "import Opportunity.csv")["baseline"] > 0  # DuckDB's own read_csv
    assert find(rows, "KPIs for all")["baseline"] > 0  # the hand-written aggregate SQL
    for page in PAGES:
        assert find(rows, f"page {page} ")["baseline"] > 0, page


@pytest.mark.parametrize("suffix", ["of 2)", "cache off)"])
def test_pages_render_and_get_a_verdict(rows, suffix):
    for page in PAGES:
        result = next(r for r in rows if r["measure"].startswith(f"page {page} ") and r["measure"].endswith(suffix))
        assert result["value"] is not None and result["value"] > 0, result
        assert result["ratio"] == pytest.approx(result["value"] / result["baseline"])
        assert result["verdict"] == "met" or result["verdict"].startswith("MISSED: "), result


def test_cached_renders_are_faster_than_uncached_ones(rows):
    cached = sum(r["value"] for r in rows if r["measure"].startswith("page ") and r["measure"].endswith("of 2)"))
    uncached = sum(r["value"] for r in rows if r["measure"].endswith("cache off)"))
    assert cached < uncached


def test_cold_start_renders_portfolio(rows):
    result = find(rows, "cold start")
    assert result["value"] is not None and 0.5 < result["value"] < 60


def test_import_is_measured_through_the_importer(rows):
    result = find(rows, "import Opportunity.csv")
    assert result["value"] > 0 and result["ratio"] == pytest.approx(result["value"] / result["baseline"]), result
    assert result["verdict"] == "met" or result["verdict"].startswith("MISSED: "), result
    assert 50 * 1024 ** 2 < find(rows, "import peak RSS")["value"] < 1.5 * 1024 ** 3


def test_kpis_are_measured_for_every_plan(rows):
    result = find(rows, "KPIs for all")
    assert result["value"] > 0 and result["ratio"] == pytest.approx(result["value"] / result["baseline"]), result
    assert result["verdict"].endswith("(6 plans)"), result  # a 3,000-opportunity book has 6 plans


def test_the_table_prints_one_line_per_row():
    done = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, 'benchmarks'); import run;"
                           " print(run.render_table([run.row('1M', 'import', 6.0, 2.0, target='≤ 3×', ratio_limit=3),"
                           " run.row('1M', 'kpis', 5.0, 2.0, target='≤ 2×', ratio_limit=2)]))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    lines = done.stdout.splitlines()
    assert [line.split(" | ")[-1].strip() for line in lines[2:]] == ["met", "MISSED: ratio 25% over 2×"]
    assert [cell.strip() for cell in lines[0].split(" | ")] == ["scale", "measure", "value", "baseline", "ratio", "target", "verdict"]
