"""``make bench``: the portal over real HTTP, beside a bare Flask hello world in the same run.

For SQLite and then PostgreSQL (a throwaway cluster, as the tests start one), it loads the
demo city and ``BENCH_REQUESTS`` requests (100,000 by default, in bulk), serves the portal
with ``gunicorn -w 2`` and the hello world with the same gunicorn settings, probes every URL
once (status 200 and a plausible size: wrk counts a 302 as a success) and loads each with
``wrk``. It prints requests per second, p50 and p95 latency and the ratio of requests per
second to the hello world's, with the targets beside them; and the gunicorn workers' CPU time
per request with its ratio to the hello world's, which a shared machine's load disturbs far
less than throughput.

The page cache runs as in each profile: a file-system cache in the instance folder with
SQLite (embedded), Redis with PostgreSQL (production) when ``redis-server`` is installed.
Signed-in pages send the login's session cookie and the same User-Agent (Flask-Login's strong
session protection ties a session to it).

    .venv/bin/python -m tests.bench.run            # both databases
    BENCH_DB=sqlite BENCH_SECONDS=5 .venv/bin/python -m tests.bench.run
    BENCH_DB=sqlite BENCH_PAGES=proposal .venv/bin/python -m tests.bench.run   # some pages

The halls' figures come from ``BENCH_PROPOSALS`` proposals (10,000) with ``BENCH_COMMENTS``
comments (200,000; ``tests/bench/seed_proposals.py``), one of them busy (450 comments).
The catalog's from ``BENCH_PUBLICATIONS`` publications (20,000; ``tests/bench/seed_publications.py``).

``BENCH_SCALE=1`` adds to the PostgreSQL run the scale-out table: a few key pages through
nginx (``tests/farm.py``) with one portal instance behind it, then two (each ``gunicorn -w 2``,
one database, one Redis for the page cache), beside a hello world through the same nginx; and
checks that both instances answer each page with the same body (CSRF tokens and nonces
aside). A difference is printed and makes the run exit with status 1.

    BENCH_DB=postgresql BENCH_SCALE=1 BENCH_PAGES=none .venv/bin/python -m tests.bench.run
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests import farm

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100000"))
PROPOSALS = int(os.environ.get("BENCH_PROPOSALS", "10000"))
PUBLICATIONS = int(os.environ.get("BENCH_PUBLICATIONS", "20000"))
COMMENTS = int(os.environ.get("BENCH_COMMENTS", "200000"))
# Only the pages whose label contains one of these words (comma-separated; all when unset):
# BENCH_PAGES=proposal measures the hello world and the proposals' pages.
ONLY = [w.strip() for w in os.environ.get("BENCH_PAGES", "").split(",") if w.strip()]
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
SCALE = os.environ.get("BENCH_SCALE") == "1"
USER_AGENT = "portal-bench/1"
HEADERS = {"User-Agent": USER_AGENT, "Accept-Encoding": "br, gzip"}
ANONYMOUS_TARGET, SIGNED_IN_TARGET, SEARCH_P95_FACTOR = 0.25, 0.05, 10.0
DEMO_PASSWORD = "demo-password-2026"


@dataclass
class Page:
    label: str
    path: str
    who: str | None = None  # None: anonymous; else the demo account signed in
    kind: str = "anonymous"  # anonymous | signed-in | search | baseline


@dataclass
class Result:
    page: Page
    rps: float
    p50: float
    p95: float
    size: int
    cpu_ms: float = 0.0  # the gunicorn workers' CPU time per request (user + system)
    ratio: float = 0.0
    cpu_ratio: float = 0.0  # hello world's CPU per request / this page's: robust to load


SERVERS: dict[str, int] = {}  # base URL -> gunicorn master pid


def workers_cpu(base: str) -> float:
    """Seconds of CPU the server's workers have used (from /proc; 0 where it is missing)."""
    master = SERVERS.get(base)
    total = 0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError):
        return 0.0
    return total / os.sysconf("SC_CLK_TCK")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str, headers: dict, data: dict | None = None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 (http:// only)
    try:
        with OPENER.open(req, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@contextlib.contextmanager
def gunicorn(module: str, env: dict):
    """``gunicorn -w 2 module`` on a free port (``tests/farm.py``); yields its base URL."""
    folder = Path(tempfile.mkdtemp(prefix="bench-gunicorn-"))
    try:
        with farm.gunicorn(module, env, folder, "gunicorn", workers=2) as (base, pid):
            SERVERS[base] = pid
            yield base
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def wrk(url: str, headers: dict, seconds: int) -> dict:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s",
            "-s", str(HERE / "stats.lua")]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    return {k: int(v) for k, v in (item.split("=") for item in line.split()[1:])}


def login(base: str, email: str) -> str:
    status, headers, _body = fetch(f"{base}/en/account/login", HEADERS,
                                   {"email": email, "password": DEMO_PASSWORD})
    assert status == 303, f"login as {email}: {status}"
    cookies = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []]
    cookie = "; ".join(c for c in cookies if c.startswith("portal_session="))
    # A browser keeps the session its first page with a form gives it (the CSRF token is
    # stored then, once): so does the load, else every request of a page with a form would
    # store a new token and write the session again.
    _status, headers, _body = fetch(f"{base}/en/account/settings", {**HEADERS, "Cookie": cookie})
    updated = [c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or []
               if c.startswith("portal_session=")]
    return updated[0] if updated else cookie


