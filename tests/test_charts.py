"""Charts read on their own (issue #20): every mark named by a legend or a caption, labels never cut,
one palette for statuses and figures. Specs are read from the chart builders (Vega-Lite JSON) and,
for the pages, from AppTest's chart elements."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import pytest

from planning import portfolio, stakeholder_graph, vocab
from planning.export import charts as export_charts
from tests.conftest import ROOT
from ui import plan_charts, portfolio_charts, scorecard_charts, stakeholders_charts, stakeholders_graph, whitespace_chart


def spec(chart) -> dict:
    return chart.to_dict()


def layers(chart_spec: dict) -> list[dict]:
    """The chart's layers, nested layers flattened (a `+` of two charts is a layer of its own)."""
    return [leaf for layer in chart_spec["layer"] for leaf in (layers(layer) if "layer" in layer else [layer])]


def performance(n: int) -> pd.DataFrame:
    names = [f"Plan number {i} of a long account name – Operations FY2026" for i in range(n)]
    return pd.DataFrame({
        "plan": names, "performance": ["Behind"] * n, "target": [100.0] * n, "won": [40.0] * n,
        "weighted_pipeline": [10.0] * n, "expected": [50.0] * n, "variance": [-50.0] * n,
    })


def test_plans_vs_target_gives_every_plan_a_row_its_name_and_explains_bar_and_tick():
    chart = spec(portfolio_charts.performance_chart(performance(23)))
    y = layers(chart)[0]["encoding"]["y"]
    assert y["axis"]["labelOverlap"] is False  # Vega-Lite would hide every other name on a crowded axis
    assert y["axis"]["labelLimit"] == portfolio_charts.PLAN_LABEL_LIMIT >= 240
    assert chart["height"] == {"step": portfolio_charts.PLAN_ROW}  # the chart grows with the plans
    assert {"field": "plan", "type": "nominal", "title": "Plan"} in layers(chart)[0]["encoding"]["tooltip"]  # the whole name
    assert chart["title"]["text"] == "Plans vs target"
    assert "dark inner bar: won" in chart["title"]["subtitle"] and "tick: the plan's target" in chart["title"]["subtitle"]
    assert [layer["mark"]["type"] for layer in layers(chart)] == ["bar", "bar", "tick"]


def test_segment_heatmap_rows_are_tall_and_labels_uncut():
    matrix = pd.DataFrame({"current_segment": ["Negative Relationship", "Dormant"],
                           "target_segment": ["Occasional Customer", "Steady Customer"], "accounts": [2, 3]})
    chart = spec(portfolio_charts.segment_heatmap(matrix))
    assert chart["height"] == {"step": portfolio_charts.SEGMENT_ROW} and portfolio_charts.SEGMENT_ROW >= 40
    encoding = layers(chart)[0]["encoding"]
    assert encoding["y"]["axis"]["labelLimit"] >= 200 and encoding["x"]["axis"]["labelLimit"] >= 200
    assert chart["title"]["text"] == "Accounts by current and target segment"


def quadrant_accounts(n: int = 20) -> pd.DataFrame:
    return pd.DataFrame({
        "account": [f"Account {i}" for i in range(n)], "quadrant": ["Strategic"] * n,
        "current_revenue": [1000.0 * i for i in range(n)], "growth_potential": [500.0 * i for i in range(n)],
        "selection_score": [float(i) for i in range(n)],
    })


def test_quadrant_dots_carry_the_names_of_the_best_scored_accounts():
    frame = portfolio_charts.quadrant_frame(quadrant_accounts(20), named=5)
    assert frame.loc[frame["name_label"] != "", "account"].tolist() == [f"Account {i}" for i in range(15, 20)]
    assert frame.loc[frame["name_left"], "account"].tolist() == [f"Account {i}" for i in range(16, 20)]  # > 80 % of the max
    chart = spec(portfolio_charts.quadrant_chart(quadrant_accounts(20)))
    texts = [layer for layer in layers(chart) if layer["mark"]["type"] == "text"]
    assert [t["encoding"]["text"]["field"] for t in texts] == ["name_label", "name_label"]
    assert [t["mark"]["align"] for t in texts] == ["left", "right"]
    tooltip = layers(chart)[0]["encoding"]["tooltip"]
    assert tooltip[0] == {"field": "account", "type": "nominal", "title": "Account"}
    assert "medians" in chart["title"]["subtitle"]


