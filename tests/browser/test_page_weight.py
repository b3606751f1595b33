"""The home page stays light and talks only to its own origin."""

from __future__ import annotations

import gzip

import pytest

pytestmark = pytest.mark.browser

BUDGET = 60 * 1024  # bytes, gzip-compressed: HTML + CSS + JS + whatever else loads


@pytest.mark.parametrize("path", ["/en/", "/ar/"])
def test_home_page_weight_and_origin(path, live_server, context):
    page = context.new_page()
    requested: list[str] = []
    responses = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: responses.append(response))
    page.goto(path, wait_until="networkidle")

    foreign = [url for url in requested if not url.startswith(live_server.origin + "/")]
    assert not foreign, "requests leaving the origin:\n" + "\n".join(foreign)

    sizes = {}
    for response in responses:
        if not response.url.startswith(live_server.origin + "/") or 300 <= response.status < 400:
            continue
        sizes[response.url.removeprefix(live_server.origin)] = len(gzip.compress(response.body()))
    kinds = {response.request.resource_type for response in responses}
    assert {"document", "stylesheet", "script"} <= kinds, kinds
    total = sum(sizes.values())
    breakdown = "\n".join(f"  {size:>7} B  {url}" for url, size in sorted(sizes.items()))
    assert total <= BUDGET, f"{total} B gzipped is over the {BUDGET} B budget:\n{breakdown}"
