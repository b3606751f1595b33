"""Importing area boundaries: upload, preview, confirm; every error in every locale, nothing
imported on error, history kept, administrators only, CSRF, and the CLI."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from portal.core.i18n import LOCALES
from portal.core.models import AuditEvent
from portal.responsibility import geometry
from portal.responsibility.models import AreaBoundary, BoundaryUpload
from tests.functional.support import page

PREFIX = "/en/admin/responsibility"
LOCALE_CODES = [loc.code for loc in LOCALES]


def square(x0, y0, x1, y1):
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature(code, geom, prop="code"):
    return {"type": "Feature", "properties": {prop: code}, "geometry": geom}


def collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


@pytest.fixture
def town(factories, db_session):
    """A town (8.00–8.04 E, 47.00–47.02 N) with a boundary in force, two districts without
    one, and a community in the west district."""
    class Town:
        city = factories.area("b-town", en="Brook Town")
        west = factories.area("b-west", parent=city, en="West Ward")
        east = factories.area("b-east", parent=city, en="East Ward")
        mill = factories.area("b-mill", parent=west, en="Mill Lane")
    Town.mill.level = "community"
    geometry.set_boundary(db_session, Town.city, square(8.00, 47.00, 8.04, 47.02), source="first.geojson")
    db_session.commit()
    return Town


@pytest.fixture
def admin(factories, login, town):
    return login(factories.admin())


GOOD = (feature("b-town", square(8.00, 47.00, 8.04, 47.02)),  # unchanged
        feature("b-west", square(8.00, 47.00, 8.02, 47.02)),
        feature("b-east", square(8.02, 47.00, 8.04, 47.02)),  # shares a border with west
        feature("b-mill", square(8.005, 47.005, 8.015, 47.015)),
        feature("nowhere", square(9, 9, 9.1, 9.1)))


def upload(client, data: bytes, prop="code", name="wards.geojson", locale="en"):
    """Post the file, the body encoded in memory (the test client would spool a large one to
    a temporary file it leaves to the garbage collector)."""
    from io import BytesIO

    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"file": FileStorage(BytesIO(data), name),
                                       "code_property": prop})
    return client.post(f"/{locale}/admin/responsibility/boundaries", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def preview(client, data: bytes, **kw):
    response = upload(client, data, **kw)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"])


def boundary_count(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(AreaBoundary))


# --- the happy path ---------------------------------------------------------------------------

def test_the_pages_are_linked_from_the_administration(client, admin, town):
    assert "/en/admin/responsibility/boundaries" in client.get(f"{PREFIX}/").get_data(as_text=True)
    assert "/en/admin/responsibility/boundaries" in client.get(f"{PREFIX}/areas").get_data(as_text=True)
    response = client.get(f"{PREFIX}/boundaries")
    assert response.status_code == 200
    doc = page(response)
    form = doc.one("form", action="/en/admin/responsibility/boundaries")
    assert form.get("enctype") == "multipart/form-data"
    assert doc.by_id("file").get("type") == "file" and doc.by_id("code_property").get("value") == "code"
    assert "5 MB" in doc.by_id("file-hint").text


def test_preview_then_confirm_imports_in_one_go_and_keeps_history(client, admin, town, db_session):
    doc = page(preview(client, collection(*GOOD)))
    rows = {r.get("data-code"): r.get("data-status") for r in doc.by_id("boundary-changes").find_all("tr")
            if r.get("data-code")}
    assert rows == {"b-town": "unchanged", "b-west": "new", "b-east": "new", "b-mill": "new"}
    assert "nowhere" in doc.by_id("unknown-codes").parent.text
    assert doc.by_id("boundary-errors") is None
    confirm = doc.one("form", action="/en/admin/responsibility/boundaries/confirm")
    token = confirm.one("input", name="upload").get("value")
    assert boundary_count(db_session) == 1  # nothing imported by the preview

    response = client.post(f"{PREFIX}/boundaries/confirm", data={"upload": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/areas")
    db_session.expire_all()
    assert set(geometry.current_boundaries(db_session)) == {town.city.id, town.west.id, town.east.id,
                                                            town.mill.id}
    assert boundary_count(db_session) == 4  # the unchanged town kept its row
    assert db_session.scalar(select(BoundaryUpload)) is None  # forgotten once imported
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "area.boundaries_imported"))
    assert event.details["new"] == ["b-west", "b-east", "b-mill"] and event.details["unknown"] == ["nowhere"]
    assert geometry.area_at(db_session, 47.01, 8.01).code == "b-mill"
    # The same token again: already imported.
    again = client.post(f"{PREFIX}/boundaries/confirm", data={"upload": token})
    assert again.status_code == 303 and again.headers["Location"].endswith("/boundaries")

    # A second file moves the west ward's community: changed, with the change of surface.
    moved = feature("b-mill", square(8.005, 47.005, 8.010, 47.015))
    doc = page(preview(client, collection(moved)))
    row = doc.by_id("boundary-changes").one("tr", data_code="b-mill")
    assert row.get("data-status") == "changed"
    cells = [td.text for td in row.find_all("td")]
    # 0.005° × 0.01° at 47° N: 0.005 × 111.195 × cos(47°) × 0.01 × 111.195 km² ≈ 0.4216 km².
    assert cells[3] == "0.422" and cells[4] == "-0.422"
    token = doc.one("input", name="upload").get("value")
    assert client.post(f"{PREFIX}/boundaries/confirm", data={"upload": token}).status_code == 303
    history = geometry.boundary_history(db_session, town.mill)
    assert [b.effective_to is None for b in history] == [True, False]
    assert history[0].source == "wards.geojson" and history[0].created_by_id == admin.id

    # The area's page shows the history: since when, source, by whom.
    doc = page(client.get(f"{PREFIX}/areas/{town.mill.id}"))
    table = doc.by_id("boundary-history").parent.find("table")
    assert len(table.find("tbody").find_all("tr")) == 2
    assert "wards.geojson" in table.text and admin.display_name in table.text


def test_an_unchanged_file_offers_nothing_to_confirm(client, admin, town):
    doc = page(preview(client, collection(GOOD[0])))
    assert doc.find("form", action="/en/admin/responsibility/boundaries/confirm") is None


def test_another_code_property_can_be_chosen(client, admin, town):
    doc = page(preview(client, collection(feature("b-west", square(8.00, 47.00, 8.02, 47.02), "ref")),
                       prop="ref"))
    assert doc.by_id("boundary-changes").one("tr", data_code="b-west").get("data-status") == "new"


# --- errors: in every locale, beside the field or in the summary, nothing imported ----------

FEATURE_ERRORS = {
    "no code": (feature(None, square(8.0, 47.0, 8.02, 47.02)), "Feature 1 "),
    "a control character": (feature("b-\x00west", square(8.0, 47.0, 8.02, 47.02)), "Feature 1:"),
    "not a polygon": (feature("b-west", {"type": "Point", "coordinates": [8.01, 47.01]}), "West"),
    "off the Earth": (feature("b-west", square(8.0, 47.0, 200, 47.02)), "West"),
    "strings": (feature("b-west", {"type": "Polygon", "coordinates": [[["8", "47"], ["8.1", "47"],
                                                                        ["8.1", "47.1"], ["8", "47"]]]}),
                "West"),
    "self-intersection": (feature("b-west", {"type": "Polygon", "coordinates": [[
        [8.0, 47.0], [8.02, 47.02], [8.02, 47.0], [8.0, 47.02], [8.0, 47.0]]]}), "47.010000, 8.010000"),
    "empty": (feature("b-west", {"type": "Polygon", "coordinates": []}), "West"),
    "outside its district": (feature("b-west", square(8.0, 47.0, 8.05, 47.02)), "Brook"),
    "siblings overlap": (feature("b-east", square(8.01, 47.0, 8.04, 47.02)), "East"),
}


@pytest.mark.parametrize("locale", LOCALE_CODES)
@pytest.mark.parametrize("case", FEATURE_ERRORS)
def test_feature_errors_in_every_locale(client, admin, town, db_session, pseudo_catalogs, locale, case):
    bad, named = FEATURE_ERRORS[case]
    features = [GOOD[1], bad] if case == "siblings overlap" else [bad]
    before = boundary_count(db_session)
    response = preview(client, collection(*features), locale=locale)
    assert response.status_code == 200
    doc = page(response)
    summary = doc.by_id("boundary-errors")
    assert summary is not None and summary.get("role") == "alert", case
    items = summary.find_all("li")
    assert len(items) == 1, [i.text for i in items]
    assert named in items[0].text
    if locale != "en":  # the message went through the reader's catalog
        assert items[0].text.startswith(f"[{locale}]"), items[0].text
    assert doc.one("title").text.startswith(f"[{locale}] Error:" if locale != "en" else "Error:")
    assert doc.find("form", action=f"/{locale}/admin/responsibility/boundaries/confirm") is None
    assert boundary_count(db_session) == before


def test_confirming_a_file_with_errors_imports_nothing(client, admin, town, db_session):
    doc = page(preview(client, collection(GOOD[1], FEATURE_ERRORS["siblings overlap"][0])))
    assert doc.find("input", name="upload") is None
    token = db_session.scalar(select(BoundaryUpload.token))
    response = client.post(f"{PREFIX}/boundaries/confirm", data={"upload": token})
    assert response.status_code == 422
    assert page(response).by_id("boundary-errors") is not None
    assert boundary_count(db_session) == 1


def test_a_boundary_changed_since_the_preview_is_checked_again(client, admin, town, db_session):
    doc = page(preview(client, collection(GOOD[1])))
    token = doc.one("input", name="upload").get("value")
    # Meanwhile someone gives the east ward a boundary that overlaps the west one.
    geometry.set_boundary(db_session, town.east, square(8.01, 47.0, 8.04, 47.02))
    db_session.commit()
    response = client.post(f"{PREFIX}/boundaries/confirm", data={"upload": token})
    assert response.status_code == 422
    assert "East Ward" in page(response).by_id("boundary-errors").text
    assert town.west.id not in geometry.current_boundaries(db_session)


def huge_features(n: int) -> bytes:
    tiny = '{"type":"Feature","properties":{"code":"x"},"geometry":null}'
    return ('{"type":"FeatureCollection","features":[' + ",".join([tiny] * n) + "]}").encode()


FILE_ERRORS = {
    "binary junk": bytes(range(256)) * 40,
    "0 bytes": b"",
    "a 1 MB string": b'"' + b"a" * (1024 * 1024) + b'"',
    "NaN": b'{"type": "FeatureCollection", "features": [NaN]}',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "not JSON": b"type,code\nPolygon,b-west\n",
    "a Feature alone": json.dumps(GOOD[1]).encode(),
    "no features": collection(),
    "100,000 tiny features": huge_features(100_000),
    "too large": b" " * (5 * 1024 * 1024 + 1),
}


@pytest.mark.parametrize("locale", LOCALE_CODES)
@pytest.mark.parametrize("case", FILE_ERRORS)
def test_unreadable_files_are_refused_beside_the_field(client, admin, town, db_session, pseudo_catalogs,
                                                       locale, case):
    response = upload(client, FILE_ERRORS[case], prop="my-code", locale=locale)
    assert response.status_code == 422, case
    doc = page(response)
    error = doc.by_id("file-error")
    assert error is not None and doc.by_id("file").get("aria-invalid") == "true"
    assert doc.find("div", class_="error-summary").find("a", href="#file") is not None
    if locale != "en":
        assert f"[{locale}]" in error.text
    assert doc.by_id("code_property").get("value") == "my-code"  # what was typed stays
    assert db_session.scalar(select(BoundaryUpload)) is None


def test_no_file_and_an_empty_property_are_refused(client, admin, town):
    response = client.post(f"{PREFIX}/boundaries", data={"code_property": ""})
    assert response.status_code == 422
    doc = page(response)
    assert doc.by_id("file-error") and doc.by_id("code_property-error")


def test_a_request_past_the_servers_limit_is_refused_not_failed(client, admin, town, app, monkeypatch):
    from io import BytesIO

    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post(f"{PREFIX}/boundaries", content_type="multipart/form-data",
                           data={"file": (BytesIO(b" " * 5000), "big.geojson"), "code_property": "code"})
    assert response.status_code == 413
    assert page(response).by_id("file-error") is not None


# --- who may, and CSRF --------------------------------------------------------------------------

ENDPOINTS = [("get", "/boundaries"), ("post", "/boundaries"), ("get", "/boundaries/preview?upload=x"),
             ("post", "/boundaries/confirm")]


@pytest.mark.parametrize("role", ["resident", "staff", "moderator"])
def test_only_administrators(client, factories, login, town, db_session, role):
    login(factories.user(roles=() if role == "resident" else (role,)))
    for method, path in ENDPOINTS:
        assert getattr(client, method)(PREFIX + path).status_code == 403, path


def test_visitors_are_sent_to_log_in(client, town):
    for method, path in ENDPOINTS:
        response = getattr(client, method)(PREFIX + path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_every_post_needs_the_csrf_token(client, admin, town, app, db_session, monkeypatch):
    from tests.conftest import csrf_token_from

    doc = page(preview(client, collection(GOOD[1])))
    token = doc.one("input", name="upload").get("value")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert upload(client, collection(GOOD[1])).status_code == 400
    assert client.post(f"{PREFIX}/boundaries/confirm", data={"upload": token}).status_code == 400
    assert town.west.id not in geometry.current_boundaries(db_session)
    html = client.get(f"{PREFIX}/boundaries/preview?upload={token}").get_data(as_text=True)
    csrf = csrf_token_from(html)
    response = client.post(f"{PREFIX}/boundaries/confirm", data={"upload": token, "csrf_token": csrf})
    assert response.status_code == 303 and response.headers["Location"].endswith("/areas")
    db_session.expire_all()
    assert town.west.id in geometry.current_boundaries(db_session)


def test_an_expired_upload_cannot_be_confirmed(client, admin, town, db_session):
    from datetime import timedelta

    doc = page(preview(client, collection(GOOD[1])))
    token = doc.one("input", name="upload").get("value")
    row = db_session.scalar(select(BoundaryUpload))
    row.created_at -= timedelta(hours=25)
    db_session.commit()
    response = client.post(f"{PREFIX}/boundaries/confirm", data={"upload": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/boundaries")
    assert client.get(f"{PREFIX}/boundaries/preview?upload={token}").status_code == 303
    assert town.west.id not in geometry.current_boundaries(db_session)


# --- the CLI ------------------------------------------------------------------------------------

def test_the_cli_imports_checks_and_dry_runs(app, town, db_session, tmp_path):
    good = tmp_path / "wards.geojson"
    good.write_bytes(collection(*GOOD[1:]))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["areas", "import-boundaries", str(good), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "new       b-west" in result.output and "Dry run" in result.output
    assert boundary_count(db_session) == 1

    bad = tmp_path / "bad.geojson"
    bad.write_bytes(collection(GOOD[1], FEATURE_ERRORS["siblings overlap"][0]))
    result = runner.invoke(args=["areas", "import-boundaries", str(bad)])
    assert result.exit_code == 1 and "overlap" in result.output
    assert boundary_count(db_session) == 1

    junk = tmp_path / "junk.geojson"
    junk.write_bytes(b"\xff\xfe junk")
    result = runner.invoke(args=["areas", "import-boundaries", str(junk)])
    assert result.exit_code == 1 and "UTF-8" in result.output

    ref = tmp_path / "ref.geojson"
    ref.write_bytes(collection(feature("b-west", square(8.00, 47.00, 8.02, 47.02), "ref")))
    result = runner.invoke(args=["areas", "import-boundaries", str(ref), "--property", "ref"])
    assert result.exit_code == 0, result.output
    assert "Imported: 1 new" in result.output
    db_session.expire_all()
    assert geometry.boundary_history(db_session, town.west)[0].source == "ref.geojson"
