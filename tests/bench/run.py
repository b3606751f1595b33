"""``make bench``: server time per page, as median and 95th percentile, beside a bare Flask
"hello world" measured in the same run (quote the ratio, not the times).

Requests go through the WSGI app in-process (Flask's test client), so the figures are the
server's own work: routing, queries, templates and translations, without network noise.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

from flask import Flask

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "300"))


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
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
        "RATELIMIT_ENABLED": False, "CELERY_DISPATCH": False,
    })
    with app.app_context():
        db.create_all()
        seed(db.session)

    base_median, base_p95 = measure(hello_world().test_client(), "/")
    print(f"{'page':<28}{'median ms':>10}{'p95 ms':>10}{'× hello':>9}")
    print(f"{'hello world (bare Flask)':<28}{base_median:>10.2f}{base_p95:>10.2f}{1:>9.1f}")
    client = app.test_client()
    for path in ("/en/", "/zh-Hans/", "/ar/departments", "/en/account/login", "/en/components"):
        median, p95 = measure(client, path)
        print(f"{path:<28}{median:>10.2f}{p95:>10.2f}{median / base_median:>9.1f}")


if __name__ == "__main__":
    main()
