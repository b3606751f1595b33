"""The open-data pages and downloads: the list, the data dictionary generated from the
classification table, a dataset's page masked by the reader's role, and the CSV and JSON
downloads (personal data never in them; bounded, paged, cached, compressed, formula-safe)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask_babel import lazy_gettext as _l

from portal.core import datasets as ds
from tests.functional.open311.conftest import raise_request
from tests.functional.opendata.conftest import (
    EXACT_ADDRESS,
    VISITOR_EMAIL,
    VISITOR_NAME,
    VISITOR_PHONE,
    client_for,
)
from tests.functional.support import page

SECRETS = (VISITOR_NAME, VISITOR_EMAIL, VISITOR_PHONE, EXACT_ADDRESS, "47.040123")


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_open_data_page_lists_every_dataset_with_its_downloads(client, published, locale):
    response = client.get(f"/{locale}/open-data")
    assert response.status_code == 200
    html = page(response)
    hrefs = {a.get("href") for a in html.find_all("a")}
    for data in ds.all_datasets():
        assert f"/{locale}/open-data/{data.key}.csv" in hrefs
        assert f"/{locale}/open-data/{data.key}.json" in hrefs
    assert "/api/v1/openapi.json" in hrefs and f"/{locale}/open-data/dictionary" in hrefs


def test_the_footer_links_to_open_data(client, published):
    assert 'href="/en/open-data"' in client.get("/en/departments").get_data(as_text=True)


def test_the_dictionary_is_generated_from_the_table(client, published):
    """A field added to the table appears on the page at once: it cannot drift."""
    data = ds.get("departments")
    extra = ds.Field("opening_hours", ds.INTERNAL, "string", _l("When its desk is open."))
    ds.register(ds.Dataset(**{**data.__dict__, "fields": (*data.fields, extra)}))
    try:
        html = page(client.get("/en/open-data/dictionary"))
        row = html.by_id("field-departments-opening_hours")
        assert row is not None
        assert "Internal" in row.text and "When its desk is open." in row.text
    finally:
        ds.register(data)
    for data in ds.all_datasets():
        for field in data.fields:
            assert html.by_id(f"field-{data.key}-{field.name}") is not None


@pytest.mark.parametrize("key", ["requests", "proposals", "metrics", "disclosure-requests", "halls"])
def test_downloads_never_carry_personal_data(app, published, factories, key):
    for who in (None, factories.user(roles=["staff"]), factories.admin()):
        client = client_for(app, who)
        for fmt in ("csv", "json"):
            response = client.get(f"/en/open-data/{key}.{fmt}")
            assert response.status_code == 200
            text = response.get_data(as_text=True)
            for secret in (*SECRETS, *(u.email for u in published.users.values()
                                       if not u.email.startswith(("roads@", "water@", "oldtown@"))),
                           *(u.display_name for u in published.users.values())):
                assert secret not in text, (key, fmt, who)


def test_the_requests_csv_masks_by_role(app, published, factories):
    anonymous = read_csv(client_for(app).get("/en/open-data/requests.csv"))
    staff = read_csv(client_for(app, factories.user(roles=["staff"])).get("/en/open-data/requests.csv"))
    data = ds.get("requests")
    assert list(anonymous[0]) == [f.name for f in data.fields if f.cls == ds.PUBLIC]
    assert list(staff[0]) == [f.name for f in data.fields if f.cls in (ds.PUBLIC, ds.INTERNAL)]
    assert {r["lat"] for r in anonymous} == {"47.04"}
    assert {r["address"] for r in anonymous} == {"### Hillside Road"}


def test_a_dataset_page_masks_by_role(app, published, factories):
    def headers(client):
        html = page(client.get("/en/open-data/requests"))
        return [th.text.strip() for th in html.one("thead").find_all("th")]

    anonymous = headers(client_for(app))
    staff = headers(client_for(app, factories.user(roles=["staff"])))
    assert "priority" not in anonymous and "priority" in staff
    for shown in (anonymous, staff):
        assert "contact_email" not in shown and "latitude" not in shown
    assert "title" in anonymous
    staff_client = client_for(app, factories.user(roles=["staff"]))
    text = staff_client.get("/en/open-data/requests").get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in text


def test_the_csv_is_formula_safe(client, published):
    raise_request(published, title="=HYPERLINK(\"http://evil.example\")")
    published.session.commit()
    rows = read_csv(client.get("/en/open-data/requests.csv"))
    assert rows[-1]["title"].startswith("'=")


def test_downloads_are_bounded_and_paged_by_cursor(make_app, published):
    app = make_app(OPENDATA_EXPORT_ROWS=2)
    client = app.test_client()
    first = client.get("/en/open-data/requests.csv")
    assert len(read_csv(first)) == 2
    link = first.headers["Link"]
    assert link.startswith("</en/open-data/requests.csv?cursor=") and link.endswith('>; rel="next"')
    second = client.get(link[1:link.index(">")])
    assert len(read_csv(second)) == 1 and "Link" not in second.headers
    body = client.get("/en/open-data/requests.json").get_json()
    assert body["meta"]["count"] == 2 and body["links"]["next"].startswith("http://localhost/en/open-data/")


def test_downloads_are_cached_compressed_and_conditional(client, published):
    first = client.get("/en/open-data/requests.json", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert first.headers["Content-Disposition"] == 'attachment; filename="requests.json"'
    again = client.get("/en/open-data/requests.json", headers={
        "Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_names_in_downloads_follow_the_page_language(client, published):
    en = json.loads(client.get("/en/open-data/departments.json").get_data())["data"]
    zh = json.loads(client.get("/zh-Hans/open-data/departments.json").get_data())["data"]
    assert [d["name"] for d in en] != [d["name"] for d in zh]


@pytest.mark.parametrize("query", ["limit=0", "cursor=-1", "colour=red", "cursor=\x01"])
def test_bad_download_parameters_are_400(client, published, query):
    response = client.get(f"/en/open-data/requests.csv?{query}")
    assert response.status_code == 400 and response.get_json()["error"]["parameters"]


def test_an_unknown_dataset_is_404(client, published):
    assert client.get("/en/open-data/nothing").status_code == 404
    assert client.get("/en/open-data/nothing.csv").status_code == 404


def test_a_dataset_page_pages_and_never_fails_on_its_cursor(client, published):
    for cursor in ("", "abc", "-1", "9" * 40, "\x00"):
        assert client.get(f"/en/open-data/requests?cursor={cursor}").status_code == 200
