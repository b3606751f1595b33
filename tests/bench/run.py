"""``make bench``: server time per page, as median and 95th percentile, beside a bare Flask
"hello world" measured in the same run (quote the ratio, not the times).

Requests go through the WSGI app in-process (Flask's test client), so the figures are the
server's own work: routing, queries, templates and translations, without network noise.

The request tracker's figures (public list, a request page, the staff queue) are taken over
``BENCH_REQUESTS`` requests (100,000 by default), loaded in bulk. ``BENCH_DATABASE_URL``
points it at PostgreSQL instead of a temporary SQLite file.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

from flask import Flask

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100000"))


def measure(client, path: str, rounds: int = ROUNDS) -> tuple[float, float]:
    for _ in range(20):  # warm up caches and the template compiler
        client.get(path)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def hello_world() -> Flask:
    app = Flask("hello")
    app.get("/")(lambda: "Hello, world!")
    return app


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="portal-bench-")
    os.environ.setdefault("PORTAL_INSTANCE", tmp)
    from portal import create_app
    from portal.extensions import db
    from portal.seed import seed

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite"),
        "RATELIMIT_ENABLED": False, "CELERY_DISPATCH": False, "WTF_CSRF_ENABLED": False,
    })
    with app.app_context():
        db.create_all()
        with app.test_request_context():
            seed(db.session)
        from tests.bench.seed_requests import bulk_requests

        started = time.perf_counter()
        bulk_requests(db.session, REQUESTS)
        print(f"loaded {REQUESTS:,} requests in {time.perf_counter() - started:.0f} s")
        from sqlalchemy import select

        from portal.feedback.models import Request

        middle = db.session.scalar(select(Request.tracking_code).where(Request.id == REQUESTS // 2))

    base_median, base_p95 = measure(hello_world().test_client(), "/")
    print(f"{'page':<42}{'median ms':>10}{'p95 ms':>10}{'× hello':>9}")
    print(f"{'hello world (bare Flask)':<42}{base_median:>10.2f}{base_p95:>10.2f}{1:>9.1f}")
    client = app.test_client()
    pages = ["/en/", "/zh-Hans/", "/ar/departments", "/en/account/login",
             # the figures, over REQUESTS requests:
             "/en/requests", "/en/requests?q=pothole", f"/en/requests/{middle}", "/en/requests/metrics"]
    for path in pages:
        report(client, path, base_median)
    staff = app.test_client()
    response = staff.post("/en/account/login", data={"email": "admin@riverbend.example.org",
                                                     "password": "demo-password-2026"})
    assert response.status_code == 303, response.status_code
    report(staff, "/en/staff/queue/", base_median)
    report(staff, f"/en/staff/requests/{middle}", base_median)


def report(client, path: str, base_median: float) -> None:
    median, p95 = measure(client, path)
    print(f"{path[:40]:<42}{median:>10.2f}{p95:>10.2f}{median / base_median:>9.1f}")


if __name__ == "__main__":
    main()
