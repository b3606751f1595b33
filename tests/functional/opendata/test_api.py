"""The read-only JSON API at /api/v1/: the envelope, paging and its bounds, errors as JSON
(400 for every bad parameter, never a 500), locales, ETag and 304, CORS, the rate limit,
masking (public fields only, whoever reads) and query counts that do not grow with a page."""

from __future__ import annotations

import json

import pytest

from portal.core import datasets as ds
from tests.functional.open311.conftest import raise_request
from tests.functional.opendata.conftest import (
    EXACT_ADDRESS,
    VISITOR_EMAIL,
    VISITOR_NAME,
    VISITOR_PHONE,
    client_for,
)

API = "/api/v1"
API_DATASETS = ["departments", "areas", "responsibility", "requests", "metrics", "halls", "proposals",
                "disclosure-requests", "hotspots", "publications"]


def get_json(client, url, status=200, **kw):
    response = client.get(url, **kw)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return response.get_json()


def test_the_list_here_is_every_dataset_of_the_api(app):
    assert sorted(API_DATASETS) == sorted(d.key for d in ds.all_datasets() if d.api)


@pytest.mark.parametrize("key", API_DATASETS)
def test_every_dataset_answers_the_envelope_with_public_fields_only(client, published, key):
    body = get_json(client, f"{API}/{key}")
    data = ds.get(key)
    public = [f.name for f in data.fields if f.cls == ds.PUBLIC]
    assert body["meta"]["dataset"] == key and body["meta"]["locale"] == "en"
    assert body["links"]["self"].startswith("http://localhost/api/v1/")
    assert body["data"], key
    for row in body["data"]:
        assert set(row) == set(public)


def test_requests_never_carry_personal_data(app, published, factories):
    for who in (None, factories.user(roles=["staff"]), factories.admin()):
        text = client_for(app, who).get(f"{API}/requests?limit=100").get_data(as_text=True)
        for secret in (VISITOR_NAME, VISITOR_EMAIL, VISITOR_PHONE, EXACT_ADDRESS, "47.040123",
                       published.users["resident"].email):
            assert secret not in text
        rows = json.loads(text)["data"]
        assert {r["lat"] for r in rows} == {47.04} and {r["long"] for r in rows} == {8.055}
        assert {r["address"] for r in rows} == {"### Hillside Road"}
        assert "priority" not in rows[0]  # internal: not in the API, even for staff


def test_paging_by_cursor_walks_every_row_once(client, published):
    seen, url = [], f"{API}/requests?limit=2"
    while url:
        body = get_json(client, url.replace("http://localhost", ""))
        assert body["meta"]["count"] <= 2
        seen += [r["id"] for r in body["data"]]
        url = body["links"]["next"]
    assert seen == sorted(r.id for r in published.requests)


@pytest.mark.parametrize("query", [
    "limit=0", "limit=-1", "limit=101", "limit=abc", "limit=1e3", "limit=" + "9" * 30,
    "cursor=-5", "cursor=" + "9" * 40, "cursor=1.5", "limit=\x01", "colour=red", "limit=2&limit=3",
    "locale=xx-nope", "%01=1", "x" * 60 + "=1", "limit=\u0663",
])
def test_bad_parameters_are_400_json_naming_them(client, published, query):
    body = get_json(client, f"{API}/requests?{query}", status=400)
    assert body["error"]["status"] == 400 and body["error"]["parameters"]


def test_metrics_take_a_dimension(client, published):
    body = get_json(client, f"{API}/metrics?dimension=area")
    assert body["data"][0]["dimension"] == "total" and body["data"][0]["requests"] == 3
    assert {r["dimension"] for r in body["data"][1:]} == {"area"}
    assert {r["key"] for r in body["data"][1:]} == {"north-hill"}
    assert get_json(client, f"{API}/metrics?dimension=colour", 400)["error"]["parameters"]["dimension"]


def test_names_in_the_locale_asked(client, published):
    en = get_json(client, f"{API}/departments")["data"]
    zh = get_json(client, f"{API}/departments?locale=zh-Hans")["data"]
    assert [d["code"] for d in en] == [d["code"] for d in zh]
    assert [d["name"] for d in en] != [d["name"] for d in zh]


def test_unknown_resources_and_methods_answer_json(client, published):
    assert get_json(client, f"{API}/nothing-here", 404)["error"]["status"] == 404
    response = client.post(f"{API}/requests")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405


def test_etag_and_conditional_get(client, published):
    first = client.get(f"{API}/departments")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get(f"{API}/departments", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_cors_for_reading_only(client, published):
    response = client.get(f"{API}/halls")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_rate_limit_answers_429_json_with_retry_after(make_app, published):
    app = make_app(RATELIMIT_ENABLED=True, OPENDATA_RATE_LIMIT="3 per minute")
    client = app.test_client()
    here = {"environ_base": {"REMOTE_ADDR": "10.9.8.7"}}
    for _ in range(3):
        assert client.get(f"{API}/departments", **here).status_code == 200
    assert client.get(f"{API}/departments", environ_base={"REMOTE_ADDR": "10.9.8.6"}).status_code == 200
    response = client.get(f"{API}/departments", **here)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["error"]["status"] == 429


@pytest.mark.parametrize("key", API_DATASETS)
def test_queries_do_not_grow_with_the_page(client, published, count_queries, key):
    for n in range(3, 8):
        raise_request(published, title=f"More {n}")
    published.session.commit()
    counts = []
    for limit in (2, 7):
        with count_queries() as counted:
            get_json(client, f"{API}/{key}?limit={limit}")
        counts.append(len(counted))
    assert counts[0] == counts[1]


def test_publications_list_the_published_and_withdrawn_never_a_draft(client, published):
    rows = get_json(client, f"{API}/publications?locale=ar&limit=100")["data"]
    rows = [r for r in rows if r["document_number"] in ("RB-0", "RB-1", "RB-2")]  # not the demo's
    assert [(r["document_number"], r["state"], r["title"]) for r in rows] == [
        ("RB-0", "published", "الميزانية 0"), ("RB-1", "withdrawn", "الميزانية 1")]
    assert rows[0]["link"] == f"http://localhost/ar/publications/{rows[0]['id']}"
    assert "created_by_id" not in rows[0]
