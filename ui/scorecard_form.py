"""The rep's scorecard form: one section (an expander with its own Save) per category.

A section's save stores a full submission: that section's answers as entered, every other
question with its latest saved answer (scorecards.save_answers(keep_unlisted=True)). Answers
live in session state as they are typed (no st.form), under keys without a submission id, so
what a rep typed in another section survives the save and the progress counts are live; the
sections run as one fragment, so an answer reruns the form, not the page. A save made by someone
else since the form was loaded is refused (StaleEdit) with a reload offered.

A section's widgets are built once it has been opened in the session (the first is open), and
kept from then on, closed or not, so what was typed in it stays (issue #17: 22 questions' widgets
in closed sections were most of the page's first load).
"""

from __future__ import annotations

from itertools import groupby

import streamlit as st

from planning import scorecards
from planning.db import Database
from planning.errors import PlanningError, StaleEdit
from ui.feedback import flash, show_flash, show_refusal
from ui.text import md

BLANK = "— no answer —"


def value_key(plan_id: int, question_id: int) -> str:
    return f"sc_{plan_id}_v{question_id}"


def note_key(plan_id: int, question_id: int) -> str:
    return f"sc_{plan_id}_n{question_id}"


def section_key(plan_id: int, number: int) -> str:
    """The section's expander: `st.session_state[section_key(...)] = True` opens it."""
    return f"sc_{plan_id}_section{number}"


def _loaded_submission(form: dict, plan_id: int) -> int:
    """The submission this session's form shows; re-read the latest when the form holds no input yet."""
    state_key = f"sc_loaded_{plan_id}"
    loaded = st.session_state.get(state_key)
    first = form["questions"][0]["question_id"] if form["questions"] else None
    if loaded is None or (first is not None and value_key(plan_id, first) not in st.session_state):
        loaded = form["loaded_submission_id"]
    st.session_state[state_key] = loaded
    return loaded


def _shown_value(q: dict, plan_id: int):
    """What the question's widget holds: the session's input once drawn, else the saved answer."""
    return st.session_state.get(value_key(plan_id, q["question_id"]), q["value"])


def is_answered(value) -> bool:
    return value is not None and str(value).strip() != ""


def progress(questions: list[dict], plan_id: int) -> tuple[int, int]:
    """(answered, total) over `questions`, as their widgets show them."""
    return sum(is_answered(_shown_value(q, plan_id)) for q in questions), len(questions)


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


def _section(db: Database, user: dict | None, plan_id: int, number: int, questions: list[dict], loaded: int) -> None:
    """One category's expander: its questions and its Save (one submission; then the page reruns)."""
    category, weight = questions[0]["category"], questions[0]["category_weight"]
    answered, total = progress(questions, plan_id)
    tick = ":material/check_circle:" if answered == total else ":material/pending:"
    # Sections opened in this session (number → open now; the first starts open). The label carries
    # live counts and a new label is a new expander: it starts as last seen, so an answer does not
    # fold its section away.
    opened = st.session_state.setdefault(f"sc_sections_{plan_id}", {0: True})
    box = st.expander(f"{tick} {md(category)} · {answered} of {total} answered · weight {weight:g}",
                      expanded=opened.get(number, False), key=section_key(plan_id, number), on_change="rerun")
    if not (box.open or number in opened):
        return  # never opened in this session: nothing typed in it, nothing to build
    opened[number] = bool(box.open)
    with box:
        for q in questions:
            _answer_widget(q, value_key(plan_id, q["question_id"]))
            if q["help_text"]:
                st.caption(md(q["help_text"]))
            st.text_input("Note", value=q["note"] or "", key=note_key(plan_id, q["question_id"]),
                          placeholder="Note (optional)", label_visibility="collapsed")
        if not st.button(f"Save {md(category)}", type="primary", key=f"sc_save_{plan_id}_{number}"):
            return
    answers = {q["question_id"]: {"value": st.session_state.get(value_key(plan_id, q["question_id"])),
                                  "note": st.session_state.get(note_key(plan_id, q["question_id"]))} for q in questions}
    try:
        saved = scorecards.save_answers(db, user, plan_id, answers, loaded, keep_unlisted=True)
    except StaleEdit as exc:
        show_refusal(exc)
        st.session_state[f"sc_stale_{plan_id}"] = True
        return
    except PlanningError as exc:
        show_refusal(exc)
        return
    st.session_state[f"sc_loaded_{plan_id}"] = saved
    st.session_state.pop(f"sc_stale_{plan_id}", None)
    flash(f"{category} saved.")
    st.rerun()  # the whole page: score, history and gaps include the save


def _reload(plan_id: int, questions: list[dict]) -> None:
    """Forget this session's inputs and loaded submission: the form reopens on the latest answers."""
    for q in questions:
        st.session_state.pop(value_key(plan_id, q["question_id"]), None)
        st.session_state.pop(note_key(plan_id, q["question_id"]), None)
    st.session_state.pop(f"sc_loaded_{plan_id}", None)
    st.session_state.pop(f"sc_stale_{plan_id}", None)


@st.fragment
def render(db: Database, user: dict | None, plan_id: int) -> None:
    """Who saved last, overall progress, then one section per category."""
    form = scorecards.scorecard_form(db, plan_id)
    loaded = _loaded_submission(form, plan_id)
    latest = form["submission"]
    show_flash()
    if latest:
        st.caption(f"Last saved by {md(latest['submitted_by_name'] or 'unknown')} on {latest['submitted_at']:%d %b %Y %H:%M}.")
        if latest["carried_forward"]:
            st.warning("These answers were carried forward from the previous plan. Review them and save to re-confirm.")
    else:
        st.info("Nobody has scored this plan yet: answer what you know; unanswered questions stay gaps, never zeros.")
    overall = st.empty()
    sections = [list(group) for _, group in groupby(form["questions"], key=lambda q: q["category_id"])]
    for number, questions in enumerate(sections):
        _section(db, user, plan_id, number, questions, loaded)
    answered, total = progress(form["questions"], plan_id)
    overall.progress(answered / total if total else 0.0,
                     text=f"{answered} of {total} questions answered in {len(sections)} sections · each section saves on its own")
    if st.session_state.get(f"sc_stale_{plan_id}") and st.button("Load the latest answers", key=f"sc_reload_{plan_id}"):
        _reload(plan_id, form["questions"])
        st.rerun()