def trajectory() -> pd.DataFrame:
    days = pd.to_datetime(["2026-01-01", "2026-06-01", "2026-12-31"])
    return pd.DataFrame({"day": days, "cumulative_won": [0.0, 100.0, 100.0], "cumulative_expected": [0.0, 100.0, 150.0],
                         "target_line": [0.0, 200.0, 400.0]})


def test_cumulative_chart_draws_won_last_thickest_and_solid_with_every_line_in_the_legend():
    chart = spec(plan_charts.trajectory_chart(trajectory()))
    order = [layer["transform"][0]["filter"] for layer in layers(chart)]
    assert order == [{"field": "series", "equal": s} for s in ("Target (straight line)", "Won + weighted", "Won")] or \
        [str(f) for f in order] == [f"(datum.series === '{s}')" for s in ("Target (straight line)", "Won + weighted", "Won")]
    widths = [layer["mark"]["strokeWidth"] for layer in layers(chart)]
    assert widths[2] > widths[1] >= widths[0]
    encoding = layers(chart)[0]["encoding"]
    assert encoding["color"]["scale"]["range"] == [vocab.NEUTRAL_COLOUR, vocab.FIGURE_COLOURS["Weighted pipeline"],
                                                   vocab.FIGURE_COLOURS["Won"]]
    dashes = encoding["strokeDash"]["scale"]["range"]
    assert len({json.dumps(d) for d in dashes}) == 3 and dashes[2] == [1, 0]  # Won solid, the others dashed apart
    assert "legend" in encoding["color"] and encoding["color"]["legend"]["symbolType"] == "stroke"


def test_plan_and_portfolio_and_export_charts_share_one_palette():
    assert plan_charts.COLOURS is vocab.FIGURE_COLOURS
    figures = {"target": 1.0, "won": 1.0, "weighted_pipeline": 1.0, "expected": 1.0, "variance": 0.0}
    app = spec(plan_charts.target_chart(figures))["layer"][0]["encoding"]["color"]["scale"]
    export = spec(export_charts.target_chart(figures))["encoding"]["color"]["scale"]
    assert app == export == {"domain": list(vocab.FIGURE_COLOURS), "range": list(vocab.FIGURE_COLOURS.values())}
    assert {k: portfolio.STATUS_COLOURS[k] for k in vocab.PERFORMANCE_COLOURS} == vocab.PERFORMANCE_COLOURS
    assert vocab.PERFORMANCE_COLOURS["Ahead"] == vocab.BAND_COLOURS["Healthy"] == vocab.FIGURE_COLOURS["Won"]


def test_score_history_names_every_line_in_its_legend():
    at = datetime(2026, 5, 1)
    history = pd.DataFrame([
        {"series": s, "score": 50.0, "completion": 100.0, "submitted_at": at, "submitted_by": "Ada", "carried_forward": False}
        for s in ("Overall", "Relationship", "Strategic Fit")
    ])
    chart = spec(scorecard_charts.history_layers(history))
    lines = layers(chart)[1]
    assert lines["encoding"]["color"]["scale"]["domain"] == ["Overall", "Relationship", "Strategic Fit"]
    assert lines["encoding"]["color"]["scale"]["range"][0] == scorecard_charts.OVERALL_COLOUR
    assert lines["encoding"]["color"]["legend"] is not None  # legend=None would hide it
    assert "thick black line" in chart["title"]["subtitle"].lower()


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_not_a_fit_and_unknown_are_far_apart():
    assert abs(luminance(vocab.WHITESPACE_COLOURS["Not a Fit / Blocked"]) - luminance(vocab.WHITESPACE_COLOURS["Unknown"])) > 0.4


def test_whitespace_product_labels_are_never_dropped_and_values_are_money():
    matrix = pd.DataFrame({
        "business_unit": ["Ops", "Ops"], "family": ["Analytics", "Analytics"],
        "product": ["Forecasting AI with a long name", "Insights"], "status": ["Open", "Not a Fit / Blocked"],
        "manual": [False, True], "estimated": [True, False], "value": [1000.0, None], "peer_count": [3, 0],
        "value_source": [None, None], "deal_count": [0, 0], "deals": [None, None], "contract_end_date": pd.to_datetime([None, None]),
        "competitor": [None, None], "note": [None, "Not for them"],
    })
    chart = spec(whitespace_chart.heatmap(matrix))
    cells = chart["spec"]["layer"][0]["encoding"]
    assert cells["x"]["axis"]["labelOverlap"] is False and cells["x"]["axis"]["labelLimit"] >= 160
    value_tip = next(t for t in cells["tooltip"] if t["field"] == "value")
    assert value_tip["format"].startswith("$")


