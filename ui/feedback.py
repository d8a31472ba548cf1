"""How a page reports a save: run one domain write, show the refusal or flash the confirmation, rerun.

Messages are plain text. Streamlit's st.success / st.error render markdown, so everything shown here
goes through `escape_markdown` first: a person named `**x** [y](javascript:…)` is shown as typed.
One flash store serves every page: `flash` keeps a confirmation across the rerun that follows a
save, and `show_flash` (called once near the top of a page) shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from planning.errors import PlanningError, StaleEdit
from ui.text import md

FLASH = "flash"
T = TypeVar("T")
Message = str | Callable[[T], str]
Scope = Literal["app", "fragment"]



def escape_markdown(text: object) -> str:
    """`text` as a markdown string that renders literally (see ui.text.md, the one escaping rule)."""
    return md(text)


def flash(message: str) -> None:
    """Keep `message` to show after the rerun that follows a save."""
    st.session_state[FLASH] = message


def show_flash() -> None:
    """Show (once) the confirmation flashed by the last save."""
    if message := st.session_state.pop(FLASH, None):
        st.success(escape_markdown(message))


def show_refusal(exc: PlanningError) -> None:
    """A domain refusal's sentence, as an error, shown as text."""
    st.error(escape_markdown(exc))


def rerun_scope(scope: Scope) -> Scope:
    """`scope`, but "app" when this is a full run: Streamlit refuses a fragment rerun from one.

    A fragment's form submits in a fragment run; the same code also runs inside a full run (the
    first view, a submit that came with another change, AppTest), and then the whole page reruns.
    """
    ctx = get_script_run_ctx()
    return scope if scope == "app" or (ctx is not None and ctx.fragment_ids_this_run) else "app"


def attempt(
    action: Callable[[], T],
    success_message: Message | None = None,
    *,
    then: Callable[[T], None] | None = None,
    on_stale: Callable[[StaleEdit], None] | None = None,
    rerun: bool = True,
    scope: Scope = "app",
    loaded_key: str | None = None,
) -> T | Literal[True] | None:
    """Run one domain write and report it.

    - Refused (a PlanningError): its sentence is shown with st.error and None is returned; a
      StaleEdit goes to `on_stale` instead when one is given (the form decides how to offer a reload).
    - Done: `then(result)` runs (e.g. open the plan just created); with `rerun`, `success_message`
      (a string, or a function of the result) is flashed and the app reruns — `scope="fragment"`
      reruns only the calling fragment; without `rerun` the message is shown in place.
    - `loaded_key` names the session state holding the record the form was opened with: it is
      forgotten after a save (the form reopens on the saved version) and after a StaleEdit (the
      form reopens on the other person's version, and the message says what they changed).
    Returns the action's result, or True when the action returns nothing.
    """
    try:
        result = action()
    except StaleEdit as exc:
        if loaded_key:
            st.session_state.pop(loaded_key, None)
        (on_stale or show_refusal)(exc)
        return None
    except PlanningError as exc:
        show_refusal(exc)
        return None
    if loaded_key:
        st.session_state.pop(loaded_key, None)
    if then is not None:
        then(result)
    message = success_message(result) if callable(success_message) else success_message
    if rerun:
        if message:
            flash(message)
        st.rerun(scope=rerun_scope(scope))
    if message:
        st.success(escape_markdown(message))
    return True if result is None else result