def measure(base: str, page: Page, cookie: str | None) -> Result:
    headers = dict(HEADERS)
    if cookie:
        headers["Cookie"] = cookie
    url = base + page.path
    status, response_headers, body = fetch(url, headers)  # the probe, which also warms
    assert status == 200, f"{page.path}: {status} (expected 200)"
    assert len(body) > 10, f"{page.path}: only {len(body)} bytes"
    if page.kind != "baseline":
        signed_in = b"Log out" in _decoded(body, response_headers) or page.path.startswith("/open311")
        assert signed_in == (cookie is not None) or page.path.startswith("/open311"), \
            f"{page.path}: signed-in state is not what was asked for"
    wrk(url, headers, 1)  # warm every worker
    cpu = workers_cpu(base)
    stats = wrk(url, headers, SECONDS)
    cpu = workers_cpu(base) - cpu
    assert stats["not200"] == 0 and stats["errors"] == 0, f"{page.path}: {stats}"
    return Result(page, stats["requests"] / (stats["duration_us"] / 1e6),
                  stats["p50_us"] / 1000, stats["p95_us"] / 1000, len(body),
                  cpu_ms=cpu * 1000 / max(stats["requests"], 1))


def _decoded(body: bytes, headers) -> bytes:
    encoding = headers.get("Content-Encoding")
    if encoding == "gzip":
        import gzip

        return gzip.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


# --- the data ------------------------------------------------------------------------------

