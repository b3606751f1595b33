"""With snapshots on, the metrics page never computes the figures itself: before the first
snapshot it says they are being prepared and queues the refresh task, once."""

from __future__ import annotations

import pytest

from portal.feedback import metrics
from portal.feedback.web import metrics as metrics_page
from tests.functional.support import page


@pytest.fixture
def snapshots(make_app, db_session, monkeypatch):
    from portal.feedback import tasks

    app = make_app(METRICS_SNAPSHOTS=True, CELERY_DISPATCH=True)  # first: its Celery is current
    queued = []
    monkeypatch.setattr(tasks.refresh_metrics, "delay", lambda *a, **k: queued.append(a))
    monkeypatch.setattr(metrics_page, "_queued_at", [])
    return app, queued


def _no_computing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the page computed the figures")

    monkeypatch.setattr(metrics, "compute_all", refuse)


def test_no_snapshot_yet_the_page_says_so_and_queues_the_task(snapshots, monkeypatch):
    app, queued = snapshots
    _no_computing(monkeypatch)
    client = app.test_client()
    response = client.get("/en/requests/metrics?by=area")
    assert response.status_code == 200
    doc = page(response)
    assert "The figures are being prepared." in doc.by_id("metrics-table").text
    assert doc.by_id("metrics-table").find("a").get("href") == "/en/requests/metrics?by=area"
    assert queued == [()]
    # a burst of readers queues one computation, not one each; htmx gets the fragment
    fragment = client.get("/en/requests/metrics?by=month", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.get_data(as_text=True).lstrip().startswith(("{#", "<div id=\"metrics-table\""))
    assert "<html" not in fragment.get_data(as_text=True)
    assert queued == [()]


def test_a_broker_outage_still_renders_the_page(snapshots, monkeypatch):
    app, _queued = snapshots
    from portal.feedback import tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.refresh_metrics, "delay", down)
    response = app.test_client().get("/en/requests/metrics")
    assert response.status_code == 200


def test_once_the_task_has_run_the_page_reads_the_snapshot(snapshots, db_session, monkeypatch):
    app, queued = snapshots
    with app.test_request_context():
        metrics.refresh(db_session)
    _no_computing(monkeypatch)
    response = app.test_client().get("/en/requests/metrics")
    assert response.status_code == 200
    doc = page(response)
    assert doc.one("dl", class_="metrics") is not None
    assert queued == []
