"""A serving process keeps its lasting objects out of the garbage collector's walks
(portal/core/memory.py, docs/performance.md 2026-12-02): it freezes what it holds at its first
request and once more when its caches are warm, and never otherwise."""

from __future__ import annotations

import gc

import pytest

from portal.core import memory


@pytest.fixture
def freezes(monkeypatch):
    seen: list[int] = []
    monkeypatch.setattr(memory, "freeze", lambda: seen.append(1))
    return seen


def test_a_serving_app_freezes_at_its_first_request_and_when_warm(make_app, db_session, freezes):
    client = make_app(GC_FREEZE_AFTER=3).test_client()
    counts = []
    for _ in range(6):
        assert client.get("/healthz").status_code == 200
        counts.append(len(freezes))
    assert counts == [1, 1, 2, 2, 2, 2]


def test_outside_tests_the_app_freezes_by_default(make_app, db_session):
    app = make_app(TESTING=False)
    assert app.config["GC_FREEZE_AFTER"] == memory.DEFAULT_FREEZE_AFTER


def test_test_apps_never_freeze(make_app, db_session, freezes):
    app = make_app()
    assert app.config["GC_FREEZE_AFTER"] == 0
    client = app.test_client()
    for _ in range(3):
        client.get("/healthz")
    assert freezes == []


def test_freeze_collects_then_moves_the_living_objects_out_of_the_walks():
    gc.unfreeze()
    kept = [[] for _ in range(100)]
    try:
        memory.freeze()
        assert gc.get_freeze_count() >= len(kept)
        assert all(gc.is_tracked(x) for x in kept)  # still alive, still freed when let go
    finally:
        gc.unfreeze()