def load(database_url: str, instance: str) -> dict:
    """The demo city and REQUESTS requests; returns the codes the pages need."""
    os.environ["PORTAL_INSTANCE"] = instance
    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.feedback.models import Request
    from portal.seed import seed
    from tests.bench.seed_proposals import bulk_proposals
    from tests.bench.seed_publications import bulk_publications
    from tests.bench.seed_requests import bulk_requests

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False,
                      "CELERY_DISPATCH": False, "PAGE_CACHE": False})
    with app.app_context():
        db.create_all()
        with app.test_request_context():
            seed(db.session)
        started = time.perf_counter()
        bulk_requests(db.session, REQUESTS)
        print(f"  loaded {REQUESTS:,} requests in {time.perf_counter() - started:.0f} s", flush=True)
        middle = db.session.scalar(select(Request.tracking_code).where(Request.id == REQUESTS // 2))
        started = time.perf_counter()
        busy = bulk_proposals(db.session, PROPOSALS, COMMENTS)
        print(f"  loaded {PROPOSALS:,} proposals with {COMMENTS:,} comments in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        _learner_progress(db.session)
        from portal.transparency import dashboard

        started = time.perf_counter()
        with app.test_request_context():
            dashboard.refresh(db.session)  # what the beat task does every 5 minutes
        print(f"  the dashboard's snapshot took {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        bulk_publications(db.session, PUBLICATIONS)
        print(f"  loaded {PUBLICATIONS:,} publications in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.remove()
        db.engine.dispose()
    return {"middle": middle, "busy": busy}


LESSON = ("bigger-text-and-keyboard", "make-text-bigger")


def _learner_progress(session) -> None:
    """The demo resident has begun the first course (the signed-in lesson step shows it)."""
    from sqlalchemy import select

    from portal.core.models import User
    from portal.literacy import progress, services

    resident = session.scalar(select(User).where(User.email == "resident@riverbend.example.org"))
    progress.mark_done(session, resident, services.get_step(session, *LESSON, 1))


def pages(codes: dict) -> list[Page]:
    all_pages = _pages(codes)
    return [p for p in all_pages if any(w in p.label for w in ONLY)] if ONLY else all_pages


def _pages(codes: dict) -> list[Page]:
    middle, busy = codes["middle"], codes["busy"]
    return [
        Page("home", "/en/"),
        Page("public list", "/en/requests"),
        Page("a request", f"/en/requests/{middle}"),
        Page("metrics", "/en/requests/metrics"),
        Page("responsibility list", "/en/responsibility"),
        Page("Open311 services.json", "/open311/v2/services.json"),
        Page("Open311 requests.json", "/open311/v2/requests.json"),
        Page("public map data", "/en/requests/map.geojson"),
        Page("search ?q=pothole", "/en/requests?q=pothole", kind="search"),
        Page("site search ?q=pothole", "/en/search?q=pothole", "resident", "search"),  # uncached
        Page("staff queue", "/en/staff/queue/", "admin", "signed-in"),
        Page("staff request page", f"/en/staff/requests/{middle}", "admin", "signed-in"),
        Page("your requests", "/en/requests/mine", "resident", "signed-in"),
        Page("proposal list", "/en/proposals"),
        Page("proposal list, most commented", "/en/proposals?sort=commented"),
        Page("a busy proposal (450 comments)", f"/en/proposals/{busy}"),
        Page("proposal list", "/en/proposals", "resident", "signed-in"),
        Page("proposal list, most commented", "/en/proposals?sort=commented", "resident", "signed-in"),
        Page("a busy proposal (450 comments)", f"/en/proposals/{busy}", "resident", "signed-in"),
        Page("a lesson step", "/en/learn/{}/{}/2".format(*LESSON)),
        Page("a lesson step", "/en/learn/{}/{}/2".format(*LESSON), "resident", "signed-in"),
        Page("dashboard (city)", "/en/transparency/dashboard"),
        Page("dashboard (a department)", "/en/transparency/dashboard?scope=department-roads"),
        Page("catalog index", "/en/publications"),
        Page("catalog search ?q=budget", "/en/publications?q=budget", kind="search"),
        Page("site search ?q=budget (catalog: with publications)", "/en/search?q=budget", "resident",
             "search"),  # uncached
    ]


def scale_pages(codes: dict) -> list[Page]:
    return [
        Page("home", "/en/"),
        Page("public list", "/en/requests"),
        Page("a request", f"/en/requests/{codes['middle']}"),
        Page("staff queue", "/en/staff/queue/", "admin", "signed-in"),
    ]


# What may differ between two correct answers: a form's token, a script's nonce.
VOLATILE = re.compile(rb'(name="csrf_token"[^>]*value="|name="csrf-token" content="|nonce=")[^"]*"')


def same_body(a: str, b: str, page: Page, cookie: str | None) -> bool:
    """Whether instances ``a`` and ``b`` answer ``page`` alike (tokens and nonces aside)."""
    headers = {**HEADERS, **({"Cookie": cookie} if cookie else {})}
    bodies = []
    for base in (a, b):
        status, response_headers, body = fetch(base + page.path, headers)
        assert status == 200, f"{base}{page.path}: {status}"
        bodies.append(VOLATILE.sub(rb"\1-\"", _decoded(body, response_headers)))
    return bodies[0] == bodies[1]


def scale_out(env: dict, codes: dict) -> tuple[str, bool]:
    """The scale-out table (see the module's docstring) and whether nothing diverged."""
    rows: list[tuple[str, Result, bool | None]] = []
    with gunicorn("tests.bench.hello:app", {}) as hello_base, farm.nginx([hello_base]) as lb:
        hello = measure(lb, Page("hello world (bare Flask)", "/", kind="baseline"), None)
    rows.append(("1", hello, None))
    with gunicorn("tests.bench.wsgi:app", env) as a:
        with farm.nginx([a]) as lb:
            cookies = {"admin": login(lb, "admin@riverbend.example.org")}
            for page in scale_pages(codes):
                rows.append(("1", measure(lb, page, cookies.get(page.who)), None))
                print(f"  one instance, {page.label}: {rows[-1][1].rps:.0f} req/s", flush=True)
        with gunicorn("tests.bench.wsgi:app", env) as b, farm.nginx([a, b]) as lb:
            for page in scale_pages(codes):  # B warm, as A is, before the balancer sends it load
                wrk(b + page.path, {**HEADERS, **({"Cookie": cookies[page.who]} if page.who else {})}, 2)
            for page in scale_pages(codes):
                result = measure(lb, page, cookies.get(page.who))
                rows.append(("2", result, same_body(a, b, page, cookies.get(page.who))))
                print(f"  two instances, {page.label}: {result.rps:.0f} req/s", flush=True)
    lines = ["| scale-out (nginx) | instances | req/s | p50 ms | p95 ms | × hello | same body A/B |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for instances, r, same in rows:
        who = f" (signed in: {r.page.who})" if r.page.who else ""
        mark = "" if same is None else ("yes" if same else "DIFFERENT")
        lines.append(f"| {r.page.label}{who} | {instances} | {r.rps:,.0f} | {r.p50:.1f} | {r.p95:.1f} "
                     f"| {r.rps / hello.rps:.3f} | {mark} |")
    return "\n".join(lines), all(same is not False for _i, _r, same in rows)


@contextlib.contextmanager
def database(kind: str):
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="portal-bench-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    from tests.pg import Cluster, create_database

    cluster = Cluster().start()
    try:
        yield create_database(cluster.url, "portal_bench")
    finally:
        cluster.stop()


@contextlib.contextmanager
def cache_backend(kind: str, instance: str):
    if kind == "postgresql" and shutil.which("redis-server"):
        with farm.redis_server(Path(instance)) as url:
            yield {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url}, "Redis"
        return
    yield {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": f"{instance}/cache"}, "file system"


# --- the run -------------------------------------------------------------------------------

SCALE_TABLES: list[tuple[str, bool]] = []


def run(kind: str) -> list[Result]:
    print(f"\n== {kind} ==", flush=True)
    with database(kind) as url:
        instance = tempfile.mkdtemp(prefix="portal-bench-instance-")
        codes = load(url, instance)
        with cache_backend(kind, instance) as (cache_config, cache_name):
            print(f"  page cache: {cache_name}; gunicorn -w 2; wrk -t2 -c{CONNECTIONS} -d{SECONDS}s",
                  flush=True)
            with gunicorn("tests.bench.hello:app", {}) as base:
                hello = measure(base, Page("hello world (bare Flask)", "/", kind="baseline"), None)
            env = {"BENCH_DATABASE_URL": url, "PORTAL_INSTANCE": instance,
                   "BENCH_CONFIG": json.dumps(cache_config)}
            results = [hello]
            with gunicorn("tests.bench.wsgi:app", env) as base:
                cookies: dict[str, str] = {}
                for page in pages(codes):
                    cookie = None
                    if page.who:
                        cookie = cookies.get(page.who) or login(base, f"{page.who}@riverbend.example.org")
                        cookies[page.who] = cookie
                    results.append(measure(base, page, cookie))
                    print(f"  {page.label}: {results[-1].rps:.0f} req/s", flush=True)
            if SCALE and kind == "postgresql":
                SCALE_TABLES.append(scale_out(env, codes))
        shutil.rmtree(instance, ignore_errors=True)
    for r in results:
        r.ratio = r.rps / hello.rps
        r.cpu_ratio = hello.cpu_ms / r.cpu_ms if r.cpu_ms else 0.0
    return results


def _key(page: Page) -> tuple[str, str | None]:
    return page.label, page.who  # the same page, anonymous and signed in


def verdicts(results: list[Result]) -> dict[str, tuple[str, bool]]:
    """Each page's target and whether it passes."""
    plain = next((r for r in results if r.page.label == "public list"), None)
    out = {}
    for r in results:
        if r.page.kind == "anonymous":
            out[_key(r.page)] = (f"≥ {ANONYMOUS_TARGET}", r.ratio >= ANONYMOUS_TARGET)
        elif r.page.kind == "signed-in":
            out[_key(r.page)] = (f"≥ {SIGNED_IN_TARGET}", r.ratio >= SIGNED_IN_TARGET)
        elif r.page.kind == "search" and plain is not None:
            limit = plain.p95 * SEARCH_P95_FACTOR
            out[_key(r.page)] = (f"p95 ≤ {SEARCH_P95_FACTOR:.0f}× list ({limit:.1f} ms)", r.p95 <= limit)
    return out


def table(kind: str, results: list[Result]) -> str:
    marks = verdicts(results)
    lines = [f"| {kind} | req/s | p50 ms | p95 ms | bytes | × hello | target | "
             "| CPU ms/req | × hello (CPU) |",
             "|---|---:|---:|---:|---:|---:|---|---|---:|---:|"]
    for r in results:
        target, ok = marks.get(_key(r.page), ("", None))
        mark = "" if ok is None else ("pass" if ok else "FAIL")
        who = f" (signed in: {r.page.who})" if r.page.who else ""
        lines.append(f"| {r.page.label}{who} | {r.rps:,.0f} | {r.p50:.1f} | {r.p95:.1f} | {r.size:,} "
                     f"| {r.ratio:.3f} | {target} | {mark} | {r.cpu_ms:.2f} | {r.cpu_ratio:.3f} |")
    return "\n".join(lines)


def main() -> None:
    kinds = os.environ.get("BENCH_DB", "sqlite,postgresql").split(",")
    started = time.perf_counter()
    tables = []
    for kind in kinds:
        tables.append(table(kind, run(kind)))
        print("\n" + tables[-1], flush=True)  # each as soon as it is measured
    cpu = re.sub(r"\s+", " ", next((line.split(":", 1)[1] for line in
                                    Path("/proc/cpuinfo").read_text().splitlines()
                                    if line.startswith("model name")), "?")).strip()
    print(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores, {cpu}; "
          f"{REQUESTS:,} requests; {time.perf_counter() - started:.0f} s in all; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print("\n\n".join(tables))
    for scale_table, _same in SCALE_TABLES:
        print("\n" + scale_table)
    places()
    if not all(same for _table, same in SCALE_TABLES):
        sys.exit("the two instances answered differently (see the scale-out table)")


def places() -> None:
    """The point-to-area lookup with 2,000 areas, in process (tests/bench/places.py)."""
    from tests.bench.places import report

    print("\n" + report(), flush=True)


if __name__ == "__main__":
    main()
