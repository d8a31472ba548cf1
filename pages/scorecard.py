"""Scorecard: the plan's latest scorecard answers."""

import streamlit as st

from planning import scorecards
from ui.context import database
from ui.widgets import plan_picker

db = database()
st.title("Scorecard")
plan = plan_picker(db)
if plan is None:
    st.stop()
answers = scorecards.latest_answers(db, plan["id"])
if answers.empty:
    st.info("Nobody has scored this plan yet.")
else:
    st.dataframe(answers, hide_index=True, use_container_width=True)
