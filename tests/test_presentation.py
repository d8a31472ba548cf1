"""Meta-test: every page and every Plan tab on the demo book reads like a product (issue #20).

No visible table header, chart title, axis or legend title is snake_case or starts lower-case, no visible cell reads
None/nan/NaT, dates carry a date format and the row index is hidden. A raw `st.dataframe(frame)`
fails here; `ui.tables.table(frame)` passes.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from planning import stakeholders, users
from tests.conftest import registered_pages

PLAN_PAGE = "pages/plan.py"
RAW_TEXT = {"None", "nan", "NaN", "NaT", "<NA>", "null"}


def header_problem(text: str) -> str | None:
    if not text.strip():
        return "has no header"
    if "_" in text:
        return f"header {text!r} is snake_case"
    if text[:1].islower():
        return f"header {text!r} starts lower-case"
    return None


def table_problems(proto, frame: pd.DataFrame) -> list[str]:
    """What a reader would see wrong in one st.dataframe / st.data_editor."""
    config = json.loads(proto.columns or "{}")
    problems = [] if config.get("_index", {}).get("hidden") else ["shows the row index"]
    for name in map(str, frame.columns):
        column = config.get(name, {})
        if column.get("hidden"):
            continue
        values = frame[name]
        found = header_problem(column.get("label") or name)
        if values.isna().any() and not proto.placeholder:
            found = found or f"column {name!r} shows None for missing values"
        if values.map(lambda v: isinstance(v, str) and v.strip() in RAW_TEXT).any():
            found = found or f"column {name!r} has cells reading None/nan/NaT"
        if pd.api.types.is_datetime64_any_dtype(values) and not column.get("type_config", {}).get("format"):
            found = found or f"column {name!r} shows raw timestamps (2026-10-02 00:00:00)"
        if column.get("type_config", {}).get("type") == "number" and not pd.api.types.is_numeric_dtype(values):
            found = found or f"column {name!r} formats text as a number"
        problems += [found] if found else []
    return problems


AXIS_CHANNELS = ("x", "y")
LEGEND_CHANNELS = ("color", "fill", "size", "shape", "strokeDash", "opacity")


def _guide_title(channel: str, enc: dict) -> tuple[str, str | None] | None:
    """(explicit|implicit, title) of one encoding's axis or legend; None where no title shows."""
    guide = "axis" if channel in AXIS_CHANNELS else "legend"
    if "field" not in enc and "title" not in enc:
        return None  # a constant value or datum
    if enc.get(guide, {}) is None or enc.get("scale", {}) is None:
        return None  # no axis / legend drawn (identity colours draw no legend)
    if isinstance(enc.get(guide), dict) and "title" in enc[guide]:
        title = enc[guide]["title"]
    elif "title" in enc:
        title = enc["title"]
    else:
        return "implicit", str(enc["field"])  # Vega-Lite's default: the field name
    if title is None or not str(" ".join(title) if isinstance(title, list) else title).strip():
        return None  # deliberately untitled
    return "explicit", " ".join(title) if isinstance(title, list) else str(title)


def channel_titles(spec: dict) -> list[str]:
    """The axis and legend titles a reader sees on one (layered) chart: layers share their axes and
    legends, and an explicit title beats the field names the other layers would default to."""
    parts = [spec, *(spec.get("layer") or [])]
    found = []
    for channel in AXIS_CHANNELS + LEGEND_CHANNELS:
        titles = [t for part in parts if isinstance((part.get("encoding") or {}).get(channel), dict)
                  for t in [_guide_title(channel, part["encoding"][channel])] if t]
        explicit = [title for kind, title in titles if kind == "explicit"]
        found += explicit or [title for _, title in titles]
    return found


