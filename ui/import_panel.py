"""Import page widgets: one uploaded file's kind, mapping, preview and commit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning.errors import PlanningError
from planning.importing import ingest
from planning.importing.mapping import KINDS, SPECS, auto_map
from ui.downloads import download_buttons
from ui.feedback import attempt, show_refusal
from ui.tables import editor, table
from ui.text import md

IGNORE = "(ignore)"


def file_panel(db, upload, user, index: int) -> None:
    """Kind (guessed, confirmable), editable mapping, preview and commit for one uploaded file."""
    data = upload.getvalue()
    try:
        facts = ingest.inspect_headers(data, upload.name)
    except PlanningError as exc:
        show_refusal(exc)
        return
    guessed = facts["kind"] or "opportunities"
    kind = st.selectbox(
        "Kind of extract", KINDS, index=KINDS.index(guessed), key=f"import_kind_{index}",
        help="Guessed from the column names; change it if the guess is wrong.",
    )
    st.caption(f"Recognised as a {md(facts['source_label'])}. Encoding {md(facts['encoding'])}, "
               f"delimiter {md(repr(facts['delimiter']))}, {len(facts['headers'])} columns.")
    remembered = ingest.saved_mapping(db, kind, facts["headers"])
    overrides = {**remembered, **mapping_editor(facts["headers"], kind, index, remembered)}
    skip = st.checkbox("Import the valid rows and skip bad ones", key=f"import_skip_{index}",
                       help="Off: any problem refuses the whole file and nothing is written.")
    order = st.radio("Slash dates like 03/04/2026, when no date of the file settles it", ["ask", "DMY", "MDY"],
                     horizontal=True, key=f"import_dates_{index}",
                     help="'ask' refuses a column whose dates fit both day-first and month-first.")
    options = dict(file_name=upload.name, user=user, mapping=overrides, skip_bad_rows=skip,
                   date_order=None if order == "ask" else order)
    if st.button("Preview", key=f"import_preview_{index}"):
        with st.status("Checking the whole file…", expanded=False) as status:
            try:
                st.session_state[f"import_report_{index}"] = ingest.import_csv(db, kind, data, dry_run=True, **options)
                status.update(label="Checked", state="complete")
            except PlanningError as exc:
                st.session_state.pop(f"import_report_{index}", None)
                status.update(label="Refused", state="error")
                show_refusal(exc)
                problems = getattr(exc, "problems", [])
                if problems:
                    table(pd.DataFrame({"problem": problems}))
    report = st.session_state.get(f"import_report_{index}")
    if report is None or report.kind != kind or report.file_name != upload.name:
        return
    probabilities = preview(report, index)
    if st.button("Commit import", type="primary", key=f"import_commit_{index}"):
        with st.spinner("Importing in one transaction…"):
            # The rerun after a commit redraws the sidebar (counts, last import) from the new data.
            attempt(lambda: ingest.import_csv(db, kind, data, stage_probabilities=probabilities, **options),
                    lambda done: f"{done.summary()} Batch {done.batch_id}.",
                    then=lambda _: st.session_state.pop(f"import_report_{index}", None))


def mapping_editor(headers: list[str], kind: str, index: int, remembered: dict | None = None) -> dict[str, str | None]:
    """The automatic mapping (with a mapping saved for this shape) as an editable table; returns the changes."""
    mapped = auto_map(headers, kind, remembered or None)
    choices = [IGNORE] + SPECS[kind].field_names
    frame = pd.DataFrame({"column": headers, "field": [mapped.columns.get(h, IGNORE) for h in headers]})
    saved_note = ", saved for this file shape" if remembered else ""
    with st.expander(f"Column mapping ({len(mapped.columns)} mapped, {len(mapped.unmapped)} ignored{saved_note})"):
        edited = editor(frame, {"column": "Column in the file", "field": st.column_config.SelectboxColumn(
            "Field", options=choices, required=True)}, key=f"import_map_{index}_{kind}", disabled=["column"])
    # Only the user's changes are overrides, so the importer still checks the file's kind itself.
    return {row.column: (None if row.field == IGNORE else row.field) for row in edited.itertuples()
            if row.field != mapped.columns.get(row.column, IGNORE)}


def preview(report: ingest.ImportReport, index: int) -> dict[str, tuple[str, float]]:
    """The dry run's figures; returns the confirmed probabilities of new stage names."""
    st.markdown(f"**Preview:** {md(report.summary())}")
    cols = st.columns(5)
    for col, (label, value) in zip(cols, [("Insert", report.inserted), ("Update", report.updated),
                                          ("Unchanged", report.unchanged), ("Rejected", report.rejected),
                                          ("Unassigned", report.unassigned)]):
        col.metric(label, f"{value:,}")
    for note in report.notes():
        st.caption(note)
    if report.warnings:
        # One box, one line per kind of warning (with its count and first lines), so Commit stays in reach.
        kinds = len(report.warnings)
        st.warning(f"**{kinds} kind{'s' if kinds != 1 else ''} of warning** — the import can go ahead:\n"
                   + "\n".join(f"- {md(warning)}" for warning in report.warnings), icon=":material/warning:")
    if report.changes is not None and not report.changes.empty:
        with st.expander(f"Changes to existing records, old → new ({len(report.changes):,} shown)"):
            table(report.changes)
    if report.rejected:
        st.caption("Rejected rows, with the reason for each:")
        download_buttons(report.rejected_rows, f"{report.file_name}.rejected", f"import_rej_{index}")
    probabilities: dict[str, tuple[str, float]] = {}
    if report.new_stages:
        st.caption("New stage names: confirm each as open (with a probability), won or lost before committing.")
    for i, stage in enumerate(report.new_stages):
        state = "won" if stage["is_won"] else "lost" if stage["is_closed"] else "open"
        left, right = st.columns(2)
        chosen = left.selectbox(
            f"New stage “{md(stage['name'])}” ({stage['rows']} rows; from {md(stage['decided_by'])})", ["open", "won", "lost"],
            index=["open", "won", "lost"].index(state), key=f"import_stage_state_{index}_{i}")
        chance = right.number_input(
            f"“{md(stage['name'])}” probability", 0.0, 1.0, float(stage["probability"]), 0.05,
            key=f"import_stage_{index}_{i}", disabled=chosen != "open")
        probabilities[stage["name"]] = (chosen, chance if chosen == "open" else 1.0 if chosen == "won" else 0.0)
    return probabilities
