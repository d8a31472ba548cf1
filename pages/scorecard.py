"""Scorecard: the rep's form, the score and its history, calibration and the template admin."""

import streamlit as st

from planning import scorecards
from ui import scorecard_admin, scorecard_charts, scorecard_form
from ui.context import current_user, database, period
from ui.text import md
from ui.widgets import plan_picker

db = database()
st.title("Scorecard")
user = current_user()
plan = plan_picker(db)
if plan is None:
    st.stop()
header = st.container()
answers_tab, history_tab, calibration_tab, templates_tab = st.tabs(
    ["Answers", "History", "Calibration", "Templates"], key="scorecard_tab", bind="query-params"
)  # ?scorecard_tab=History opens that tab; only the open one runs (issue #17)
if answers_tab.open:
    with answers_tab:
        scorecard_form.render(db, user, plan["id"])
# Read after the form so a save just made shows in the score, history and gaps.
card = scorecards.plan_scorecard(db, plan["id"])
with header:
    scorecard_charts.header(card)
    if card["gaps"]:
        with st.expander(f"Gaps: {len(card['gaps'])} unanswered questions (left out of the score, not zeros)"):
            st.markdown("\n".join(f"- {md(g['category'])}: {md(g['question'])}" for g in card["gaps"]))
if history_tab.open:
    with history_tab:
        st.subheader("Score over time")
        scorecard_charts.history_chart(scorecards.score_history(db, plan["id"]))
        st.subheader("Latest category profile")
        scorecard_charts.profile_chart(card["categories"])
if calibration_tab.open:
    with calibration_tab:
        start, end, label = period()
        scorecard_charts.calibration_view(scorecards.calibration(db, start, end), label)
if templates_tab.open:
    with templates_tab:
        scorecard_admin.render(db, current_user())