def chart_titles(spec: dict) -> list[str]:
    """The chart's own titles, its axis and legend titles, and those of its layers and sub-charts."""
    title = spec.get("title")
    found = [title if isinstance(title, str) else title.get("text", "")] if title else []
    found += channel_titles(spec)
    for sub in spec.get("layer") or []:
        sub_title = sub.get("title")
        found += [sub_title if isinstance(sub_title, str) else sub_title.get("text", "")] if sub_title else []
    for key in ("hconcat", "vconcat", "concat"):
        for sub in spec.get(key) or []:
            found += chart_titles(sub)
    return found


def visible_problems(at) -> list[str]:
    """Every presentation problem on the page AppTest `at` rendered, named by table or chart."""
    assert not at.exception, at.exception
    problems = []
    for number, element in enumerate(at.dataframe):
        problems += [f"table {number + 1}: {p}" for p in table_problems(element.proto, element.value)]
    for number, element in enumerate(at.get("vega_lite_chart")):
        titles = chart_titles(json.loads(element.proto.spec))
        problems += [f"chart {number + 1}: {p}" for p in map(header_problem, titles) if p]
    return problems


# Each page's tab groups by URL key (docs/design.md "Only the open tab renders"): only the open tab renders.
TAB_KEYS = {"pages/portfolio.py": ["portfolio_tab"], "pages/scorecard.py": ["scorecard_tab"],
            "pages/whitespace.py": ["whitespace_tab"], "pages/stakeholders.py": ["stakeholders_view", "stakeholders_change"],
            "pages/admin.py": ["admin_tab"]}


@pytest.mark.parametrize("page", [p for p in registered_pages() if p != PLAN_PAGE])
def test_page_reads_like_a_product(app_test, page):
    at = app_test(page)
    problems = {"": visible_problems(at)}
    tables = len(at.dataframe)
    for key in TAB_KEYS.get(page, []):
        for label in [tab.label for tab in at.tabs]:
            opened = app_test(page, query={key: label})
            if opened.session_state[key] != label:
                continue  # a label of the page's other tab group
            problems[f"{key}={label}"] = visible_problems(opened)
            tables += len(opened.dataframe)
    assert tables, f"{page} shows no table: nothing was checked"
    assert set(TAB_KEYS.get(page, [])) <= {where.split("=")[0] for where in problems}, "a tab group was not opened"
    assert {where: found for where, found in problems.items() if found} == {}


def test_every_plan_tab_reads_like_a_product(app_test):
    db = app_test.db
    plan_id = 3  # Summit Logistics FY2026: a parent plan to compare with; a save gives History a table
    owner = users.get_user(db, db.value("SELECT owner_id FROM plan WHERE id = ?", [plan_id]))
    stakeholders.update_stakeholder(db, owner, 3, 1, {"influence": 2, "note": None})
    labels = [tab.label for tab in app_test(PLAN_PAGE, query={"plan": str(plan_id)}).tabs]
    assert len(labels) == 11 and "Since parent plan" in labels
    problems = {label: visible_problems(app_test(PLAN_PAGE, query={"plan": str(plan_id), "tab": label})) for label in labels}
    assert {label: found for label, found in problems.items() if found} == {}


def test_a_raw_frame_is_caught():
    from streamlit.proto.Dataframe_pb2 import Dataframe

    raw = pd.DataFrame({"close_date": pd.to_datetime(["2026-10-02", None]), "owner": ["Ada", None]})
    assert table_problems(Dataframe(), raw) == [
        "shows the row index",
        "header 'close_date' is snake_case",
        "header 'owner' starts lower-case",
    ]
    labelled = Dataframe(columns=json.dumps({"_index": {"hidden": True}, "close_date": {"label": "Close date"},
                                             "owner": {"label": "Owner"}}))
    assert table_problems(labelled, raw) == [
        "column 'close_date' shows None for missing values", "column 'owner' shows None for missing values"]
    labelled.placeholder = "—"
    assert table_problems(labelled, raw) == ["column 'close_date' shows raw timestamps (2026-10-02 00:00:00)"]
    assert table_problems(labelled, raw.assign(owner=["Ada", "nan"])) == [
        "column 'close_date' shows raw timestamps (2026-10-02 00:00:00)", "column 'owner' has cells reading None/nan/NaT"]
    labelled.columns = json.dumps({"_index": {"hidden": True}, "close_date": {"label": "Close date", "type_config": {
        "type": "date", "format": "DD MMM YYYY"}}, "owner": {"label": "Owner", "type_config": {"type": "number", "format": "$%,.0f"}}})
    assert table_problems(labelled, raw) == ["column 'owner' formats text as a number"]


