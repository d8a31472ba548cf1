"""Editing path for one whitespace cell: pick it, see its deals, set its status in a form."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planning import vocab, whitespace
from planning.db import Database
from planning.errors import StaleEdit
from planning.formatting import money
from ui.feedback import attempt, show_refusal
from ui.tables import table
from ui.text import md
from ui.whitespace_chart import value_note

DERIVED = "Derived from deals"


def _none(value):
    return None if value is None or pd.isna(value) else value


def pick_cell(matrix: pd.DataFrame) -> pd.Series:
    """Business unit and product selectboxes; returns the chosen matrix row."""
    unit_names = dict(zip(matrix["business_unit_id"].fillna(0).astype(int).tolist(), matrix["business_unit"]))
    products = matrix.drop_duplicates("product_id").sort_values(["family", "product"])
    product_names = {int(r.product_id): f"{r.family} · {r.product}" for r in products.itertuples()}
    left, right = st.columns(2)
    unit_id = left.selectbox("Business unit", list(unit_names), format_func=unit_names.__getitem__, key="ws_unit")
    product_id = right.selectbox("Product", list(product_names), format_func=product_names.__getitem__, key="ws_product")
    unit_match = matrix["business_unit_id"].isna() if unit_id == 0 else matrix["business_unit_id"] == unit_id
    return matrix[unit_match & (matrix["product_id"] == product_id)].iloc[0]


def describe(cell: pd.Series) -> str:
    how = f"set by a person (derived: {cell['derived_status']})" if cell["manual"] else "derived from opportunities"
    value = money(_none(cell["value"]), short=True)
    return f"**{md(cell['status'])}** — {md(how)}. Value {md(value)} ({md(value_note(cell))})."


def cell_editor(db: Database, user: dict | None, plan_id: int, matrix: pd.DataFrame) -> None:
    """Pick a cell → its deals → a form for status, competitor, contract end, estimate, note."""
    cell = pick_cell(matrix)
    unit_id = None if pd.isna(cell["business_unit_id"]) else int(cell["business_unit_id"])
    product_id = int(cell["product_id"])
    identity = (plan_id, unit_id, product_id)
    # The version this form was loaded with; a save against a newer one is refused (StaleEdit).
    if st.session_state.get("ws_loaded", (None,))[:3] != identity:
        st.session_state["ws_loaded"] = (*identity, int(cell["version"]))
    loaded = st.session_state["ws_loaded"][3]
    st.markdown(describe(cell))
    if _none(cell["peer_estimate"]) is not None:
        st.caption(f"Peer estimate: {money(cell['peer_estimate'], short=True)} (median of {int(cell['peer_count'])} peers "
                   "in the same sector and size band); an entered value replaces it.")
    deals = whitespace.cell_opportunities(db, plan_id, unit_id, product_id)
    if deals.empty:
        st.caption("No opportunities behind this cell.")
    else:
        table(deals)
    _initiative_button(db, user, plan_id, cell, unit_id, product_id)
    suffix = f"{unit_id or 0}_{product_id}_{loaded}"
    options = [DERIVED, *vocab.WHITESPACE_STATUSES]
    current = cell["status"] if cell["manual"] else DERIVED
    with st.form(key="ws_form"):
        status = st.selectbox("Status", options, index=options.index(current), key=f"ws_status_{suffix}",
                              help="Derived: Sold / In Progress / Open from the opportunities. Any other choice is manual.")
        competitor = st.text_input("Competitor (Competitor cells)", value=_none(cell["competitor"]) or "",
                                   key=f"ws_competitor_{suffix}")
        contract_end = st.date_input("Competitor's contract end", value=_none(cell["contract_end_date"]),
                                     key=f"ws_contract_end_{suffix}")
        estimate = st.number_input("Estimated value (blank: peer estimate)", min_value=0.0, step=1000.0,
                                   value=_none(cell["entered_value"]), key=f"ws_estimate_{suffix}")
        note = st.text_area("Note (reason for Not a Fit / Blocked)", value=_none(cell["note"]) or "", key=f"ws_note_{suffix}")
        submitted = st.form_submit_button("Save cell")
    if submitted:
        def forget_loaded(exc: StaleEdit) -> None:
            st.session_state.pop("ws_loaded", None)
            show_refusal(exc)

        attempt(
            lambda: whitespace.set_cell(
                db, user, plan_id, unit_id, product_id, None if status == DERIVED else status,
                competitor=competitor, contract_end_date=contract_end, estimated_value=estimate, note=note,
                expected_version=loaded,
            ),
            f"Saved {cell['product']} for {cell['business_unit']}.",
            then=lambda saved: st.session_state.__setitem__("ws_loaded", (*identity, saved["version"])),
            on_stale=forget_loaded,
        )


def _initiative_button(db, user, plan_id: int, cell: pd.Series, unit_id: int | None, product_id: int) -> None:
    if _none(cell["initiative_id"]) is not None:
        st.caption(f"Initiative #{int(cell['initiative_id'])} already pursues this cell.")
    elif cell["status"] == "Open" and st.button("Create initiative", key="ws_initiative",
                                                help="Turn this whitespace into a potential deal on the plan."):
        attempt(lambda: whitespace.create_initiative_from_cell(db, user, plan_id, unit_id, product_id),
                lambda initiative_id: f"Initiative #{initiative_id} created for {cell['product']} in {cell['business_unit']}.")
