"""The OpenAPI 3.1 document at /api/v1/openapi.json: valid by the specification, built from
the classification table, its servers on PORTAL_BASE_URL, and every real answer of every
endpoint (with demo-like data) valid against the schema the document gives it."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource

from portal.core import datasets as ds
from tests.functional.opendata.test_api import API, API_DATASETS


@pytest.fixture
def spec(client, published):
    response = client.get(f"{API}/openapi.json", headers={"Host": "evil.example"})
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_servers_come_from_the_base_url_never_the_host_header(spec):
    assert spec["servers"] == [{"url": "http://localhost/api/v1"}]
    assert "evil.example" not in str(spec)


def test_every_dataset_has_a_path_and_its_public_fields(spec):
    for key in API_DATASETS:
        assert f"/{key}" in spec["paths"]
        name = "".join(p.capitalize() for p in key.split("-"))
        data = ds.get(key)
        properties = spec["components"]["schemas"][name]["properties"]
        assert set(properties) == {f.name for f in data.fields if f.cls == ds.PUBLIC}


def _validator(spec, path: str, status: str, mimetype="application/json"):
    schema = spec["paths"][path]["get"]["responses"][status]
    if "$ref" in schema:
        schema = spec["components"]["responses"][schema["$ref"].rsplit("/", 1)[1]]
    schema = schema["content"][mimetype]["schema"]
    registry = Registry().with_resource("urn:spec", Resource.from_contents(
        {**spec, "$schema": "https://json-schema.org/draft/2020-12/schema"}))
    wrapped = {"$schema": "https://json-schema.org/draft/2020-12/schema", **_rebase(schema)}
    return Draft202012Validator(wrapped, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _rebase(node):
    if isinstance(node, dict):
        return {k: ("urn:spec" + v if k == "$ref" and v.startswith("#") else _rebase(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


@pytest.mark.parametrize("query", ["", "?limit=1", "?locale=ar", "?limit=100&locale=bo"])
def test_every_answer_matches_its_schema(client, spec, published, query):
    for key in API_DATASETS:
        response = client.get(f"{API}/{key}{query}")
        assert response.status_code == 200
        _validator(spec, f"/{key}", "200").validate(response.get_json())
    metrics = _validator(spec, "/metrics", "200")
    for dimension in ("department", "category", "area", "month"):
        metrics.validate(client.get(f"{API}/metrics?dimension={dimension}").get_json())


def test_errors_match_the_error_schema(client, spec, published):
    bad = _validator(spec, "/requests", "400")
    for query in ("limit=0", "cursor=-1", "nope=1", "locale=\x07"):
        response = client.get(f"{API}/requests?{query}")
        assert response.status_code == 400
        bad.validate(response.get_json())


def test_the_boundaries_are_described_too(client, spec, published):
    collection = client.get(f"{API}/areas.geojson")
    _validator(spec, "/areas.geojson", "200", "application/geo+json").validate(collection.get_json())
    point = client.get(f"{API}/areas/at.json?lat=47.04&long=8.05")
    _validator(spec, "/areas/at.json", "200").validate(point.get_json())


def test_the_schemas_refuse_a_personal_field(client, spec, published):
    """The check has teeth: an answer carrying one more field fails."""
    from jsonschema import ValidationError

    body = client.get(f"{API}/requests").get_json()
    body["data"][0]["contact_email"] = "someone@example.org"
    with pytest.raises(ValidationError):
        _validator(spec, "/requests", "200").validate(body)
