"""Open311 and the requests map print fields of the "requests" dataset: the classification
table decides what they show. What they rightly show today is unchanged (their own tests);
here a field classed otherwise in the table disappears from them at once."""

from __future__ import annotations

import dataclasses

import pytest

from portal.core import datasets as ds


@pytest.fixture
def reclassified():
    """``reclassified(name, cls)``: the requests dataset with one field in another class, for
    the test only."""
    original = ds.get("requests")

    def change(name: str, cls: str) -> None:
        fields = tuple(dataclasses.replace(f, cls=cls) if f.name == name else f
                       for f in original.fields)
        ds.register(dataclasses.replace(original, fields=fields))

    yield change
    ds.register(original)


def test_open311_follows_the_table(client, published, reclassified):
    before = client.get("/open311/v2/requests.json").get_json()
    assert {r["description"] for r in before} == {"A deep hole in the road near the school."}
    assert {r["address_id"] for r in before} == {None}  # personal in the table
    reclassified("description", ds.PERSONAL)
    after = client.get("/open311/v2/requests.json").get_json()
    assert {r["description"] for r in after} == {None}
    assert [r["service_request_id"] for r in after] == [r["service_request_id"] for r in before]


def test_the_map_follows_the_table(client, published, reclassified):
    before = client.get("/en/requests/map.geojson").get_json()["features"]
    assert {f["properties"]["title"] for f in before} == {"Hole 0", "Hole 1", "Hole 2"}
    assert {tuple(f["geometry"]["coordinates"]) for f in before} == {(8.055, 47.04)}
    reclassified("title", ds.INTERNAL)
    after = client.get("/en/requests/map.geojson").get_json()["features"]
    assert {f["properties"]["title"] for f in after} == {None}
