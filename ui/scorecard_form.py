"""The rep's scorecard form: one st.form grouped by category, saved as one submission."""

from __future__ import annotations

import streamlit as st

from planning import scorecards
from planning.db import Database
from planning.errors import PlanningError, StaleEdit
from ui.feedback import show_refusal
from ui.text import md

BLANK = "— no answer —"


def _prefix(plan_id: int, loaded: int) -> str:
    return f"sc_{plan_id}_{loaded}_"


def _loaded_submission(form: dict, plan_id: int) -> int:
    """The submission this session's form shows; re-read the latest when no edit is pending."""
    state_key = f"sc_loaded_{plan_id}"
    loaded = st.session_state.get(state_key)
    first = form["questions"][0]["question_id"] if form["questions"] else None
    if loaded is None or (first is not None and f"{_prefix(plan_id, loaded)}v{first}" not in st.session_state):
        loaded = form["loaded_submission_id"]
    st.session_state[state_key] = loaded
    return loaded


def _answer_widget(q: dict, key: str) -> None:
    label = md(q["text"]) if q["qtype"] == "text" else f"{md(q['text'])} (weight {q['weight']:g})"
    value = q["value"]
    if q["qtype"] in ("rating", "yes_no", "choice"):
        options = {"rating": ["1", "2", "3", "4", "5"], "yes_no": ["yes", "no"]}.get(q["qtype"], q["choices"])
        options = ["", *options]
        index = options.index(value) if value in options else 0
        st.selectbox(label, options, index=index, key=key, format_func=lambda v: v or BLANK)
    elif q["qtype"] == "number":
        try:
            number = float(value) if value not in (None, "") else None
        except ValueError:
            number = None
        st.number_input(label, value=number, step=1.0, format="%g", key=key, placeholder=BLANK)
    else:
        st.text_area(label, value=value or "", key=key, height=68)


def render(db: Database, user: dict | None, plan_id: int) -> int | None:
    """Draw the form; on submit save all answers at once. Returns the new submission id, if saved."""
    form = scorecards.scorecard_form(db, plan_id)
    loaded = _loaded_submission(form, plan_id)
    prefix = _prefix(plan_id, loaded)
    latest = form["submission"]
    status = st.empty()  # replaced once a save succeeds
    with status.container():
        if latest:
            st.caption(f"Last saved by {md(latest['submitted_by_name'] or 'unknown')} on {latest['submitted_at']:%d %b %Y %H:%M}.")
            if latest["carried_forward"]:
                st.warning("These answers were carried forward from the previous plan. Review them and save to re-confirm.")
        else:
            st.info("Nobody has scored this plan yet: answer what you know; unanswered questions stay gaps, never zeros.")
    saved = None
    with st.form(f"scorecard_form_{plan_id}"):
        category = None
        for q in form["questions"]:
            if q["category"] != category:
                category = q["category"]
                st.subheader(f"{md(category)} · weight {q['category_weight']:g}")
            _answer_widget(q, f"{prefix}v{q['question_id']}")
            if q["help_text"]:
                st.caption(md(q["help_text"]))
            st.text_input("Note", value=q["note"] or "", key=f"{prefix}n{q['question_id']}",
                          placeholder="Note (optional)", label_visibility="collapsed")
        submitted = st.form_submit_button("Save scorecard", type="primary")
    if submitted:
        answers = {
            q["question_id"]: {"value": st.session_state.get(f"{prefix}v{q['question_id']}"),
                               "note": st.session_state.get(f"{prefix}n{q['question_id']}")}
            for q in form["questions"]
        }
        try:
            saved = scorecards.save_answers(db, user, plan_id, answers, loaded)
        except StaleEdit as exc:
            show_refusal(exc)
            st.session_state[f"sc_stale_{plan_id}"] = True
        except PlanningError as exc:
            show_refusal(exc)
        else:
            st.session_state[f"sc_loaded_{plan_id}"] = saved
            st.session_state.pop(f"sc_stale_{plan_id}", None)
            assert user is not None, "save_answers refuses a save when nobody is signed in"
            status.caption(f"Last saved by {md(user['name'])} just now.")
            st.success("Scorecard saved.")
    if st.session_state.get(f"sc_stale_{plan_id}") and st.button("Load the latest answers", key=f"sc_reload_{plan_id}"):
        st.session_state.pop(f"sc_loaded_{plan_id}", None)
        st.session_state.pop(f"sc_stale_{plan_id}", None)
        st.rerun()
    return saved