def test_column_config_follows_names_and_types_and_keeps_the_pages_exceptions():
    from ui.tables import column_config

    frame = pd.DataFrame({
        "id": [1], "account": ["Acme"], "weighted_pipeline": [1.5], "expected_pct": [0.5], "close_date": pd.to_datetime(["2026-10-02"]),
        "changed_at": pd.to_datetime(["2026-10-02 09:30"]), "has_plan": [True], "alerts": [["Call"]], "external_id": ["X1"], "new_value": ["Open"],
        "stage": pd.array(["Won"], dtype="string"),  # text by its dtype
    })
    config = column_config(frame, {"external_id": "CRM id"})
    shown = {name: (c["label"], {k: v for k, v in c.get("type_config", {}).items() if v is not None})
             for name, c in config.items() if c is not None}
    assert config["id"] is None
    assert shown == {
        "account": ("Account", {"type": "text"}),
        "weighted_pipeline": ("Weighted pipeline", {"type": "number", "format": "$%,.0f"}),
        "expected_pct": ("Expected % of target", {"type": "number", "format": "percent"}),
        "close_date": ("Close date", {"type": "date", "format": "DD MMM YYYY"}),
        "changed_at": ("Changed", {"type": "datetime", "format": "DD MMM YYYY, HH:mm"}),
        "has_plan": ("Has plan", {"type": "checkbox"}),
        "alerts": ("Alerts", {"type": "list"}),
        "external_id": ("CRM id", {}),
        "new_value": ("New value", {"type": "text"}),
        "stage": ("Stage", {"type": "text"}),
    }


def test_the_import_preview_reads_like_a_product(app_test):
    from tests.import_helpers import csv_bytes

    data = csv_bytes("Id,Account Name,Opportunity Name,Stage,Amount,Close Date",
                     "006DEMO000001,Nobody Inc,Changed name,Brand New Stage,,2026-12-31")  # an update, a warning, a new stage
    at = app_test("pages/import.py", as_user="Omar Ops")
    at.file_uploader(key="import_files").set_value([("deals.csv", data, "text/csv")]).run()
    at.button(key="import_preview_0").click().run()
    assert at.button(key="import_commit_0")
    assert len(at.dataframe) >= 5  # the mapping, the changes and the page's own tables
    assert visible_problems(at) == []


def test_only_ui_tables_calls_st_dataframe_or_data_editor():
    # Tables the sweep above cannot reach (a refusal's problems, a rare state) still get the presentation.
    from tests.conftest import ROOT

    sources = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
    raw = [f"{path.relative_to(ROOT)}:{number}" for path in sources if path.name != "tables.py"
           for number, line in enumerate(path.read_text().splitlines(), 1) if "st.dataframe(" in line or "st.data_editor(" in line]
    assert raw == []


def test_axis_and_legend_titles_are_read_as_vega_lite_shows_them():
    raw = {"mark": "bar", "encoding": {"x": {"field": "close_date"}, "color": {"field": "status", "title": "Status"}}}
    assert [header_problem(t) for t in chart_titles(raw)] == ["header 'close_date' is snake_case", None]
    layered = {"layer": [{"encoding": {"x": {"field": "amount", "title": "Amount"}}},
                         {"encoding": {"x": {"field": "target"}, "color": {"field": "colour", "scale": None}}}]}
    assert chart_titles(layered) == ["Amount"]  # the explicit title wins; identity colours draw no legend
    hidden = {"encoding": {"y": {"field": "plan", "title": None}, "color": {"field": "series", "legend": None}}}
    assert chart_titles(hidden) == []
