"""The database restarted under load: a PostgreSQL cluster of its own (the suite's is shared
by tests running in parallel), the portal under gunicorn, clients reading and writing; while
the database is down, pages answer a translated 503 with ``Retry-After`` (never a 500); when
it is back, the portal recovers by itself (``pool_pre_ping``) and nothing written is lost."""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import select

from portal.core.errors_http import MESSAGES
from portal.seed import DEMO_PASSWORD
from tests.functional.production import build_production_app, production_environment
from tests.functional.reliability import flows
from tests.functional.reliability.city import seed_city
from tests.functional.reliability.processes import gunicorn
from tests.functional.support import parse, poll, translated
from tests.pg import PGBIN, Cluster, _as_postgres, create_database

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("reliability")]
LOCALES = ("en", "ar", "zh-Hans")


@pytest.fixture
def own_cluster():
    cluster = Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def _pg_ctl(cluster: Cluster, *args: str) -> None:
    subprocess.run(_as_postgres([str(PGBIN / "pg_ctl"), "-D", str(cluster.dir / "data"), "-w",
                                 *args]), check=True, capture_output=True, timeout=60)


class Readers:
    """Clients reading pages in a loop (one signed in), counting every status they get."""

    def __init__(self, port: int, signed_in: flows.HttpBrowser) -> None:
        twin = flows.HttpBrowser(port, signed_in.address, dict(signed_in.cookies))
        self.browsers = [flows.HttpBrowser(port, f"10.1.0.{i}") for i in range(1, 4)] + [twin]
        self.statuses: Counter = Counter()
        self.failures: list[str] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(b, b is twin))
                        for b in self.browsers]

    def _run(self, browser: flows.HttpBrowser, signed_in: bool) -> None:
        paths = ([f"/{code}/requests/mine" for code in LOCALES] if signed_in
                 else [f"/{code}/requests/" for code in LOCALES] + ["/en/proposals"])
        n = 0
        while not self.stopping.is_set():
            try:
                status = browser.get(paths[n % len(paths)])[0]
            except OSError as exc:  # the server itself must not go away
                self.failures.append(repr(exc))
                status = "connection"
            self.statuses[status] += 1
            n += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)
        for browser in self.browsers:
            browser.close()


def test_a_database_restart_is_a_503_for_a_moment(make_app, monkeypatch, own_cluster,
                                                  redis_url, tmp_path):
    database_url = create_database(own_cluster.url, "portal_restart")
    app = build_production_app(make_app, monkeypatch, database_url, redis_url)
    city = seed_city(app)
    env = production_environment(database_url, redis_url)
    with gunicorn(env, tmp_path / "gunicorn.log") as port:
        resident = flows.HttpBrowser(port, "10.0.0.1")
        flows.login(resident, "resident@riverbend.example.org", DEMO_PASSWORD)
        before = [flows.submit_request(resident, city["area_id"], f"Before the restart {i}")
                  for i in range(3)]
        with Readers(port, resident) as readers:
            time.sleep(1)
            _pg_ctl(own_cluster, "-m", "fast", "stop")
            gaps = {}
            for code in LOCALES:  # signed in: a page no cache can answer
                answer = poll(lambda code=code: (
                    (a := resident.get(f"/{code}/requests/mine"))[0] == 503
                    and (a, resident.last_headers)), seconds=30)
                assert answer, f"no 503 in {code} while the database is down: {readers.statuses}"
                gaps[code] = answer
            during_gap = readers.statuses[503]
            _pg_ctl(own_cluster, "-l", str(own_cluster.dir / "log"), "-o",
                    f"-k {own_cluster.dir} -p {own_cluster.port} -c listen_addresses=127.0.0.1 "
                    "-c fsync=off", "start")
            # back by itself: no restart of gunicorn, no request that fails once it is up
            assert poll(lambda: resident.get("/en/requests/mine")[0] == 200, seconds=60)
            time.sleep(1)
            recovered = Counter(readers.statuses)
            time.sleep(2)
            after_recovery = readers.statuses - recovered
        after = flows.submit_request(resident, city["area_id"], "After the restart")
    print(f"\nstatuses during the restart: {dict(readers.statuses)}")
    assert not readers.failures, readers.failures[:5]
    assert set(readers.statuses) <= {200, 503}, readers.statuses  # never a 500
    assert during_gap and readers.statuses[200]
    assert set(after_recovery) == {200}, after_recovery
    for code, ((_, _, html), headers) in gaps.items():
        assert headers["Retry-After"] == "30"
        doc = parse(html)
        assert doc.one("html").get("lang") == code
        assert doc.one("h1").text == translated(app, code, MESSAGES[503][0])
        assert translated(app, code, MESSAGES[503][1]) in doc.text
    from portal.extensions import db
    from portal.feedback.models import Request

    with app.app_context():
        db.engine.dispose()  # its connections died with the restart
        stored = set(db.session.scalars(select(Request.tracking_code)))
    assert {*before, after} <= stored
