"""Open311 rate limits (the portal's Flask-Limiter, switched on here): per client address and
per api_key, writing stricter than reading; the 429 is the specification's error list, in the
format of the URL's suffix, with Retry-After."""

from __future__ import annotations

import pytest
from limits import parse_many

from portal.config import Config
from tests.functional.open311.conftest import as_json, errors_of, issue_key

BASE = "/open311/v2"
LIMITS = {"OPEN311_RATE_LIMIT": "4 per minute", "OPEN311_POST_RATE_LIMIT": "2 per minute",
          "OPEN311_KEY_RATE_LIMIT": "6 per minute", "OPEN311_KEY_POST_RATE_LIMIT": "3 per minute"}


@pytest.fixture
def limited(make_app, city):
    return make_app(RATELIMIT_ENABLED=True, **LIMITS)


def address(n: int) -> dict:
    return {"environ_base": {"REMOTE_ADDR": f"10.0.0.{n}"}}


def assert_too_many(response, fmt: str):
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.content_type.startswith("application/json" if fmt == "json" else "text/xml")
    ((code, description),) = errors_of(response)
    assert code == 429 and "Retry-After" in description


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_client_reading_too_often_gets_429_in_the_format_asked(limited, fmt):
    client = limited.test_client()
    for n in range(4):
        assert client.get(f"{BASE}/services.{fmt}", **address(1)).status_code == 200, n
    assert_too_many(client.get(f"{BASE}/services.{fmt}", **address(1)), fmt)
    # every resource shares the client's limit; another client has its own
    assert_too_many(client.get(f"{BASE}/requests.{fmt}", **address(1)), fmt)
    assert client.get(f"{BASE}/services.{fmt}", **address(2)).status_code == 200


def test_writing_is_limited_more_strictly_than_reading(limited):
    client = limited.test_client()
    for _ in range(2):
        assert client.post(f"{BASE}/requests.json", data={"api_key": "nope"}, **address(3)).status_code == 403
    assert_too_many(client.post(f"{BASE}/requests.json", data={}, **address(3)), "json")
    assert client.get(f"{BASE}/services.json", **address(3)).status_code == 200  # reading still allowed


def test_a_key_is_limited_across_clients(limited, city):
    _key, secret = issue_key(city, department="roads")
    client = limited.test_client()
    for n in range(3):
        response = client.post(f"{BASE}/servicerequestupdates.json", data={"api_key": secret},
                               **address(10 + n))
        assert response.status_code == 400, n  # nothing to update: counted all the same
    assert_too_many(client.post(f"{BASE}/servicerequestupdates.xml", data={"api_key": secret},
                                **address(20)), "xml")
    # reading with the key has its own, larger allowance; without it, the client's own
    for n in range(6):
        assert client.get(f"{BASE}/services.json?api_key={secret}", **address(30 + n)).status_code == 200
    assert_too_many(client.get(f"{BASE}/services.json?api_key={secret}", **address(40)), "json")
    assert client.get(f"{BASE}/services.json", **address(40)).status_code == 200


def test_the_429_speaks_the_locale_asked(limited, pseudo_catalogs):
    client = limited.test_client()
    for _ in range(4):
        client.get(f"{BASE}/services.json?locale=es", **address(5))
    response = client.get(f"{BASE}/services.json?locale=es", **address(5))
    assert response.status_code == 429
    assert as_json(response)[0]["description"].startswith("[es] ")


def test_limits_off_in_the_test_app(client, city):
    for _ in range(15):
        assert client.get(f"{BASE}/services.json").status_code == 200


def test_the_defaults_write_less_than_they_read():
    def per_minute(setting: str) -> float:
        return min(item.amount * 60 / item.get_expiry() for item in parse_many(setting))

    assert per_minute(Config.OPEN311_POST_RATE_LIMIT) < per_minute(Config.OPEN311_RATE_LIMIT)
    assert per_minute(Config.OPEN311_KEY_POST_RATE_LIMIT) < per_minute(Config.OPEN311_KEY_RATE_LIMIT)
