"""Profile one page in-process against a bench database (``tests/bench/seed_requests.py``).

    PYTHONPATH=$PWD .venv/bin/python -m tests.bench.profile /tmp/bench.sqlite seed
    PYTHONPATH=$PWD .venv/bin/python -m tests.bench.profile /tmp/bench.sqlite /en/staff/queue/ admin

The first form loads the demo city and ``BENCH_REQUESTS`` requests into a new SQLite file;
the second signs in as the demo account (or none) and prints, for 50 requests to the page,
the median and 95th percentile time (wall; CPU median), the SQL statements of one request
and the top of a cProfile (cumulative;
``PROFILE_SORT=tottime``). ``BENCH_CONFIG`` (JSON) overrides the configuration, as in
``tests/bench/wsgi.py``: e.g. ``{"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": "/tmp/c"}``.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import sys
import tempfile
import time

from sqlalchemy import event

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100000"))


def _app(url: str):
    from portal import create_app

    os.environ.setdefault("PORTAL_INSTANCE", tempfile.mkdtemp(prefix="portal-profile-"))
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                       "CELERY_DISPATCH": False, "WTF_CSRF_ENABLED": False,
                       "CACHE_TYPE": "SimpleCache",
                       **json.loads(os.environ.get("BENCH_CONFIG", "{}"))})


def seed(url: str) -> None:
    from tests.bench.run import load

    load(url, tempfile.mkdtemp(prefix="portal-profile-"))


def profile(url: str, path: str, who: str | None, n: int = 50) -> None:
    from portal.extensions import db
    from tests.bench.run import DEMO_PASSWORD, USER_AGENT

    app = _app(url)
    client = app.test_client()
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "br, gzip"}
    if who:
        r = client.post("/en/account/login", headers=headers,
                        data={"email": f"{who}@riverbend.example.org", "password": DEMO_PASSWORD})
        assert r.status_code == 303, r.status_code
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    assert client.get(path, headers=headers).status_code == 200  # warm
    event.listen(engine, "before_cursor_execute", count)
    r = client.get(path, headers=headers)
    event.remove(engine, "before_cursor_execute", count)
    print(f"{path}: {r.status_code}, {len(r.data):,} bytes, {len(statements)} statements")
    for s in statements:
        print("  ", " ".join(s.split())[:300])
    times, cpu = [], []
    for _ in range(n):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path, headers=headers)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    times.sort()
    cpu.sort()
    print(f"median {times[n // 2] * 1000:.1f} ms a request, p95 {times[int(n * 0.95)] * 1000:.1f} ms, "
          f"fastest {times[0] * 1000:.1f} ms; "
          f"CPU median {cpu[n // 2] * 1000:.1f} ms (the machine's load matters less)")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        client.get(path, headers=headers)
    prof.disable()
    pstats.Stats(prof).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
        int(os.environ.get("PROFILE_LINES", "60")))


if __name__ == "__main__":
    database = sys.argv[1]
    url = database if "://" in database else f"sqlite:///{database}"
    if sys.argv[2] == "seed":
        seed(url)
    else:
        profile(url, sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
