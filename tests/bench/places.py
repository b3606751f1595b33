"""The point-to-area lookup with 2,000 areas, in process (part of ``make bench``).

A throwaway SQLite database gets a city of 40 districts (8 × 5) of 49 communities each
(7 × 7): 2,001 areas, every one with a boundary. The index (``geometry._build_locator``:
the STRtree a process builds once per version of the data) is built once and timed; then
``LOOKUPS`` random points inside the city are looked up one by one (``Locator.area_id_at``,
the rule ``area_at`` applies). Prints the build time and the median and p95 lookup in µs.

    .venv/bin/python -m tests.bench.places
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time

LOOKUPS = int(os.environ.get("BENCH_PLACE_LOOKUPS", "10000"))
DISTRICTS = (8, 5)  # columns, rows
COMMUNITIES = (7, 7)  # in each district
WEST, SOUTH, EAST, NORTH = 8.0, 47.0, 8.4, 47.25


def _square(x0, y0, x1, y1) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _city(session) -> int:
    from sqlalchemy import insert

    from portal.responsibility.models import Area, AreaBoundary

    def add(code, level, parent_id, box):
        area_id = session.execute(insert(Area).values(
            code=code, level=level, parent_id=parent_id, name_i18n={"en": code},
            source_locale="en").returning(Area.id)).scalar_one()
        session.execute(insert(AreaBoundary).values(area_id=area_id, geometry=_square(*box),
                                                    source="bench"))
        return area_id

    city = add("bench-city", "city", None, (WEST, SOUTH, EAST, NORTH))
    count = 1
    dx, dy = (EAST - WEST) / DISTRICTS[0], (NORTH - SOUTH) / DISTRICTS[1]
    for i in range(DISTRICTS[0]):
        for j in range(DISTRICTS[1]):
            x0, y0 = WEST + i * dx, SOUTH + j * dy
            district = add(f"d-{i}-{j}", "district", city, (x0, y0, x0 + dx, y0 + dy))
            count += 1
            cx, cy = dx / COMMUNITIES[0], dy / COMMUNITIES[1]
            for a in range(COMMUNITIES[0]):
                for b in range(COMMUNITIES[1]):
                    add(f"c-{i}-{j}-{a}-{b}", "community", district,
                        (x0 + a * cx, y0 + b * cy, x0 + (a + 1) * cx, y0 + (b + 1) * cy))
                    count += 1
    session.commit()
    return count


def measure() -> dict:
    saved = os.environ.get("PORTAL_INSTANCE")
    try:
        with tempfile.TemporaryDirectory(prefix="portal-bench-places-") as tmp:
            os.environ.setdefault("PORTAL_INSTANCE", tmp)
            return _measure(tmp)
    finally:
        if saved is None:
            os.environ.pop("PORTAL_INSTANCE", None)


def _measure(tmp: str) -> dict:
    from portal import create_app
    from portal.extensions import db
    from portal.responsibility import geometry

    app = create_app({
        "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/places.sqlite",
        "CELERY": {"broker_url": "memory://", "task_ignore_result": True},
        "CELERY_DISPATCH": False, "PAGE_CACHE": False, "REFERENCE_CACHE": False,
        "CACHE_TYPE": "SimpleCache", "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        db.create_all()
        areas = _city(db.session)
        started = time.perf_counter()
        locator = geometry._build_locator(db.session)
        build_ms = (time.perf_counter() - started) * 1000
        rng = random.Random(2026)
        points = [(rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)) for _ in range(LOOKUPS)]
        times, found = [], 0
        for lat, lon in points:
            t0 = time.perf_counter()
            area_id = locator.area_id_at(lat, lon)
            times.append(time.perf_counter() - t0)
            found += area_id is not None
        db.session.remove()
        db.engine.dispose()
    times.sort()
    return {"areas": areas, "build_ms": build_ms, "lookups": LOOKUPS, "found": found,
            "median_us": statistics.median(times) * 1e6, "p95_us": times[int(len(times) * 0.95)] * 1e6}


def report() -> str:
    """One line for ``make bench``'s output."""
    m = measure()
    return (f"Point to area, in process: {m['areas']:,} areas, index built once in "
            f"{m['build_ms']:.0f} ms; {m['lookups']:,} random lookups ({m['found']:,} found): "
            f"median {m['median_us']:.0f} µs, p95 {m['p95_us']:.0f} µs")


if __name__ == "__main__":
    print(report())
