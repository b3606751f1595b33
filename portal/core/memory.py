"""The cyclic garbage collector in a long-lived web process.

A worker holds about 200,000 objects that live as long as it does: modules, SQLAlchemy's
mappers and cached statements, Jinja's compiled templates, the kept fragments and the reference
data. Python's collector walks all of them whenever it collects its oldest generation, which a
signed-in page's allocations trigger every few requests: 1.4 to 1.7 ms of CPU a request on
average, a tenth of a signed-in page (measured in docs/performance.md, 2026-12-02).
``gc.freeze()`` moves every object alive at that moment into a permanent generation that the
collector no longer walks; those objects are still freed by reference counting when let go
(only a reference cycle among them would stay), and objects made later are collected as usual.

So a serving process freezes what it holds at its first request (the app, made) and once more
at its ``GC_FREEZE_AFTER``-th (its caches warm), each time after a full collection, so no
garbage is frozen. ``GC_FREEZE_AFTER`` is 0 (off) for test apps, which come and go by the
hundred in one process; CLI commands and Celery serve no request, so they never freeze.
"""

from __future__ import annotations

import gc
import itertools

from flask import Flask

DEFAULT_FREEZE_AFTER = 100  # requests: every page a worker serves often has been seen by then


def freeze() -> None:
    """Collect, then keep everything alive now out of the collector's walks."""
    gc.collect()
    gc.freeze()


def init_app(app: Flask) -> None:
    app.config.setdefault("GC_FREEZE_AFTER", 0 if app.testing else DEFAULT_FREEZE_AFTER)
    after = int(app.config["GC_FREEZE_AFTER"] or 0)
    if after <= 0:
        return
    served = itertools.count(1)
    moments = {1, after}

    @app.before_request
    def _freeze_when_warm():
        if next(served) in moments:
            freeze()
