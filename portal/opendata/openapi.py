"""The OpenAPI 3.1 document of /api/v1/, built from the code: one path per registered dataset
with its parameters (``services``' bounds) and the schema of its rows from the classification
table (public fields only, as the API answers), so the document cannot drift from the answers.
The published boundaries (``portal.responsibility.api``) are described too. ``servers`` is
``PORTAL_BASE_URL``, never the request's Host."""

from __future__ import annotations

from portal.core import datasets as ds
from portal.core.i18n import BY_CODE
from portal.core.urls import base_url
from portal.opendata import services

ERROR = {"$ref": "#/components/responses/Error"}


def _parameters(data: ds.Dataset) -> list[dict]:
    out = [
        {"name": "limit", "in": "query", "required": False,
         "description": f"Rows per page, 1 to {services.API_MAX_LIMIT}.",
         "schema": {"type": "integer", "minimum": 1, "maximum": services.API_MAX_LIMIT,
                    "default": services.API_DEFAULT_LIMIT}},
        {"name": "cursor", "in": "query", "required": False,
         "description": "The meta.next_cursor of the page before.",
         "schema": {"type": "integer", "minimum": 0, "maximum": services.MAX_CURSOR}},
        {"$ref": "#/components/parameters/locale"},
    ]
    for spec in data.filters:
        out.append({"name": spec.name, "in": "query", "required": False,
                    "description": str(spec.description),
                    "schema": {"type": "string", "enum": list(spec.choices), "default": spec.default}})
    return out


def _schema_name(key: str) -> str:
    return "".join(part.capitalize() for part in key.replace("-", "_").split("_"))


def _envelope(name: str) -> dict:
    nullable_int = {"type": ["integer", "null"]}
    return {
        "type": "object", "required": ["data", "meta", "links"], "additionalProperties": False,
        "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "meta": {"type": "object", "additionalProperties": False,
                     "required": ["dataset", "locale", "limit", "cursor", "next_cursor", "count"],
                     "properties": {
                         "dataset": {"type": "string"}, "locale": {"type": "string"},
                         "limit": {"type": "integer"}, "cursor": nullable_int,
                         "next_cursor": nullable_int, "count": {"type": "integer"},
                         "filters": {"type": "object", "additionalProperties": {"type": "string"}}}},
            "links": {"type": "object", "additionalProperties": False,
                      "required": ["self", "next", "dictionary", "openapi"],
                      "properties": {"self": {"type": "string", "format": "uri"},
                                     "next": {"type": ["string", "null"], "format": "uri"},
                                     "dictionary": {"type": "string", "format": "uri"},
                                     "openapi": {"type": "string", "format": "uri"}}},
        },
    }


def _geojson_paths() -> dict:
    feature = {"$ref": "#/components/schemas/AreaFeature"}
    geo = "application/geo+json"
    return {
        "/areas.geojson": {"get": {
            "operationId": "areaBoundaries", "summary": "Every area's boundary in force.",
            "parameters": [{"$ref": "#/components/parameters/locale"}],
            "responses": {"200": {"description": "A FeatureCollection.", "content": {geo: {"schema": {
                "type": "object", "required": ["type", "features"],
                "properties": {"type": {"const": "FeatureCollection"},
                               "features": {"type": "array", "items": feature}}}}}},
                "304": {"description": "Not modified."}, "429": ERROR}}},
        "/areas/{code}.geojson": {"get": {
            "operationId": "areaBoundary", "summary": "One area's boundary in force.",
            "parameters": [{"name": "code", "in": "path", "required": True,
                            "schema": {"type": "string", "maxLength": 32}},
                           {"$ref": "#/components/parameters/locale"}],
            "responses": {"200": {"description": "A Feature.", "content": {geo: {"schema": feature}}},
                          "304": {"description": "Not modified."},
                          "404": {"description": "No such area, or no boundary.",
                                  "content": {geo: {"schema": {"type": "object"}}}},
                          "429": ERROR}}},
        "/areas/at.json": {"get": {
            "operationId": "areaAt", "summary": "The area that takes a point.",
            "parameters": [{"name": n, "in": "query", "required": True,
                            "schema": {"type": "number"}} for n in ("lat", "long")]
            + [{"$ref": "#/components/parameters/locale"}],
            "responses": {"200": {"description": "The area, or null outside the city.",
                                  "content": {"application/json": {"schema": {
                                      "type": "object", "required": ["area"],
                                      "properties": {"area": {"type": ["object", "null"]},
                                                     "message": {"type": "string"}}}}}},
                          "400": {"description": "Bad coordinates.", "content": {"application/json": {
                              "schema": {"type": "object", "required": ["errors"]}}}},
                          "429": ERROR}}},
    }


def document() -> dict:
    paths: dict = {}
    schemas: dict = {
        "Error": {"type": "object", "required": ["error"], "additionalProperties": False,
                  "properties": {"error": {
                      "type": "object", "required": ["status", "title", "message"],
                      "additionalProperties": False,
                      "properties": {"status": {"type": "integer"}, "title": {"type": "string"},
                                     "message": {"type": "string"},
                                     "parameters": {"type": "object", "additionalProperties": {
                                         "type": "array", "items": {"type": "string"}}}}}}},
        "AreaFeature": {"type": "object", "required": ["type", "geometry", "properties"],
                        "properties": {"type": {"const": "Feature"}, "id": {"type": "string"},
                                       "geometry": {"type": "object"},
                                       "properties": {"type": "object"}}},
    }
    for data in ds.all_datasets():
        if not data.api:
            continue
        name = _schema_name(data.key)
        schema = ds.json_schema(data)
        schema["description"] = str(data.description)
        schemas[name] = schema
        schemas[f"{name}Page"] = _envelope(name)
        paths[f"/{data.key}"] = {"get": {
            "operationId": f"list{name}", "summary": str(data.title),
            "description": str(data.description),
            "parameters": _parameters(data),
            "responses": {
                "200": {"description": "One page of rows.", "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{name}Page"}}}},
                "304": {"description": "Not modified (a conditional GET with the ETag)."},
                "400": ERROR, "429": ERROR}}}
    paths.update(_geojson_paths())
    paths["/openapi.json"] = {"get": {
        "operationId": "openapi", "summary": "This document.",
        "responses": {"200": {"description": "The OpenAPI 3.1 document.",
                              "content": {"application/json": {"schema": {"type": "object"}}}},
                      "429": ERROR}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Citizen participation portal: open data API", "version": "1",
                 "description": "Read-only, anonymous, public fields only (see the data "
                                "dictionary). Paging by limit and cursor; errors as JSON."},
        "servers": [{"url": base_url() + "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {"locale": {
                "name": "locale", "in": "query", "required": False,
                "description": "The language of translatable names.",
                "schema": {"type": "string", "enum": list(BY_CODE), "default": "en"}}},
            "responses": {"Error": {"description": "An error.", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
        },
    }
