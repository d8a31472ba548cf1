"""The app freezes its import-time heap once, after its first run (ui.context.settle_heap; issue #17)."""

from __future__ import annotations

import gc
import threading

import ui.context


def test_the_heap_is_collected_and_frozen_once_per_process(monkeypatch):
    calls = []
    monkeypatch.setattr(ui.context, "_heap_settled", threading.Lock())  # as in a fresh process
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    ui.context.settle_heap()
    ui.context.settle_heap()
    assert calls == ["collect", "freeze"]  # the collection first, so no garbage is frozen; then never again


def test_every_app_run_ends_by_settling_the_heap(monkeypatch):
    settled = []
    monkeypatch.setattr(ui.context, "settle_heap", lambda: settled.append(True))
    with ui.context.app_run():
        pass
    assert settled == [True]