def rated(n: int) -> list[dict]:
    return [{"name": f"Contact {i}", "buying_role": "Economic Buyer", "support": "Supporter", "influence": 4,
             "relationship_strength": 2} for i in range(n)]


def test_contact_heat_map_names_every_dot_and_labels_its_quadrants():
    points = stakeholders_charts.heat_map_frame(rated(3))
    assert points["label_dy"].tolist() == [-13, 15, -13]  # neighbours alternate above and below
    assert points["x"].round(2).tolist() == [1.85, 2.0, 2.15]
    chart = spec(stakeholders_charts.heat_map_chart(points))
    texts = [layer for layer in layers(chart) if layer["mark"]["type"] == "text"]
    assert [t["encoding"]["text"]["field"] for t in texts] == ["text", "name", "name"]
    assert sorted(chart["datasets"][layers(chart)[0]["data"]["name"]], key=lambda r: r["text"])[0]["text"] == \
        "high influence, strong relationship: leverage"
    assert chart["title"]["text"] == "Contact heat map"
    quadrant_texts = set(stakeholders_charts.QUADRANTS["text"])
    assert quadrant_texts == {stakeholder_graph.quadrant(i, s) for i in (1, 5) for s in (1, 5)}


def test_agraph_options_hold_groups_as_an_object_and_no_unknown_top_level_keys():
    for hierarchical in (False, True):
        arguments = stakeholder_graph.graph_config(hierarchical=hierarchical)
        options = json.loads(json.dumps(stakeholders_graph.vis_config(arguments).__dict__))
        assert options["groups"] == {}  # vis-network refuses null ("Invalid type received for groups")
        assert set(options) <= {"height", "width", "physics", "layout", "groups", "edges"}
    assert options["layout"]["hierarchical"]["direction"] == "UD"


@pytest.mark.parametrize("page, query", [("pages/portfolio.py", {}), ("pages/plan.py", {"tab": "Figures"})])
def test_pages_charts_have_titles_and_legends(app_test, page, query):
    plan = app_test.db.value("SELECT id FROM plan WHERE name = 'Quartz Chemicals FY2026'")
    at = app_test(page, query={"plan": str(plan), **query})
    assert not at.exception, at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert specs and all(s.get("title") for s in specs)
    if page == "pages/plan.py":
        cumulative = next(s for s in specs if s["title"] == "Cumulative won and expected vs target")
        assert cumulative["layer"][2]["mark"]["strokeWidth"] == 3.5  # Won on top
    else:
        plans = specs[0]
        assert plans["title"]["text"] == "Plans vs target" and "black tick" in plans["title"]["subtitle"]
        assert plans["layer"][0]["encoding"]["y"]["axis"]["labelOverlap"] is False


def test_the_forecast_bars_stand_on_zero_and_a_certain_revenue_still_shows():
    """Ranged bars (from–to) need y2 = 0, or Vega-Lite draws each as a thin band at its height; a
    distribution that is one revenue (every deal decided) is a bin of no width, drawn 1 % wide."""
    chart = spec(plan_charts.forecast_chart([{"revenue_from": 50_000.0, "revenue_to": 50_000.0, "probability": 1.0}], 80_000.0))
    bars, rule = layers(chart)
    assert bars["encoding"]["y2"] == {"datum": 0}
    assert bars["encoding"]["x2"]["field"] == "drawn_to"
    drawn = chart["datasets"][bars["data"]["name"]][0]
    assert drawn["drawn_to"] == pytest.approx(50_000 + 30_000 / 100)  # 1 % of the span up to the target
    assert rule["encoding"]["x"]["field"] == "target"


def test_draw_checks_charts_in_the_suite_and_skips_the_check_in_the_app(monkeypatch):
    """ui.charts.draw: the suite validates each drawn chart against the Vega-Lite schema; the app does not."""
    from streamlit.testing.v1 import AppTest

    def script():
        import altair as alt
        import pandas as pd

        from ui.charts import draw

        chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x:Q")
        chart.mark = {"type": "not-a-mark"}  # no Vega-Lite mark
        draw(chart)

    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    checked = AppTest.from_function(script).run()
    assert checked.exception and "not-a-mark" in checked.exception[0].message
    monkeypatch.setattr("ui.charts.VALIDATE", False)
    drawn = AppTest.from_function(script).run()
    assert not drawn.exception
    assert json.loads(drawn.get("vega_lite_chart")[0].proto.spec)["mark"] == {"type": "not-a-mark"}
