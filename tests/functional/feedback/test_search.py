"""The public list's search, through the pages: codes, locations, hostile input, its cost."""

from __future__ import annotations

import pytest

from tests.functional.feedback import test_public as public
from tests.functional.feedback.test_public import _queries, codes_in, html, submit
from tests.functional.support import page

city, act = public.city, public.act  # the demo city and its runner, as in test_public


def test_partial_and_full_tracking_codes_and_location_words(client, city, act):
    item = submit(act, city, city.users["resident"], title="Wobbly bollard",
                  location_text="41 Ferry Approach, opposite the chandlery")
    code = item.tracking_code
    number = code.rsplit("-", 1)[1]
    assert codes_in(client.get("/en/requests", query_string={"q": number})) == [code]
    assert codes_in(client.get("/en/requests", query_string={"q": code})) == [code]
    assert codes_in(client.get("/en/requests", query_string={"q": f" {code.lower()} "})) == [code]
    assert codes_in(client.get("/en/requests", query_string={"q": "chandlery"})) == [code]
    assert codes_in(client.get("/en/requests", query_string={"q": "ferry approach"})) == [code]
    # The house number is masked in public, so it does not find the request.
    assert codes_in(client.get("/en/requests", query_string={"q": "41 ferry"})) == []


def test_uyghur_tibetan_and_spanish_searches(client, city, act):
    ug = submit(act, city, city.users["resident"], title="يول چىرىغى ئۆچۈپ قالدى",
                description="مەكتەپ ئالدىدىكى يول چىرىغى ئۈچ كۈندىن بېرى ئۆچۈك.", locale="ug")
    bo = submit(act, city, city.users["resident"], title="ལམ་སྒྲོན་འཚེར་མི་འདུག",
                description="སློབ་གྲྭའི་མདུན་གྱི་ལམ་སྒྲོན་ཉིན་གསུམ་རིང་འཚེར་མི་འདུག", locale="bo")
    es = submit(act, city, city.users["resident"], title="Farola apagada en la vía",
                description="La farola junto a la panadería no funciona desde el lunes.", locale="es")
    assert codes_in(client.get("/ug/requests", query_string={"q": "چىرىغى"})) == [ug.tracking_code]
    assert codes_in(client.get("/ug/requests", query_string={"q": "مەكتەپ"})) == [ug.tracking_code]
    assert codes_in(client.get("/bo/requests", query_string={"q": "སྒྲོན"})) == [bo.tracking_code]
    assert codes_in(client.get("/bo/requests", query_string={"q": "ལམ་སྒྲོན"})) == [bo.tracking_code]
    assert codes_in(client.get("/es/requests", query_string={"q": "panaderia"})) == [es.tracking_code]
    assert codes_in(client.get("/es/requests", query_string={"q": "VÍA farola"})) == [es.tracking_code]


@pytest.mark.parametrize("q", [
    '"', "*", ":", "&", "|", "!", "(", ")", "NEAR", "NEAR(pothole school)", "pothole:*",
    "' OR 1=1 --", "{title}: pothole", "\\", "pot\x00hole", "\x00", "x" * 100_000, "路" * 30_000,
])
def test_hostile_queries_never_fail_and_keep_what_was_typed(client, city, q):
    response = client.get("/en/requests", query_string={"q": q})
    assert response.status_code == 200
    body = html(response)
    assert "No requests match your search" in body or codes_in(response)
    typed = page(response).one("input", id="q").get("value") or ""
    if "\x00" in q or len(q) > 100:  # refused beside the box (PortalForm.validate_search)
        assert page(response).one(id="q-error")
    else:
        assert typed.startswith(q.strip())


def test_search_with_htmx_returns_the_ranked_fragment(client, city):
    response = client.get("/en/requests", query_string={"q": "pothole"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in html(response)
    assert codes_in(response)[0] == city.request("Deep pothole").tracking_code


def test_a_search_costs_the_same_queries_with_10_and_500_matches(client, db_session, factories):
    roads = factories.department(code="dispatch")
    area = factories.area()
    category = factories.service_category()
    factories.feedback_requests(10, category, area, roads, title="Paving")
    urls = ["/en/requests?q=paving", "/en/requests?q=paving+please&state=open",
            "/en/requests?q=nomatchword"]
    small = {url: len(_queries(client, db_session, url)) for url in urls}
    factories.feedback_requests(490, category, area, roads, title="Paving")
    for url in urls:
        assert len(_queries(client, db_session, url)) == small[url], url
    older = page(client.get("/en/requests?q=paving")).one("a", rel="next").get("href")
    assert len(_queries(client, db_session, older)) == small[urls[0]]
