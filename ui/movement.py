"""Deal movement on the Plan and Portfolio pages: what the imports since the previous one changed."""

from __future__ import annotations

import streamlit as st

from planning import movement
from planning.db import Database
from planning.formatting import date_text
from ui.tables import table

TOO_FEW_IMPORTS = ("Movement compares an opportunities import with the one before it, and this book has had fewer "
                   "than two: it shows after the next import.")


def _since_text(db: Database) -> str | None:
    since = movement.default_since(db)
    return date_text(since) if since else None


def plan_section(db: Database, plan: dict) -> None:
    """"What moved since <the previous import>" for one plan: a table, or a sentence when nothing did."""
    since = _since_text(db)
    st.subheader(f"What moved since {since}" if since else "What moved")
    if since is None:
        st.info(TOO_FEW_IMPORTS)
        return
    changes = movement.plan_movement(db, plan["id"])
    if not changes:
        st.info(f"No deal in this plan's period moved since the previous import ({since}).")
        return
    st.caption(f"{len(changes)} changes made by the opportunities imports after {since}. "
               "A deal that slipped out of the period is also listed as removed.")
    table(movement.movement_table(changes), {"crm_id": "CRM id", "name": "Opportunity", "changed_at": "When"})


def owner_tab(db: Database, plan_ids: list[int]) -> None:
    """Per plan owner: deals moved by kind and the net amount change since the previous import."""
    since = _since_text(db)
    st.subheader(f"What moved since {since}, by owner" if since else "What moved, by owner")
    if since is None:
        st.info(TOO_FEW_IMPORTS)
        return
    frame = movement.movement_by_owner(db, plan_ids)
    if frame.empty:
        st.info(f"No deal in these plans' periods moved since the previous import ({since}).")
        return
    st.caption("Deals per kind of change (a deal counts once per owner) and the net change of the amount in the "
               "owner's plan periods.")
    table(frame, {"new": "New", "net_amount": "Net amount change"})
