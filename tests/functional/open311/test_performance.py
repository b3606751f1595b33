"""requests.json at scale: the same few queries however many requests it lists (columns, not
entities; names from one lookup per answer), bounded to 90 days and 1000 results, and read off
``ix_request_requested`` on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, text, update

from portal.core.models import utcnow
from portal.feedback.models import Request
from portal.feedback.open311 import georeport as open311
from tests.functional.open311.conftest import as_json, parse_xml

BASE = "/open311/v2"


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):  # the test's own
            self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self)


def queries(client, session, url) -> tuple[list[str], list]:
    from portal.extensions import db

    session.commit()
    with QueryCounter(db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    if ".xml" in url:
        return counter.statements, list(parse_xml(response.data))
    return counter.statements, as_json(response)


def many(city, factories, count: int, **fields):
    categories = [city.categories[c] for c in ("pothole", "streetlight", "litter")]
    areas = [city.areas["north-hill"], city.areas["old-market"]]
    return factories.feedback_requests(count, categories, areas, city.departments["roads"], **fields)


URLS = ["/requests.json", "/requests.xml?locale=zh-Hans",
        "/requests.json?status=open&service_code=pothole,litter",
        "/requests.json?start_date=2020-01-01&end_date=2030-01-01"]


def test_the_same_queries_for_5_and_300_requests(client, city, factories):
    from portal.feedback import services

    first = many(city, factories, 5)
    services.start_work(city.session, city.users["roads"], first[0], "On our list.")
    small = {url: queries(client, city.session, BASE + url) for url in URLS}
    assert all(small[url][0] for url in URLS)
    more = many(city, factories, 295)
    services.start_work(city.session, city.users["roads"], more[-1], "Crew on the way.")
    for url in URLS:
        statements, data = queries(client, city.session, BASE + url)
        assert len(statements) == len(small[url][0]), (url, small[url][0], statements)
        assert len(data) > len(small[url][1])
        assert len(statements) <= 6, statements  # request rows, names (2), notes, photos (+ codes)
        assert not any("count(" in s.lower() for s in statements)
        # no entity loading: the request rows are one select of the printed columns
        rows = [s for s in statements if "FROM feedback_request" in s and "feedback_attachment" not in s]
        assert len(rows) == 1 and "contact_email" not in rows[0] and "answers" not in rows[0], rows


def test_the_default_window_and_the_cap(client, city, factories, monkeypatch):
    items = many(city, factories, 30)
    old = items[:10]
    city.session.execute(update(Request).where(Request.id.in_([r.id for r in old])).values(
        created_at=utcnow() - timedelta(days=91)))
    city.session.commit()
    listed = as_json(client.get(f"{BASE}/requests.json"))
    assert {r["service_request_id"] for r in listed} == {r.tracking_code for r in items[10:]}
    monkeypatch.setattr(open311, "MAX_RESULTS", 7)
    capped = as_json(client.get(f"{BASE}/requests.json"))
    assert len(capped) == 7
    newest = sorted(items[10:], key=lambda r: (r.created_at, r.id), reverse=True)[:7]
    assert [r["service_request_id"] for r in capped] == [r.tracking_code for r in newest]


def test_discovery_says_the_window_and_the_cap():
    assert timedelta(days=90) == open311.DEFAULT_SPAN and open311.MAX_RESULTS == 1000


def plan(session, stmt) -> str:
    connection = session.connection()
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    if connection.dialect.name == "sqlite":
        return "\n".join(row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    return "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {compiled}")))


@pytest.mark.parametrize("args", [{}, {"status": "open"}, {"status": "closed"},
                                  {"service_code": "pothole"},
                                  {"start_date": "2026-01-01", "end_date": "2026-03-01"}])
def test_explain_reads_the_index(city, factories, args):
    items = many(city, factories, 400)
    # most requests older than the default window, as on a portal running for a few years
    city.session.execute(update(Request), [
        {"id": r.id, "created_at": utcnow() - timedelta(days=(n * 7) % 1500)} for n, r in enumerate(items)])
    city.session.commit()
    if city.session.get_bind().dialect.name == "postgresql":
        city.session.execute(text("ANALYZE feedback_request"))
    query = open311.parse_request_query(city.session, args)
    explained = plan(city.session, open311.request_statement(query))
    assert "ix_request_requested" in explained, explained
    assert "TEMP B-TREE" not in explained, explained  # SQLite reads it in order, no sort
    # (PostgreSQL, knowing how few rows the window holds here, may fetch them through the
    # index as a bitmap and sort those few: its choice, from its statistics.)
